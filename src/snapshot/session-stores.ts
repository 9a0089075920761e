import { lstat, readFile, readdir, realpath } from 'node:fs/promises';
import path from 'node:path';
import { RolloutIOError, SnapshotNotFoundError, hasErrno } from '../errors.js';
import { pathExists } from '../files/exists.js';
import { homePaths } from '../files/layout.js';
import { deleteLocked } from './delete.js';
import { listLocked } from './list.js';
import type { SnapshotInfo } from './types.js';
import { withStoreLock } from './lock.js';
import { SESSION_HEAD_PREFIX, SNAPSHOT_REF_PREFIX, sha256Hex } from './refs.js';
import { storeGit } from './store-context.js';
import type { StoreContext } from './store-context.js';

/**
 * A session's stores found and emptied by their folders alone, without the workspace (which may be
 * gone): deleting a session must not leave its snapshots, and the secrets they may hold, behind.
 * Only folders directly inside `<home>/snapshots/` are ever opened.
 */

/**
 * The stores in `<home>/snapshots/` that hold snapshots of any of `sessionIds`: those `named` (the
 * `store` of the session's `workspace_snapshot` lines; anything else is ignored) and every store
 * with a ref of the session. Real paths, each once.
 */
export async function sessionStores(
  home: string,
  sessionIds: readonly string[],
  named: readonly unknown[],
  signal?: AbortSignal,
): Promise<string[]> {
  const root = homePaths.snapshots(home);
  let realRoot: string;
  try {
    realRoot = await realpath(root);
  } catch (cause) {
    if (hasErrno(cause, 'ENOENT', 'ENOTDIR')) return [];
    throw new RolloutIOError('open', root, cause);
  }
  const found = new Set<string>();
  for (const store of named) {
    if (typeof store !== 'string' || store === '') continue;
    const resolved = path.resolve(store);
    const parent = path.dirname(resolved);
    const name = path.basename(resolved);
    if ((parent !== root && parent !== realRoot) || name === '' || name === '.' || name === '..') continue;
    const dir = path.join(realRoot, name);
    if (await isStore(dir)) found.add(dir);
  }
  let entries: string[];
  try {
    entries = (await readdir(realRoot, { withFileTypes: true }))
      .filter((e) => e.isDirectory())
      .map((e) => e.name)
      .sort();
  } catch (cause) {
    throw new RolloutIOError('list', realRoot, cause);
  }
  const hashes = [...new Set(sessionIds)].map(sha256Hex);
  for (const name of entries) {
    signal?.throwIfAborted();
    const dir = path.join(realRoot, name);
    if (!found.has(dir) && (await hasRefsOf(dir, hashes))) found.add(dir);
  }
  return [...found];
}

/** A real folder (not a link) with a `HEAD`: a bare repository. */
async function isStore(dir: string): Promise<boolean> {
  try {
    return (await lstat(dir)).isDirectory() && (await lstat(path.join(dir, 'HEAD'))).isFile();
  } catch (cause) {
    if (hasErrno(cause, 'ENOENT', 'ENOTDIR')) return false;
    throw new RolloutIOError('check', dir, cause);
  }
}

/** Whether a store has a message ref or a head ref of a session (loose or packed). */
async function hasRefsOf(dir: string, hashes: readonly string[]): Promise<boolean> {
  if (!(await isStore(dir))) return false;
  let packed: string | undefined;
  for (const hash of hashes) {
    const loose = [`${SNAPSHOT_REF_PREFIX}${hash}`, `${SESSION_HEAD_PREFIX}${hash}`];
    for (const ref of loose) if (await pathExists(path.join(dir, ref))) return true;
    packed ??= await readOptional(path.join(dir, 'packed-refs'));
    if (
      packed.includes(` ${SNAPSHOT_REF_PREFIX}${hash}/`) ||
      packed.includes(` ${SESSION_HEAD_PREFIX}${hash}\n`)
    )
      return true;
  }
  return false;
}

/** A store context for plumbing only (no work tree): the workspace is never looked at. */
export function plumbingContext(gitDir: string, home: string): StoreContext {
  return {
    home,
    workspace: { root: gitDir, kind: 'plain' },
    gitDir,
    indexFile: path.join(gitDir, 'index'),
    lockFile: path.join(gitDir, 'rollouts.lock'),
    excludedPrefixes: [],
    maxFileSize: 0,
    include: [],
    exclude: [],
  };
}

/** The snapshots of `sessionId` in the store at `gitDir` (a folder {@link sessionStores} returned). */
export async function listSessionSnapshotsIn(
  gitDir: string,
  home: string,
  sessionId: string,
  signal?: AbortSignal,
): Promise<SnapshotInfo[]> {
  const ctx = plumbingContext(gitDir, home);
  const all = await withStoreLock(ctx.lockFile, signal, (lock) => listLocked(ctx, lock, sessionId, signal));
  return all.map(({ ref: _ref, ...info }) => info);
}

/**
 * Deletes every snapshot of `sessionId` in the store at `gitDir` (a folder {@link sessionStores}
 * returned), drops the store's index and prunes, so the objects only those snapshots kept are gone
 * from disk. Returns the message ids deleted, none when the store holds nothing of the session.
 */
export async function deleteSessionSnapshotsIn(
  gitDir: string,
  home: string,
  sessionId: string,
  signal?: AbortSignal,
): Promise<string[]> {
  // Every git call of a delete runs without a work tree, so the workspace is never looked at.
  const ctx = plumbingContext(gitDir, home);
  try {
    const result = await withStoreLock(ctx.lockFile, signal, (lock) =>
      deleteLocked(ctx, lock, sessionId, undefined, signal, true),
    );
    return result.deleted.map((d) => d.messageId);
  } catch (error) {
    if (error instanceof SnapshotNotFoundError) return [];
    throw error;
  }
}

async function readOptional(file: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (cause) {
    if (hasErrno(cause, 'ENOENT', 'ENOTDIR')) return '';
    throw new RolloutIOError('read', file, cause);
  }
}

/**
 * The patch from commit `from` (or from nothing) to commit `to` in the store at `gitDir` (a folder
 * {@link sessionStores} returned), binary changes as git binary patches. Plumbing only: the
 * workspace is never looked at, so it works after the workspace is gone.
 */
export async function diffCommitsIn(
  gitDir: string,
  home: string,
  from: string | null,
  to: string,
  signal?: AbortSignal,
): Promise<string> {
  const ctx = plumbingContext(gitDir, home);
  return withStoreLock(ctx.lockFile, signal, async (lock) => {
    // The "before" of a session's first snapshot is the empty tree, which git of this age only
    // diffs against once the store holds it (an object of no bytes; writing it changes nothing else).
    const base =
      from ??
      (
        await storeGit(ctx, lock, ['hash-object', '-t', 'tree', '-w', '--stdin'], {
          signal,
          noWorkTree: true,
          input: '',
        })
      ).stdout.trim();
    const args = ['diff-tree', '-r', '-p', '-M', '--binary', '--end-of-options', base, to];
    const out = await storeGit(ctx, lock, args, { signal, noWorkTree: true, stripFinalNewline: false });
    return out.stdout;
  });
}
