import { copyFile, constants, lstat, mkdir, rename, stat, unlink, utimes } from 'node:fs/promises';
import path from 'node:path';
import { RolloutIOError, SessionLockedError, hasErrno } from '../errors.js';
import { DIR_MODE, homePaths, parseRolloutFileName, resolveHome } from '../files/layout.js';
import { isSessionLocked } from '../files/session-lock.js';
import { locateSessions, pickOne } from '../files/locate.js';
import { dayFolderPath } from '../files/traverse.js';
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

async function refuseWhileWritten(home: string, id: string): Promise<void> {
  if (await isSessionLocked(home, id))
    throw new SessionLockedError(id, homePaths.lock(home, id.toLowerCase()));
}

/**
 * Moves a live session to `<home>/archived_sessions/`, keeping its file name and modification
 * time; returns the new path.
 *
 * @remarks
 * `id` is a full id or a unique prefix, as for {@link findSession}.
 * @throws `SessionLockedError` while a writer (this process, another, or a running Codex CLI)
 * holds the session's lock; `SessionNotFoundError` / `AmbiguousSessionIdError` as
 * {@link findSession}; `RolloutIOError` when the move fails or the archive already holds that file.
 * @public
 */
export async function archiveSession(id: string, options: ArchiveSessionOptions = {}): Promise<string> {
  const home = resolveHome(options.home);
  const one = pickOne(id, home, (await locateSessions(home, id, { archived: false })).matches);
  await refuseWhileWritten(home, one.id);
  const to = path.join(homePaths.archived(home), path.basename(one.path));
  await moveKeepingMtime(one.path, to, 'archive');
  return to;
}

/**
 * Moves an archived session back to its date folder under `<home>/sessions/` (the folder its file
 * name gives), keeping its file name and modification time; returns the new path.
 *
 * @remarks
 * A `.jsonl.zst` file is moved as it is.
 * @throws as {@link archiveSession}.
 * @public
 */
export async function unarchiveSession(id: string, options: ArchiveSessionOptions = {}): Promise<string> {
  const home = resolveHome(options.home);
  const one = pickOne(id, home, (await locateSessions(home, id, { archived: true })).matches);
  await refuseWhileWritten(home, one.id);
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
}
