import { InvalidRolloutError } from '../errors.js';
import type { RolloutLine } from '../format/types.js';
import type { EngineState, Entry, RolloutProblem } from './engine.js';
import { Refusal, STREAM_CHUNK, newState, readLines, readText } from './engine.js';
import { readThreadEntries } from './thread.js';

export type { RolloutProblem, RolloutProblemKind } from './engine.js';
/** What a read learned about the file (its format, its last ordinal). */
export type StreamState = EngineState;

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
  /**
   * `'thread'`: a Codex CLI 0.171 rollout that continues older ones (`session_meta.history_base`,
   * written by `thread/revert` and `thread/fork`) is read with its older history, oldest first (see
   * {@link streamThread}). `'file'`: this file's own lines only.
   * @defaultValue `'thread'`
   */
  scope?: 'thread' | 'file';
  /**
   * Where the older segments of a thread are looked for.
   * @defaultValue the home the file lies in (`<home>/sessions/…` or `<home>/archived_sessions/…`)
   */
  home?: string;
}

/** The engine's refusal as the error the public readers throw. */
export function toInvalidRollout(path: string, refusal: Refusal): InvalidRolloutError {
  return new InvalidRolloutError(path, refusal.reason, {
    ...(refusal.line !== undefined ? { line: refusal.line } : {}),
    cause: refusal.cause ?? refusal,
  });
}

/**
 * The engine for the public readers ({@link streamRollout}, {@link readRollout}): its lines in
 * batches, a file that is not a rollout thrown as {@link InvalidRolloutError}.
 */
export async function* readEntries(
  path: string,
  options: StreamRolloutOptions = {},
  state: EngineState = newState(),
  chunkSize: number = STREAM_CHUNK,
): AsyncGenerator<Entry[]> {
  try {
    yield* readLines(path, { ...options, chunkSize }, state);
  } catch (error) {
    throw error instanceof Refusal ? toInvalidRollout(path, error) : error;
  }
}

/**
 * The text of a rollout as stored (decompressed for `.jsonl.zst`), decoded as UTF-8 across read
 * edges; a file that cannot be opened or decompressed is thrown as {@link InvalidRolloutError}.
 */
export async function* rolloutText(
  path: string,
  options: { signal?: AbortSignal } = {},
): AsyncGenerator<string> {
  try {
    yield* readText(path, options);
  } catch (error) {
    throw error instanceof Refusal ? toInvalidRollout(path, error) : error;
  }
}

/**
 * Streams the lines of a rollout, in file order, with memory bounded by the longest line, whatever
 * the file's size.
 *
 * @remarks
 * Reads the envelope format, the paginated format and the legacy bare format (whose lines are
 * returned in envelope form: the head as `session_meta`, items as `response_item`), plain or
 * compressed with zstd (a name ending in `.jsonl.zst`, as the Codex CLI archives them), on every
 * supported Node.js. Damaged lines (invalid JSON, a torn last line, blank lines, bad UTF-8, CRLF, a
 * BOM, damaged zstd data) are reported through `onProblem` with their line number and a `kind`,
 * and skipped; unknown line types are returned as they are.
 *
 * A Codex CLI 0.171 thread whose older history lives in other files (`history_base`) is read whole
 * by default, as {@link streamThread} does: its `session_meta` first, then the older history, then
 * the rest of this file. Pass `scope: 'file'` for this file alone.
 *
 * Throws {@link InvalidRolloutError} for a file that is missing, a folder, empty, not decompressible,
 * or whose first readable line is not a `session_meta` with a string id.
 * @public
 */
export async function* streamRollout(
  path: string,
  options: StreamRolloutOptions = {},
): AsyncGenerator<RolloutLine, void, undefined> {
  for await (const batch of readThreadEntries(path, options, newState(), STREAM_CHUNK)) {
    for (const entry of batch) yield entry.value;
  }
}
