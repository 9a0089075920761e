import { closeSync, constants, fstatSync, openSync, statSync } from 'node:fs';
import { RolloutIOError, SessionLockedError, hasErrno, invalidArgument } from '../errors.js';
import { isUuid } from '../format/ids.js';
import { isRolloutError } from '../errors.js';
import { tryLockSync } from './flock.js';
import { FILE_MODE, homePaths, mkdirPrivateSync } from './layout.js';

/**
 * The session writer lock: an exclusive, non-blocking `flock` on
 * `<home>/thread-writer-locks/<id>.lock`.
 *
 * @remarks
 * This is the lock the Codex CLI takes (`File::try_lock`, which is `flock(LOCK_EX | LOCK_NB)` on
 * Unix), so our writer and a running Codex never append to one rollout at once. An `flock` belongs
 * to the open file, so a second open in this same process conflicts too, and the kernel drops it
 * when the process dies: a crashed writer never leaves a stale lock. Node has no `flock`, hence the
 * one `flock` wrapper (flock.ts). The lock file itself is never deleted: removing it while
 * another process has it open would let two writers lock two different files.
 */

/** A held session lock. */
export interface SessionLock {
  /** The lock file. */
  readonly path: string;
  /** Releases the lock (closing the file releases the flock). Safe to call twice. */
  release(): void;
}

/**
 * Lock files are named after the lower-case id, as the Codex CLI prints UUIDs. The id becomes a
 * path: only a UUID is accepted, so an id read from a file (`session_meta.id`) can never name a
 * lock outside the home.
 */
function lockPath(home: string, id: string): string {
  if (typeof id !== 'string' || !isUuid(id)) {
    throw invalidArgument(`A session lock needs a session id (a UUID), not ${JSON.stringify(id)}`);
  }
  return homePaths.lock(home, id.toLowerCase());
}

/** Lock files this process holds: a refusal then names this process as the holder. */
const heldHere = new Set<string>();

/**
 * Takes the writer lock of session `id`, creating the lock folder (0700) and file (0600) as needed.
 * Throws {@link SessionLockedError} at once when another writer holds it, {@link RolloutIOError}
 * when the lock file cannot be opened.
 */
export function acquireSessionLock(home: string, id: string): SessionLock {
  const file = lockPath(home, id);
  try {
    mkdirPrivateSync(homePaths.locks(home));
  } catch (cause) {
    throw new RolloutIOError('create the lock folder of', file, cause);
  }
  // The Codex CLI unlinks lock files nobody holds (on exit, and when it sweeps the folder). If that
  // happens between our open() and flock(), we would hold a lock on a deleted file while the next
  // writer locks a new one: so after locking, check that the path still names the locked file.
  for (let attempt = 0; ; attempt++) {
    let fd: number;
    try {
      fd = openSync(file, constants.O_RDWR | constants.O_CREAT, FILE_MODE);
    } catch (cause) {
      throw new RolloutIOError('open the session lock', file, cause);
    }
    try {
      tryLockSync(fd);
    } catch (cause) {
      closeSync(fd);
      if (hasErrno(cause, 'EWOULDBLOCK', 'EAGAIN')) {
        throw new SessionLockedError(id, file, { cause, heldByThisProcess: heldHere.has(file) });
      }
      if (isRolloutError(cause)) throw cause; // E_NATIVE: the addon is not built
      throw new RolloutIOError('lock', file, cause);
    }
    if (sameFile(fd, file)) {
      let held = true;
      heldHere.add(file);
      return {
        path: file,
        release() {
          if (!held) return;
          held = false;
          heldHere.delete(file);
          closeSync(fd);
        },
      };
    }
    closeSync(fd);
    if (attempt >= 100) {
      throw new RolloutIOError(
        'lock',
        file,
        new Error('the lock file keeps being replaced while it is locked'),
      );
    }
  }
}

/** True when `fd` is the file at `file` now (same device and inode). */
function sameFile(fd: number, file: string): boolean {
  const held = fstatSync(fd);
  const now = statSync(file, { throwIfNoEntry: false });
  return now !== undefined && now.ino === held.ino && now.dev === held.dev;
}

/**
 * True when some writer (this process included) holds the lock of session `id`. Used to refuse
 * moving a session's file while it is being written. Never creates the lock file.
 */
export function isSessionLocked(home: string, id: string): boolean {
  const file = lockPath(home, id);
  let fd: number;
  try {
    fd = openSync(file, constants.O_RDONLY);
  } catch (cause) {
    if (hasErrno(cause, 'ENOENT')) return false;
    throw new RolloutIOError('open the session lock', file, cause);
  }
  try {
    tryLockSync(fd);
    return false;
  } catch (cause) {
    if (hasErrno(cause, 'EWOULDBLOCK', 'EAGAIN')) return true;
    if (isRolloutError(cause)) throw cause; // E_NATIVE: the addon is not built
    throw new RolloutIOError('probe the session lock', file, cause);
  } finally {
    // Closing also drops the probe's own lock when it got one.
    closeSync(fd);
  }
}
