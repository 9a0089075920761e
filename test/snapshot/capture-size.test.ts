import { mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { SnapshotStore } from '../../src/snapshot/snapshot-store.js';
import { runGit } from '../../src/files/git.js';
import { makeHome, makeRepo } from '../helpers/snapshot-fixtures.js';
import { treePaths } from '../helpers/snapshot-tree.js';
import { tempDir } from '../helpers/temp.js';

const MiB = 1024 * 1024;

describe('maxFileSize holds for every file of every capture', () => {
  it('leaves out a file that grew past the cap', async () => {
    const ws = path.join(await tempDir('ar-snap-plain-'), 'ws');
    await mkdir(ws);
    await writeFile(path.join(ws, 'grows.bin'), Buffer.alloc(1000, 1));
    await writeFile(path.join(ws, 'a.txt'), 'a\n');
    const store = await SnapshotStore.open({ workspace: ws, home: await makeHome(), maxFileSize: MiB });
    const m1 = await store.capture({ sessionId: 's', messageId: 'm1' });
    expect(await treePaths(store.path, m1.tree)).toEqual(['a.txt', 'grows.bin']);
    await writeFile(path.join(ws, 'grows.bin'), Buffer.alloc(2 * MiB, 2));
    const m2 = await store.capture({ sessionId: 's', messageId: 'm2' });
    expect(m2.skipped).toEqual([{ path: 'grows.bin', reason: 'too-large', size: 2 * MiB }]);
    expect(await treePaths(store.path, m2.tree)).toEqual(['a.txt']);
  });

  it('leaves out indexed files over a cap lowered for one capture, and takes them back after', async () => {
    const ws = await makeRepo({ 'a.txt': 'a\n', 'big.bin': Buffer.alloc(2 * MiB, 3) });
    await writeFile(path.join(ws, 'untracked-big.bin'), Buffer.alloc(2 * MiB, 4));
    const home = await makeHome();
    const store = await SnapshotStore.open({ workspace: ws, home });
    const m1 = await store.capture({ sessionId: 's', messageId: 'm1' });
    expect(await treePaths(store.path, m1.tree)).toEqual(['a.txt', 'big.bin', 'untracked-big.bin']);

    const m2 = await store.capture({ sessionId: 's', messageId: 'm2', maxFileSize: MiB });
    expect(m2.skipped).toEqual([
      { path: 'big.bin', reason: 'too-large', size: 2 * MiB },
      { path: 'untracked-big.bin', reason: 'too-large', size: 2 * MiB },
    ]);
    expect(await treePaths(store.path, m2.tree)).toEqual(['a.txt']);
    expect(m2.changedFiles).toEqual([
      { path: 'big.bin', status: 'deleted' },
      { path: 'untracked-big.bin', status: 'deleted' },
    ]);

    const m3 = await store.capture({ sessionId: 's', messageId: 'm3' });
    expect(m3.skipped).toEqual([]);
    expect(await treePaths(store.path, m3.tree)).toEqual(['a.txt', 'big.bin', 'untracked-big.bin']);

    // A store opened again with a smaller cap, on the same index.
    const small = await SnapshotStore.open({ workspace: ws, home, maxFileSize: MiB });
    const m4 = await small.capture({ sessionId: 's', messageId: 'm4' });
    expect(await treePaths(store.path, m4.tree)).toEqual(['a.txt']);
    expect((await small.diff({ sessionId: 's', messageId: 'm4' }, 'workspace')).files).toEqual([]);
  });

  it('holds after a rewind writes entries of a snapshot taken under a larger cap into the index', async () => {
    const ws = await makeRepo({ 'a.txt': 'a\n' });
    await writeFile(path.join(ws, 'big.bin'), Buffer.alloc(2 * MiB, 5));
    const home = await makeHome();
    const large = await SnapshotStore.open({ workspace: ws, home });
    const small = await SnapshotStore.open({ workspace: ws, home, maxFileSize: MiB });
    await large.capture({ sessionId: 's', messageId: 'm1' });
    await rm(path.join(ws, 'big.bin'));
    // Every indexed file is now small, as the small store checks for itself.
    const m2 = await small.capture({ sessionId: 's', messageId: 'm2' });
    expect(await treePaths(small.path, m2.tree)).toEqual(['a.txt']);
    // The rewind puts big.bin back on disk and in the index, behind the capture's back.
    await large.restore({ sessionId: 's', messageId: 'm1' }, { inPlace: true });
    const m3 = await small.capture({ sessionId: 's', messageId: 'm3' });
    expect(await treePaths(small.path, m3.tree)).toEqual(['a.txt']);
    expect(m3.skipped).toEqual([{ path: 'big.bin', reason: 'too-large', size: 2 * MiB }]);
  });

  it('holds when the index was rewritten without the store HEAD following (a rewind killed half-way)', async () => {
    const ws = await makeRepo({ 'a.txt': 'a\n' });
    await writeFile(path.join(ws, 'big.bin'), Buffer.alloc(2 * MiB, 6));
    const home = await makeHome();
    const large = await SnapshotStore.open({ workspace: ws, home });
    const small = await SnapshotStore.open({ workspace: ws, home, maxFileSize: MiB });
    const m1 = await large.capture({ sessionId: 's', messageId: 'm1' });
    await rm(path.join(ws, 'big.bin'));
    const m2 = await small.capture({ sessionId: 's', messageId: 'm2' });
    await runGit(['read-tree', '-m', '-u', m2.tree, m1.tree], {
      cwd: ws,
      gitDir: small.path,
      workTree: ws,
      indexFile: path.join(small.path, 'index'),
    });
    const m3 = await small.capture({ sessionId: 's', messageId: 'm3' });
    expect(await treePaths(small.path, m3.tree)).toEqual(['a.txt']);
    expect(m3.skipped).toEqual([{ path: 'big.bin', reason: 'too-large', size: 2 * MiB }]);
  });
});
