import { statSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { RolloutError, invalidArgument } from '../errors.js';
import { assertHomeFolder, resolveHome } from '../files/layout.js';
import { acquireIndex, discardCorrupt, failureOf } from '../search-index/handle.js';
import { reconcile } from '../search-index/reconcile.js';
import { isBusy, loadSqlite } from '../search-index/sqlite.js';
import { indexPath } from '../search-index/store.js';
import { indexFailed, reconcileOptions } from './indexed.js';
import type { SessionIndexProgress } from './types.js';

/** Knobs of the explicit update and rebuild (tests lower them). */
export const sessionIndexTuning = {
  /**
   * How long an explicit update or rebuild keeps trying for the write lock another process holds
   * (ms): each try waits the busy timeout (2 s), then a short pause lets that process go on.
   */
  lockWaitMs: 30_000,
};

/**
 * Runs `work` again while it fails because another process holds the index's write lock, until
 * {@link sessionIndexTuning.lockWaitMs} has passed; then the busy error is thrown, with the wait.
 */
async function whileLocked<T>(work: () => Promise<T> | T, signal: AbortSignal | undefined): Promise<T> {
  const start = Date.now();
  for (;;) {
    try {
      return await work();
    } catch (error) {
      if (!isBusy(error) || signal?.aborted === true) throw error;
      const waited = Date.now() - start;
      if (waited >= sessionIndexTuning.lockWaitMs) throw new LockWaitError(waited, error);
      await sleep(100 + Math.floor(Math.random() * 200), undefined, signal ? { signal } : undefined);
    }
  }
}

/** The write lock was still held when the wait ended. */
class LockWaitError extends Error {
  constructor(waitedMs: number, cause: unknown) {
    super(`another process holds its write lock (waited ${Math.round(waitedMs / 1000)} s)`, { cause });
  }
}

/**
 * Options of {@link sessionIndexStatus}, {@link updateSessionIndex} and {@link rebuildSessionIndex}.
 * @public
 */
export interface SessionIndexOptions {
  /**
   * The home folder.
   * @defaultValue `$CODEX_HOME`, else `~/.codex`
   */
  home?: string;
  /**
   * Told how reading the files progresses.
   * @defaultValue none
   */
  onProgress?: (progress: SessionIndexProgress) => void;
  /**
   * Stops the work; the call rejects with the signal's reason (what was written stays valid).
   * @defaultValue none
   */
  signal?: AbortSignal;
}

/**
 * The state of a home's session index.
 * @public
 */
export interface SessionIndexStatus {
  /** The index file (`<home>/agent-rollouts/session-index.sqlite`). */
  path: string;
  /** The file exists. */
  exists: boolean;
  /** Listings can use it now (SQLite loads, the file opens; it may still need a catch-up). */
  usable: boolean;
  /** Why it cannot be used, when it cannot. */
  reason: string | null;
  /** Opened read-only (the file or the home is not writable): usable only while nothing changed. */
  readOnly: boolean;
  /** Listable sessions indexed, live and archived. */
  sessions: number;
  /** Rollout files indexed as unlistable (damaged, empty, not UTF-8, …). */
  skipped: number;
  /** Messages held for search. */
  messages: number;
  /** Files new or changed since they were indexed: what the next listing reads first. */
  stale: number;
  /** Indexed files that are gone: what the next listing forgets. */
  removed: number;
  /** Bytes on disk: the database and its write-ahead log. */
  bytes: number;
}

function size(file: string): number {
  return statSync(file, { throwIfNoEntry: false })?.size ?? 0;
}

function homeOf(options: SessionIndexOptions | undefined, operation: string): string {
  const o = options ?? {};
  if (o.onProgress !== undefined && typeof o.onProgress !== 'function') {
    throw invalidArgument('onProgress must be a function');
  }
  const home = resolveHome(o.home);
  assertHomeFolder(home, operation);
  return home;
}

/**
 * What the session index of a home holds and how far it is behind the files, without changing
 * it (it is not created when absent).
 *
 * @remarks
 * `stale` and `removed` are found the way a listing's catch-up finds them (folder and suspect
 * file stats), so they count what the next listing will read and forget.
 * @public
 */
export async function sessionIndexStatus(options?: SessionIndexOptions): Promise<SessionIndexStatus> {
  const home = homeOf(options, 'show the session index of');
  const file = indexPath(home);
  const exists = statSync(file, { throwIfNoEntry: false }) !== undefined;
  const base: SessionIndexStatus = {
    path: file,
    exists,
    usable: false,
    reason: null,
    readOnly: false,
    sessions: 0,
    skipped: 0,
    messages: 0,
    stale: 0,
    removed: 0,
    bytes: size(file) + size(`${file}-wal`),
  };
  try {
    loadSqlite();
  } catch (error) {
    return { ...base, reason: (error as Error).message };
  }
  if (!exists) return { ...base, reason: 'not built yet (the next listing builds it)' };
  const store = acquireIndex(home, { create: false });
  if (store === undefined) return { ...base, reason: failureOf(home) ?? 'cannot be opened' };
  try {
    const counts = store.counts();
    const behind = await reconcile(store, { ...reconcileOptions({ signal: options?.signal }), dryRun: true });
    return {
      ...base,
      usable: true,
      readOnly: store.readonly,
      ...counts,
      stale: behind.read,
      removed: behind.removed,
    };
  } catch (error) {
    if (options?.signal?.aborted) throw error;
    indexFailed(home, error);
    return { ...base, reason: (error as Error).message };
  }
}

/**
 * Brings the session index of a home up to date with its files now (creating it when absent),
 * as every listing does first; returns the state after.
 *
 * @remarks
 * Reads only what changed (see {@link sessionIndexStatus}); a first build reads every file once.
 * @throws `RolloutError` `E_NATIVE` when the SQLite addon is not built; `E_INDEX` when the index
 * cannot be opened or written (read-only; locked by another process for more than 30 s, which it
 * waits out until then), with the cause.
 * @public
 */
export async function updateSessionIndex(options?: SessionIndexOptions): Promise<SessionIndexStatus> {
  const home = homeOf(options, 'update the session index of');
  loadSqlite();
  const store = acquireIndex(home, { create: true });
  if (store === undefined) {
    throw new RolloutError(
      'E_INDEX',
      `The session index of ${home} cannot be opened: ${failureOf(home) ?? 'unknown reason'}. Listings still work from the files.`,
    );
  }
  try {
    await whileLocked(
      () =>
        reconcile(store, {
          ...reconcileOptions({ signal: options?.signal, onIndexProgress: options?.onProgress }),
          full: true,
        }),
      options?.signal,
    );
  } catch (error) {
    if (options?.signal?.aborted) throw error;
    if (!(error instanceof LockWaitError)) indexFailed(home, error);
    throw new RolloutError(
      'E_INDEX',
      `The session index of ${home} cannot be updated: ${(error as Error).message}. Listings still work from the files.`,
      { cause: error },
    );
  }
  return sessionIndexStatus({ home, ...(options?.signal ? { signal: options.signal } : {}) });
}

/**
 * Empties the session index of a home in place and builds it again from the files, reporting progress.
 *
 * @remarks
 * The index is a cache. Its file is never deleted under processes that have it open (only a damaged
 * one that cannot be opened is): a listing meanwhile catches up itself, from the files, and never
 * answers from half-built tables. Nothing but the index's own files is touched.
 * @throws as {@link updateSessionIndex}; `E_INDEX` also when another process holds the index's
 * write lock for more than 30 s (it waits until then), or the index is read-only.
 * @public
 */
export async function rebuildSessionIndex(options?: SessionIndexOptions): Promise<SessionIndexStatus> {
  const home = homeOf(options, 'rebuild the session index of');
  loadSqlite();
  // Emptied in place, so processes that have it open never see it deleted under them; an index
  // that cannot be opened or emptied (damaged) is deleted, and the update makes it anew.
  const store = acquireIndex(home, { create: false });
  try {
    if (store === undefined) throw new Error('no usable index');
    await whileLocked(() => {
      store.reset();
    }, options?.signal);
  } catch (error) {
    if (options?.signal?.aborted) throw error;
    if (error instanceof LockWaitError) {
      throw new RolloutError(
        'E_INDEX',
        `The session index of ${home} cannot be rebuilt now: ${error.message}. Listings still work from the files.`,
        { cause: error },
      );
    }
    if (store !== undefined && store.readonly) {
      throw new RolloutError(
        'E_INDEX',
        `The session index of ${home} cannot be rebuilt: it is read-only. Listings still work from the files.`,
        { cause: error },
      );
    }
    discardCorrupt(home);
  }
  return updateSessionIndex(options);
}
