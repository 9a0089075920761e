import { InvalidRolloutError, RolloutIOError } from '../errors.js';
import type { BoundedRead, EngineState, Entry, RolloutProblem } from './engine.js';
import { Refusal, STREAM_CHUNK, newState, readLines } from './engine.js';

/**
 * The public readers' options and their engine entry point, apart from `stream.ts` so the thread
 * reader and the stream functions import them without importing each other.
 */

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

/**
 * The engine's refusal as the error the public readers throw: a file the system would not open
 * (missing, permission denied, a symlink loop) is a {@link RolloutIOError} carrying the errno; a file
 * that opened but is not a rollout is an {@link InvalidRolloutError}.
 */
export function toInvalidRollout(path: string, refusal: Refusal): InvalidRolloutError | RolloutIOError {
  if ((refusal.kind === 'missing' || refusal.kind === 'unopenable') && refusal.cause !== undefined)
    return new RolloutIOError('open', path, refusal.cause);
  return new InvalidRolloutError(path, refusal.reason, {
    ...(refusal.line !== undefined ? { line: refusal.line } : {}),
    cause: refusal.cause ?? refusal,
  });
}

/**
 * The engine for the public readers ({@link streamRollout}, {@link readRollout}): one file's lines
 * in batches, a file that is not a rollout thrown as {@link InvalidRolloutError}. With `bounded`, no
 * more than its byte budget is read after `session_meta` (a preview of a huge session).
 */
export async function* readEntries(
  path: string,
  options: StreamRolloutOptions & { bounded?: BoundedRead } = {},
  state: EngineState = newState(),
  chunkSize: number = STREAM_CHUNK,
): AsyncGenerator<Entry[]> {
  try {
    yield* readLines(path, { ...options, chunkSize }, state);
  } catch (error) {
    throw error instanceof Refusal ? toInvalidRollout(path, error) : error;
  }
}
