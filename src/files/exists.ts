import { lstat, stat } from 'node:fs/promises';
import { RolloutIOError, hasErrno } from '../errors.js';

/**
 * Whether something is at `file` (the link itself unless `followLinks`). Absence, including a
 * missing folder on the way, is `false`; any other failure (permission denied, I/O) is a
 * `RolloutIOError`, never read as absence.
 */
export async function pathExists(file: string, options: { followLinks?: boolean } = {}): Promise<boolean> {
  try {
    await (options.followLinks ? stat(file) : lstat(file));
    return true;
  } catch (cause) {
    if (hasErrno(cause, 'ENOENT', 'ENOTDIR')) return false;
    throw new RolloutIOError('check', file, cause);
  }
}
