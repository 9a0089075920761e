import { constants } from 'node:fs';
import { lstat, open, type FileHandle } from 'node:fs/promises';
import * as zlib from 'node:zlib';
import type { Transform } from 'node:stream';
import { hasErrno } from '../errors.js';
import { FirstUserMessageFinder, type UserMessageHit } from '../format/preview.js';
import type { RolloutFormat, RolloutLine, SessionMetaPayload } from '../format/types.js';
import {
  ParseFailure,
  checkEnvelope,
  isLegacyMeta,
  legacyLineToEnvelope,
  legacyMetaToSessionMeta,
} from '../reader/parse.js';
import type { SkipReason } from '../files/skip.js';

/** What the head of a rollout says. */
export interface Head {
  meta: SessionMetaPayload;
  format: RolloutFormat;
  records: RolloutLine[];
  userMessage: UserMessageHit | undefined;
  mtimeMs: number;
}

export type HeadResult =
  { kind: 'head'; head: Head } | { kind: 'filtered' } | { kind: 'skip'; reason: SkipReason; error?: unknown };

export interface HeadOptions {
  headRecords: number;
  maxHeadBytes: number;
  /** Applied to `session_meta` before the rest of the head is read; false stops there. */
  metaFilter?: ((meta: SessionMetaPayload) => boolean) | undefined;
}

/** Bytes read per syscall: enough for a Codex `session_meta` with its base instructions. */
const CHUNK = 64 * 1024;

type ZstdFactory = () => Transform;
const createZstdDecompress = (zlib as unknown as { createZstdDecompress?: ZstdFactory }).createZstdDecompress;

/** True when this Node.js can read `.jsonl.zst` files (zlib has zstd from Node 22.15 / 23.8). */
export const canReadZstd: boolean = typeof createZstdDecompress === 'function';

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Byte chunks of a file, plain or decompressed; `null` at the end. */
interface ChunkSource {
  next(): Promise<Buffer | null>;
  close(): Promise<void>;
}

function plainSource(fh: FileHandle, limit: number): ChunkSource {
  let pos = 0;
  return {
    async next() {
      if (pos >= limit) return null;
      const buf = Buffer.allocUnsafe(Math.min(CHUNK, limit - pos));
      const { bytesRead } = await fh.read(buf, 0, buf.length, pos);
      if (bytesRead === 0) return null;
      pos += bytesRead;
      return buf.subarray(0, bytesRead);
    },
    close: () => fh.close(),
  };
}

function zstdSource(fh: FileHandle, limit: number): ChunkSource {
  const input = fh.createReadStream({ autoClose: false, highWaterMark: CHUNK });
  const inflate = createZstdDecompress!();
  input.pipe(inflate);
  const it = inflate[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  let total = 0;
  return {
    async next() {
      if (total >= limit) return null;
      const r = await it.next();
      if (r.done) return null;
      const chunk = r.value.subarray(0, limit - total);
      total += chunk.length;
      return chunk;
    },
    async close() {
      input.unpipe(inflate);
      inflate.destroy();
      input.destroy();
      await fh.close();
    },
  };
}

/**
 * Reads the head of one rollout: `session_meta` (or a legacy head line), then on until the first
 * user message is known and `headRecords` records are parsed, never more than `maxHeadBytes`.
 * Every problem becomes a skip reason; nothing is thrown except an abort.
 */
export async function readHead(file: string, compressed: boolean, options: HeadOptions): Promise<HeadResult> {
  if (compressed && !canReadZstd) return { kind: 'skip', reason: 'compressed' };
  let fh: FileHandle;
  try {
    // O_NONBLOCK: a FIFO named like a rollout must not block the listing on open.
    fh = await open(file, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (error) {
    return { kind: 'skip', ...(await openFailure(file, error)) };
  }
  let source: ChunkSource | undefined;
  try {
    const st = await fh.stat();
    if (!st.isFile()) return { kind: 'skip', reason: 'not-a-file' };
    if (st.size === 0) return { kind: 'skip', reason: 'empty' };
    source = compressed ? zstdSource(fh, options.maxHeadBytes) : plainSource(fh, options.maxHeadBytes);
    return await parseHead(source, st.mtimeMs, options);
  } catch (error) {
    return { kind: 'skip', reason: hasErrno(error, 'ENOENT') ? 'vanished' : 'unreadable', error };
  } finally {
    if (source) await source.close().catch(() => undefined);
    else await fh.close().catch(() => undefined);
  }
}

async function openFailure(file: string, error: unknown): Promise<{ reason: SkipReason; error: unknown }> {
  if (hasErrno(error, 'ENOENT')) {
    // A dangling symbolic link is a broken entry, not a file deleted during the listing. Anything
    // else found there now (a file moved away and back meanwhile) vanished when it was opened.
    const link = await lstat(file).then(
      (st) => st.isSymbolicLink(),
      () => false,
    );
    return { reason: link ? 'unreadable' : 'vanished', error };
  }
  if (hasErrno(error, 'EISDIR')) return { reason: 'not-a-file', error };
  return { reason: 'unreadable', error };
}

async function parseHead(source: ChunkSource, mtimeMs: number, options: HeadOptions): Promise<HeadResult> {
  let pending: Buffer = Buffer.alloc(0);
  let meta: SessionMetaPayload | undefined;
  let format: RolloutFormat = 'envelope';
  const records: RolloutLine[] = [];
  const finder = new FirstUserMessageFinder();
  let eof = false;

  const enough = (): boolean => finder.done && records.length >= options.headRecords;

  /** Handles one line; a result ends the read. */
  const take = (bytes: Buffer, complete: boolean): HeadResult | undefined => {
    let text: string;
    try {
      text = utf8.decode(bytes);
    } catch (error) {
      return meta === undefined ? { kind: 'skip', reason: 'not-utf8', error } : undefined;
    }
    if (text.endsWith('\r')) text = text.slice(0, -1);
    if (text.trim() === '') return undefined;
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (error) {
      if (meta !== undefined) return undefined;
      return { kind: 'skip', reason: complete ? 'invalid' : 'torn', error };
    }
    if (meta === undefined) {
      const line = checkEnvelope(value);
      if (!(line instanceof ParseFailure) && line.type === 'session_meta' && isMetaPayload(line.payload)) {
        meta = line.payload;
        format = meta.history_mode === 'paginated' ? 'paginated' : 'envelope';
        records.push(line);
      } else if (isLegacyMeta(value)) {
        meta = legacyMetaToSessionMeta(value);
        format = 'legacy';
        records.push({ timestamp: meta.timestamp, type: 'session_meta', payload: meta });
      } else {
        return { kind: 'skip', reason: 'invalid' };
      }
      if (options.metaFilter && !options.metaFilter(meta)) return { kind: 'filtered' };
      return undefined;
    }
    const line = format === 'legacy' ? legacyLineToEnvelope(value, meta.timestamp) : checkEnvelope(value);
    if (line instanceof ParseFailure) return undefined;
    if (records.length < options.headRecords) records.push(line);
    finder.push(line);
    return undefined;
  };

  while (!eof && !enough()) {
    const chunk = await source.next();
    if (chunk === null) {
      eof = true;
      break;
    }
    pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
    let start = 0;
    for (let nl = pending.indexOf(10, start); nl !== -1; nl = pending.indexOf(10, start)) {
      const result = take(pending.subarray(start, nl), true);
      start = nl + 1;
      if (result !== undefined) return result;
      if (enough()) break;
    }
    pending = pending.subarray(start);
  }
  // A last line without its newline: complete when the file ends there, cut by the byte bound if not.
  if (eof && pending.length > 0 && !enough()) {
    const result = take(pending, false);
    if (result !== undefined) return result;
  }
  if (meta === undefined) return { kind: 'skip', reason: eof ? 'torn' : 'invalid' };
  return { kind: 'head', head: { meta, format, records, userMessage: finder.result, mtimeMs } };
}

function isMetaPayload(payload: unknown): payload is SessionMetaPayload {
  return (
    typeof payload === 'object' && payload !== null && typeof (payload as { id?: unknown }).id === 'string'
  );
}
