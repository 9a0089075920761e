import { chmod, mkdir, readFile, readdir, rm, stat, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { RewindRefusedError } from '../../src/errors.js';
import { runGit } from '../../src/files/git.js';
import { messageRef } from '../../src/snapshot/refs.js';
import { SnapshotStore } from '../../src/snapshot/snapshot-store.js';
import type { RewindResult, SnapshotRef } from '../../src/snapshot/types.js';
import { git, makeHome, makeRepo, writeTree } from '../helpers/snapshot-fixtures.js';
import { describeTree, gitDigest, workspaceState } from '../helpers/rewind-state.js';
import { tempDir } from '../helpers/temp.js';

const S = 'session';
const at = (messageId: string): SnapshotRef => ({ sessionId: S, messageId });
const backupOf = (r: RewindResult): SnapshotRef => ({
  sessionId: r.backup.sessionId,
  messageId: r.backup.messageId,
});

/**
 * Rewinds to `ref`, checks `check` on the rewound workspace, undoes, and checks that the workspace
 * and the user's `.git` are exactly as they were before the rewind.
 */
async function rewindAndUndo(
  store: SnapshotStore,
  ref: SnapshotRef,
  check: (r: RewindResult) => Promise<void>,
  skip: (rel: string) => boolean = () => false,
): Promise<void> {
  const ws = store.workspace;
  const state = async (): Promise<string[]> => (await workspaceState(ws)).filter((l) => !skip(l));
  const before = await state();
  const gitBefore = store.kind === 'git' ? await gitDigest(ws) : '';
  const r = await store.restore(ref, { inPlace: true });
  expect(r.undo).toContain('--in-place');
  expect(r.undo).toContain(r.backup.messageId);
  await check(r);
  await store.restore(backupOf(r), { inPlace: true });
  expect(await state()).toEqual(before);
  if (store.kind === 'git') expect(await gitDigest(ws)).toBe(gitBefore);
}

describe('a rewind backs up ignored files it overwrites or removes', () => {
  it('an ignored .env with a secret: overwritten by the rewind, back with its mode after undo', async () => {
    const ws = await makeRepo({ 'a.txt': 'a1\n' });
    await writeTree(ws, { '.env': 'OLD=1\n' });
    const store = await SnapshotStore.open({ workspace: ws, home: await makeHome() });
    await store.capture({ ...at('m1') });
    await writeFile(path.join(ws, '.gitignore'), '.env\n');
    await writeFile(path.join(ws, '.env'), 'SECRET=hunter2\n');
    await chmod(path.join(ws, '.env'), 0o600);
    await writeFile(path.join(ws, 'a.txt'), 'a2\n');
    await store.capture({ ...at('m2') });
    await rewindAndUndo(store, at('m1'), async () => {
      expect(await readFile(path.join(ws, '.env'), 'utf8')).toBe('OLD=1\n');
      expect(await readFile(path.join(ws, 'a.txt'), 'utf8')).toBe('a1\n');
    });
    expect(await readFile(path.join(ws, '.env'), 'utf8')).toBe('SECRET=hunter2\n');
  });

  it('an ignored folder where the snapshot has a file: replaced, back after undo', async () => {
    const ws = await makeRepo({ 'a.txt': 'a1\n' });
    await writeTree(ws, { cache: 'a file\n' });
    const store = await SnapshotStore.open({ workspace: ws, home: await makeHome() });
    await store.capture({ ...at('m1') });
    await rm(path.join(ws, 'cache'));
    await writeTree(ws, {
      '.gitignore': 'cache/\nlogs/\n',
      'cache/precious.db': 'precious\n',
      'cache/sub/x': 'x',
    });
    await chmod(path.join(ws, 'cache', 'precious.db'), 0o600);
    await chmod(path.join(ws, 'cache'), 0o700);
    await rewindAndUndo(store, at('m1'), async (r) => {
      expect(await readFile(path.join(ws, 'cache'), 'utf8')).toBe('a file\n');
      expect(r.written).toContain('cache');
    });
    expect(await readFile(path.join(ws, 'cache', 'precious.db'), 'utf8')).toBe('precious\n');
  });

  it('an ignored empty folder in the way comes back empty, with its mode', async () => {
    const ws = await tempDir('ar-rw-plain-');
    await writeTree(ws, { logs: 'was a file\n', 'keep.txt': 'k\n', 'spot/x.txt': 'x\n' });
    const store = await SnapshotStore.open({ workspace: ws, home: await makeHome() });
    await store.capture({ ...at('m1') });
    await rm(path.join(ws, 'logs'));
    // An empty folder the rewind writes into: the undo empties it again, and keeps it.
    await rm(path.join(ws, 'spot', 'x.txt'));
    await chmod(path.join(ws, 'spot'), 0o750);
    await mkdir(path.join(ws, 'logs', 'deeper'), { recursive: true });
    await chmod(path.join(ws, 'logs'), 0o750);
    await rewindAndUndo(store, at('m1'), async () => {
      expect(await readFile(path.join(ws, 'logs'), 'utf8')).toBe('was a file\n');
    });
    expect((await stat(path.join(ws, 'logs'))).mode & 0o777).toBe(0o750);
  });

  it.each([
    ['a file at the nested repository', 'vendor/lib'],
    ['a file at a folder holding it', 'vendor'],
  ])('refuses, listing it, to replace an ignored nested repository (%s)', async (_label, file) => {
    const ws = await makeRepo({ 'a.txt': 'a1\n' });
    await writeTree(ws, { [file]: 'a plain file once\n' });
    const store = await SnapshotStore.open({ workspace: ws, home: await makeHome() });
    await store.capture({ ...at('m1') });
    await rm(path.join(ws, file));
    const nested = path.join(ws, 'vendor', 'lib');
    await mkdir(nested, { recursive: true });
    await git(nested, 'init', '--quiet', '--template=');
    await writeTree(nested, { 'lib.c': 'int x;\n' });
    await git(nested, 'add', '-A');
    await git(nested, 'commit', '--quiet', '-m', 'unpushed work');
    await writeTree(ws, { '.gitignore': 'vendor/\n', 'a.txt': 'a2\n' });
    const before = await workspaceState(ws);
    const nestedGit = await gitDigest(nested);
    const error = await store.restore(at('m1'), { inPlace: true }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RewindRefusedError);
    expect((error as RewindRefusedError).code).toBe('E_REWIND_REFUSED');
    expect((error as RewindRefusedError).paths).toContainEqual({
      path: 'vendor/lib/',
      reason: 'nested-repository',
    });
    expect((error as Error).message).toContain('vendor/lib/');
    expect(await workspaceState(ws)).toEqual(before);
    expect(await gitDigest(nested)).toBe(nestedGit);
  });

  it('refuses, before writing anything, to replace what it cannot back up', async () => {
    const ws = await tempDir('ar-rw-plain-');
    await writeTree(ws, { 'x.bin': 'small\n', fifo: 'a file once\n', 'a.txt': 'a1\n' });
    const store = await SnapshotStore.open({ workspace: ws, home: await makeHome(), maxFileSize: 100 });
    await store.capture({ ...at('m1') });
    await writeFile(path.join(ws, 'x.bin'), Buffer.alloc(1000, 1));
    await rm(path.join(ws, 'fifo'));
    const { execa } = await import('execa');
    await execa('mkfifo', [path.join(ws, 'fifo')]);
    await writeFile(path.join(ws, 'a.txt'), 'a2\n');
    const before = await workspaceState(ws);
    const error = await store.restore(at('m1'), { inPlace: true }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RewindRefusedError);
    expect((error as RewindRefusedError).paths).toEqual([
      { path: 'fifo', reason: 'special-file' },
      { path: 'x.bin', reason: 'too-large' },
    ]);
    expect(await workspaceState(ws)).toEqual(before);
  });
});

describe('a rewind keeps modes, symlinks and empty folders', () => {
  it('undo brings back 0600 files and 0700 folders the rewind removed, in place and into a new folder', async () => {
    const ws = await makeRepo({ 'a.txt': 'a1\n' });
    const home = await makeHome();
    const store = await SnapshotStore.open({ workspace: ws, home });
    await store.capture({ ...at('m1') });
    await writeTree(ws, { id_rsa: 'PRIVATE KEY\n', 'private/key': 'k\n', 'private/deep/er': 'e\n' });
    await chmod(path.join(ws, 'id_rsa'), 0o600);
    await chmod(path.join(ws, 'private', 'key'), 0o600);
    await chmod(path.join(ws, 'private', 'deep'), 0o700);
    await chmod(path.join(ws, 'private'), 0o700);
    let backup: SnapshotRef | undefined;
    await rewindAndUndo(store, at('m1'), async (r) => {
      backup = backupOf(r);
      expect(await readdir(ws)).not.toContain('private');
      expect(r.removed.sort()).toEqual(['id_rsa', 'private/deep/er', 'private/key']);
    });
    const dest = path.join(await tempDir(), 'dest');
    await store.restore(backup!, { dest });
    const want = await workspaceState(ws);
    expect(await workspaceState(dest)).toEqual(want);
    expect(want).toContain(`id_rsa file 0600 ${want.find((l) => l.startsWith('id_rsa'))!.split(' ')[3]}`);
  });

  it('a changed file keeps its own permission bits', async () => {
    const ws = await makeRepo({ conf: 'v1\n', 'run.sh': '#!/bin/sh\n' });
    await chmod(path.join(ws, 'conf'), 0o600);
    const store = await SnapshotStore.open({ workspace: ws, home: await makeHome() });
    await store.capture({ ...at('m1') });
    await writeFile(path.join(ws, 'conf'), 'v2\n');
    await rewindAndUndo(store, at('m1'), async () => {
      expect(await readFile(path.join(ws, 'conf'), 'utf8')).toBe('v1\n');
      expect((await stat(path.join(ws, 'conf'))).mode & 0o7777).toBe(0o600);
    });
  });

  it('never writes through a symlinked folder planted where the snapshot has a folder', async () => {
    const ws = await makeRepo({ 'a.txt': 'a1\n' });
    await writeTree(ws, { 'out/f.txt': 'inside\n' });
    const store = await SnapshotStore.open({ workspace: ws, home: await makeHome() });
    await store.capture({ ...at('m1') });
    const outside = await tempDir('ar-rw-outside-');
    await rm(path.join(ws, 'out'), { recursive: true });
    await symlink(outside, path.join(ws, 'out'));
    await writeFile(path.join(ws, '.gitignore'), 'out\n');
    await rewindAndUndo(store, at('m1'), async () => {
      expect((await stat(path.join(ws, 'out'))).isDirectory()).toBe(true);
      expect(await readFile(path.join(ws, 'out', 'f.txt'), 'utf8')).toBe('inside\n');
      expect(await readdir(outside)).toEqual([]);
    });
    expect(await readdir(outside)).toEqual([]);
  });

  it('a tracked symlink to a folder outside is replaced, not written through', async () => {
    const ws = await tempDir('ar-rw-plain-');
    await writeTree(ws, { 'out/f.txt': 'inside\n' });
    const store = await SnapshotStore.open({ workspace: ws, home: await makeHome() });
    await store.capture({ ...at('m1') });
    const outside = await tempDir('ar-rw-outside-');
    await rm(path.join(ws, 'out'), { recursive: true });
    await symlink(outside, path.join(ws, 'out'));
    await store.capture({ ...at('m2') });
    await rewindAndUndo(store, at('m1'), async () => {
      expect(await readFile(path.join(ws, 'out', 'f.txt'), 'utf8')).toBe('inside\n');
    });
    expect(await readdir(outside)).toEqual([]);
  });
});

/** Writes a snapshot commit by hand: `files` maps paths to content (a tree no capture would write). */
async function craftSnapshot(store: SnapshotStore, messageId: string, files: Record<string, string>) {
  const g = (args: string[], input?: string) => runGit(args, { gitDir: store.path, cwd: store.path, input });
  const index = path.join(store.path, `crafted-${messageId}.index`);
  for (const [p, content] of Object.entries(files)) {
    const blob = (await g(['hash-object', '-w', '--stdin'], content)).stdout;
    await runGit(['update-index', '--add', '--cacheinfo', `100644,${blob},${p}`], {
      gitDir: store.path,
      cwd: store.path,
      indexFile: index,
    });
  }
  const tree = (await runGit(['write-tree'], { gitDir: store.path, cwd: store.path, indexFile: index }))
    .stdout;
  await rm(index);
  const record = {
    schema_version: 1,
    session_id: S,
    message_id: messageId,
    captured_at: new Date().toISOString(),
  };
  const commit = (
    await g(['commit-tree', tree], `agent-rollouts workspace snapshot\n\n${JSON.stringify(record)}\n`)
  ).stdout;
  await g(['update-ref', messageRef(S, messageId), commit]);
}

describe('the home inside the workspace', () => {
  it('an old snapshot holding home paths never reverts, removes or replaces anything in the home', async () => {
    const ws = await makeRepo({ 'a.txt': 'a1\n', '.gitignore': '.codex/\n' });
    const home = path.join(ws, '.codex');
    const store = await SnapshotStore.open({ workspace: ws, home });
    const rollout = path.join(home, 'sessions', '2025', '01', '01', 'rollout-x.jsonl');
    const lockFile = path.join(home, 'thread-writer-locks', 'x.lock');
    await writeTree(ws, { [path.relative(ws, rollout)]: '{"live":1}\n{"live":2}\n' });
    await writeTree(ws, { [path.relative(ws, lockFile)]: '' });
    await craftSnapshot(store, 'old', {
      'a.txt': 'a0\n',
      '.codex/sessions/2025/01/01/rollout-x.jsonl': '{"old":1}\n',
      '.codex/config.toml': 'old = true\n',
    });
    await craftSnapshot(store, 'file-home', { 'a.txt': 'a0\n', '.codex': 'a file where the home is\n' });
    const inStore = (l: string): boolean => l.startsWith('.codex/snapshots/');
    const homeState = async (): Promise<string[]> =>
      describeTree(home, { skip: (r) => r.startsWith('snapshots/') });
    const homeBefore = await homeState();
    for (const m of ['old', 'file-home']) {
      await rewindAndUndo(
        store,
        at(m),
        async (r) => {
          expect(await readFile(path.join(ws, 'a.txt'), 'utf8')).toBe('a0\n');
          expect(await homeState()).toEqual(homeBefore);
          expect(await readFile(rollout, 'utf8')).toBe('{"live":1}\n{"live":2}\n');
          expect((await stat(lockFile)).isFile()).toBe(true);
          expect(r.protectedPaths.length).toBeGreaterThan(0);
        },
        inStore,
      );
    }
    expect(await homeState()).toEqual(homeBefore);
  });

  it.each([
    ['a parent-folder entry', '..'],
    ['a .git entry', '.git'],
  ])('refuses a tree with %s and writes nothing', async (_label, name) => {
    const ws = await makeRepo({ 'a.txt': 'a1\n' });
    const store = await SnapshotStore.open({ workspace: ws, home: await makeHome() });
    const g = (args: string[], input?: string) =>
      runGit(args, { gitDir: store.path, cwd: store.path, input });
    const blob = (await g(['hash-object', '-w', '--stdin'], 'evil\n')).stdout;
    const inner = (await g(['mktree'], `100644 blob ${blob}\tescaped.txt\n`)).stdout;
    const tree = (await g(['mktree'], `040000 tree ${inner}\t${name}\n100644 blob ${blob}\ta.txt\n`)).stdout;
    const commit = (await g(['commit-tree', tree], 'x\n')).stdout;
    await g(['update-ref', messageRef(S, 'evil'), commit]);
    const before = await workspaceState(ws);
    const gitBefore = await gitDigest(ws);
    const parentBefore = await readdir(path.dirname(ws));
    await expect(store.restore(at('evil'), { inPlace: true })).rejects.toBeInstanceOf(RewindRefusedError);
    expect(await workspaceState(ws)).toEqual(before);
    expect(await gitDigest(ws)).toBe(gitBefore);
    expect(await readdir(path.dirname(ws))).toEqual(parentBefore);
  });
});

describe('the backup manifest', () => {
  it('goes with its snapshot when that is deleted', async () => {
    const ws = await makeRepo({ 'a.txt': 'a1\n' });
    const store = await SnapshotStore.open({ workspace: ws, home: await makeHome() });
    await store.capture({ ...at('m1') });
    await writeTree(ws, { '.gitignore': 'x.local\n', 'x.local': 'ignored\n', 'a.txt': 'a2\n' });
    const r = await store.restore(at('m1'), { inPlace: true });
    const refs = async (): Promise<string> =>
      (
        await runGit(['for-each-ref', '--format=%(refname)', 'refs/rollouts-backups/'], {
          gitDir: store.path,
        })
      ).stdout;
    expect(await refs()).not.toBe('');
    await store.delete({ sessionId: r.backup.sessionId, messageId: r.backup.messageId });
    expect(await refs()).toBe('');
  });
});
