import { execFileSync } from 'node:child_process';
import { chmod, mkdir, readdir, rm, symlink, utimes, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { SnapshotExistsError } from '../../src/errors.js';
import { runGit } from '../../src/files/git.js';
import { SnapshotStore } from '../../src/snapshot/snapshot-store.js';
import {
  git,
  hashTree,
  makeHome,
  makeRepo,
  readTree,
  skipDotGit,
  writeTree,
} from '../helpers/snapshot-fixtures.js';
import { tempDir } from '../helpers/temp.js';

describe('capture in a Git workspace', () => {
  it('captures tracked and untracked files as they are on disk, not as staged', async () => {
    const ws = await makeRepo({
      'a.txt': 'one\n',
      'src/b.ts': 'export {}\n',
      '.gitignore': 'ignored/\n*.log\n',
    });
    await writeTree(ws, { 'a.txt': 'staged\n' });
    await git(ws, 'add', 'a.txt');
    await writeTree(ws, {
      'a.txt': 'on disk\n',
      'new.txt': 'untracked\n',
      'ignored/x': 'no\n',
      'debug.log': 'no\n',
    });
    const store = await SnapshotStore.open({ workspace: path.join(ws, 'src'), home: await makeHome() });
    expect(store.workspace).toBe(ws);
    expect(store.kind).toBe('git');
    const snap = await store.capture({ sessionId: 's1', messageId: 'm1' });
    expect(snap.parent).toBeNull();
    expect(snap.skipped).toEqual([]);
    const dest = path.join(await tempDir(), 'out');
    await store.restore({ sessionId: 's1', messageId: 'm1' }, { dest });
    expect(await readTree(dest)).toEqual(
      await readTree(ws, { skip: (r) => skipDotGit(r) || r.startsWith('ignored') || r === 'debug.log' }),
    );
    expect(snap.changedFiles.map((f) => f.path).sort()).toEqual([
      '.gitignore',
      'a.txt',
      'new.txt',
      'src/b.ts',
    ]);
  });

  it('chains captures of a session, lists changes, and refuses a second capture of a message', async () => {
    const ws = await makeRepo({ 'a.txt': 'one\n', 'b.txt': 'two\n' });
    const store = await SnapshotStore.open({ workspace: ws, home: await makeHome() });
    const first = await store.capture({ sessionId: 's', messageId: 'm1' });
    await writeTree(ws, { 'a.txt': 'changed\n', 'c.txt': 'new\n' });
    await rm(path.join(ws, 'b.txt'));
    const second = await store.capture({ sessionId: 's', messageId: 'm2', metadata: { turn: 2 } });
    expect(second.parent).toBe(first.commit);
    expect(second.changedFiles).toEqual([
      { path: 'a.txt', status: 'modified' },
      { path: 'b.txt', status: 'deleted' },
      { path: 'c.txt', status: 'added' },
    ]);
    await expect(store.capture({ sessionId: 's', messageId: 'm2' })).rejects.toBeInstanceOf(
      SnapshotExistsError,
    );
    const again = await store.capture({ sessionId: 's', messageId: 'm2', replace: true });
    expect(again.tree).toBe(second.tree);
    const unchanged = await store.capture({ sessionId: 's', messageId: 'm3' });
    expect(unchanged.changedFiles).toEqual([]);
    expect(unchanged.tree).toBe(second.tree);
    const list = await store.list({ sessionId: 's' });
    expect(list.map((s) => s.messageId)).toEqual(['m1', 'm2', 'm3']);
    expect(list[1]?.metadata).toBeNull();
    expect(list[1]?.vcs?.branch).toBe('main');
    expect(list[1]?.vcs?.head).toMatch(/^[0-9a-f]{40}$/);
  });

  it('keeps binary, CRLF, symlinked, executable and Unicode-named files exact', async () => {
    const binary = Buffer.from([0, 1, 2, 255, 254, 13, 10, 0, 13]);
    const ws = await makeRepo({ '.gitattributes': '* text=auto eol=lf\n*.txt ident\n', 'keep.txt': 'x\n' });
    await writeTree(ws, {
      'crlf.txt': 'line one\r\nline two\r\n$Id$\r\n',
      'bin.dat': binary,
      'ünïcødé/日本語 file.txt': 'unicode\n',
      'tool.sh': '#!/bin/sh\necho hi\n',
    });
    await chmod(path.join(ws, 'tool.sh'), 0o755);
    await symlink('crlf.txt', path.join(ws, 'link-to-file'));
    await symlink('/etc', path.join(ws, 'link-outside'));
    const store = await SnapshotStore.open({ workspace: ws, home: await makeHome() });
    await store.capture({ sessionId: 's', messageId: 'm' });
    const dest = path.join(await tempDir(), 'out');
    await store.restore({ sessionId: 's', messageId: 'm' }, { dest });
    expect(await hashTree(dest)).toBe(await hashTree(ws, { skip: skipDotGit }));
  });

  it("stores the bytes on disk even where the user's git normalised them in its index", async () => {
    const ws = await makeRepo({ 'keep.md': 'k\n' });
    await writeTree(ws, {
      '.gitattributes': '*.txt text eol=crlf\n*.id ident\n',
      'crlf.txt': 'one\r\ntwo\r\n',
      'x.id': '$Id$\n',
    });
    // Old mtimes: the user's index entries are then stat-clean, not racily clean.
    const past = new Date(Date.now() - 60_000);
    for (const f of ['.gitattributes', 'crlf.txt', 'x.id']) await utimes(path.join(ws, f), past, past);
    await git(ws, 'add', '-A');
    const store = await SnapshotStore.open({ workspace: ws, home: await makeHome() });
    await store.capture({ sessionId: 's', messageId: 'm' });
    const dest = path.join(await tempDir(), 'out');
    await store.restore({ sessionId: 's', messageId: 'm' }, { dest });
    expect(await hashTree(dest)).toBe(await hashTree(ws, { skip: skipDotGit }));
  });

  it('skips files over the cap and nested repositories, and lists them', async () => {
    const ws = await makeRepo({ 'small.txt': 'x\n' });
    await writeTree(ws, { 'big.bin': Buffer.alloc(2048, 1), 'tracked-grows.txt': 'small\n' });
    await git(ws, 'add', 'tracked-grows.txt');
    const nested = path.join(ws, 'vendor', 'lib');
    await mkdir(nested, { recursive: true });
    await git(nested, 'init', '--quiet', '--template=');
    await writeTree(nested, { 'inner.txt': 'inner\n' });
    const before = await hashTree(path.join(nested, '.git'));
    const store = await SnapshotStore.open({ workspace: ws, home: await makeHome(), maxFileSize: 1024 });
    const first = await store.capture({ sessionId: 's', messageId: 'm1' });
    expect(first.skipped).toEqual([
      { path: 'big.bin', reason: 'too-large', size: 2048 },
      { path: 'vendor/lib/', reason: 'nested-repository' },
    ]);
    await writeFile(path.join(ws, 'tracked-grows.txt'), Buffer.alloc(4096, 2));
    const second = await store.capture({ sessionId: 's', messageId: 'm2' });
    expect(second.skipped.map((s) => s.path)).toEqual(['big.bin', 'tracked-grows.txt', 'vendor/lib/']);
    expect(second.changedFiles).toEqual([{ path: 'tracked-grows.txt', status: 'deleted' }]);
    const [, listed] = await store.list();
    expect(listed?.skipped.map((s) => s.reason)).toEqual(['too-large', 'too-large', 'nested-repository']);
    expect(await hashTree(path.join(nested, '.git'))).toBe(before);
    expect(await readTree(nested, { skip: skipDotGit })).toEqual({
      'inner.txt': Buffer.from('inner\n').toString('base64'),
    });
  });

  it('skips submodules, leaving their files and git folders alone', async () => {
    const lib = await makeRepo({ 'lib.txt': 'lib\n' });
    const ws = await makeRepo({ 'a.txt': 'a\n' });
    await git(ws, '-c', 'protocol.file.allow=always', 'submodule', 'add', '--quiet', lib, 'deps/lib');
    await git(ws, 'commit', '--quiet', '-m', 'submodule');
    const before = await hashTree(ws);
    const store = await SnapshotStore.open({ workspace: ws, home: await makeHome() });
    const snap = await store.capture({ sessionId: 's', messageId: 'm1' });
    expect(snap.skipped).toEqual([{ path: 'deps/lib/', reason: 'submodule' }]);
    expect(snap.changedFiles.map((f) => f.path)).toEqual(['.gitmodules', 'a.txt']);
    await writeTree(ws, { 'deps/lib/lib.txt': 'changed inside\n' });
    const next = await store.capture({ sessionId: 's', messageId: 'm2' });
    expect(next.skipped).toEqual([{ path: 'deps/lib/', reason: 'submodule' }]);
    expect(next.changedFiles).toEqual([]);
    await writeTree(ws, { 'deps/lib/lib.txt': 'lib\n' });
    expect(await hashTree(ws)).toBe(before);
  });

  it("falls back to a fresh index when the user's index cannot be used outside its repository", async () => {
    const ws = await makeRepo({ 'a.txt': 'a\n', 'b.txt': 'b\n' });
    await git(ws, 'update-index', '--split-index');
    const store = await SnapshotStore.open({ workspace: ws, home: await makeHome() });
    const snap = await store.capture({ sessionId: 's', messageId: 'm' });
    expect(snap.changedFiles.map((f) => f.path)).toEqual(['a.txt', 'b.txt']);
    await runGit(['fsck', '--no-dangling', '--no-progress'], { gitDir: store.path });
  });

  it("lists changes from the session's previous capture when another session or a rewind came between", async () => {
    const ws = await makeRepo({ 'a.txt': 'a\n', 'b.txt': 'b\n', 'c.txt': 'c\n' });
    const store = await SnapshotStore.open({ workspace: ws, home: await makeHome() });
    const s1 = await store.capture({ sessionId: 'one', messageId: 'm1' });
    await writeTree(ws, { 'a.txt': 'a2\n', 'd.txt': 'd\n' });
    await store.capture({ sessionId: 'two', messageId: 'm1' });
    await rm(path.join(ws, 'b.txt'));
    const s2 = await store.capture({ sessionId: 'one', messageId: 'm2' });
    expect(s2.parent).toBe(s1.commit);
    expect(s2.changedFiles).toEqual([
      { path: 'a.txt', status: 'modified' },
      { path: 'b.txt', status: 'deleted' },
      { path: 'd.txt', status: 'added' },
    ]);
    // Back to the first capture, then an edit: the index holds the rewound tree, the session's
    // head is the rewind's backup capture.
    const rewind = await store.restore({ sessionId: 'one', messageId: 'm1' }, { inPlace: true });
    await writeTree(ws, { 'c.txt': 'c2\n' });
    const s3 = await store.capture({ sessionId: 'one', messageId: 'm3' });
    expect(s3.parent).toBe(rewind.backup.commit);
    expect(s3.changedFiles).toEqual([
      { path: 'a.txt', status: 'modified' },
      { path: 'b.txt', status: 'added' },
      { path: 'c.txt', status: 'modified' },
      { path: 'd.txt', status: 'deleted' },
    ]);
    const tree = async (c: string) =>
      (
        await runGit(['diff-tree', '-r', '--name-only', '--no-renames', `${c}^`, c], { gitDir: store.path })
      ).stdout.split('\n');
    expect(await tree(s3.commit)).toEqual(s3.changedFiles.map((f) => f.path));
  });

  it('keeps capturing after git packs the store refs and objects', async () => {
    const ws = await makeRepo({ 'a.txt': 'a\n' });
    const store = await SnapshotStore.open({ workspace: ws, home: await makeHome() });
    const first = await store.capture({ sessionId: 's', messageId: 'm1', metadata: { n: 1 } });
    const run = (...args: string[]) => runGit(args, { gitDir: store.path, cwd: store.path });
    await run('gc', '--quiet', '--prune=now');
    expect(await readdir(path.join(store.path, 'refs', 'rollouts'))).toEqual([]);
    await writeTree(ws, { 'a.txt': 'b\n' });
    const second = await store.capture({ sessionId: 's', messageId: 'm2' });
    expect(second.parent).toBe(first.commit);
    expect(second.changedFiles).toEqual([{ path: 'a.txt', status: 'modified' }]);
    await expect(store.capture({ sessionId: 's', messageId: 'm1' })).rejects.toBeInstanceOf(
      SnapshotExistsError,
    );
    const replaced = await store.capture({ sessionId: 's', messageId: 'm1', replace: true });
    const listed = await store.list({ sessionId: 's' });
    expect(listed.map((x) => [x.messageId, x.commit])).toEqual([
      ['m2', second.commit],
      ['m1', replaced.commit],
    ]);
    expect((await run('rev-parse', '--verify', `${replaced.commit}^{tree}`)).stdout).toBe(replaced.tree);
    expect((await run('log', '--format=%P %an <%ae> %at', '-1', replaced.commit)).stdout).toBe(
      `${second.commit} agent-rollouts <agent-rollouts@localhost> ${Math.floor(Date.parse(replaced.capturedAt) / 1000)}`,
    );
    await run('fsck', '--strict', '--no-dangling', '--no-progress');
  });

  it('rebuilds the index when the shared part of its split form is lost', async () => {
    const ws = await makeRepo({ 'a.txt': 'a\n', 'b.txt': 'b\n' });
    const store = await SnapshotStore.open({ workspace: ws, home: await makeHome() });
    const sharedIndexes = async () => (await readdir(store.path)).filter((n) => n.startsWith('sharedindex.'));
    await store.capture({ sessionId: 's', messageId: 'm1' });
    await writeTree(ws, { 'c.txt': 'c\n' });
    await store.capture({ sessionId: 's', messageId: 'm2' });
    const shared = await sharedIndexes();
    expect(shared).toHaveLength(1);
    await rm(path.join(store.path, shared[0]!));
    await writeTree(ws, { 'd.txt': 'd\n' });
    const snap = await store.capture({ sessionId: 's', messageId: 'm3' });
    expect(snap.changedFiles).toEqual([{ path: 'd.txt', status: 'added' }]);
    expect(await sharedIndexes()).toHaveLength(1);
    await runGit(['fsck', '--no-dangling', '--no-progress'], { gitDir: store.path });
  });

  it('captures a linked worktree as its own workspace', async () => {
    const ws = await makeRepo({ 'a.txt': 'main\n' });
    const wt = path.join(path.dirname(ws), 'feature');
    await git(ws, 'worktree', 'add', '--quiet', '-b', 'feature', wt);
    await writeTree(wt, { 'a.txt': 'feature\n' });
    const home = await makeHome();
    const main = await SnapshotStore.open({ workspace: ws, home });
    const linked = await SnapshotStore.open({ workspace: wt, home });
    expect(linked.workspace).toBe(wt);
    expect(linked.path).not.toBe(main.path);
    await linked.capture({ sessionId: 's', messageId: 'm' });
    const [info] = await linked.list();
    expect(info?.vcs?.branch).toBe('feature');
    expect(info?.vcs?.worktree).toBe(wt);
    const dest = path.join(await tempDir(), 'out');
    await linked.restore({ sessionId: 's', messageId: 'm' }, { dest });
    expect(await readTree(dest)).toEqual({ 'a.txt': Buffer.from('feature\n').toString('base64') });
  });
});

describe('capture in a plain folder', () => {
  it('captures every file its .gitignore files do not ignore, but never .git folders or the store', async () => {
    const ws = await tempDir('ar-snap-plain-');
    await writeTree(ws, {
      'a.txt': 'a\n',
      '.gitignore': '*.log\nignored-dir/\n',
      'x.log': 'ignored\n',
      'deep/er/f': 'f\n',
      'ignored-dir/left-out.txt': 'ignored\n',
      'kept-dir/kept.txt': 'kept\n',
    });
    await mkdir(path.join(ws, 'kept-dir', 'clone'), { recursive: true });
    await git(path.join(ws, 'kept-dir', 'clone'), 'init', '--quiet', '--template=');
    await mkdir(path.join(ws, 'ignored-dir', 'clone'), { recursive: true });
    await git(path.join(ws, 'ignored-dir', 'clone'), 'init', '--quiet', '--template=');
    const home = path.join(ws, '.codex');
    const store = await SnapshotStore.open({ workspace: ws, home });
    expect(store.kind).toBe('plain');
    const snap = await store.capture({ sessionId: 's', messageId: 'm' });
    expect(snap.changedFiles.map((f) => f.path).sort()).toEqual([
      '.gitignore',
      'a.txt',
      'deep/er/f',
      'kept-dir/kept.txt',
    ]);
    expect(snap.skipped).toEqual([{ path: 'kept-dir/clone/', reason: 'nested-repository' }]);
    await writeTree(ws, { 'a.txt': 'changed\n' });
    const next = await store.capture({ sessionId: 's', messageId: 'm2' });
    expect(next.changedFiles).toEqual([{ path: 'a.txt', status: 'modified' }]);
  });
});

describe('files that cannot be captured', () => {
  it.skipIf(process.getuid?.() === 0)('skips and lists unreadable files', async () => {
    const ws = await tempDir('ar-snap-plain-');
    await writeTree(ws, { 'ok.txt': 'ok\n', 'secret.txt': 'no\n' });
    await chmod(path.join(ws, 'secret.txt'), 0o000);
    const store = await SnapshotStore.open({ workspace: ws, home: await makeHome() });
    const snap = await store.capture({ sessionId: 's', messageId: 'm' });
    expect(snap.skipped).toEqual([{ path: 'secret.txt', reason: 'unreadable' }]);
    expect(snap.changedFiles.map((f) => f.path)).toEqual(['ok.txt']);
  });

  it('leaves FIFOs out', async () => {
    const ws = await tempDir('ar-snap-plain-');
    await writeTree(ws, { 'ok.txt': 'ok\n' });
    execFileSync('mkfifo', [path.join(ws, 'pipe')]);
    const store = await SnapshotStore.open({ workspace: ws, home: await makeHome() });
    const snap = await store.capture({ sessionId: 's', messageId: 'm' });
    expect(snap.changedFiles.map((f) => f.path)).toEqual(['ok.txt']);
  });
});
