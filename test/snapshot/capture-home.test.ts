import { mkdir, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { SnapshotStore } from '../../src/snapshot/snapshot-store.js';
import { git, makeHome, makeRepo, writeTree } from '../helpers/snapshot-fixtures.js';
import { treePaths } from '../helpers/snapshot-tree.js';
import { tempDir } from '../helpers/temp.js';

/** What a Codex home holds, as the recorder and the CLI write it. */
const HOME_FILES = {
  'sessions/2026/11/21/rollout-2026-11-21T10-00-00-0199a213-81c0-7800-8aa1-bbab2a035a53.jsonl': '{}\n',
  'archived_sessions/rollout-2026-11-20T10-00-00-0199a213-81c0-7800-8aa1-bbab2a035a54.jsonl': '{}\n',
  'thread-writer-locks/0199a213-81c0-7800-8aa1-bbab2a035a53.lock': '',
  'session_index.jsonl': '{"id":"x"}\n',
  'config.toml': 'model = "x"\n',
};

async function plainFolder(files: Record<string, string>): Promise<string> {
  const ws = path.join(await tempDir('ar-snap-plain-'), 'ws');
  await mkdir(ws);
  await writeTree(ws, files);
  return ws;
}

describe('the home is never captured', () => {
  it('leaves out a home inside a Git workspace, even files the user tracks there', async () => {
    const ws = await makeRepo({ 'a.txt': 'a\n', '.codex/config.toml': 'tracked by the user\n' });
    const home = path.join(ws, '.codex');
    await writeTree(home, HOME_FILES);
    const store = await SnapshotStore.open({ workspace: ws, home });
    const m1 = await store.capture({ sessionId: 's', messageId: 'm1' });
    expect(await treePaths(store.path, m1.tree)).toEqual(['a.txt']);
    expect(m1.changedFiles.map((f) => f.path)).toEqual(['a.txt']);
    // The session file grows, the index is rewritten: nothing of it is seen.
    await writeTree(home, {
      'session_index.jsonl': '{"id":"x"}\n{"id":"y"}\n',
      'sessions/new.jsonl': '{}\n',
    });
    const m2 = await store.capture({ sessionId: 's', messageId: 'm2' });
    expect(m2.changedFiles).toEqual([]);
    expect((await store.diff({ sessionId: 's', messageId: 'm2' }, 'workspace')).files).toEqual([]);
  });

  it('leaves out a home inside a plain folder', async () => {
    const ws = await plainFolder({ 'a.txt': 'a\n' });
    const home = path.join(ws, 'state', 'codex');
    await writeTree(home, HOME_FILES);
    const store = await SnapshotStore.open({ workspace: ws, home });
    const m1 = await store.capture({ sessionId: 's', messageId: 'm1' });
    expect(await treePaths(store.path, m1.tree)).toEqual(['a.txt']);
  });

  it('compares real paths: a home reached through a symlink, a home folder linked into the workspace', async () => {
    const ws = await plainFolder({ 'a.txt': 'a\n' });
    await writeTree(path.join(ws, '.codex-real'), HOME_FILES);
    const outside = await tempDir('ar-snap-links-');
    const linkedHome = path.join(outside, 'home-link');
    await symlink(path.join(ws, '.codex-real'), linkedHome);
    const viaLink = await SnapshotStore.open({ workspace: ws, home: linkedHome });
    const m1 = await viaLink.capture({ sessionId: 's', messageId: 'm1' });
    expect(await treePaths(viaLink.path, m1.tree)).toEqual(['a.txt']);

    // A home outside the workspace whose sessions folder and index are links into it.
    const ws2 = await plainFolder({ 'b.txt': 'b\n' });
    await writeTree(path.join(ws2, 'data', 'sessions'), { 'x.jsonl': '{}\n' });
    await writeTree(ws2, { 'data/index.jsonl': '{}\n' });
    const home2 = await makeHome();
    await symlink(path.join(ws2, 'data', 'sessions'), path.join(home2, 'sessions'));
    await symlink(path.join(ws2, 'data', 'index.jsonl'), path.join(home2, 'session_index.jsonl'));
    const store2 = await SnapshotStore.open({ workspace: ws2, home: home2 });
    const n1 = await store2.capture({ sessionId: 's', messageId: 'm1' });
    expect(await treePaths(store2.path, n1.tree)).toEqual(['b.txt']);
  });

  it('leaves out a home ignored by nothing in a Git workspace whose folders hold it untracked', async () => {
    const ws = await makeRepo({ 'a.txt': 'a\n' });
    const home = path.join(ws, 'nested', 'deeper', 'home');
    await writeTree(home, HOME_FILES);
    await writeTree(ws, { 'nested/keep.txt': 'k\n' });
    const store = await SnapshotStore.open({ workspace: ws, home });
    const m1 = await store.capture({ sessionId: 's', messageId: 'm1' });
    expect(await treePaths(store.path, m1.tree)).toEqual(['a.txt', 'nested/keep.txt']);
  });

  it('refuses a workspace that is the home or one of its own folders', async () => {
    const home = await makeHome();
    await writeTree(home, HOME_FILES);
    for (const workspace of [home, path.join(home, 'sessions', '2026')]) {
      await expect(SnapshotStore.open({ workspace, home })).rejects.toMatchObject({
        name: 'TypeError',
        code: 'ERR_INVALID_ARG_VALUE',
      });
    }
    // A project kept elsewhere under the home (e.g. worktrees) is a workspace like any other.
    const project = path.join(home, 'worktrees', 'p');
    await writeTree(project, { 'x.txt': 'x\n' });
    await git(project, 'init', '--quiet', '--template=');
    const store = await SnapshotStore.open({ workspace: project, home });
    const snap = await store.capture({ sessionId: 's', messageId: 'm' });
    expect(await treePaths(store.path, snap.tree)).toEqual(['x.txt']);
    await writeFile(path.join(project, 'y.txt'), 'y\n');
  });
});
