import { chmod, mkdir, readdir, rm, stat, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { GitError, RewindRefusedError, RolloutIOError, SnapshotNotFoundError } from '../../src/errors.js';
import { runGit } from '../../src/files/git.js';
import { messageRef } from '../../src/snapshot/refs.js';
import { SnapshotStore } from '../../src/snapshot/snapshot-store.js';
import {
  hashTree,
  makeHome,
  makeRepo,
  readTree,
  skipDotGit,
  writeTree,
} from '../helpers/snapshot-fixtures.js';
import { tempDir } from '../helpers/temp.js';

describe('restore into a new folder', () => {
  it('refuses an existing folder and an unknown snapshot', async () => {
    const ws = await makeRepo();
    const store = await SnapshotStore.open({ workspace: ws, home: await makeHome() });
    await store.capture({ sessionId: 's', messageId: 'm' });
    const existing = await tempDir();
    await expect(
      store.restore({ sessionId: 's', messageId: 'm' }, { dest: existing }),
    ).rejects.toBeInstanceOf(RolloutIOError);
    expect(await readdir(existing)).toEqual([]);
    await expect(
      store.restore({ sessionId: 's', messageId: 'nope' }, { dest: path.join(existing, 'x') }),
    ).rejects.toBeInstanceOf(SnapshotNotFoundError);
    await expect(
      store.restore({ sessionId: 's', messageId: 'm' }, {
        dest: path.join(existing, 'x'),
        inPlace: true,
      } as never),
    ).rejects.toThrow(/dest.*inPlace/);
  });

  it.each([
    ['a parent-folder entry', '..'],
    ['a .git entry', '.git'],
  ])('never writes outside dest, even for a tree with %s', async (_label, name) => {
    const ws = await makeRepo();
    const store = await SnapshotStore.open({ workspace: ws, home: await makeHome() });
    const g = (args: string[], input?: string) =>
      runGit(args, { gitDir: store.path, cwd: store.path, input });
    const blob = (await g(['hash-object', '-w', '--stdin'], 'evil\n')).stdout;
    const inner = (await g(['mktree'], `100644 blob ${blob}\tescaped.txt\n`)).stdout;
    const tree = (await g(['mktree'], `040000 tree ${inner}\t${name}\n`)).stdout;
    const commit = (await g(['commit-tree', tree], 'x\n')).stdout;
    await g(['update-ref', messageRef('s', 'evil'), commit]);
    const parent = await tempDir();
    await expect(
      store.restore({ sessionId: 's', messageId: 'evil' }, { dest: path.join(parent, 'dest') }),
    ).rejects.toBeInstanceOf(GitError);
    expect(await readdir(parent)).toEqual(['dest']);
    expect(await readdir(path.join(parent, 'dest'))).toEqual([]);
  });
});

describe('restore in place', () => {
  it('writes only differing paths, leaves untracked-by-snapshot files alone, and can be undone', async () => {
    const ws = await makeRepo({
      'a.txt': 'a1\n',
      'b.txt': 'b1\n',
      'same.txt': 'same\n',
      'dir/d.txt': 'd1\n',
      '.gitignore': '*.log\n',
    });
    await writeTree(ws, { 'build.log': 'ignored v1\n', 'huge.bin': Buffer.alloc(4096, 7) });
    const gitBefore = await hashTree(path.join(ws, '.git'));
    const store = await SnapshotStore.open({ workspace: ws, home: await makeHome(), maxFileSize: 1024 });
    const m1 = await store.capture({ sessionId: 's', messageId: 'm1' });
    const atM1 = await readTree(ws, { skip: (r) => skipDotGit(r) || r === 'build.log' || r === 'huge.bin' });

    await writeTree(ws, {
      'a.txt': 'a2\n',
      'c.txt': 'new\n',
      'dir/e.txt': 'e\n',
      'build.log': 'ignored v2\n',
    });
    await rm(path.join(ws, 'b.txt'));
    await writeFile(path.join(ws, 'huge.bin'), Buffer.alloc(8192, 9));
    const untouched = await stat(path.join(ws, 'same.txt'));
    const beforeRewind = await hashTree(ws, { skip: skipDotGit });

    const rewind = await store.restore({ sessionId: 's', messageId: 'm1' }, { inPlace: true });
    expect(rewind.commit).toBe(m1.commit);
    expect(rewind.written.sort()).toEqual(['a.txt', 'b.txt']);
    expect(rewind.removed.sort()).toEqual(['c.txt', 'dir/e.txt']);
    expect(
      await readTree(ws, { skip: (r) => skipDotGit(r) || r === 'build.log' || r === 'huge.bin' }),
    ).toEqual(atM1);
    const after = await stat(path.join(ws, 'same.txt'));
    expect([after.ino, after.mtimeMs]).toEqual([untouched.ino, untouched.mtimeMs]);
    expect((await readTree(ws))['build.log']).toBe(Buffer.from('ignored v2\n').toString('base64'));
    expect((await stat(path.join(ws, 'huge.bin'))).size).toBe(8192);
    expect(rewind.backup.skipped).toEqual([{ path: 'huge.bin', reason: 'too-large', size: 8192 }]);

    const undo = await store.restore(
      { sessionId: rewind.backup.sessionId, messageId: rewind.backup.messageId },
      { inPlace: true, backup: { sessionId: 'undo', messageId: 'before-undo' } },
    );
    expect(undo.backup.tree).toBe(m1.tree);
    expect(await hashTree(ws, { skip: skipDotGit })).toBe(beforeRewind);
    expect(await hashTree(path.join(ws, '.git'))).toBe(gitBefore);
  });

  it('refuses to replace a file it cannot back up (over the size cap), writing nothing', async () => {
    const ws = await tempDir('ar-snap-plain-');
    await writeTree(ws, { 'keep.txt': 'k\n', 'x.bin': 'small\n' });
    const store = await SnapshotStore.open({ workspace: ws, home: await makeHome(), maxFileSize: 100 });
    await store.capture({ sessionId: 's', messageId: 'm1' });
    await writeFile(path.join(ws, 'x.bin'), Buffer.alloc(1000, 1));
    await expect(
      store.restore({ sessionId: 's', messageId: 'm1' }, { inPlace: true }),
    ).rejects.toBeInstanceOf(RewindRefusedError);
    expect((await stat(path.join(ws, 'x.bin'))).size).toBe(1000);
  });

  it('restores a plain folder, symlinks and exec bits included', async () => {
    const ws = await tempDir('ar-snap-plain-');
    await mkdir(path.join(ws, 'sub'));
    await writeTree(ws, { 'run.sh': '#!/bin/sh\n', 'sub/f.txt': 'f\n' });
    await chmod(path.join(ws, 'run.sh'), 0o755);
    await symlink('sub/f.txt', path.join(ws, 'link'));
    await symlink('sub', path.join(ws, 'dir-link'));
    const store = await SnapshotStore.open({ workspace: ws, home: await makeHome() });
    const want = await hashTree(ws);
    await store.capture({ sessionId: 's', messageId: 'm' });
    await rm(path.join(ws, 'sub'), { recursive: true });
    await writeTree(ws, { 'other.txt': 'o\n' });
    await store.restore({ sessionId: 's', messageId: 'm' }, { inPlace: true });
    expect(await hashTree(ws)).toBe(want);
  });
});
