import { randomBytes } from 'node:crypto';
import { constants, readdirSync, unlinkSync } from 'node:fs';
import { link, open, unlink } from 'node:fs/promises';
import path from 'node:path';
import { InvalidRolloutError, RolloutIOError, hasErrno } from '../errors.js';
import { zstdDecoder } from '../reader/zstd.js';

/**
 * Turning a compressed session back into a plain one before appending, as the Codex CLI 0.171
 * does when it resumes a `.jsonl.zst` (`materialize_rollout_for_append`): the plain file appears
 * whole or not at all, keeps the compressed file's permissions, and the `.zst` is removed after.
 * The caller holds the session's writer lock, so no other writer materializes it meanwhile.
 */

/** The steps of a materialization, in order; a test stops the process at each one. */
export type MaterializeStep =
  'temp-created' | 'decompressed' | 'synced' | 'linked' | 'temp-removed' | 'source-removed';

/** For tests only: called at every step of a materialization (a crash test kills the process there). */
export const materializeHooks: { onStep?: ((step: MaterializeStep) => void) | undefined } = {};

/** The hidden temp files of a plain file's materialization: `.<name>.materialize-<pid>-<hex>.tmp`. */
function tempPrefix(plain: string): string {
  return `.${path.basename(plain)}.materialize-`;
}

async function fsyncDir(dir: string): Promise<void> {
  const fh = await open(dir, constants.O_RDONLY | constants.O_DIRECTORY);
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

/**
 * Materializes `compressed` (a `.jsonl.zst`, or the plain name beside one) as the plain `.jsonl`
 * and returns the plain path. When the plain file exists already it is used as it is and the `.zst` is left (the Codex
 * CLI does the same: after a crash between the link and the removal both exist, and the plain
 * one wins everywhere).
 *
 * @remarks
 * Crash-safe at every point: the data is decompressed into a hidden temp file (created with
 * `O_EXCL|O_NOFOLLOW` and the compressed file's mode), synced, then hard-linked to the plain name
 * (never replacing a file there), and only then is the `.zst` removed. Temp files left by a killed
 * process are removed by the next materialization of the same file (the writer lock makes them
 * garbage).
 */
export async function materializeCompressed(
  compressed: string,
  options: { signal?: AbortSignal | undefined; onStep?: ((step: MaterializeStep) => void) | undefined } = {},
): Promise<string> {
  // Given the plain name (a .zst beside it), finish what a killed materialization left.
  if (!compressed.endsWith('.zst')) compressed = `${compressed}.zst`;
  const plain = compressed.slice(0, -'.zst'.length);
  const dir = path.dirname(plain);
  const step = options.onStep ?? materializeHooks.onStep ?? (() => {});
  let plainExists = true;
  try {
    const fh = await open(plain, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
    try {
      if (!(await fh.stat()).isFile()) throw new InvalidRolloutError(plain, 'is not a regular file');
    } finally {
      await fh.close();
    }
  } catch (error) {
    if (!hasErrno(error, 'ENOENT')) {
      if (error instanceof InvalidRolloutError) throw error;
      throw new RolloutIOError('open', plain, error);
    }
    plainExists = false;
  }

  // Temp files of an earlier, killed materialization: garbage, since we hold the writer lock.
  const prefix = tempPrefix(plain);
  for (const name of readdirSync(dir)) {
    if (name.startsWith(prefix) && name.endsWith('.tmp')) {
      try {
        unlinkSync(path.join(dir, name));
      } catch (error) {
        if (!hasErrno(error, 'ENOENT')) throw new RolloutIOError('remove', path.join(dir, name), error);
      }
    }
  }

  if (plainExists) return plain;

  const source = await open(
    compressed,
    constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK,
  ).catch((error: unknown) => {
    throw new RolloutIOError('open', compressed, error);
  });
  const temp = path.join(dir, `${prefix}${process.pid}-${randomBytes(6).toString('hex')}.tmp`);
  let tempMade = false;
  try {
    const st = await source.stat();
    if (!st.isFile()) throw new InvalidRolloutError(compressed, 'is not a regular file');
    const mode = st.mode & 0o7777;
    const out = await open(
      temp,
      constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW,
      mode,
    ).catch((error: unknown) => {
      throw new RolloutIOError('create', temp, error);
    });
    tempMade = true;
    step('temp-created');
    try {
      // The umask may have narrowed the mode given to open: set it exactly.
      await out.chmod(mode);
      const chunk = 1024 * 1024;
      async function* input(): AsyncGenerator<Buffer> {
        for (;;) {
          options.signal?.throwIfAborted();
          const buf = Buffer.allocUnsafe(chunk);
          const { bytesRead } = await source.read(buf, 0, chunk, null);
          if (bytesRead === 0) return;
          yield buf.subarray(0, bytesRead);
        }
      }
      try {
        for await (const bytes of zstdDecoder(input())) await out.write(bytes);
      } catch (error) {
        if (error instanceof Error && error.name === 'AbortError') throw error;
        if (options.signal?.aborted) throw options.signal.reason;
        throw new InvalidRolloutError(
          compressed,
          `cannot be decompressed to be resumed (${(error as Error).message})`,
          {
            cause: error,
          },
        );
      }
      step('decompressed');
      await out.sync();
      step('synced');
    } finally {
      await out.close();
    }
    try {
      await link(temp, plain);
    } catch (error) {
      // Made meanwhile (by a writer that did not hold the lock): it wins, as in the Codex CLI.
      if (!hasErrno(error, 'EEXIST')) throw new RolloutIOError('link', plain, error);
    }
    step('linked');
    await unlinkQuiet(temp);
    tempMade = false;
    await fsyncDir(dir);
    step('temp-removed');
    await unlinkQuiet(compressed);
    await fsyncDir(dir);
    step('source-removed');
    return plain;
  } finally {
    await source.close();
    if (tempMade) await unlinkQuiet(temp).catch(() => undefined);
  }
}

async function unlinkQuiet(file: string): Promise<void> {
  try {
    await unlink(file);
  } catch (error) {
    if (!hasErrno(error, 'ENOENT')) throw new RolloutIOError('remove', file, error);
  }
}
