import type {
  RolloutFormat,
  RolloutItem,
  RolloutLine,
  SessionMetaPayload,
  SnapshotLink,
} from '../format/types.js';
import { isSessionMetaLine, itemOf, toSnapshotLink } from '../format/types.js';
import type { RolloutProblem } from './engine.js';
import { WHOLE_FILE_CHUNK, newState } from './engine.js';
import type { StreamRolloutOptions } from './entries.js';
import type { ThreadSegment } from './thread.js';
import { readThreadEntries, rolloutIdOf } from './thread.js';

/**
 * A whole rollout, read.
 * @public
 */
export interface ReadRolloutResult {
  /** The file read. */
  path: string;
  /** The session's `session_meta` payload (for a legacy file, its equivalent). */
  meta: SessionMetaPayload;
  /**
   * Every readable line in file order, envelope and unknown keys kept, `session_meta` included.
   * For a thread read whole (more than one entry in `segments`): this file's `session_meta`, then
   * the older segments' lines (without their own `session_meta`), then the rest of this file.
   */
  lines: RolloutLine[];
  /** The 1-based file line number of each entry of `lines` (in its own file). */
  lineNumbers: number[];
  /** The index in `segments` of the file each entry of `lines` is in. */
  lineSegments: number[];
  /**
   * The files the thread was read from, oldest first, this one last: one entry unless the file
   * continues older Codex CLI 0.171 segments (`history_base`) and `scope` is `'thread'`.
   */
  segments: ThreadSegment[];
  /** The recorded items: every line after the first `session_meta`, as `{ type, payload }`. */
  items: RolloutItem[];
  /** Every problem found, with its line number; empty for a clean file. */
  errors: RolloutProblem[];
  /** The format the file is in (this file, for a thread read whole). */
  format: RolloutFormat;
  /** The `ordinal` of the last line of this file that had one (paginated files). */
  lastOrdinal: number | undefined;
  /**
   * The `workspace_snapshot` links, in order, camelCase (the lines themselves are in `lines` and
   * `items`, as on disk). A link with a field that is not a string is left out here.
   */
  snapshots: SnapshotLink[];
}

/**
 * Reads a whole rollout into memory. Use {@link streamRollout} for files too large to hold.
 *
 * @remarks
 * Damage is reported in `errors` with line numbers, never thrown; see {@link streamRollout} for what
 * is tolerated and what throws ({@link RolloutIOError} for a file that cannot be opened,
 * {@link InvalidRolloutError} for one that is not a rollout). A Codex CLI 0.171 thread whose older
 * history lives in other files is read whole (`segments` lists them); `scope: 'file'` reads this
 * file alone.
 * @public
 */
export async function readRollout(
  path: string,
  options: Omit<StreamRolloutOptions, 'onProblem'> = {},
): Promise<ReadRolloutResult> {
  const errors: RolloutProblem[] = [];
  const state = newState();
  const lines: RolloutLine[] = [];
  const lineNumbers: number[] = [];
  const lineSegments: number[] = [];
  const items: RolloutItem[] = [];
  const snapshots: SnapshotLink[] = [];
  let segments: ThreadSegment[] = [];
  let meta: SessionMetaPayload | undefined;
  for await (const batch of readThreadEntries(
    path,
    { ...options, onProblem: (p) => errors.push(p) },
    state,
    WHOLE_FILE_CHUNK,
    (s) => (segments = s),
  )) {
    for (const { line, value, segment } of batch) {
      lines.push(value);
      lineNumbers.push(line);
      lineSegments.push(segment);
      if (meta === undefined && isSessionMetaLine(value)) {
        meta = value.payload;
        continue;
      }
      items.push(itemOf(value));
      const link = value.type === 'workspace_snapshot' ? toSnapshotLink(value.payload) : undefined;
      if (link !== undefined) snapshots.push(link);
    }
  }
  // readEntries throws before returning when there is no session_meta.
  return {
    path,
    meta: meta!,
    lines,
    lineNumbers,
    lineSegments,
    segments: segments.map((s) =>
      s.path === path && s.rolloutId === '' ? { ...s, rolloutId: rolloutIdOf(path, meta!) } : s,
    ),
    items,
    errors,
    format: state.format,
    lastOrdinal: state.lastOrdinal,
    snapshots,
  };
}
