import { rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { SnapshotStore } from '../../src/snapshot/snapshot-store.js';
import { git, makeHome, makeRepo } from '../helpers/snapshot-fixtures.js';
import { treeFile, treePaths } from '../helpers/snapshot-tree.js';

describe('a snapshot is what is on disk, whatever the bits of the user index', () => {
  it('holds only the files a sparse checkout has on disk, and sees the rest once they appear', async () => {
    const ws = await makeRepo({ 'root.txt': 'r\n', 'a/1.txt': '1\n', 'b/2.txt': '2\n' });
    await git(ws, 'sparse-checkout', 'set', 'a');
    const store = await SnapshotStore.open({ workspace: ws, home: await makeHome() });
    const m1 = await store.capture({ sessionId: 's', messageId: 'm1' });
    expect(await treePaths(store.path, m1.tree)).toEqual(['a/1.txt', 'root.txt']);

    await git(ws, 'sparse-checkout', 'disable');
    const m2 = await store.capture({ sessionId: 's', messageId: 'm2' });
    expect(await treePaths(store.path, m2.tree)).toEqual(['a/1.txt', 'b/2.txt', 'root.txt']);
    expect(m2.changedFiles).toEqual([{ path: 'b/2.txt', status: 'added' }]);
    await writeFile(path.join(ws, 'b', '2.txt'), 'edited\n');
    const diff = await store.diff({ sessionId: 's', messageId: 'm2' }, 'workspace');
    expect(diff.files.map((f) => [f.path, f.status])).toEqual([['b/2.txt', 'modified']]);
  });

  it('never copies assume-unchanged: an edit of such a file is captured', async () => {
    const ws = await makeRepo({ 'a.txt': 'one\n', 'b.txt': 'b\n' });
    await git(ws, 'update-index', '--assume-unchanged', 'a.txt');
    const store = await SnapshotStore.open({ workspace: ws, home: await makeHome() });
    const m1 = await store.capture({ sessionId: 's', messageId: 'm1' });
    expect(await treeFile(store.path, m1.tree, 'a.txt')).toBe('one');
    await writeFile(path.join(ws, 'a.txt'), 'edited again\n');
    const m2 = await store.capture({ sessionId: 's', messageId: 'm2' });
    expect(m2.changedFiles).toEqual([{ path: 'a.txt', status: 'modified' }]);
    expect(await treeFile(store.path, m2.tree, 'a.txt')).toBe('edited again');
  });

  it('drops skip-worktree entries whose file is not on disk, keeps those whose file is', async () => {
    const ws = await makeRepo({ 'gone.txt': 'g\n', 'here.txt': 'h\n', 'plain.txt': 'p\n' });
    await git(ws, 'update-index', '--skip-worktree', 'gone.txt', 'here.txt');
    await rm(path.join(ws, 'gone.txt'));
    await writeFile(path.join(ws, 'here.txt'), 'changed under skip-worktree\n');
    const store = await SnapshotStore.open({ workspace: ws, home: await makeHome() });
    const m1 = await store.capture({ sessionId: 's', messageId: 'm1' });
    expect(await treePaths(store.path, m1.tree)).toEqual(['here.txt', 'plain.txt']);
    expect(await treeFile(store.path, m1.tree, 'here.txt')).toBe('changed under skip-worktree');
  });
});
