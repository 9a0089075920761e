import { readdir, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SnapshotNotFoundError } from '../../src/errors.js';
import { runGit } from '../../src/files/git.js';
import { decodeCommitMessage, encodeCommitMessage, messageRef, sha256Hex } from '../../src/snapshot/refs.js';
import type { SnapshotRecord } from '../../src/snapshot/refs.js';
import { SnapshotStore } from '../../src/snapshot/snapshot-store.js';
import { workspaceKey } from '../../src/snapshot/workspace.js';
import { git, makeHome, makeRepo, readTree, skipDotGit, writeTree } from '../helpers/snapshot-fixtures.js';
import { tempDir } from '../helpers/temp.js';

const HOSTILE_IDS: [string, string][] = [
  ['a slash', 'session/with/slashes'],
  ['dot-dot', '../../etc/passwd'],
  ['newlines', 'line one\nline two\r\n'],
  ['a leading dash', '--upload-pack=touch /tmp/pwned'],
  ['10 KB of Unicode', 'ünïcødé 日本語 🚀 '.repeat(600).slice(0, 10_000)],
];

describe('hostile ids', () => {
  it.each(HOSTILE_IDS)('round-trips ids with %s and keeps them out of ref names', async (_label, id) => {
    const ws = await makeRepo({ 'a.txt': 'a\n' });
    const store = await SnapshotStore.open({ workspace: ws, home: await makeHome() });
    const snap = await store.capture({ sessionId: id, messageId: id, metadata: { id } });
    expect(snap.sessionId).toBe(id);
    const [info] = await store.list({ sessionId: id });
    expect(info).toMatchObject({ sessionId: id, messageId: id, metadata: { id }, commit: snap.commit });
    const refs = (await runGit(['for-each-ref', '--format=%(refname)'], { gitDir: store.path })).stdout;
    for (const ref of refs.split('\n'))
      expect(ref).toMatch(/^refs\/[a-z-]+\/([0-9a-f]{64}\/?)*[0-9a-f]{0,64}$|^refs\/heads\//);
    expect(refs).toContain(messageRef(id, id));
    const dest = path.join(await tempDir(), 'out');
    await store.restore({ sessionId: id, messageId: id }, { dest });
    expect(Object.keys(await readTree(dest))).toEqual(['a.txt']);
    await store.delete({ sessionId: id, messageId: id });
    expect(await store.list()).toEqual([]);
  });

  it('encodes any ids and metadata in the commit message and reads them back', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: 'grapheme' }),
        fc.string(),
        fc.dictionary(fc.string(), fc.jsonValue()),
        (s, m, meta) => {
          const record: SnapshotRecord = {
            schema_version: 1,
            session_id: s,
            message_id: m,
            captured_at: '2026-11-21T05:24:14.877Z',
            workspace: '/w',
            metadata: JSON.parse(JSON.stringify(meta)) as Record<string, unknown>,
            vcs: null,
            skipped: [],
          };
          expect(decodeCommitMessage(encodeCommitMessage(record))).toEqual(record);
          expect(messageRef(s, m)).toBe(`refs/rollouts/${sha256Hex(s)}/${sha256Hex(m)}`);
        },
      ),
    );
  });
});

describe('the store', () => {
  it('lives under <home>/snapshots/<key> with a key from the real path', async () => {
    const ws = await makeRepo();
    const home = await makeHome();
    const store = await SnapshotStore.open({ workspace: ws, home });
    expect(store.path).toBe(path.join(home, 'snapshots', workspaceKey(ws)));
    expect(workspaceKey(ws)).toMatch(/^repo-[0-9a-f]{20}$/);
    expect((await stat(store.path)).mode & 0o777).toBe(0o700);
  });

  it('is self-contained after a capture seeded from the user objects', async () => {
    const ws = await makeRepo({ 'a.txt': 'a\n', 'big/b.txt': 'b'.repeat(10_000) });
    await git(ws, 'gc', '--quiet');
    const store = await SnapshotStore.open({ workspace: ws, home: await makeHome() });
    await store.capture({ sessionId: 's', messageId: 'm' });
    expect(await readdir(path.join(store.path, 'objects', 'info')).catch(() => [])).not.toContain(
      'alternates',
    );
    const want = await readTree(ws, { skip: skipDotGit });
    await rm(path.join(ws, '.git'), { recursive: true });
    await runGit(['fsck', '--no-dangling', '--no-progress', '--strict'], { gitDir: store.path });
    const dest = path.join(await tempDir(), 'out');
    await store.restore({ sessionId: 's', messageId: 'm' }, { dest });
    expect(await readTree(dest)).toEqual(want);
  });
});

describe('diff', () => {
  it('reports status, line counts, renames, binaries and the patch', async () => {
    const ws = await makeRepo({
      'a.txt': 'one\ntwo\nthree\n',
      'move-me.txt': 'same content here\n'.repeat(20),
    });
    const store = await SnapshotStore.open({ workspace: ws, home: await makeHome() });
    await store.capture({ sessionId: 's', messageId: 'm1' });
    await writeTree(ws, { 'a.txt': 'one\nTWO\nthree\nfour\n', 'bin.dat': Buffer.from([0, 1, 2, 3]) });
    await git(ws, 'mv', 'move-me.txt', 'moved.txt');
    await store.capture({ sessionId: 's', messageId: 'm2' });
    const d = await store.diff(
      { sessionId: 's', messageId: 'm1' },
      { sessionId: 's', messageId: 'm2' },
      { patch: true },
    );
    expect(d.files).toEqual([
      { path: 'a.txt', status: 'modified', additions: 2, deletions: 1, binary: false },
      { path: 'bin.dat', status: 'added', additions: null, deletions: null, binary: true },
      {
        path: 'moved.txt',
        oldPath: 'move-me.txt',
        status: 'renamed',
        additions: 0,
        deletions: 0,
        binary: false,
      },
    ]);
    expect(d.patch).toContain('+TWO\n');
    expect(d.patch).toContain('GIT binary patch');

    await writeTree(ws, { 'a.txt': 'live\n' });
    const live = await store.diff({ sessionId: 's', messageId: 'm2' }, 'workspace');
    expect(live.files).toEqual([
      { path: 'a.txt', status: 'modified', additions: 1, deletions: 4, binary: false },
    ]);
    expect(live.patch).toBeUndefined();
    const none = await store.diff('workspace', 'workspace');
    expect(none.files).toEqual([]);
    await expect(store.diff({ sessionId: 's', messageId: 'x' }, 'workspace')).rejects.toBeInstanceOf(
      SnapshotNotFoundError,
    );
  });
});

describe('delete', () => {
  it('removes refs and prunes objects only they kept', async () => {
    const ws = await makeRepo({ 'a.txt': 'a\n' });
    const store = await SnapshotStore.open({ workspace: ws, home: await makeHome() });
    await store.capture({ sessionId: 'keep', messageId: 'm' });
    await writeTree(ws, { 'secret.txt': 'only in the doomed session\n' });
    const doomed = await store.capture({ sessionId: 'drop', messageId: 'm1' });
    await store.capture({ sessionId: 'drop', messageId: 'm2' });
    await rm(path.join(ws, 'secret.txt'));
    await store.capture({ sessionId: 'keep', messageId: 'm2' });
    const blob = (await runGit(['rev-parse', `${doomed.tree}:secret.txt`], { gitDir: store.path })).stdout;

    expect(await store.delete({ sessionId: 'drop', messageId: 'm2' })).toEqual({
      deleted: [{ sessionId: 'drop', messageId: 'm2' }],
    });
    expect((await store.list({ sessionId: 'drop' })).map((s) => s.messageId)).toEqual(['m1']);
    await expect(store.delete({ sessionId: 'drop', messageId: 'm2' })).rejects.toBeInstanceOf(
      SnapshotNotFoundError,
    );
    await store.delete({ sessionId: 'drop' });
    expect((await store.list()).map((s) => `${s.sessionId}/${s.messageId}`)).toEqual(['keep/m', 'keep/m2']);
    const has = await runGit(['cat-file', '-e', blob], { gitDir: store.path, okExitCodes: [0, 1, 128] });
    expect(has.exitCode).not.toBe(0);
    await runGit(['fsck', '--no-dangling', '--no-progress'], { gitDir: store.path });
    const next = await store.capture({ sessionId: 'keep', messageId: 'm3' });
    expect(next.changedFiles).toEqual([]);
  });
});

describe('push and restoreFromRemote', () => {
  it('pushes annotated tags once and restores from the remote over file://', async () => {
    const ws = await makeRepo({ 'a.txt': 'a\n' });
    const store = await SnapshotStore.open({ workspace: ws, home: await makeHome() });
    await store.capture({ sessionId: 's1', messageId: 'm1', metadata: { k: 1 } });
    await writeTree(ws, { 'b.txt': 'b\n' });
    await store.capture({ sessionId: 's2', messageId: 'm1' });
    const remote = path.join(await tempDir(), 'archive.git');
    await git(path.dirname(remote), 'init', '--quiet', '--bare', '--template=', remote);
    const url = `file://${remote}`;

    const first = await store.push(url, { sessionId: 's1' });
    const tag1 = `refs/tags/rollouts/session/${sha256Hex('s1')}/message/${sha256Hex('m1')}`;
    expect(first).toEqual({ pushed: [tag1], skipped: [], redactions: [] });
    const second = await store.push(url);
    expect(second.skipped).toEqual([tag1]);
    expect(second.pushed).toHaveLength(1);
    expect((await store.push(url)).pushed).toEqual([]);

    const text = (await runGit(['cat-file', 'tag', tag1], { gitDir: remote })).stdout;
    const json = JSON.parse(text.slice(text.indexOf('\n\n') + 2)) as Record<string, unknown>;
    const [info] = await store.list({ sessionId: 's1' });
    expect(json).toEqual({
      schema_version: 1,
      session_id: 's1',
      message_id: 'm1',
      captured_at: info?.capturedAt,
      commit: info?.commit,
      vcs: {
        type: 'git',
        branch: info?.vcs?.branch,
        head: info?.vcs?.head,
        worktree: info?.vcs?.worktree,
        common_dir: info?.vcs?.commonDir,
      },
      metadata: { k: 1 },
    });

    const dest = path.join(await tempDir(), 'from-remote');
    const restored = await SnapshotStore.restoreFromRemote(url, { sessionId: 's2', messageId: 'm1' }, dest);
    expect(Object.keys(await readTree(dest))).toEqual(['a.txt', 'b.txt']);
    expect(restored.record['session_id']).toBe('s2');
    await expect(
      SnapshotStore.restoreFromRemote(url, { sessionId: 's3', messageId: 'm1' }, path.join(dest, 'x')),
    ).rejects.toBeInstanceOf(SnapshotNotFoundError);
  });
});

describe('signals and arguments', () => {
  it('stops on an aborted signal and links nothing', async () => {
    const ws = await makeRepo();
    const store = await SnapshotStore.open({ workspace: ws, home: await makeHome() });
    await expect(
      store.capture({ sessionId: 's', messageId: 'm', signal: AbortSignal.abort(new Error('stop')) }),
    ).rejects.toThrow('stop');
    expect(await store.list()).toEqual([]);
  });

  it.each([
    ['an empty session id', { sessionId: '', messageId: 'm' }],
    ['a missing message id', { sessionId: 's' }],
  ])('rejects %s up front', async (_label, options) => {
    const store = await SnapshotStore.open({ workspace: await makeRepo(), home: await makeHome() });
    await expect(store.capture(options as never)).rejects.toBeInstanceOf(TypeError);
  });
});
