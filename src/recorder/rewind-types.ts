import type { SnapshotLink } from '../format/types.js';
import type { RewindResult } from '../snapshot/types.js';

/**
 * The types of forking and rewinding that the recorder needs to name ({@link RolloutRecorder.rewindTo}
 * returns a rewind's result); the operations live in `sessions/`, above the recorder.
 */

/**
 * A session {@link forkSession} wrote.
 * @public
 */
export interface ForkSessionResult {
  /** The new session's id (a UUIDv7). */
  id: string;
  /** Its rollout file. */
  path: string;
  /** The id of the session it was forked from (`forked_from_id`). */
  forkedFrom: string;
  /** The last message it kept; null when the source had no user or assistant message with an id. */
  atMessage: string | null;
  /** The ids of the user and assistant messages it holds, in order. */
  messages: string[];
  /** The `workspace_snapshot` links carried over, in order. */
  snapshots: SnapshotLink[];
}

/**
 * Options of {@link rewindSession}.
 * @public
 */
export interface RewindSessionOptions {
  /** The message to go back to: the id of a user or assistant message of the session. */
  toMessage: string;
  /**
   * The home folder.
   * @defaultValue `$CODEX_HOME`, else `~/.codex`
   */
  home?: string;
  /**
   * When `toMessage` has no snapshot, rewind to the nearest earlier message that has one (the
   * conversation then continues from that message). Without it, such a rewind is refused.
   * @defaultValue false
   */
  nearest?: boolean;
  /**
   * The folder to rewind.
   * @defaultValue the workspace the snapshot was captured from
   */
  workspace?: string;
  /** Stops the look-up, the read and the rewind between its steps. */
  signal?: AbortSignal;
}

/**
 * Options of {@link RolloutRecorder.rewindTo}.
 * @public
 */
export type RecorderRewindOptions = Omit<RewindSessionOptions, 'toMessage' | 'home'>;

/**
 * What {@link undoLastRewind} (and {@link RewindSessionResult.undo}) did.
 * @public
 */
export interface UndoRewindResult {
  /** The workspace put back. */
  workspace: string;
  /** The rewind of the workspace back to its backup (itself with a backup). */
  restored: RewindResult;
  /** The session the rewind had continued in (the fork). */
  fork: string;
  /**
   * `'deleted'`: the fork held nothing recorded after the rewind and was removed; `'archived'`:
   * it had grown, so it was moved to `<home>/archived_sessions/`, never deleted.
   */
  forkOutcome: 'deleted' | 'archived';
}
