/**
 * The line engine: the one place that turns the bytes of a rollout (plain or zstd) into lines,
 * problems and a verdict. `streamRollout`, `readRollout`, `validateRollout`, `rollouts show --raw`
 * and the lister's head read are all callers of it; none parses a line itself.
 */
import { constants } from 'node:fs';
import { open } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { StringDecoder } from 'node:string_decoder';
import type { RolloutFormat, RolloutLine } from '../format/types.js';
import { isSessionMetaLine } from '../format/types.js';
import { hasErrno } from '../errors.js';
import {
  ParseFailure,
  checkEnvelope,
  isLegacyMeta,
  legacyLineToEnvelope,
  legacyMetaToSessionMeta,
  parseJson,
} from './parse.js';
import { zstdDecoder } from './zstd.js';

/**
 * What a {@link RolloutProblem} is about: a stable name to dispatch on (the message is for people
 * and may change).
 *
 * @remarks
 * Found by every reader (the line is skipped, or for encoding problems kept as decoded):
 *
 * - `bom`: a UTF-8 byte order mark before the first line (ignored).
 * - `crlf`: CRLF line endings (read as LF; reported once, on the first).
 * - `blank`: an empty or whitespace-only line.
 * - `bad-utf8`: bytes that are not UTF-8 (read as U+FFFD; the line is kept).
 * - `invalid-json`: a line that is not JSON.
 * - `not-object`: JSON that is not an object (an array, a string, a number, `null`…).
 * - `not-envelope`: an object without the envelope's `type`, `payload` and `timestamp` (or, in the
 *   legacy format, without `type` or `record_type`).
 * - `bad-payload`: a line of a known type whose payload cannot be that type's (not an object, or a
 *   `response_item`/`event_msg` payload without a string `type`); the line is skipped, so a reader
 *   narrowing on `type` can trust the payload's shape.
 * - `torn`: the last line stops without a newline and is not complete JSON (a write in progress or
 *   a crash).
 * - `too-long`: a line longer than `maxLineBytes` (skipped without being held).
 * - `no-ordinal`: a line of a paginated rollout without an integer `ordinal`.
 * - `ordinal-gap`: an `ordinal` that is not the previous one plus 1.
 * - `bad-compression`: the zstd data of a `.jsonl.zst` file is damaged or cut short here; nothing
 *   after this point can be read.
 *
 * Found when a thread is read whole (Codex CLI 0.171 segments, see {@link streamThread}):
 *
 * - `missing-segment`: the rollout a `session_meta` `history_base` names cannot be found or read
 *   (or the references loop); the history before this file is left out, the rest is read.
 *
 * Found by {@link validateRollout} only:
 *
 * - `schema`: a line that breaks the shipped JSON Schemas.
 * - `meta-not-first`: `session_meta` is not on the first line.
 * - `id-mismatch`: the id in `session_meta` differs from the id in the file name.
 *
 * Whole-file verdicts, which the readers throw as `InvalidRolloutError` and `validateRollout`
 * returns as a problem (on line 0 unless they concern a line):
 *
 * - `unreadable`: missing, a folder, not a regular file, or cannot be opened.
 * - `empty`: no bytes, or only blank lines.
 * - `no-meta`: the first readable line is not `session_meta`, or no line can be read.
 * - `bad-meta`: a `session_meta` line whose payload is not an object with a string `id`.
 * - `bad-compression` (also): a `.jsonl.zst` file of which nothing can be decompressed.
 * @public
 */
export type RolloutProblemKind =
  | 'bom'
  | 'crlf'
  | 'blank'
  | 'bad-utf8'
  | 'invalid-json'
  | 'not-object'
  | 'not-envelope'
  | 'bad-payload'
  | 'torn'
  | 'too-long'
  | 'no-ordinal'
  | 'ordinal-gap'
  | 'bad-compression'
  | 'missing-segment'
  | 'schema'
  | 'meta-not-first'
  | 'id-mismatch'
  | 'unreadable'
  | 'empty'
  | 'no-meta'
  | 'bad-meta';

/**
 * A problem found on one line. The line is skipped (or, for encoding problems, kept as decoded) and
 * reading goes on.
 * @public
 */
export interface RolloutProblem {
  /** 1-based line number in the file (in the decompressed text of a `.jsonl.zst`); 0 for the whole file. */
  line: number;
  /**
   * The file the line is in, when it is not the file asked for: an older segment of the thread
   * (see {@link streamThread}).
   */
  path?: string;
  /** What kind of problem it is: dispatch on this, not on `message`. */
  kind: RolloutProblemKind;
  /** What is wrong, in a sentence. */
  message: string;
}

/** Why a file cannot be read as a rollout at all. */
export type RefusalKind =
  'missing' | 'folder' | 'not-a-file' | 'unopenable' | 'empty' | 'no-meta' | 'bad-meta' | 'bad-compression';

/** The engine's verdict on a file it cannot read; callers turn it into their own error or outcome. */
export class Refusal extends Error {
  constructor(
    readonly kind: RefusalKind,
    readonly reason: string,
    readonly line: number | undefined,
    options?: { cause?: unknown },
  ) {
    super(reason, options);
  }
}

/** The problem kind a validation reports for a refusal. */
export function refusalProblemKind(kind: RefusalKind): RolloutProblemKind {
  switch (kind) {
    case 'missing':
    case 'folder':
    case 'not-a-file':
    case 'unopenable':
      return 'unreadable';
    default:
      return kind;
  }
}

/** One parsed line with its position. */
export interface Entry {
  line: number;
  value: RolloutLine;
}

/** What the engine learned about the file while reading it. */
export interface EngineState {
  format: RolloutFormat;
  /** The `ordinal` of the last line that had one. */
  lastOrdinal: number | undefined;
  /** The file's modification time, once open. */
  mtimeMs?: number;
  /** Why reading ended: the end of the data, the caller's stop condition, or the byte budget. */
  end?: 'eof' | 'stopped' | 'budget';
}

export const newState = (): EngineState => ({
  format: 'envelope',
  lastOrdinal: undefined,
  mtimeMs: 0,
  end: 'eof',
});

/**
 * Bounded mode: read no more than needed, and never hold more than the budget (plus one read).
 * Nothing is thrown for the end of reading; a caller that needs the meta checks it got it.
 */
export interface BoundedRead {
  /**
   * Bytes to read after the end of the `session_meta` line. The lines before it (the meta with
   * its base instructions, which can be megabytes) are bounded by `maxLineBytes` instead.
   */
  maxBytes: number;
  /** Called after every line with its number and its entry (if it parsed); true stops reading. */
  until?: (line: number, entry: Entry | undefined) => boolean;
  /** The start of the line the budget cut (decoded; its end may be a partial character). */
  onCut?: (text: string, line: number) => void;
}

/** Options of {@link readLines}. */
export interface EngineOptions {
  signal?: AbortSignal | undefined;
  onProblem?: ((problem: RolloutProblem) => void) | undefined;
  /** A longer line is skipped and reported instead of being held whole. */
  maxLineBytes?: number | undefined;
  /** Bytes per read: small for streaming (bounded memory), large when the caller holds every line. */
  chunkSize?: number | undefined;
  /** Decompress as zstd. @defaultValue true for a name ending in `.zst` */
  compressed?: boolean | undefined;
  bounded?: BoundedRead | undefined;
}

export const STREAM_CHUNK = 64 * 1024;
export const WHOLE_FILE_CHUNK = 1024 * 1024;
export const DEFAULT_MAX_LINE_BYTES = 256 * 1024 * 1024;

const NL = 0x0a;

/** Decompressed or plain bytes of a file, chunk by chunk; `null` at the end. */
interface ByteSource {
  next(): Promise<Buffer | null>;
  close(): Promise<void>;
}

/** The decompressor rejected the data (as opposed to the file system failing a read). */
class DecodeError extends Error {}
/** A read that failed under the decompressor, passed through it unchanged. */
class ReadFailure extends Error {
  constructor(override readonly cause: unknown) {
    super('a read of the rollout failed', { cause });
  }
}

/** Opens a rollout without blocking on a FIFO; refuses what is not a regular file. */
async function openFile(path: string): Promise<{ fh: FileHandle; mtimeMs: number; size: number }> {
  let fh: FileHandle;
  try {
    // O_NONBLOCK: a FIFO or device named like a rollout must not block open() forever.
    fh = await open(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (cause) {
    if (hasErrno(cause, 'ENOENT')) throw new Refusal('missing', 'no such file', undefined, { cause });
    if (hasErrno(cause, 'EISDIR'))
      throw new Refusal('folder', 'is a folder, not a rollout file', undefined, { cause });
    throw new Refusal('unopenable', `cannot be opened (${(cause as Error).message})`, undefined, { cause });
  }
  try {
    const st = await fh.stat();
    if (st.isDirectory()) throw new Refusal('folder', 'is a folder, not a rollout file', undefined);
    if (!st.isFile()) throw new Refusal('not-a-file', 'is not a regular file', undefined);
    return { fh, mtimeMs: st.mtimeMs, size: st.size };
  } catch (error) {
    await fh.close().catch(() => undefined);
    throw error;
  }
}

function plainSource(fh: FileHandle, chunkSize: number): ByteSource {
  const buf = Buffer.allocUnsafe(chunkSize);
  return {
    async next() {
      const { bytesRead } = await fh.read(buf, 0, chunkSize, null);
      // The buffer is reused: the engine copies what it keeps past the next read.
      return bytesRead === 0 ? null : buf.subarray(0, bytesRead);
    },
    close: () => fh.close(),
  };
}

function zstdSource(fh: FileHandle, chunkSize: number): ByteSource {
  async function* input(): AsyncGenerator<Buffer> {
    for (;;) {
      let bytesRead: number;
      const buf = Buffer.allocUnsafe(chunkSize);
      try {
        ({ bytesRead } = await fh.read(buf, 0, chunkSize, null));
      } catch (cause) {
        throw new ReadFailure(cause);
      }
      if (bytesRead === 0) return;
      yield buf.subarray(0, bytesRead);
    }
  }
  const it = zstdDecoder(input());
  return {
    async next() {
      try {
        const r = await it.next();
        return r.done ? null : r.value;
      } catch (error) {
        if (error instanceof ReadFailure) throw error.cause;
        throw new DecodeError((error as Error).message, { cause: error });
      }
    },
    async close() {
      await it.return(undefined).catch(() => undefined);
      await fh.close();
    },
  };
}

/**
 * Opens `path` and yields its parsed lines in batches (one batch per read), so the per-line cost is
 * a function call, not a promise. Problems go to `onProblem` with their line numbers.
 *
 * Throws {@link Refusal} for a file that is not a rollout at all (missing, not a regular file,
 * empty, no `session_meta` first, zstd data that cannot be decoded); in bounded mode only for a
 * file that cannot be opened, since the caller judges what it got. A read error is thrown as is.
 */
export async function* readLines(
  path: string,
  options: EngineOptions,
  state: EngineState,
): AsyncGenerator<Entry[], void, undefined> {
  const maxLineBytes = options.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES;
  const chunkSize = options.chunkSize ?? STREAM_CHUNK;
  const report = options.onProblem ?? (() => {});
  const { signal, bounded } = options;
  const until = bounded?.until;
  signal?.throwIfAborted();

  state.end = 'eof';
  const { fh, mtimeMs, size } = await openFile(path);
  state.mtimeMs = mtimeMs;
  const compressed = options.compressed ?? path.endsWith('.zst');
  const source = compressed ? zstdSource(fh, chunkSize) : plainSource(fh, chunkSize);

  try {
    let lineNo = 0;
    let sawContent = false;
    let sawMeta = false;
    let legacyTimestamp: string | undefined;
    let crlfReported = false;
    let paginated = false;
    let expectedOrdinal: number | undefined;
    // Bounded mode: byte offsets in the (decompressed) data.
    let partEnd = 0;
    let metaEnd: number | undefined;

    const take = (raw: string, isLast: boolean): Entry | undefined => {
      lineNo++;
      let text = raw;
      if (lineNo === 1 && text.charCodeAt(0) === 0xfeff) {
        text = text.slice(1);
        report({ line: 1, kind: 'bom', message: 'UTF-8 byte order mark at the start of the file (ignored)' });
      }
      if (text.endsWith('\r')) {
        text = text.slice(0, -1);
        if (!crlfReported) {
          crlfReported = true;
          report({
            line: lineNo,
            kind: 'crlf',
            message: 'CRLF line ending (read as LF; later ones are not reported)',
          });
        }
      }
      if (text.trim() === '') {
        report({ line: lineNo, kind: 'blank', message: 'blank line' });
        return undefined;
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
        report(
          isLast
            ? {
                line: lineNo,
                kind: 'torn',
                message: `torn last line (no newline at the end): ${parsed.message}`,
              }
            : { line: lineNo, kind: parsed.kind, message: parsed.message },
        );
        return undefined;
      }
      if (!sawMeta) {
        if (!isSessionMetaLine(parsed)) {
          if ((parsed.type as string) === 'session_meta') {
            const p = (parsed as { payload: unknown }).payload;
            const what =
              typeof p !== 'object' || p === null || Array.isArray(p)
                ? `the session_meta's payload is not an object (it is ${describe(p)})`
                : `the session_meta's "id" is not a string (it is ${describe((p as { id?: unknown }).id)})`;
            throw new Refusal('bad-meta', what, lineNo);
          }
          throw new Refusal(
            'no-meta',
            `no session_meta: the first readable line is a "${parsed.type}" line; a rollout starts with session_meta`,
            lineNo,
          );
        }
        sawMeta = true;
        metaEnd = partEnd;
        if (parsed.payload.history_mode === 'paginated' || typeof parsed.ordinal === 'number') {
          paginated = true;
          state.format = 'paginated';
        }
      }
      if (paginated) {
        const ord = parsed.ordinal;
        if (typeof ord !== 'number' || !Number.isInteger(ord)) {
          report({
            line: lineNo,
            kind: 'no-ordinal',
            message: 'line of a paginated rollout has no integer "ordinal"',
          });
        } else {
          if (expectedOrdinal !== undefined && ord !== expectedOrdinal) {
            report({
              line: lineNo,
              kind: 'ordinal-gap',
              message: `ordinal ${ord} where ${expectedOrdinal} was expected`,
            });
          }
          expectedOrdinal = ord + 1;
          state.lastOrdinal = ord;
        }
      }
      return { line: lineNo, value: parsed };
    };

    const tooLong = (torn: boolean): void => {
      lineNo++;
      report({
        line: lineNo,
        kind: 'too-long',
        message: `${torn ? 'torn last line' : 'line'} longer than ${maxLineBytes} bytes (skipped)`,
      });
    };

    const decode = (bytes: Buffer, firstLine: number): string => {
      const text = bytes.toString('utf8');
      if (text.includes('\uFFFD')) reportBadUtf8(bytes, firstLine, report);
      return text;
    };

    let carry: Buffer[] = [];
    let carryBytes = 0;
    let oversized = false;
    let consumed = 0;
    let decodeError: DecodeError | undefined;
    /** True once the budget after the meta line is spent at byte offset `at`. */
    const overBudget = (at: number): boolean =>
      bounded !== undefined && metaEnd !== undefined && at > metaEnd + bounded.maxBytes;
    /** Hands the start of the line being read (the carry) to `onCut`, up to the budget. */
    const cut = (): void => {
      state.end = 'budget';
      if (carryBytes === 0 || metaEnd === undefined) return;
      const lineStart = consumed - carryBytes;
      const keep = Math.max(0, metaEnd + bounded!.maxBytes - lineStart);
      bounded!.onCut?.(Buffer.concat(carry).subarray(0, keep).toString('utf8'), lineNo + 1);
    };

    reading: for (;;) {
      signal?.throwIfAborted();
      let chunk: Buffer | null;
      try {
        chunk = await source.next();
      } catch (error) {
        if (!(error instanceof DecodeError)) throw error;
        decodeError = error;
        break;
      }
      if (chunk === null) break;
      consumed += chunk.length;
      const lastNl = chunk.lastIndexOf(NL);
      if (lastNl === -1) {
        if (!oversized) {
          carry.push(Buffer.from(chunk));
          carryBytes += chunk.length;
          if (carryBytes > maxLineBytes) {
            oversized = true;
            carry = [];
            carryBytes = 0;
          }
        }
        if (bounded !== undefined) {
          if (!sawMeta && (oversized || consumed > maxLineBytes)) {
            // No session_meta within the bound on what precedes it: the caller has its answer.
            if (oversized) tooLong(false);
            state.end = 'budget';
            return;
          }
          if (overBudget(consumed)) {
            cut();
            return;
          }
        }
        continue;
      }
      const out: Entry[] = [];
      let start = 0;
      if (oversized) {
        // The rest of the oversized line ends at the first newline of this chunk.
        tooLong(false);
        oversized = false;
        start = chunk.indexOf(NL) + 1;
        if (until?.(lineNo, undefined)) {
          state.end = 'stopped';
          return;
        }
      }
      const regionStart = consumed - chunk.length + start - carryBytes;
      const hasRegion = carry.length > 0 || start <= lastNl;
      let region: Buffer;
      if (carry.length > 0) {
        carry.push(chunk.subarray(start, lastNl));
        region = Buffer.concat(carry);
      } else {
        region = chunk.subarray(start, lastNl);
      }
      carry = [];
      carryBytes = 0;
      if (hasRegion) {
        const parts = decode(region, lineNo + 1).split('\n');
        let offset = regionStart;
        for (const part of parts) {
          if (bounded !== undefined) {
            partEnd = offset + Buffer.byteLength(part) + 1;
            if (overBudget(partEnd)) {
              // A line the budget ends inside: its start is all the caller gets.
              carry = [Buffer.from(part)];
              carryBytes = carry[0]!.length;
              consumed = offset + carryBytes;
              cut();
              if (out.length > 0) yield out;
              return;
            }
            offset = partEnd;
          }
          let entry: Entry | undefined;
          if (part.length > maxLineBytes) tooLong(false);
          else {
            entry = take(part, false);
            if (entry !== undefined) out.push(entry);
          }
          if (until?.(lineNo, entry)) {
            state.end = 'stopped';
            if (out.length > 0) yield out;
            return;
          }
        }
      }
      if (lastNl + 1 < chunk.length) {
        carry.push(Buffer.from(chunk.subarray(lastNl + 1)));
        carryBytes = chunk.length - lastNl - 1;
      }
      if (out.length > 0) yield out;
      if (bounded !== undefined && (overBudget(consumed) || (!sawMeta && consumed > maxLineBytes))) {
        if (sawMeta) cut();
        else state.end = 'budget';
        break reading;
      }
    }
    if (state.end !== 'eof') return;

    if (decodeError !== undefined) {
      const nothing = lineNo === 0 && carryBytes === 0;
      if (!sawMeta && bounded === undefined) {
        throw new Refusal(
          'bad-compression',
          nothing
            ? `is not readable zstd data (${decodeError.message})`
            : `the zstd data is damaged or cut short before the session_meta line ends (${decodeError.message})`,
          undefined,
          { cause: decodeError },
        );
      }
      // What was decompressed before the damage is kept; the partial line it ends in is dropped.
      report({
        line: lineNo + 1,
        kind: 'bad-compression',
        message: nothing
          ? `not readable zstd data (${decodeError.message})`
          : `the zstd data is damaged or cut short here (${decodeError.message}); nothing after it can be read`,
      });
    } else if (oversized) {
      tooLong(true);
    } else if (carryBytes > 0) {
      // A tail cut inside a multi-byte character is a torn line, reported once as such; bad bytes
      // are reported only in a tail that is otherwise a whole line.
      const tail = Buffer.concat(carry);
      const text = tail.toString('utf8');
      partEnd = consumed;
      const entry = take(text, true);
      if (entry !== undefined) {
        if (text.includes('\uFFFD')) reportBadUtf8(tail, lineNo, report);
        yield [entry];
      }
      if (until?.(lineNo, entry)) {
        state.end = 'stopped';
        return;
      }
    }
    if (bounded !== undefined) return;
    if (!sawContent) {
      throw new Refusal(
        'empty',
        size === 0 || consumed === 0 ? 'empty file' : 'no content (only blank lines)',
        undefined,
      );
    }
    if (!sawMeta) throw new Refusal('no-meta', 'no session_meta line (no line could be read)', undefined);
  } finally {
    await source.close();
  }
}

const describe = (v: unknown): string =>
  v === null ? 'null' : Array.isArray(v) ? 'an array' : v === undefined ? 'missing' : `a ${typeof v}`;

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
      report({ line, kind: 'bad-utf8', message: 'invalid UTF-8 (bad bytes read as U+FFFD)' });
    }
    if (nl === -1) break;
    start = nl + 1;
    line++;
  }
}

/**
 * The text of a rollout as stored (decompressed for `.jsonl.zst`), in chunks decoded as UTF-8
 * across chunk edges, so a character split between two reads comes out whole.
 */
export async function* readText(
  path: string,
  options: { signal?: AbortSignal | undefined } = {},
): AsyncGenerator<string, void, undefined> {
  const { fh } = await openFile(path);
  const source = path.endsWith('.zst') ? zstdSource(fh, STREAM_CHUNK) : plainSource(fh, STREAM_CHUNK);
  const decoder = new StringDecoder('utf8');
  try {
    for (;;) {
      options.signal?.throwIfAborted();
      let chunk: Buffer | null;
      try {
        chunk = await source.next();
      } catch (error) {
        if (!(error instanceof DecodeError)) throw error;
        throw new Refusal('bad-compression', `is not readable zstd data (${error.message})`, undefined, {
          cause: error,
        });
      }
      if (chunk === null) break;
      const text = decoder.write(chunk);
      if (text !== '') yield text;
    }
    const rest = decoder.end();
    if (rest !== '') yield rest;
  } finally {
    await source.close();
  }
}
