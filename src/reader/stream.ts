import { constants } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { InvalidRolloutError, hasErrno } from '../errors.js';
import type { RolloutFormat, RolloutLine } from '../format/types.js';
import { isSessionMetaLine } from '../format/types.js';
import {
  ParseFailure,
  checkEnvelope,
  isLegacyMeta,
  legacyLineToEnvelope,
  legacyMetaToSessionMeta,
  parseJson,
} from './parse.js';

/**
 * A problem found on one line. The line is skipped (or, for encoding problems, kept as decoded) and
 * reading goes on.
 * @public
 */
export interface RolloutProblem {
  /** 1-based line number in the file. */
  line: number;
  /** What is wrong, in a sentence. */
  message: string;
}

/**
 * Options of {@link streamRollout}.
 * @public
 */
export interface StreamRolloutOptions {
  /** Stops reading; the iterator rejects with the signal's reason. */
  signal?: AbortSignal;
  /** Called for every problem, with its line number, as it is found. */
  onProblem?: (problem: RolloutProblem) => void;
  /**
   * A longer line is skipped and reported instead of being held in memory whole.
   * @defaultValue 256 MiB
   */
  maxLineBytes?: number;
}

/** Read sizes: small for streaming (bounded memory), large when the caller holds every line anyway. */
export const STREAM_CHUNK = 64 * 1024;
export const WHOLE_FILE_CHUNK = 1024 * 1024;

/** One parsed line with its position. */
export interface Entry {
  line: number;
  value: RolloutLine;
}

/** What the engine learned about the file while reading it. */
export interface StreamState {
  format: RolloutFormat;
  /** The `ordinal` of the last line that had one. */
  lastOrdinal: number | undefined;
}

const NL = 0x0a;

/**
 * The engine behind {@link streamRollout} and {@link readRollout}: yields parsed lines in batches
 * (one batch per chunk read) so the per-line cost is a function call, not a promise.
 */
export async function* readEntries(
  path: string,
  options: StreamRolloutOptions = {},
  state: StreamState = { format: 'envelope', lastOrdinal: undefined },
  chunkSize: number = STREAM_CHUNK,
): AsyncGenerator<Entry[]> {
  const maxLineBytes = options.maxLineBytes ?? 256 * 1024 * 1024;
  const report = options.onProblem ?? (() => {});
  const { signal } = options;
  signal?.throwIfAborted();

  let fh: FileHandle;
  try {
    // A FIFO or device named like a rollout would block open() forever: refuse what is not a file.
    const st = await stat(path);
    if (st.isDirectory()) throw new InvalidRolloutError(path, 'is a folder, not a rollout file');
    if (!st.isFile()) throw new InvalidRolloutError(path, 'is not a regular file');
    fh = await open(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (cause) {
    if (cause instanceof InvalidRolloutError) throw cause;
    if (hasErrno(cause, 'ENOENT')) throw new InvalidRolloutError(path, 'no such file', { cause });
    if (hasErrno(cause, 'EISDIR'))
      throw new InvalidRolloutError(path, 'is a folder, not a rollout file', { cause });
    throw new InvalidRolloutError(path, `cannot be opened (${(cause as Error).message})`, { cause });
  }

  try {
    const st = await fh.stat();
    if (st.isDirectory()) throw new InvalidRolloutError(path, 'is a folder, not a rollout file');

    let lineNo = 0;
    let sawContent = false;
    let sawMeta = false;
    let legacyTimestamp: string | undefined;
    let crlfReported = false;
    let paginated = false;
    let expectedOrdinal: number | undefined;

    const take = (raw: string, isLast: boolean, out: Entry[]): void => {
      lineNo++;
      let text = raw;
      if (lineNo === 1 && text.charCodeAt(0) === 0xfeff) {
        text = text.slice(1);
        report({ line: 1, message: 'UTF-8 byte order mark at the start of the file (ignored)' });
      }
      if (text.endsWith('\r')) {
        text = text.slice(0, -1);
        if (!crlfReported) {
          crlfReported = true;
          report({ line: lineNo, message: 'CRLF line ending (read as LF; later ones are not reported)' });
        }
      }
      if (text.trim() === '') {
        report({ line: lineNo, message: 'blank line' });
        return;
      }
      sawContent = true;

      const value = parseJson(text);
      let parsed: RolloutLine | ParseFailure;
      if (value instanceof ParseFailure) {
        parsed = value;
      } else if (legacyTimestamp !== undefined) {
        parsed = legacyLineToEnvelope(value, legacyTimestamp);
      } else if (!sawMeta && isLegacyMeta(value)) {
        legacyTimestamp = value.timestamp;
        state.format = 'legacy';
        parsed = {
          timestamp: value.timestamp,
          type: 'session_meta',
          payload: legacyMetaToSessionMeta(value),
        };
      } else {
        parsed = checkEnvelope(value);
      }

      if (parsed instanceof ParseFailure) {
        report({
          line: lineNo,
          message: isLast ? `torn last line (no newline at the end): ${parsed.message}` : parsed.message,
        });
        return;
      }
      if (!sawMeta) {
        if (!isSessionMetaLine(parsed)) {
          throw new InvalidRolloutError(
            path,
            `no session_meta: the first readable line is a "${parsed.type}" line; a rollout starts with session_meta`,
            { line: lineNo },
          );
        }
        sawMeta = true;
        if (parsed.payload.history_mode === 'paginated' || typeof parsed.ordinal === 'number') {
          paginated = true;
          state.format = 'paginated';
        }
      }
      if (paginated) {
        const ord = parsed.ordinal;
        if (typeof ord !== 'number' || !Number.isInteger(ord)) {
          report({ line: lineNo, message: 'line of a paginated rollout has no integer "ordinal"' });
        } else {
          if (expectedOrdinal !== undefined && ord !== expectedOrdinal) {
            report({ line: lineNo, message: `ordinal ${ord} where ${expectedOrdinal} was expected` });
          }
          expectedOrdinal = ord + 1;
          state.lastOrdinal = ord;
        }
      }
      out.push({ line: lineNo, value: parsed });
    };

    const buf = Buffer.allocUnsafe(chunkSize);
    let carry: Buffer[] = [];
    let carryBytes = 0;
    let oversized = false;

    const decode = (bytes: Buffer, firstLine: number): string => {
      const text = bytes.toString('utf8');
      if (text.includes('\uFFFD')) reportBadUtf8(bytes, firstLine, report);
      return text;
    };

    for (;;) {
      signal?.throwIfAborted();
      const { bytesRead } = await fh.read(buf, 0, chunkSize, null);
      if (bytesRead === 0) break;
      const chunk = buf.subarray(0, bytesRead);
      const lastNl = chunk.lastIndexOf(NL);
      if (lastNl === -1) {
        if (!oversized) {
          carry.push(Buffer.from(chunk));
          carryBytes += bytesRead;
          if (carryBytes > maxLineBytes) {
            oversized = true;
            carry = [];
            carryBytes = 0;
          }
        }
        continue;
      }
      const out: Entry[] = [];
      let start = 0;
      if (oversized) {
        // The rest of the oversized line ends at the first newline of this chunk.
        const firstNl = chunk.indexOf(NL);
        lineNo++;
        report({ line: lineNo, message: `line longer than ${maxLineBytes} bytes (skipped)` });
        oversized = false;
        start = firstNl + 1;
      }
      const hasRegion = carry.length > 0 || start <= lastNl;
      let region: Buffer;
      if (carry.length > 0) {
        carry.push(chunk.subarray(start, lastNl));
        region = Buffer.concat(carry);
        carry = [];
        carryBytes = 0;
      } else {
        region = chunk.subarray(start, lastNl);
      }
      if (hasRegion) {
        const text = decode(region, lineNo + 1);
        const parts = text.split('\n');
        for (const part of parts) {
          if (part.length > maxLineBytes) {
            lineNo++;
            report({ line: lineNo, message: `line longer than ${maxLineBytes} bytes (skipped)` });
            continue;
          }
          take(part, false, out);
        }
      }
      if (lastNl + 1 < bytesRead) {
        carry.push(Buffer.from(chunk.subarray(lastNl + 1)));
        carryBytes = bytesRead - lastNl - 1;
      }
      if (out.length > 0) yield out;
    }

    if (oversized) {
      lineNo++;
      report({ line: lineNo, message: `torn last line longer than ${maxLineBytes} bytes (skipped)` });
    } else if (carryBytes > 0) {
      // A tail cut inside a multi-byte character is a torn line, reported once as such; bad bytes
      // are reported only in a tail that is otherwise a whole line.
      const tail = Buffer.concat(carry);
      const text = tail.toString('utf8');
      const out: Entry[] = [];
      take(text, true, out);
      if (out.length > 0) {
        if (text.includes('\uFFFD')) reportBadUtf8(tail, lineNo, report);
        yield out;
      }
    }
    if (!sawContent) {
      throw new InvalidRolloutError(path, st.size === 0 ? 'empty file' : 'no content (only blank lines)');
    }
    if (!sawMeta) throw new InvalidRolloutError(path, 'no session_meta line (no line could be read)');
  } finally {
    await fh.close();
  }
}

/** Reports each line of `bytes` that is not valid UTF-8 (the rare path: only when decoding replaced bytes). */
function reportBadUtf8(bytes: Buffer, firstLine: number, report: (p: RolloutProblem) => void): void {
  const fatal = new TextDecoder('utf-8', { fatal: true });
  let line = firstLine;
  let start = 0;
  for (;;) {
    const nl = bytes.indexOf(NL, start);
    const end = nl === -1 ? bytes.length : nl;
    try {
      fatal.decode(bytes.subarray(start, end));
    } catch {
      report({ line, message: 'invalid UTF-8 (bad bytes read as U+FFFD)' });
    }
    if (nl === -1) break;
    start = nl + 1;
    line++;
  }
}

/**
 * Streams the lines of a rollout, in file order, with memory bounded by the longest line, whatever
 * the file's size.
 *
 * @remarks
 * Reads the envelope format, the paginated format and the legacy bare format (whose lines are
 * returned in envelope form: the head as `session_meta`, items as `response_item`). Damaged lines
 * (invalid JSON, a torn last line, blank lines, bad UTF-8, CRLF, a BOM) are reported through
 * `onProblem` with their line number and skipped; unknown line types are returned as they are.
 *
 * Throws {@link InvalidRolloutError} for a file that is missing, a folder, empty, or whose first
 * readable line is not a `session_meta`.
 * @public
 */
export async function* streamRollout(
  path: string,
  options: StreamRolloutOptions = {},
): AsyncGenerator<RolloutLine, void, undefined> {
  for await (const batch of readEntries(path, options)) {
    for (const entry of batch) yield entry.value;
  }
}
