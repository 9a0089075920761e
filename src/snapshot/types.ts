/**
 * The public types of workspace snapshots.
 */

/**
 * Names one snapshot: the (session, message) pair it was captured for.
 * @public
 */
export interface SnapshotRef {
  /** The session id, any string (it is hashed before it reaches a ref name). */
  sessionId: string;
  /** The message id, any string. */
  messageId: string;
}

/**
 * One side of {@link SnapshotStore.diff}: a snapshot, or `'workspace'` for the files as they are now.
 * @public
 */
export type DiffSide = SnapshotRef | 'workspace';

/**
 * Why a file was left out of a snapshot.
 *
 * @remarks
 * - `too-large`: larger than the store's `maxFileSize`.
 * - `unreadable`: the file or its folder cannot be read.
 * - `nested-repository`: a folder holding its own `.git` (a nested clone or linked worktree); never
 *   entered, never renamed.
 * - `submodule`: a submodule entry of the user's index; its files are not captured.
 * - `special-file`: a FIFO, socket or device.
 * @public
 */
export type SnapshotSkipReason =
  'too-large' | 'unreadable' | 'nested-repository' | 'submodule' | 'special-file';

/**
 * A path left out of a snapshot, recorded in the snapshot itself.
 * @public
 */
export interface SkippedFile {
  /** Path relative to the workspace, `/`-separated; folders end with `/`. */
  path: string;
  /** Why it was left out. */
  reason: SnapshotSkipReason;
  /** Size in bytes, for `too-large`. */
  size?: number;
}

/**
 * The user's version control state when a snapshot was taken; null for a plain folder.
 * @public
 */
export interface SnapshotVcsInfo {
  /** Always `'git'` for now. */
  type: 'git';
  /** The checked-out branch (short name), or null when HEAD is detached. */
  branch: string | null;
  /** The commit HEAD points at, or null on an unborn branch. */
  head: string | null;
  /** The top level of the working tree (the linked worktree's own folder for a linked worktree). */
  worktree: string;
  /** The repository folder shared by all its worktrees. */
  commonDir: string;
}

/**
 * How a path differs between two states.
 * @public
 */
export type ChangeStatus = 'added' | 'modified' | 'deleted' | 'type-changed' | 'renamed' | 'copied';

/**
 * A path that differs from the session's previous snapshot.
 * @public
 */
export interface ChangedFile {
  /** Path relative to the workspace, `/`-separated. */
  path: string;
  /** How it changed (never `renamed`/`copied`: captures do not pair paths). */
  status: ChangeStatus;
}

/**
 * What every snapshot carries, just captured ({@link CaptureResult}) or listed ({@link SnapshotInfo}).
 * @public
 */
export interface SnapshotBase {
  /** The session id, as given to `capture`. */
  sessionId: string;
  /** The message id, as given to `capture`. */
  messageId: string;
  /** The snapshot commit in the store. */
  commit: string;
  /** Its tree. */
  tree: string;
  /** The session's previous snapshot commit, or null for its first. */
  parent: string | null;
  /** When the capture was taken (ISO 8601, UTC, milliseconds). */
  capturedAt: string;
  /** Paths left out of the snapshot, with the reason. */
  skipped: SkippedFile[];
}

/**
 * What {@link SnapshotStore.capture} returns.
 * @public
 */
export interface CaptureResult extends SnapshotBase {
  /** Paths that differ from `parent` (every path when there is no parent). */
  changedFiles: ChangedFile[];
}

/**
 * One snapshot as {@link SnapshotStore.list} describes it, read back from its commit.
 * @public
 */
export interface SnapshotInfo extends SnapshotBase {
  /** The workspace folder captured. */
  workspace: string;
  /** The metadata given to `capture`, or null. */
  metadata: Record<string, unknown> | null;
  /** The user's version control state at capture time, or null for a plain folder. */
  vcs: SnapshotVcsInfo | null;
}

/**
 * A path in a {@link SnapshotDiff}.
 * @public
 */
export interface DiffEntry {
  /** Path on the `to` side (the `from` path for a deletion). */
  path: string;
  /** The path on the `from` side of a rename or copy. */
  oldPath?: string;
  /** How the path changed. */
  status: ChangeStatus;
  /** Lines added, or null for a binary file. */
  additions: number | null;
  /** Lines removed, or null for a binary file. */
  deletions: number | null;
  /** True when git considers either side binary. */
  binary: boolean;
}

/**
 * What {@link SnapshotStore.diff} returns.
 * @public
 */
export interface SnapshotDiff {
  /** The tree on the `from` side. */
  fromTree: string;
  /** The tree on the `to` side. */
  toTree: string;
  /** Changed paths, sorted by path. */
  files: DiffEntry[];
  /** The unified patch (with binary hunks), when `patch: true` was asked. */
  patch?: string;
}

/**
 * What `SnapshotStore.restore` with `dest` returns.
 * @public
 */
export interface RestoreToDestResult {
  /** `'dest'`. */
  mode: 'dest';
  /** The folder written. */
  dest: string;
  /** The snapshot commit restored. */
  commit: string;
  /** Its tree. */
  tree: string;
}

/**
 * What `SnapshotStore.restore` with `inPlace` returns.
 * @public
 */
export interface RewindResult {
  /** `'in-place'`. */
  mode: 'in-place';
  /** The snapshot commit the workspace now matches. */
  commit: string;
  /** Its tree. */
  tree: string;
  /**
   * The capture of the workspace taken just before the rewind. Restoring it in place undoes the
   * rewind exactly: its manifest holds what the tree cannot (ignored files the rewind replaced,
   * full permission bits, folders it removed).
   */
  backup: CaptureResult;
  /**
   * The CLI command that undoes the rewind (restores `backup` in place), quoted for a POSIX shell,
   * control characters escaped.
   */
  undo: string;
  /** Files and symlinks written (created or changed). */
  written: string[];
  /** Files and symlinks removed. */
  removed: string[];
  /**
   * Paths of the snapshot left alone because they lie in the home (or would replace the folder
   * holding it) inside the workspace.
   */
  protectedPaths: string[];
}

/**
 * A rewind whose process was killed (or lost power) while it was writing: see
 * {@link SnapshotStore.interruptedRewind}.
 * @public
 */
export interface InterruptedRewind {
  /** The snapshot holding the workspace as it was before that rewind. */
  backup: SnapshotRef;
  /** The snapshot it was rewinding to. */
  target: SnapshotRef;
  /** When it started (ISO 8601). */
  startedAt: string;
  /** The CLI command restoring `backup` in place. */
  undo: string;
}

/**
 * What {@link SnapshotStore.delete} returns.
 * @public
 */
export interface DeleteResult {
  /** The snapshots removed. */
  deleted: SnapshotRef[];
}

/**
 * What {@link SnapshotStore.push} returns.
 * @public
 */
export interface PushResult {
  /** Tags created on the remote. */
  pushed: string[];
  /** Tags that were on the remote already and were left alone. */
  skipped: string[];
  /**
   * The snapshots in scope whose commit on the remote is a redacted copy of the local one (see
   * {@link SnapshotStore.push}): those pushed now, and those already there as copies. Empty when
   * nothing held a secret, or with `redact: false`.
   */
  redactions: RedactedSnapshot[];
}

/**
 * A snapshot the remote holds as a redacted copy.
 * @public
 */
export interface RedactedSnapshot {
  /** The session of the snapshot. */
  sessionId: string;
  /** The message it is linked to. */
  messageId: string;
  /** Its tag on the remote. */
  ref: string;
  /** The commit on the remote (never the local one, whose hash would tell of the secret). */
  commit: string;
  /** The copy's tree; null when it is no longer in the local store (a copy pushed earlier). */
  tree: string | null;
  /**
   * The files of its tree whose secrets were replaced, sorted by path; empty when only its history
   * (an earlier snapshot) or its metadata held one; null for a copy pushed earlier.
   */
  files: RedactedFile[] | null;
}

/**
 * A file whose secrets were replaced by `[REDACTED:<kind>]` markers in a pushed snapshot.
 * @public
 */
export interface RedactedFile {
  /** The workspace-relative path. */
  path: string;
  /** The kinds of secret found, sorted (`aws-access-key-id`, `env-secret`, …). */
  kinds: string[];
}

/**
 * What {@link SnapshotStore.restoreFromRemote} returns.
 * @public
 */
export interface RemoteRestoreResult {
  /** The folder written. */
  dest: string;
  /** The snapshot commit restored. */
  commit: string;
  /** Its tree. */
  tree: string;
  /** The tag's JSON message, as stored on the remote (snake_case). */
  record: Record<string, unknown>;
}
