import { constants, createWriteStream } from 'node:fs';
import type { Stats } from 'node:fs';
import { lstat, open, stat, writeFile } from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';
import { RolloutIOError, hasErrno } from '../errors.js';
import { FILE_MODE } from '../files/layout.js';

/**
 * Reading files of a user's repository (`.git`) ourselves. Anyone who can write there can put a
 * FIFO, a device or a huge file where git keeps a small text file; a plain `readFile` would then
 * wait forever or read until memory runs out. So every read here opens without blocking, accepts
 * only a regular file (checked on the open descriptor), and stops at a byte budget; anything else
 * is an error that names the file.
 */

/** Budget of a file that holds one line: HEAD, a loose ref, a `.git` file, `commondir`. */
export const LINE_FILE_BUDGET = 64 * 1024;
/** Budget of a config, `info/exclude` or `objects/info/alternates` file. */
export const TEXT_FILE_BUDGET = 16 * 1024 * 1024;
/** Budget of a `packed-refs` file (about two million refs). */
export const PACKED_REFS_BUDGET = 256 * 1024 * 1024;

const READ_FLAGS = constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOCTTY;

/** What a non-regular file is, for an error message. */
function kindOf(st: Stats): string {
  if (st.isFIFO()) return 'a FIFO (named pipe)';
  if (st.isCharacterDevice()) return 'a character device';
  if (st.isBlockDevice()) return 'a block device';
  if (st.isSocket()) return 'a socket';
  if (st.isDirectory()) return 'a folder';
  return 'not a regular file';
}

function refuse(file: string, what: string, reason: string): RolloutIOError {
  return new RolloutIOError(
    `read ${what}`,
    file,
    new Error(`${reason}; git and agent-rollouts read only regular files there. Remove or replace it.`),
  );
}

function notRegular(file: string, what: string, st: Stats): RolloutIOError {
  return refuse(file, what, `it is ${kindOf(st)}, not a regular file`);
}

function tooLarge(file: string, what: string, size: number, budget: number): RolloutIOError {
  return refuse(file, what, `it holds ${size} bytes or more, over the ${budget} bytes allowed`);
}

/**
 * Checks, without opening it, that `file` is absent, a folder (git skips those), or a regular file
 * of at most `budget` bytes; a symbolic link is judged by its target. Returns the size of a regular
 * file, `undefined` otherwise.
 */
export async function checkRegularFile(
  file: string,
  budget: number | undefined,
  what = 'the repository file',
): Promise<number | undefined> {
  let st: Stats;
  try {
    st = await lstat(file);
    if (st.isSymbolicLink()) st = await stat(file);
  } catch (error) {
    if (hasErrno(error, 'ENOENT', 'ENOTDIR', 'ELOOP')) return undefined;
    throw new RolloutIOError(`inspect ${what}`, file, error);
  }
  if (st.isDirectory()) return undefined;
  if (!st.isFile()) throw notRegular(file, what, st);
  if (budget !== undefined && st.size > budget) throw tooLarge(file, what, st.size, budget);
  return st.size;
}

/**
 * The bytes of a regular file of at most `budget` bytes; `undefined` when it is absent or a
 * folder. Opens without blocking (a FIFO or device is refused, never waited on).
 */
export async function readRegularFile(
  file: string,
  budget: number,
  what = 'the repository file',
): Promise<Buffer | undefined> {
  let handle;
  try {
    handle = await open(file, READ_FLAGS);
  } catch (error) {
    if (hasErrno(error, 'ENOENT', 'ENOTDIR', 'EISDIR', 'ELOOP')) return undefined;
    throw new RolloutIOError(`read ${what}`, file, error);
  }
  try {
    const st = await handle.stat();
    if (st.isDirectory()) return undefined;
    if (!st.isFile()) throw notRegular(file, what, st);
    if (st.size > budget) throw tooLarge(file, what, st.size, budget);
    // Read up to one byte past the budget: the file may have grown since fstat.
    const buf = Buffer.allocUnsafe(Math.min(st.size, budget) + 1);
    let length = 0;
    for (;;) {
      const { bytesRead } = await handle.read(buf, length, buf.length - length, length);
      if (bytesRead === 0) break;
      length += bytesRead;
      if (length > budget) throw tooLarge(file, what, length, budget);
      if (length === buf.length) break;
    }
    return buf.subarray(0, length);
  } catch (error) {
    if (error instanceof RolloutIOError) throw error;
    throw new RolloutIOError(`read ${what}`, file, error);
  } finally {
    await handle.close();
  }
}

/** `readRegularFile` as UTF-8 text. */
export async function readRegularText(
  file: string,
  budget: number,
  what?: string,
): Promise<string | undefined> {
  return (await readRegularFile(file, budget, what))?.toString('utf8');
}

/**
 * Copies a regular file to `dest` (created or replaced, private mode); false when `src` is absent.
 * Opens `src` without blocking, so a FIFO or device is refused, never waited on.
 */
export async function copyRegularFile(
  src: string,
  dest: string,
  what = 'the repository file',
): Promise<boolean> {
  let handle;
  try {
    handle = await open(src, READ_FLAGS);
  } catch (error) {
    if (hasErrno(error, 'ENOENT', 'ENOTDIR')) return false;
    throw new RolloutIOError(`read ${what}`, src, error);
  }
  try {
    const st = await handle.stat();
    if (!st.isFile()) throw notRegular(src, what, st);
    if (st.size === 0) {
      await writeFile(dest, '', { mode: FILE_MODE });
      return true;
    }
    // Exactly the size seen: a file that grows meanwhile cannot make the copy endless.
    await pipeline(
      handle.createReadStream({ start: 0, end: st.size - 1, autoClose: false }),
      createWriteStream(dest, { mode: FILE_MODE }),
    );
    return true;
  } catch (error) {
    if (error instanceof RolloutIOError) throw error;
    throw new RolloutIOError(`copy ${what}`, src, error);
  } finally {
    await handle.close();
  }
}
