import { InvalidRolloutError, RolloutIOError } from '../errors.js';
import type { RolloutLine } from '../format/types.js';
import type { BoundedRead, EngineState, Entry, RolloutProblem } from './engine.js';
import { Refusal, STREAM_CHUNK, newState, readLines, readText } from './engine.js';

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
 * The engine for the public readers ({@link streamRollout}, {@link readRollout}): its lines in
 * batches, a file that is not a rollout thrown as {@link InvalidRolloutError}. With `bounded`, no
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
 * Throws {@link RolloutIOError} (`E_IO`, with the `errno`) for a file the system will not open
 * (missing, permission denied, a symlink loop), and {@link InvalidRolloutError} for one that is a
 * folder, not a regular file, empty, not decompressible,
 * or whose first readable line is not a `session_meta` with a string id.
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
