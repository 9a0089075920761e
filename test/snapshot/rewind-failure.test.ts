import { chmod, chown, mkdir, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { afterEach, describe, expect, it } from 'vitest';
import type { RolloutIOError } from '../../src/errors.js';
import { RewindFailedError } from '../../src/errors.js';
import { SnapshotStore } from '../../src/snapshot/snapshot-store.js';
import { git, makeHome, makeRepo, writeTree } from '../helpers/snapshot-fixtures.js';
import { gitDigest, workspaceState } from '../helpers/rewind-state.js';
import { tempDir } from '../helpers/temp.js';

/**
 * Rewinds that fail part-way, on real failures: a full disk (a small tmpfs mounted for the test)
 * and a folder the rewinding user cannot write (a child process run as another user, since root
 * writes anywhere). Each must leave the workspace exactly as it was and name the backup and the
 * undo command.
 */

const CHILD = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'helpers', 'rewind-child.ts');
const REPO = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const S = 'session';
const mounts: string[] = [];

afterEach(async () => {
  for (const m of mounts.splice(0)) await execa('umount', [m]);
});

async function smallDisk(size: string): Promise<string> {
  const dir = await tempDir('ar-rw-tmpfs-');
  await execa('mount', ['-t', 'tmpfs', '-o', `size=${size},mode=0700`, 'tmpfs', dir]);
  mounts.push(dir);
  return dir;
}

const KiB = 1024;
const bytes = (n: number, seed: number): Buffer => Buffer.alloc(n, seed);

describe('a rewind that runs out of disk space', () => {
  it.each([
    ['while staging a file beside its final name', 'big.bin'],
    ['while writing into a folder it created, after removing files', 'newdir/big.bin'],
  ])('%s: puts the workspace back and names the backup and the undo', async (_label, bigPath) => {
    const ws = path.join(await smallDisk('2m'), 'repo');
    await mkdir(ws);
    await git(ws, 'init', '--quiet', '--template=');
    await writeTree(ws, { 'a.txt': 'a1\n', '.gitignore': 'keep.bin\n' });
    await git(ws, 'add', '-A');
    await git(ws, 'commit', '--quiet', '-m', 'initial');
    const store = await SnapshotStore.open({ workspace: ws, home: await makeHome() });
    await writeTree(ws, { [bigPath]: bytes(900 * KiB, 1) });
    await store.capture({ sessionId: S, messageId: 'm1' });
    await rm(path.join(ws, bigPath.split('/')[0]!), { recursive: true });
    await writeTree(ws, {
      'keep.bin': bytes(1300 * KiB, 2),
      'filler.bin': bytes(300 * KiB, 3),
      'a.txt': 'a2\n',
    });
    await chmod(path.join(ws, 'filler.bin'), 0o640);
    const before = await workspaceState(ws);
    const gitBefore = await gitDigest(ws);

    const error = await store
      .restore({ sessionId: S, messageId: 'm1' }, { inPlace: true })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RewindFailedError);
    const failed = error as RewindFailedError;
    expect(failed.code).toBe('E_REWIND_FAILED');
    expect(failed.restored).toBe(true);
    expect((failed.cause as RolloutIOError).errno ?? String(failed.cause)).toMatch(/ENOSPC/);
    expect(failed.message).toContain(failed.backup.messageId);
    expect(failed.message).toContain(failed.undo);
    expect(failed.undo).toContain('--in-place');
    expect(await workspaceState(ws)).toEqual(before);
    expect(await gitDigest(ws)).toBe(gitBefore);
    expect((await readdir(ws)).filter((n) => n.startsWith('.rollouts-'))).toEqual([]);
    expect((await store.list()).map((s) => s.messageId)).toContain(failed.backup.messageId);
    expect(await store.interruptedRewind()).toBeUndefined();

    // With room again, the same rewind goes through and its undo brings the state back.
    await rm(path.join(ws, 'keep.bin'));
    const without = before.filter((l) => !l.startsWith('keep.bin'));
    const r = await store.restore({ sessionId: S, messageId: 'm1' }, { inPlace: true });
    expect(await readFile(path.join(ws, bigPath))).toEqual(bytes(900 * KiB, 1));
    await store.restore({ sessionId: r.backup.sessionId, messageId: r.backup.messageId }, { inPlace: true });
    expect(await workspaceState(ws)).toEqual(without);
  });
});

const USER = 'rollouts-rewind-test';

async function testUser(): Promise<{ uid: number; gid: number }> {
  const id = async (flag: string) => Number((await execa('id', [flag, USER])).stdout);
  try {
    return { uid: await id('-u'), gid: await id('-g') };
  } catch {
    await execa('useradd', ['--system', '--no-create-home', '--shell', '/usr/sbin/nologin', USER]).catch(
      () => undefined, // made meanwhile by another test file
    );
    return { uid: await id('-u'), gid: await id('-g') };
  }
}

async function chownTree(dir: string, uid: number, gid: number): Promise<void> {
  await chown(dir, uid, gid);
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) await chownTree(p, uid, gid);
    else await execa('chown', ['-h', `${uid}:${gid}`, p]);
  }
}

/** Runs the rewind child as the unprivileged test user; returns its last JSON line. */
async function rewindAs(
  user: { uid: number; gid: number },
  options: { workspace: string; home: string; messageId: string },
): Promise<Record<string, unknown>> {
  const out = await execa(
    'setpriv',
    [
      `--reuid=${user.uid}`,
      `--regid=${user.gid}`,
      '--clear-groups',
      process.execPath,
      '--import',
      'tsx',
      CHILD,
      JSON.stringify({ ...options, sessionId: S }),
    ],
    { cwd: REPO, reject: false, env: { HOME: options.home, TMPDIR: options.home } },
  );
  const last = out.stdout.trim().split('\n').at(-1) ?? '';
  try {
    return JSON.parse(last) as Record<string, unknown>;
  } catch {
    throw new Error(`the child printed no result: ${out.stdout}\n${out.stderr}`);
  }
}

describe('a rewind as a user who cannot write a folder', () => {
  it.each([
    ['a file to write in it (the user’s edit there stays)', 'ro/f.txt'],
    ['a file to remove from it, after another was removed', 'ro/new.txt'],
  ])('%s: puts the workspace back', async (_label, blocked) => {
    const user = await testUser();
    const ws = await makeRepo({ 'a.txt': 'a1\n', 'ro/f.txt': 'f1\n' });
    const home = await makeHome();
    const store = await SnapshotStore.open({ workspace: ws, home });
    await store.capture({ sessionId: S, messageId: 'm1' });
    await writeTree(ws, { 'a.txt': 'a2\n', 'zz.txt': 'made after m1\n' });
    if (blocked === 'ro/f.txt') await writeFile(path.join(ws, blocked), 'the user’s edit\n');
    else await writeFile(path.join(ws, blocked), 'new\n');
    await chownTree(path.dirname(ws), user.uid, user.gid);
    await chownTree(home, user.uid, user.gid);
    await chmod(path.join(ws, 'ro'), 0o555);
    const before = await workspaceState(ws);
    const gitBefore = await gitDigest(ws);

    const out = await rewindAs(user, { workspace: ws, home, messageId: 'm1' });
    const error = out['error'] as Record<string, unknown>;
    expect(error).toMatchObject({ code: 'E_REWIND_FAILED', restored: true });
    expect(String(error['message'])).toMatch(/EACCES/);
    expect(String(error['message'])).toContain(String(error['undo']));
    expect(await workspaceState(ws)).toEqual(before);
    expect(await gitDigest(ws)).toBe(gitBefore);
    if (blocked === 'ro/f.txt')
      expect(await readFile(path.join(ws, blocked), 'utf8')).toBe('the user’s edit\n');

    // Once the folder is writable, the rewind goes through.
    await chmod(path.join(ws, 'ro'), 0o755);
    const ok = await rewindAs(user, { workspace: ws, home, messageId: 'm1' });
    expect(ok['result']).toBeDefined();
    expect(await readFile(path.join(ws, 'ro', 'f.txt'), 'utf8')).toBe('f1\n');
  });
});
