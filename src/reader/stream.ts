import type { RolloutLine } from '../format/types.js';
import type { EngineState } from './engine.js';
import { Refusal, STREAM_CHUNK, newState, readText } from './engine.js';
import type { StreamRolloutOptions } from './entries.js';
import { toInvalidRollout } from './entries.js';
import { readThreadEntries } from './thread.js';

export { readEntries, toInvalidRollout } from './entries.js';
export type { StreamRolloutOptions } from './entries.js';

export type { RolloutProblem, RolloutProblemKind } from './engine.js';
/** What a read learned about the file (its format, its last ordinal). */
export type StreamState = EngineState;

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
  for await (const batch of readThreadEntries(path, options, newState(), STREAM_CHUNK)) {
    for (const entry of batch) yield entry.value;
  }
}
