import { lstat } from 'node:fs/promises';
import { hasErrno } from '../errors.js';
import { FirstUserMessageFinder, type UserMessageHit } from '../format/preview.js';
import type { RolloutFormat, RolloutLine, SessionMetaPayload } from '../format/types.js';
import { historyBaseOf } from '../format/types.js';
import { threadSegments } from '../reader/thread.js';
import type { RolloutProblem, RolloutProblemKind } from '../reader/engine.js';
import { Refusal, STREAM_CHUNK, newState, readLines } from '../reader/engine.js';
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
  /** Bytes to read after the `session_meta` line while looking for the first user message. */
  maxHeadBytes: number;
  /** Applied to `session_meta` before the rest of the head is read; false stops there. */
  metaFilter?: ((meta: SessionMetaPayload) => boolean) | undefined;
  /** Lines with an `ordinal` at or above this are not read (an older segment of a thread). */
  endOrdinal?: number | undefined;
  /**
   * Take the first user message from the thread's older segments (Codex CLI 0.171
   * `history_base`) when the file continues some, as the thread's preview.
   * @defaultValue true
   */
  followSegments?: boolean | undefined;
}

/**
 * The longest `session_meta` line (or any line before it) the head reads: Codex puts the whole base
 * instructions in it, megabytes for some harnesses. Past it the file is skipped as invalid.
 */
export const MAX_META_LINE_BYTES = 16 * 1024 * 1024;

/**
 * True: every supported Node.js reads `.jsonl.zst` (the line engine decompresses them itself), so
 * the `compressed` skip reason no longer happens.
 */
export const canReadZstd = true;

/** Problems before `session_meta` that do not make the file unlistable. */
const HARMLESS: ReadonlySet<RolloutProblemKind> = new Set(['bom', 'crlf', 'blank']);

/**
 * Reads the head of one rollout through the line engine in bounded mode: `session_meta` (or a
 * legacy head line), then on until the first user message is known and `headRecords` records are
 * parsed, never more than `maxHeadBytes` after the meta line. A line the bound cuts still gives its
 * user message's start as the preview. Every problem becomes a skip reason; nothing is thrown.
 */
export async function readHead(file: string, compressed: boolean, options: HeadOptions): Promise<HeadResult> {
  const state = newState();
  const early: RolloutProblem[] = [];
  let meta: SessionMetaPayload | undefined;
  let badBeforeMeta: RolloutProblem | undefined;
  let filtered = false;
  const records: RolloutLine[] = [];
  const finder = new FirstUserMessageFinder();
  const enough = (): boolean => finder.done && records.length >= options.headRecords;
  const firstBad = (before: number): RolloutProblem | undefined =>
    worst(early.filter((p) => p.line < before && !HARMLESS.has(p.kind)));

  try {
    const lines = readLines(
      file,
      {
        compressed,
        chunkSize: STREAM_CHUNK,
        maxLineBytes: MAX_META_LINE_BYTES,
        onProblem: (p) => {
          if (meta === undefined) early.push(p);
        },
        bounded: {
          maxBytes: options.maxHeadBytes,
          until: (line, entry) => {
            if (meta === undefined) {
              // Whatever comes before session_meta other than blank lines makes the file unlistable.
              badBeforeMeta = firstBad(line + 1);
              if (badBeforeMeta !== undefined || entry === undefined) return badBeforeMeta !== undefined;
              meta = entry.value.payload as SessionMetaPayload;
              records.push(entry.value);
              if (options.metaFilter && !options.metaFilter(meta)) filtered = true;
              return filtered || enough();
            }
            if (entry !== undefined) {
              const ord = entry.value.ordinal;
              if (options.endOrdinal !== undefined && typeof ord === 'number' && ord >= options.endOrdinal)
                return true;
              if (records.length < options.headRecords) records.push(entry.value);
              finder.push(entry.value);
            }
            return enough();
          },
          onCut: (text) => {
            if (meta === undefined) return;
            const salvaged = salvageUserMessage(text);
            if (salvaged !== undefined) finder.push(salvaged);
          },
        },
      },
      state,
    );
    for await (const _ of lines) {
      // Drained for what the engine's callbacks collect.
    }
  } catch (error) {
    if (error instanceof Refusal) return refused(file, error);
    return { kind: 'skip', reason: hasErrno(error, 'ENOENT') ? 'vanished' : 'unreadable', error };
  }
  if (badBeforeMeta !== undefined) return { kind: 'skip', reason: skipReasonOf(badBeforeMeta) };
  if (filtered) return { kind: 'filtered' };
  if (meta === undefined) {
    const bad = firstBad(Infinity);
    if (bad !== undefined) return { kind: 'skip', reason: skipReasonOf(bad) };
    return { kind: 'skip', reason: state.end === 'eof' ? 'empty' : 'invalid' };
  }
  const own = finder.result;
  const userMessage =
    options.followSegments !== false && historyBaseOf(meta) !== undefined
      ? ((await threadUserMessage(file, options)) ?? own)
      : own;
  return {
    kind: 'head',
    head: { meta, format: state.format, records, userMessage, mtimeMs: state.mtimeMs ?? 0 },
  };
}

/**
 * The first user message of the older segments of a thread (oldest first, each up to where the
 * next one cuts it): the thread's first user message, when the file continues older rollouts.
 * A segment that cannot be found or read gives none.
 */
async function threadUserMessage(file: string, options: HeadOptions): Promise<UserMessageHit | undefined> {
  let segments;
  try {
    ({ segments } = await threadSegments(file, {}, () => {}));
  } catch {
    return undefined;
  }
  for (const seg of segments.slice(0, -1)) {
    const r = await readHead(seg.path, seg.path.endsWith('.zst'), {
      headRecords: 0,
      maxHeadBytes: options.maxHeadBytes,
      endOrdinal: seg.endOrdinalExclusive,
      followSegments: false,
    });
    if (r.kind === 'head' && r.head.userMessage !== undefined) return r.head.userMessage;
  }
  return undefined;
}

/** The problem that decides the skip reason: the first line's, bad UTF-8 before the rest on it. */
function worst(problems: RolloutProblem[]): RolloutProblem | undefined {
  let best: RolloutProblem | undefined;
  for (const p of problems) {
    if (best === undefined || p.line < best.line || (p.line === best.line && p.kind === 'bad-utf8')) best = p;
  }
  return best;
}

function skipReasonOf(p: RolloutProblem): SkipReason {
  if (p.kind === 'bad-utf8') return 'not-utf8';
  if (p.kind === 'torn') return 'torn';
  return 'invalid';
}

async function refused(file: string, refusal: Refusal): Promise<HeadResult> {
  const error = refusal.cause ?? refusal;
  switch (refusal.kind) {
    case 'missing': {
      // A dangling symbolic link is a broken entry, not a file deleted during the listing. Anything
      // else found there now (a file moved away and back meanwhile) vanished when it was opened.
      const link = await lstat(file).then(
        (st) => st.isSymbolicLink(),
        () => false,
      );
      return { kind: 'skip', reason: link ? 'unreadable' : 'vanished', error };
    }
    case 'folder':
    case 'not-a-file':
      return { kind: 'skip', reason: 'not-a-file', error };
    case 'unopenable':
      return { kind: 'skip', reason: 'unreadable', error };
    case 'empty':
      return { kind: 'skip', reason: 'empty' };
    default:
      return { kind: 'skip', reason: 'invalid', error };
  }
}

/** Where a user message's text starts in a line, for each record shape that carries one. */
const USER_TEXT_STARTS: readonly {
  marks: readonly string[];
  field: string;
  record: (t: string) => unknown;
}[] = [
  {
    marks: ['"type":"event_msg"', '"type":"user_message"'],
    field: '"message":"',
    record: (message) => ({ type: 'event_msg', payload: { type: 'user_message', message } }),
  },
  {
    marks: ['"type":"event_msg"', '"type":"item_completed"', '"type":"UserMessage"'],
    field: '"text":"',
    record: (text) => ({
      type: 'event_msg',
      payload: { type: 'item_completed', item: { type: 'UserMessage', content: [{ type: 'text', text }] } },
    }),
  },
  {
    marks: ['"type":"response_item"', '"role":"user"'],
    field: '"text":"',
    record: (text) => ({
      type: 'response_item',
      payload: { type: 'message', role: 'user', content: [{ type: 'input_text', text }] },
    }),
  },
];

/**
 * The user message record whose text the start of a cut line holds, with the text as far as it
 * goes; `undefined` when the line is no user message. Reads only the JSON string it finds: the
 * line is never parsed whole (it was too long to be read whole).
 */
export function salvageUserMessage(text: string): unknown {
  for (const shape of USER_TEXT_STARTS) {
    let at = 0;
    for (const mark of shape.marks) {
      const found = text.indexOf(mark, at);
      if (found === -1) {
        at = -1;
        break;
      }
      at = found + mark.length;
    }
    if (at === -1) continue;
    const field = text.indexOf(shape.field, at);
    if (field === -1) continue;
    const value = jsonStringPrefix(text, field + shape.field.length);
    if (value !== undefined && value.trim() !== '') return shape.record(value);
  }
  return undefined;
}

/** The JSON string literal starting at `start` (after its quote), decoded as far as it is whole. */
function jsonStringPrefix(text: string, start: number): string | undefined {
  let end = start;
  while (end < text.length) {
    const c = text.charCodeAt(end);
    if (c === 0x22) break;
    if (c === 0x5c) {
      const next = text[end + 1];
      const width = next === 'u' ? 6 : 2;
      if (next === undefined || end + width > text.length) break;
      end += width;
      continue;
    }
    end++;
  }
  try {
    return (JSON.parse(`"${text.slice(start, end)}"`) as string).replace(/\uFFFD+$/, '');
  } catch {
    return undefined;
  }
}
