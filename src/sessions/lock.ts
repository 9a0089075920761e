import { SessionLockedError } from '../errors.js';
import { acquireSessionLock } from '../files/session-lock.js';
import type { SessionLock } from '../files/session-lock.js';

/**
 * Runs `fn` holding the writer lock of session `id`, released when `fn` settles, so no writer (this
 * process, another, or a running Codex CLI) can start on the session while it runs. Throws
 * {@link SessionLockedError} naming `operation` at once when a writer holds the lock.
 */
export async function withSessionLock<T>(
  home: string,
  id: string,
  operation: string,
  fn: (lock: SessionLock) => Promise<T>,
): Promise<T> {
  let lock: SessionLock;
  try {
    lock = acquireSessionLock(home, id);
  } catch (error) {
    if (error instanceof SessionLockedError)
      throw new SessionLockedError(error.id, error.lockPath, {
        cause: error.cause,
        heldByThisProcess: error.heldByThisProcess,
        operation,
      });
    throw error;
  }
  try {
    return await fn(lock);
  } finally {
    lock.release();
  }
}
