import { mkdir, readFile, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { SnapshotStore } from '../../src/snapshot/snapshot-store.js';
import { git, makeHome, makeRepo } from '../helpers/snapshot-fixtures.js';
import { treePaths } from '../helpers/snapshot-tree.js';
import { tempDir } from '../helpers/temp.js';

/** A path under `root` whose last components are raw bytes (latin1: one character per byte). */
const raw = (root: string, ...bytes: string[]): Buffer =>
  Buffer.concat([Buffer.from(root), ...bytes.map((b) => Buffer.from(`/${b}`, 'latin1'))]);

async function names(dir: Buffer | string): Promise<string[]> {
  return (await readdir(dir, { encoding: 'buffer' })).map((n) => n.toString('latin1')).sort();
}

async function checkRestored(store: SnapshotStore, messageId: string, expected: Record<string, string>) {
  const dest = path.join(await tempDir(), 'out');
  await store.restore({ sessionId: 's', messageId }, { dest });
  for (const [rel, content] of Object.entries(expected)) {
    expect((await readFile(raw(dest, ...rel.split('/')))).toString()).toBe(content);
  }
  return dest;
}

describe('file names that are not UTF-8', () => {
  it('are captured and restored byte-exact in a plain folder', async () => {
    const ws = path.join(await tempDir('ar-snap-plain-'), 'ws');
    await mkdir(ws);
    await writeFile(raw(ws, 'caf\xe9.txt'), 'latin-1 name\n');
    await mkdir(raw(ws, 'd\xfe'));
    await writeFile(raw(ws, 'd\xfe', 'new\xff.txt'), 'inside\n');
    await writeFile(path.join(ws, 'ok.txt'), 'ok\n');
    const store = await SnapshotStore.open({ workspace: ws, home: await makeHome() });
    const m1 = await store.capture({ sessionId: 's', messageId: 'm1' });
    expect(m1.skipped).toEqual([]);
    expect(await treePaths(store.path, m1.tree)).toEqual(['caf\xe9.txt', 'd\xfe/new\xff.txt', 'ok.txt']);
    const dest = await checkRestored(store, 'm1', {
      'caf\xe9.txt': 'latin-1 name\n',
      'd\xfe/new\xff.txt': 'inside\n',
    });
    expect(await names(dest)).toEqual(['caf\xe9.txt', 'd\xfe', 'ok.txt']);
    expect(await names(raw(dest, 'd\xfe'))).toEqual(['new\xff.txt']);

    await writeFile(raw(ws, 'caf\xe9.txt'), 'edited\n');
    const m2 = await store.capture({ sessionId: 's', messageId: 'm2' });
    expect(m2.changedFiles).toEqual([{ path: 'caf\ufffd.txt', status: 'modified' }]);
    await checkRestored(store, 'm2', { 'caf\xe9.txt': 'edited\n' });
  });

  it('are captured and restored byte-exact in a Git workspace: tracked, edited, untracked, in new folders', async () => {
    const ws = await makeRepo({ 'a.txt': 'a\n' });
    await writeFile(raw(ws, 'caf\xe9.txt'), 'tracked\n');
    await git(ws, 'add', '-A');
    await git(ws, 'commit', '--quiet', '-m', 'latin-1 name');
    await writeFile(raw(ws, 'caf\xe9.txt'), 'edited\n');
    await writeFile(raw(ws, 'new\xff.txt'), 'untracked\n');
    await mkdir(raw(ws, 'n\xf1'));
    await writeFile(raw(ws, 'n\xf1', 'x.txt'), 'in a new folder\n');
    const store = await SnapshotStore.open({ workspace: ws, home: await makeHome() });
    const m1 = await store.capture({ sessionId: 's', messageId: 'm1' });
    expect(await treePaths(store.path, m1.tree)).toEqual([
      'a.txt',
      'caf\xe9.txt',
      'new\xff.txt',
      'n\xf1/x.txt',
    ]);
    await checkRestored(store, 'm1', {
      'caf\xe9.txt': 'edited\n',
      'new\xff.txt': 'untracked\n',
      'n\xf1/x.txt': 'in a new folder\n',
    });
    await writeFile(raw(ws, 'caf\xe9.txt'), 'edited twice\n');
    const m2 = await store.capture({ sessionId: 's', messageId: 'm2' });
    expect(m2.changedFiles).toEqual([{ path: 'caf\ufffd.txt', status: 'modified' }]);
    await checkRestored(store, 'm2', { 'caf\xe9.txt': 'edited twice\n' });
  });
});
