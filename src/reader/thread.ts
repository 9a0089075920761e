import { parseRolloutFileName } from '../files/layout.js';
import { homeOfRollout, locateRolloutById } from '../files/locate.js';
import type { RolloutLine, SessionMetaPayload } from '../format/types.js';
import { historyBaseOf, isSessionMetaLine } from '../format/types.js';
import type { EngineState, Entry, RolloutProblem } from './engine.js';
import { Refusal, STREAM_CHUNK, newState, readLines } from './engine.js';
import type { StreamRolloutOptions } from './entries.js';
import { readEntries, toInvalidRollout } from './entries.js';

/**
 * Reading a thread whole: a Codex CLI 0.171 rollout whose `session_meta` has a `history_base`
 * continues the first lines of another rollout (a reverted thread's earlier file, or the thread a
 * fork was made from), which may itself continue another. The segments are followed by name
 * (`files/locate.ts`), oldest first, each read through the line engine.
 */

/**
 * One file of a thread, as {@link streamThread} and {@link readRollout} report it.
 * @public
 */
export interface ThreadSegment {
  /** The file. */
  path: string;
  /** The rollout's own id (the second UUID of a reverted thread's file name, else its id). */
  rolloutId: string;
  /**
   * Only this file's lines with an `ordinal` below this belong to the thread: the smallest cut a
   * later segment's `history_base` names (ordinals run on through a thread); `undefined` for the
   * file asked for, read whole.
   */
  endOrdinalExclusive: number | undefined;
}

/**
 * One line of a thread, with the file it is in.
 * @public
 */
export interface ThreadLine {
  /** The line, envelope and unknown keys kept. */
  value: RolloutLine;
  /** Its 1-based line number in its file. */
  line: number;
  /** The index of its file among the thread's segments, oldest first. */
  segment: number;
  /** Its file. */
  path: string;
}

/** The files of a thread, oldest first, the one asked for last, and that file's `session_meta`. */
export interface ThreadSegments {
  segments: ThreadSegment[];
  /** The first entry of the file asked for (its `session_meta`); `undefined` when it has none. */
  headMeta: Entry | undefined;
  /**
   * Every rollout id the chain of `history_base` references named, lower-cased, newest first,
   * found or not: what the thread's text depends on besides the file asked for.
   */
  wanted: string[];
}

/** How many segment references are followed at most (a loop or a runaway chain stops there). */
export const MAX_SEGMENTS = 256;

/** The rollout's own id: from its name, else its session_meta id. */
export function rolloutIdOf(file: string, meta: SessionMetaPayload): string {
  const parsed = parseRolloutFileName(file);
  return parsed?.rolloutId ?? parsed?.id ?? meta.id;
}

/** The `session_meta` entry of a file (the first line the engine returns), refusals thrown. */
async function readMetaEntry(file: string, signal: AbortSignal | undefined): Promise<Entry> {
  let first: Entry | undefined;
  for await (const batch of readLines(
    file,
    { signal, chunkSize: STREAM_CHUNK, bounded: { maxBytes: 0, until: (_, e) => e !== undefined } },
    newState(),
  )) {
    first ??= batch[0];
    if (first !== undefined) break;
  }
  if (first === undefined || !isSessionMetaLine(first.value)) {
    throw new Refusal('no-meta', 'no session_meta line could be read', undefined);
  }
  return first;
}

/**
 * The segments of the thread `file` ends: its own meta first read, then each `history_base`
 * followed to the file it names, in `home` (given, else the home `file` lies in). A reference that
 * cannot be followed is reported as `missing-segment` and ends the chain there.
 */
export async function threadSegments(
  file: string,
  options: { home?: string | undefined; signal?: AbortSignal | undefined },
  report: (problem: RolloutProblem) => void,
): Promise<ThreadSegments> {
  let headMeta: Entry;
  try {
    headMeta = await readMetaEntry(file, options.signal);
  } catch (error) {
    // The full read of the file states the refusal with its own words.
    if (error instanceof Refusal) {
      return {
        segments: [{ path: file, rolloutId: '', endOrdinalExclusive: undefined }],
        headMeta: undefined,
        wanted: [],
      };
    }
    throw error;
  }
  const meta = headMeta.value.payload as SessionMetaPayload;
  const segments: ThreadSegment[] = [
    { path: file, rolloutId: rolloutIdOf(file, meta), endOrdinalExclusive: undefined },
  ];
  const home = options.home ?? homeOfRollout(file);
  const seen = new Set<string>([file]);
  let current = meta;
  let currentPath = file;
  const wanted: string[] = [];
  for (;;) {
    const base = historyBaseOf(current);
    if (base === undefined) break;
    wanted.push(base.thread_id.toLowerCase());
    const missing = (why: string): void => {
      report({
        line: 1,
        ...(currentPath === file ? {} : { path: currentPath }),
        kind: 'missing-segment',
        message: `the history before this file is in rollout ${base.thread_id}, which ${why}; that part of the thread is left out`,
      });
    };
    if (segments.length >= MAX_SEGMENTS) {
      missing(`is more than ${MAX_SEGMENTS} segments back`);
      break;
    }
    if (home === undefined) {
      missing('cannot be looked for: the file is not in a home and no home was given');
      break;
    }
    const found = await locateRolloutById(home, base.thread_id, options.signal);
    if (found === undefined) {
      missing(`is not in ${home}`);
      break;
    }
    if (seen.has(found.path)) {
      missing('is this file or a later one (the references loop)');
      break;
    }
    let entry: Entry;
    try {
      entry = await readMetaEntry(found.path, options.signal);
    } catch (error) {
      if (!(error instanceof Refusal)) throw error;
      missing(`cannot be read (${found.path} ${error.reason})`);
      break;
    }
    seen.add(found.path);
    current = entry.value.payload as SessionMetaPayload;
    currentPath = found.path;
    segments.unshift({
      path: found.path,
      rolloutId: rolloutIdOf(found.path, current),
      endOrdinalExclusive: base.end_ordinal_exclusive,
    });
  }
  // Ordinals run on through a thread, so a later cut also cuts every older segment: each keeps
  // its lines below the smallest cut after it.
  let cut = Infinity;
  for (let i = segments.length - 2; i >= 0; i--) {
    cut = Math.min(cut, segments[i]!.endOrdinalExclusive ?? Infinity);
    segments[i]!.endOrdinalExclusive = cut;
  }
  return { segments, headMeta, wanted };
}

/**
 * The engine for a whole thread: batches of lines, the file asked for's `session_meta` first, then
 * every older segment's lines (their own `session_meta` left out) up to the cut the next segment
 * names, oldest first, then the rest of the file asked for. `state` describes the file asked for.
 * With `scope: 'file'`, that file alone.
 */
export async function* readThreadEntries(
  file: string,
  options: StreamRolloutOptions,
  state: EngineState,
  chunkSize: number,
  onSegments?: (segments: ThreadSegment[], wanted: string[]) => void,
): AsyncGenerator<ThreadLine[]> {
  const report = options.onProblem ?? (() => {});
  if (options.scope === 'file') {
    onSegments?.([{ path: file, rolloutId: '', endOrdinalExclusive: undefined }], []);
    for await (const batch of readEntries(file, options, state, chunkSize)) {
      yield batch.map((e) => ({ value: e.value, line: e.line, segment: 0, path: file }));
    }
    return;
  }
  const { segments, headMeta, wanted } = await threadSegments(file, options, report);
  onSegments?.(segments, wanted);
  const last = segments.length - 1;
  if (last === 0 || headMeta === undefined) {
    for await (const batch of readEntries(file, options, state, chunkSize)) {
      yield batch.map((e) => ({ value: e.value, line: e.line, segment: 0, path: file }));
    }
    return;
  }
  yield [{ value: headMeta.value, line: headMeta.line, segment: last, path: file }];
  for (let i = 0; i < last; i++) {
    const seg = segments[i]!;
    const end = seg.endOrdinalExclusive ?? Infinity;
    const segReport = (p: RolloutProblem): void => {
      report({ ...p, path: seg.path });
    };
    let sawMeta = false;
    let done = false;
    try {
      for await (const batch of readLines(
        seg.path,
        { ...options, onProblem: segReport, chunkSize },
        newState(),
      )) {
        const out: ThreadLine[] = [];
        for (const e of batch) {
          if (!sawMeta && isSessionMetaLine(e.value)) {
            sawMeta = true;
            continue;
          }
          const ord = e.value.ordinal;
          if (typeof ord === 'number' && ord >= end) {
            done = true;
            break;
          }
          out.push({ value: e.value, line: e.line, segment: i, path: seg.path });
        }
        if (out.length > 0) yield out;
        if (done) break;
      }
    } catch (error) {
      throw error instanceof Refusal ? toInvalidRollout(seg.path, error) : error;
    }
  }
  let skippedMeta = false;
  for await (const batch of readEntries(file, options, state, chunkSize)) {
    const out: ThreadLine[] = [];
    for (const e of batch) {
      if (!skippedMeta && isSessionMetaLine(e.value)) {
        skippedMeta = true;
        continue;
      }
      out.push({ value: e.value, line: e.line, segment: last, path: file });
    }
    if (out.length > 0) yield out;
  }
}

/**
 * Streams the lines of a whole thread, each with its line number and the file it is in: the
 * Codex CLI 0.171 segments of a reverted or forked thread (`session_meta.history_base`) are
 * followed, so the history comes out whole.
 *
 * @remarks
 * The file's own `session_meta` comes first (it names the thread), then the lines of the oldest
 * segment, then of each later one up to where the next one cuts it (`history_base`'s
 * `end_ordinal_exclusive`), then the rest of the file given; the older segments' own `session_meta`
 * lines are left out. A segment that cannot be found or read is a `missing-segment` problem (the
 * thread is then read from the next segment on). The segments are looked for in `home`, else in
 * the home the file lies in. Same guarantees and errors as {@link streamRollout} otherwise; with
 * `scope: 'file'` it reads that file alone.
 * @public
 */
export async function* streamThread(
  file: string,
  options: StreamRolloutOptions = {},
): AsyncGenerator<ThreadLine, void, undefined> {
  for await (const batch of readThreadEntries(file, options, newState(), STREAM_CHUNK)) yield* batch;
}
