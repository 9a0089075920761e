import type { SnapshotLink } from '../format/types.js';
import type { CaptureResult, RewindResult } from '../snapshot/types.js';
import type { RolloutRecorder } from './recorder.js';

/**
 * The types of forking and rewinding, and the slot through which {@link RolloutRecorder.rewindTo}
 * reaches the rewind: the operation lives in `sessions/`, above the recorder, and registers itself
 * here when loaded (every import of the package's entry point loads it).
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

/**
 * What {@link rewindSession} did: the workspace is back at the message's snapshot and the
 * conversation continues in a fork ending at that message.
 * @public
 */
export interface RewindSessionResult {
  /** A recorder appending to the fork; it holds the fork's writer lock. Close it when done. */
  recorder: RolloutRecorder;
  /** The fork the conversation continues in. */
  session: ForkSessionResult;
  /** The session rewound (left as it was). */
  sourceId: string;
  /** The message rewound to: `toMessage`, or with `nearest`, the earlier message used. */
  message: string;
  /** The in-place rewind of the workspace: what it wrote and removed, and its backup. */
  workspace: RewindResult;
  /** The workspace as it was just before the rewind (`workspace.backup`). */
  backup: CaptureResult;
  /**
   * Puts both back: closes `recorder`, restores the workspace from `backup`, and removes the fork
   * (archives it when something was recorded in it since). Same as {@link undoLastRewind} of this
   * rewind.
   */
  undo(): Promise<UndoRewindResult>;
}

type Rewinder = (id: string, options: RewindSessionOptions) => Promise<RewindSessionResult>;

let rewinder: Rewinder | undefined;

/** Called once by `sessions/rewind.ts` when it loads. */
export function registerRewinder(fn: Rewinder): void {
  rewinder = fn;
}

/** The registered rewind; the package's entry point always loads it. */
export function registeredRewinder(): Rewinder {
  if (rewinder === undefined) {
    throw new Error('rewindTo needs the rewind operation: import the package from its entry point');
  }
  return rewinder;
}
