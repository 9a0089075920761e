import { constants } from 'node:fs';
import { open } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { hasErrno } from '../errors.js';

/**
 * Reading the small shared files of a home (`session_index.jsonl` and the like), which other
 * programs write and anyone with access to the home can replace: opened without blocking (a FIFO
 * there must not hang a listing), regular files only (`/dev/zero` must not fill memory), read in
 * chunks with memory bounded by the longest line kept, and stoppable by an `AbortSignal`.
 */

/** Why a home file gave no lines. */
export type HomeFileSkip = 'missing' | 'not-a-file' | 'unreadable';

/** Options of {@link homeFileLines}. */
export interface HomeFileLinesOptions {
  /** Lines longer than this are passed over (not held whole). */
  maxLineBytes: number;
  /** Stop after this many bytes (a runaway file); what was read so far is kept. */
  maxBytes?: number;
  signal?: AbortSignal | undefined;
  /** Told when the file is missing, not a regular file, or unreadable; no lines follow then. */
  onSkip?: (reason: HomeFileSkip, error?: unknown) => void;
}

const CHUNK = 256 * 1024;

/** Opens `file` for reading without blocking; `undefined` (and `onSkip`) when it cannot be read. */
async function openRegular(file: string, options: HomeFileLinesOptions): Promise<FileHandle | undefined> {
  let fh: FileHandle;
  try {
    fh = await open(file, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (error) {
    options.onSkip?.(hasErrno(error, 'ENOENT', 'ENOTDIR') ? 'missing' : 'unreadable', error);
    return undefined;
  }
  try {
    if ((await fh.stat()).isFile()) return fh;
    options.onSkip?.('not-a-file');
  } catch (error) {
    options.onSkip?.('unreadable', error);
  }
  await fh.close().catch(() => undefined);
  return undefined;
}

/**
 * The lines of a home file, without their `\n` (a last line without one included), decoded as
 * UTF-8. Never throws for the file's sake: a missing, special or unreadable file yields nothing.
 * Rejects only with the signal's reason.
 */
export async function* homeFileLines(file: string, options: HomeFileLinesOptions): AsyncGenerator<string> {
  options.signal?.throwIfAborted();
  const fh = await openRegular(file, options);
  if (fh === undefined) return;
  const limit = options.maxBytes ?? Infinity;
  try {
    const buf = Buffer.allocUnsafe(CHUNK);
    let carry: Buffer[] = [];
    let carryBytes = 0;
    let oversized = false;
    let total = 0;
    for (;;) {
      options.signal?.throwIfAborted();
      let bytesRead: number;
      try {
        ({ bytesRead } = await fh.read(buf, 0, CHUNK, null));
      } catch (error) {
        options.onSkip?.('unreadable', error);
        return;
      }
      if (bytesRead === 0) break;
      total += bytesRead;
      let chunk = buf.subarray(0, bytesRead);
      for (let nl = chunk.indexOf(10); nl !== -1; nl = chunk.indexOf(10)) {
        const part = chunk.subarray(0, nl);
        chunk = chunk.subarray(nl + 1);
        if (oversized) {
          oversized = false;
          continue;
        }
        if (carryBytes + part.length <= options.maxLineBytes) {
          yield carry.length === 0 ? part.toString('utf8') : Buffer.concat([...carry, part]).toString('utf8');
        }
        carry = [];
        carryBytes = 0;
      }
      if (!oversized && chunk.length > 0) {
        if (carryBytes + chunk.length > options.maxLineBytes) {
          oversized = true;
          carry = [];
          carryBytes = 0;
        } else {
          carry.push(Buffer.from(chunk));
          carryBytes += chunk.length;
        }
      }
      // A line cut by the byte bound is not a line.
      if (total >= limit) return;
    }
    if (!oversized && carryBytes > 0) yield Buffer.concat(carry).toString('utf8');
  } finally {
    await fh.close().catch(() => undefined);
  }
}
