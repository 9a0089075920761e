import { copyFile, constants, lstat, mkdir, rename, stat, unlink, utimes } from 'node:fs/promises';
import path from 'node:path';
import { RolloutIOError, hasErrno } from '../errors.js';
import { DIR_MODE, homePaths, parseRolloutFileName, resolveHome } from '../files/layout.js';
import { dayFolderPath } from '../files/traverse.js';
import { withSessionLock } from './lock.js';
import { pickSession } from './target.js';
import type { ArchiveSessionOptions } from './types.js';

/**
 * Moves `from` to `to` without replacing an existing file, keeping the modification time (the
 * `'updated'` order and the Codex CLI read it).
 */
async function moveKeepingMtime(from: string, to: string, operation: string): Promise<void> {
  const exists = await lstat(to).then(
    () => true,
    (error: unknown) =>
      hasErrno(error, 'ENOENT') ? false : Promise.reject(new RolloutIOError(operation, to, error)),
  );
  if (exists) {
    throw new RolloutIOError(
      operation,
      to,
      Object.assign(new Error(`${to} exists already`), { code: 'EEXIST' }),
    );
  }
  try {
    await mkdir(path.dirname(to), { recursive: true, mode: DIR_MODE });
    await rename(from, to);
  } catch (error) {
    if (!hasErrno(error, 'EXDEV')) throw new RolloutIOError(operation, from, error);
    // Another file system (a mounted archive folder): copy, carry the times over, then remove.
    try {
      const st = await stat(from);
      await copyFile(from, to, constants.COPYFILE_EXCL);
      await utimes(to, st.atime, st.mtime);
      await unlink(from);
    } catch (cause) {
      throw new RolloutIOError(operation, from, cause);
    }
  }
}

/**
 * Moves a live session to `<home>/archived_sessions/`, keeping its file name and modification
 * time; returns the new path.
 *
 * @remarks
 * `id` is a full id or a unique prefix, as for {@link findSession}. Holds the session's writer lock
 * for the whole move, so no writer starts on the session meanwhile.
 * @throws `ArchiveStateError` (`E_ARCHIVE_STATE`) when the session is archived already;
 * `SessionLockedError` while a writer (this process, another, or a running Codex CLI) holds the
 * session's lock; `SessionNotFoundError` / `AmbiguousSessionIdError` as {@link findSession};
 * `RolloutIOError` when the move fails or the archive already holds that file.
 * @public
 */
export async function archiveSession(id: string, options: ArchiveSessionOptions = {}): Promise<string> {
  const home = resolveHome(options.home);
  const { id: full } = await pickSession(home, id, 'live');
  return withSessionLock(home, full, 'archive', async () => {
    const one = await pickSession(home, full, 'live');
    const to = path.join(homePaths.archived(home), path.basename(one.path));
    await moveKeepingMtime(one.path, to, 'archive');
    return to;
  });
}

/**
 * Moves an archived session back to its date folder under `<home>/sessions/` (the folder its file
 * name gives), keeping its file name and modification time; returns the new path.
 *
 * @remarks
 * A `.jsonl.zst` file is moved as it is. Holds the session's writer lock for the whole move.
 * @throws `ArchiveStateError` (`E_ARCHIVE_STATE`) when the session is not archived; otherwise as
 * {@link archiveSession}.
 * @public
 */
export async function unarchiveSession(id: string, options: ArchiveSessionOptions = {}): Promise<string> {
  const home = resolveHome(options.home);
  const { id: full } = await pickSession(home, id, 'archived');
  return withSessionLock(home, full, 'unarchive', async () => {
    const one = await pickSession(home, full, 'archived');
    const name = path.basename(one.path);
    const parsed = parseRolloutFileName(name)!;
    const d = new Date(parsed.nameTime);
    const folder = dayFolderPath(homePaths.sessions(home), [
      d.getUTCFullYear(),
      d.getUTCMonth() + 1,
      d.getUTCDate(),
    ]);
    const to = path.join(folder, name);
    await moveKeepingMtime(one.path, to, 'unarchive');
    return to;
  });
}
