import { open } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { tryLock } from '../files/flock.js';
import { RolloutIOError, hasErrno } from '../errors.js';
import { isRolloutError } from '../errors.js';
import { FILE_MODE } from '../files/layout.js';

/**
 * The store lock: one writer per store across threads and processes.
 *
 * A kernel `flock` on `<store>/rollouts.lock`, chosen over git's own `*.lock` files because the
 * kernel drops it when its holder dies, so a crash never leaves a stale lock. The lock file's
 * descriptor is inherited by every git process on the store started while it is held, so a git
 * child orphaned by a killed parent still holds the lock until it finishes. Git processes that talk
 * to a remote (push, ls-remote) never get it: the remote end could read or write it (see
 * `StoreGitOptions.remote`). Consequently any git `*.lock` file
 * found while we hold the lock belongs to a process that no longer exists and may be removed.
 */

/** A held store lock. */
export interface HeldLock {
  /** The lock file's descriptor, to hand to child processes. */
  readonly fd: number;
  release(): Promise<void>;
}

/** Same-process holders queue here instead of polling the kernel lock. */
const queues = new Map<string, Promise<void>>();

/**
 * Runs `fn` while holding the lock at `lockPath`. Waits for other holders (polling with backoff,
 * so an `AbortSignal` can stop the wait and no thread-pool thread blocks).
 */
export async function withStoreLock<T>(
  lockPath: string,
  signal: AbortSignal | undefined,
  fn: (lock: HeldLock) => Promise<T>,
): Promise<T> {
  const previous = queues.get(lockPath) ?? Promise.resolve();
  let done!: () => void;
  const mine = new Promise<void>((resolve) => (done = resolve));
  const tail = previous.then(() => mine);
  queues.set(lockPath, tail);
  try {
    await previous;
    const lock = await acquire(lockPath, signal);
    try {
      return await fn(lock);
    } finally {
      await lock.release();
    }
  } finally {
    done();
    if (queues.get(lockPath) === tail) queues.delete(lockPath);
  }
}

async function acquire(lockPath: string, signal: AbortSignal | undefined): Promise<HeldLock> {
  let handle: FileHandle;
  try {
    handle = await open(lockPath, 'a', FILE_MODE);
  } catch (cause) {
    throw new RolloutIOError('open the store lock', lockPath, cause);
  }
  let delay = 2;
  for (;;) {
    try {
      signal?.throwIfAborted();
      await tryLock(handle.fd);
      break;
    } catch (error) {
      if (!hasErrno(error, 'EWOULDBLOCK', 'EAGAIN')) {
        await handle.close();
        if (signal?.aborted) throw signal.reason;
        if (isRolloutError(error)) throw error; // E_NATIVE: the addon is not built
        throw new RolloutIOError('lock', lockPath, error);
      }
      await new Promise((resolve) => setTimeout(resolve, delay));
      delay = Math.min(delay * 2, 50);
    }
  }
  return {
    fd: handle.fd,
    // Closing (not unlocking) releases the lock only once no git child still holds the descriptor.
    release: () => handle.close(),
  };
}
