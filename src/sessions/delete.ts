import { unlink } from 'node:fs/promises';
import path from 'node:path';
import {
  InvalidRolloutError,
  RolloutIOError,
  SessionNotFoundError,
  hasErrno,
  invalidArgument,
} from '../errors.js';
import { pathExists } from '../files/exists.js';
import { resolveHome } from '../files/layout.js';
import { streamRollout } from '../reader/stream.js';
import { deleteSessionSnapshotsIn, sessionStores } from '../snapshot/session-stores.js';
import { withSessionLock } from './lock.js';
import { removeIndexEntries } from './session-index.js';
import { filesOf, idOfPath, looksLikePath, pickSession } from './target.js';
import type { DeleteSessionOptions, DeleteSessionResult, DeletedSnapshot } from './types.js';

/**
 * Deletes a session: its rollout files (live and archived, plain and `.jsonl.zst`), its lines in
 * `<home>/session_index.jsonl`, and (unless `snapshots: false`) its workspace snapshots, with the
 * objects only they kept.
 *
 * @param idOrPrefixOrPath - a full session id, a unique prefix of one (8+ hex digits), or a path
 * to a rollout file inside the home's `sessions/` or `archived_sessions/`.
 *
 * @remarks
 * Holds the session's writer lock for its whole duration, so no writer (this process, another, or
 * a running Codex CLI) starts on the session meanwhile. Files are found by their names; none needs
 * to parse, so an empty, torn, damaged or compressed rollout is deleted like any other.
 *
 * Snapshots are found in `<home>/snapshots/` by the stores the rollout's `workspace_snapshot` lines
 * name and by the session's refs in every store there, so they go even when the workspace folder
 * is gone or the rollout cannot be read. A store path outside `<home>/snapshots/` is never
 * touched. Each store is repacked and pruned and its index dropped, so the deleted snapshots'
 * files are gone from disk (the next capture of that workspace hashes it whole once).
 *
 * The index lines go as the Codex CLI's `thread/delete` removes them: the file is rewritten
 * without the lines naming the session, atomically, every other byte kept. Order: snapshots,
 * index lines, then the rollout, so a failure leaves the rollout to delete again.
 *
 * @throws `SessionLockedError` while a writer holds the session; `SessionNotFoundError` /
 * `AmbiguousSessionIdError` as {@link findSession}; `TypeError` for a bad argument;
 * `RolloutIOError` / `GitError` when removing fails; the signal's reason when aborted.
 * @public
 */
export async function deleteSession(
  idOrPrefixOrPath: string,
  options: DeleteSessionOptions = {},
): Promise<DeleteSessionResult> {
  const o = normalize(idOrPrefixOrPath, options);
  o.signal?.throwIfAborted();
  const given = looksLikePath(idOrPrefixOrPath) ? path.resolve(idOrPrefixOrPath) : undefined;
  const id =
    given === undefined
      ? (await pickSession(o.home, idOrPrefixOrPath, 'any', o.signal)).id
      : await idOfPath(o.home, given, 'deleteSession');
  return withSessionLock(o.home, id, 'delete', async (lock) => {
    const found = await filesOf(o.home, id, o.signal);
    const files = [...new Set([...found.map((c) => c.path), ...(given === undefined ? [] : [given])])];
    // Looked up again under the lock: someone may have removed it meanwhile.
    if (found.length === 0 && (given === undefined || !(await pathExists(given))))
      throw new SessionNotFoundError(idOrPrefixOrPath, o.home);
    const snapshots = o.snapshots ? await deleteSnapshots(o.home, id, files, o.signal) : [];
    o.signal?.throwIfAborted();
    const indexEntries = await removeIndexEntries(o.home, id);
    const removed: string[] = [];
    for (const file of files) {
      const plain = file.endsWith('.zst') ? file.slice(0, -'.zst'.length) : file;
      for (const f of [plain, `${plain}.zst`]) if (await removeFile(f)) removed.push(f);
    }
    // The session is gone: its lock file too (a writer locking it later makes a new one).
    await removeFile(lock.path);
    return { id, files: removed, indexEntries, snapshots };
  });
}

function normalize(
  arg: string,
  options: DeleteSessionOptions,
): { home: string; snapshots: boolean; signal: AbortSignal | undefined } {
  if (typeof arg !== 'string' || arg.trim() === '')
    throw invalidArgument('deleteSession: pass a session id, an id prefix or a rollout path');
  if (typeof options !== 'object' || options === null)
    throw invalidArgument('deleteSession: options must be an object');
  if (options.snapshots !== undefined && typeof options.snapshots !== 'boolean')
    throw invalidArgument('deleteSession: `snapshots` must be a boolean');
  if (options.home !== undefined && typeof options.home !== 'string')
    throw invalidArgument('deleteSession: `home` must be a folder path');
  return { home: resolveHome(options.home), snapshots: options.snapshots ?? true, signal: options.signal };
}

/** Deletes the session's snapshots in every store that has some; what went, store by store. */
async function deleteSnapshots(
  home: string,
  id: string,
  files: readonly string[],
  signal: AbortSignal | undefined,
): Promise<DeletedSnapshot[]> {
  const named: unknown[] = [];
  for (const file of files) if (!file.endsWith('.zst')) named.push(...(await namedStores(file, signal)));
  const ids = [...new Set([id, id.toLowerCase()])];
  const deleted: DeletedSnapshot[] = [];
  for (const store of await sessionStores(home, ids, named, signal)) {
    for (const sessionId of ids) {
      for (const messageId of await deleteSessionSnapshotsIn(store, home, sessionId, signal))
        deleted.push({ store, messageId });
    }
  }
  return deleted;
}

/** The `store` of each readable `workspace_snapshot` line; a rollout that cannot be read names none. */
async function namedStores(file: string, signal: AbortSignal | undefined): Promise<unknown[]> {
  const stores: unknown[] = [];
  try {
    for await (const line of streamRollout(file, { signal })) {
      if (line.type === 'workspace_snapshot')
        stores.push((line.payload as { store?: unknown } | null)?.store);
    }
  } catch (error) {
    if (!(error instanceof InvalidRolloutError || error instanceof RolloutIOError)) throw error;
  }
  return stores;
}

/** Removes a file; false when it was not there. */
async function removeFile(file: string): Promise<boolean> {
  try {
    await unlink(file);
    return true;
  } catch (cause) {
    if (hasErrno(cause, 'ENOENT')) return false;
    throw new RolloutIOError('delete', file, cause);
  }
}
