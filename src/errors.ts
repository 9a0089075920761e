/**
 * Every error this library throws on purpose is a {@link RolloutError} with a stable `code`.
 * Subclasses carry the fields a caller needs to act (path, line, id, candidates, exit code, stderr)
 * and keep the original error as `cause`.
 */

const BRAND = Symbol.for('agent-rollouts.RolloutError');

/**
 * The stable error codes. New codes may be added; existing ones never change meaning.
 * @public
 */
export type RolloutErrorCode =
  | 'E_LOCKED'
  | 'E_NO_SESSION'
  | 'E_ARCHIVE_STATE'
  | 'E_AMBIGUOUS_ID'
  | 'E_BAD_CURSOR'
  | 'E_BAD_ROLLOUT'
  | 'E_SNAPSHOT_EXISTS'
  | 'E_NO_SNAPSHOT'
  | 'E_NO_STORE'
  | 'E_GIT'
  | 'E_IO'
  | 'E_CLOSED'
  | 'E_NATIVE'
  | 'E_REWIND_REFUSED'
  | 'E_REWIND_FAILED'
  | 'E_NO_MESSAGE'
  | 'E_NOTHING_TO_UNDO'
  | 'E_REMOTE'
  | 'E_INDEX'
  | 'E_HUB';

/**
 * Base class of every error thrown on purpose by agent-rollouts.
 *
 * @remarks
 * Use {@link isRolloutError} rather than `instanceof` when two copies of the package may be loaded:
 * the check works across copies.
 * @public
 */
export class RolloutError extends Error {
  /** A stable, machine-readable code. */
  readonly code: RolloutErrorCode;

  constructor(code: RolloutErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.name = new.target.name;
    Object.defineProperty(this, BRAND, { value: true });
  }
}

/**
 * True when `value` is a {@link RolloutError}, from this copy of the package or any other.
 * @public
 */
export function isRolloutError(value: unknown): value is RolloutError {
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[BRAND] === true;
}

/**
 * Another writer (this process, another process, or a running Codex CLI) holds the session's
 * writer lock.
 * @public
 */
export class SessionLockedError extends RolloutError {
  /** The session id. */
  readonly id: string;
  /** The lock file. */
  readonly lockPath: string;
  /** True when the holder is this very process (another recorder of the same session, not closed). */
  readonly heldByThisProcess: boolean;
  /** The operation refused (`'delete'`, `'archive'`, …); undefined when a writer was refused. */
  readonly operation: string | undefined;
  constructor(
    id: string,
    lockPath: string,
    options?: { cause?: unknown; heldByThisProcess?: boolean; operation?: string },
  ) {
    const mine = options?.heldByThisProcess === true;
    const op = options?.operation;
    super(
      'E_LOCKED',
      op !== undefined
        ? mine
          ? `Cannot ${op} session ${id}: it is open for writing in this process (lock ${lockPath}). ` +
            'Close that recorder first, then try again.'
          : `Cannot ${op} session ${id}: another process is writing it (lock ${lockPath} is held). ` +
            'Wait for that writer to finish, then try again.'
        : mine
          ? `Session ${id} is already open for writing in this process (lock ${lockPath}). ` +
            'Close that recorder before resuming the session again.'
          : `Session ${id} is being written by another process (lock ${lockPath} is held). ` +
            'Wait for that writer to close, or record to a new session.',
      options,
    );
    this.id = id;
    this.lockPath = lockPath;
    this.heldByThisProcess = mine;
    this.operation = options?.operation;
  }
}

/**
 * Archiving a session that is archived already, or unarchiving one that is not archived.
 * @public
 */
export class ArchiveStateError extends RolloutError {
  /** The session id. */
  readonly id: string;
  /** Where the session's file is. */
  readonly path: string;
  /** True when the session is archived (so it could not be archived again). */
  readonly archived: boolean;
  constructor(id: string, path: string, archived: boolean) {
    super('E_ARCHIVE_STATE', `Session ${id} ${archived ? 'is archived already' : 'is not archived'}.`);
    this.id = id;
    this.path = path;
    this.archived = archived;
  }
}

/**
 * No session matches the id, prefix or path.
 * @public
 */
export class SessionNotFoundError extends RolloutError {
  /** What was looked up: an id, a prefix or a path. */
  readonly query: string;
  /** The home that was searched. */
  readonly home: string | undefined;
  constructor(query: string, home?: string, options?: { cause?: unknown }) {
    super(
      'E_NO_SESSION',
      `No session matches "${query}"${home ? ` in ${home}` : ''}. ` +
        'Check the id (rollouts ls lists them) or pass the right home.',
      options,
    );
    this.query = query;
    this.home = home;
  }
}

/**
 * A prefix matches more than one session.
 * @public
 */
export class AmbiguousSessionIdError extends RolloutError {
  /** The prefix. */
  readonly prefix: string;
  /** The full ids it matches, newest first. */
  readonly candidates: readonly string[];
  constructor(prefix: string, candidates: readonly string[]) {
    super(
      'E_AMBIGUOUS_ID',
      `The id prefix "${prefix}" matches ${candidates.length} sessions (${candidates.slice(0, 5).join(', ')}` +
        `${candidates.length > 5 ? ', …' : ''}). Give more characters.`,
    );
    this.prefix = prefix;
    this.candidates = candidates;
  }
}

/**
 * A cursor that this library did not produce, or that was damaged.
 * @public
 */
export class InvalidCursorError extends RolloutError {
  /** The cursor as given. */
  readonly cursor: string;
  constructor(cursor: string, reason: string) {
    super(
      'E_BAD_CURSOR',
      `Invalid cursor "${cursor}": ${reason}. Pass a nextCursor from a previous page, or none for the first page.`,
    );
    this.cursor = cursor;
  }
}

/**
 * A file that cannot be read as a rollout at all (empty, a folder, no session_meta, missing).
 * Damage inside a readable rollout is reported line by line instead, not thrown.
 * @public
 */
export class InvalidRolloutError extends RolloutError {
  /** The file. */
  readonly path: string;
  /** The 1-based line the problem is on, when it is on one line. */
  readonly line: number | undefined;
  /** What is wrong, without the path. */
  readonly reason: string;
  constructor(path: string, reason: string, options?: { line?: number; cause?: unknown }) {
    super('E_BAD_ROLLOUT', `${path}${options?.line ? `:${options.line}` : ''}: ${reason}`, options);
    this.path = path;
    this.line = options?.line;
    this.reason = reason;
  }
}

/**
 * A snapshot for this (session, message) already exists; pass `replace: true` to overwrite it.
 * @public
 */
export class SnapshotExistsError extends RolloutError {
  /** The session id. */
  readonly sessionId: string;
  /** The message id. */
  readonly messageId: string;
  constructor(sessionId: string, messageId: string) {
    super(
      'E_SNAPSHOT_EXISTS',
      `A snapshot of message ${JSON.stringify(messageId)} in session ${JSON.stringify(sessionId)} exists already. ` +
        'Pass { replace: true } to take it again.',
    );
    this.sessionId = sessionId;
    this.messageId = messageId;
  }
}

/**
 * No snapshot for this (session, message) in the store.
 * @public
 */
export class SnapshotNotFoundError extends RolloutError {
  /** The session id. */
  readonly sessionId: string;
  /** The message id, when one was named. */
  readonly messageId: string | undefined;
  constructor(sessionId: string, messageId: string | undefined, where: string) {
    super(
      'E_NO_SNAPSHOT',
      `No snapshot of ${messageId === undefined ? '' : `message ${JSON.stringify(messageId)} in `}session ` +
        `${JSON.stringify(sessionId)} in ${where}. List the snapshots to see what exists.`,
    );
    this.sessionId = sessionId;
    this.messageId = messageId;
  }
}

/**
 * The workspace has no snapshot store yet (`SnapshotStore.open({ create: false })`): it has no
 * snapshots.
 * @public
 */
export class SnapshotStoreNotFoundError extends RolloutError {
  /** The workspace folder (its real path). */
  readonly workspace: string;
  /** Where its store would be. */
  readonly storePath: string;
  constructor(workspace: string, storePath: string) {
    super('E_NO_STORE', `No snapshots of ${workspace}: it has no store (${storePath}).`);
    this.workspace = workspace;
    this.storePath = storePath;
  }
}

/**
 * A git command failed or timed out.
 * @public
 */
export class GitError extends RolloutError {
  /** The git arguments (never including raw session or message ids). */
  readonly args: readonly string[];
  /** Git's exit code, when it exited. */
  readonly exitCode: number | undefined;
  /** What git wrote to stderr. */
  readonly stderr: string;
  /** True when the command was stopped by its timeout. */
  readonly timedOut: boolean;
  constructor(
    message: string,
    fields: {
      args: readonly string[];
      exitCode?: number;
      stderr?: string;
      timedOut?: boolean;
      cause?: unknown;
    },
  ) {
    super('E_GIT', message, { cause: fields.cause });
    this.args = fields.args;
    this.exitCode = fields.exitCode;
    this.stderr = fields.stderr ?? '';
    this.timedOut = fields.timedOut ?? false;
  }
}

/**
 * A file-system operation failed (disk full, folder removed, permission denied, …).
 * @public
 */
export class RolloutIOError extends RolloutError {
  /** The path the operation was on. */
  readonly path: string;
  /** The system error code (`ENOSPC`, `EACCES`, …), when there is one. */
  readonly errno: string | undefined;
  constructor(operation: string, path: string, cause: unknown) {
    const errno = errnoOf(cause);
    super(
      'E_IO',
      `Could not ${operation} ${path}: ${cause instanceof Error ? cause.message : String(cause)}`,
      { cause },
    );
    this.path = path;
    this.errno = errno;
  }
}

/**
 * The recorder was closed; nothing more can be recorded through it.
 * @public
 */
export class RecorderClosedError extends RolloutError {
  /** The session id. */
  readonly id: string;
  constructor(id: string) {
    super('E_CLOSED', `The recorder of session ${id} is closed. Resume the session to record more.`);
    this.id = id;
  }
}

/**
 * Why an archive-remote operation could not be done.
 *
 * @remarks
 * - `bad-file`: `<home>/archive_remotes.json` is not a file we wrote (not JSON, a field of the wrong
 *   form, a refused URL, not a regular file, too large); nothing was changed.
 * - `no-remote`: the workspace has no archive remote stored, and none was given.
 * - `no-defaults`: creating a remote needs `remote defaults set --owner` first.
 * - `gh-missing`: the GitHub CLI `gh` is not on the PATH.
 * - `gh-logged-out`: `gh auth status` says no account is logged in.
 * - `gh-failed`: `gh repo create` or `gh repo view` failed or printed something unexpected.
 * @public
 */
export type ArchiveRemoteFailure =
  'bad-file' | 'no-remote' | 'no-defaults' | 'gh-missing' | 'gh-logged-out' | 'gh-failed';

/**
 * An archive remote could not be read, found or created (`code` `E_REMOTE`; see `reason`).
 * @public
 */
export class ArchiveRemoteError extends RolloutError {
  /** What went wrong. */
  readonly reason: ArchiveRemoteFailure;
  /** The file or workspace concerned. */
  readonly path: string;
  /** What `gh` wrote to stderr, for the `gh-*` reasons. */
  readonly stderr: string;
  constructor(
    reason: ArchiveRemoteFailure,
    path: string,
    message: string,
    options?: { cause?: unknown; stderr?: string },
  ) {
    super('E_REMOTE', message, { cause: options?.cause });
    this.reason = reason;
    this.path = path;
    this.stderr = options?.stderr ?? '';
  }
}

/**
 * A bad argument or option: a `TypeError` with Node's own code `ERR_INVALID_ARG_VALUE`, so callers
 * (and the CLI, which exits 2 for it) recognise a usage error by its code rather than its class or
 * text. Usage errors are deliberately not {@link RolloutError}s: they are the caller's bug, not a
 * state of the files.
 */
export function invalidArgument(
  message: string,
  options?: { cause?: unknown },
): TypeError & { code: 'ERR_INVALID_ARG_VALUE' } {
  const error = new TypeError(message, options?.cause === undefined ? undefined : { cause: options.cause });
  return Object.assign(error, { code: 'ERR_INVALID_ARG_VALUE' as const });
}

/** True for a usage error: any error whose `code` is `ERR_INVALID_ARG_VALUE` (ours or Node's). */
export function isInvalidArgument(error: unknown): error is Error & { code: 'ERR_INVALID_ARG_VALUE' } {
  return error instanceof Error && errnoOf(error) === 'ERR_INVALID_ARG_VALUE';
}

/**
 * Why a rewind refuses to touch a path: it cannot back it up, so it never removes or replaces it.
 *
 * @remarks
 * - `nested-repository`: a folder holding its own `.git` (its history would go with it).
 * - `too-large`: a file over the store's `maxFileSize`.
 * - `unreadable`: a file or folder that cannot be read.
 * - `special-file`: a FIFO, socket or device.
 * - `unsafe-path`: a snapshot path with a `..`, `.` or `.git` component, which would land outside
 *   the workspace or in its repository.
 * @public
 */
export type RewindRefusalReason =
  'nested-repository' | 'too-large' | 'unreadable' | 'special-file' | 'unsafe-path';

/**
 * A rewind that would remove or replace paths it cannot back up; nothing was written.
 * @public
 */
export class RewindRefusedError extends RolloutError {
  /** The workspace. */
  readonly workspace: string;
  /** The paths in the way (folders end with `/`), with the reason, sorted by path. */
  readonly paths: readonly { path: string; reason: RewindRefusalReason }[];
  constructor(workspace: string, paths: readonly { path: string; reason: RewindRefusalReason }[]) {
    const shown = paths.slice(0, 10).map((p) => `${p.path} (${p.reason})`);
    super(
      'E_REWIND_REFUSED',
      `Nothing was changed: rewinding ${workspace} would remove or replace ${paths.length} path(s) ` +
        `it cannot back up: ${shown.join(', ')}${paths.length > 10 ? ', …' : ''}. ` +
        'Move them out of the way (commit and push a nested repository first), then rewind again.',
    );
    this.workspace = workspace;
    this.paths = paths;
  }
}

/**
 * A rewind that failed after it started writing. The workspace was put back from the backup
 * (`restored`), or, if that failed too, the backup and the command that undoes the rewind say how
 * to get it back.
 * @public
 */
export class RewindFailedError extends RolloutError {
  /** The workspace. */
  readonly workspace: string;
  /** The snapshot holding the workspace as it was before the rewind. */
  readonly backup: { readonly sessionId: string; readonly messageId: string };
  /** The command that restores the workspace from `backup`. */
  readonly undo: string;
  /** True when the workspace was put back as it was before the call. */
  readonly restored: boolean;
  constructor(fields: {
    workspace: string;
    backup: { sessionId: string; messageId: string };
    undo: string;
    restored: boolean;
    cause: unknown;
    restoreError?: unknown;
  }) {
    const why = (e: unknown): string => (e instanceof Error ? e.message : String(e));
    super(
      'E_REWIND_FAILED',
      `The rewind of ${fields.workspace} failed: ${why(fields.cause)}. ` +
        (fields.restored
          ? 'The workspace was put back as it was before. '
          : `Putting the workspace back failed too (${why(fields.restoreError)}); it is partly rewound. `) +
        `Backup: message ${JSON.stringify(fields.backup.messageId)} of session ` +
        `${JSON.stringify(fields.backup.sessionId)}. Undo with: ${fields.undo}`,
      { cause: fields.cause },
    );
    this.workspace = fields.workspace;
    this.backup = fields.backup;
    this.undo = fields.undo;
    this.restored = fields.restored;
  }
}

/**
 * A message id that is not a user or assistant message of the session ({@link forkSession},
 * {@link rewindSession}).
 * @public
 */
export class MessageNotFoundError extends RolloutError {
  /** The session searched. */
  readonly sessionId: string;
  /** The message id asked for. */
  readonly messageId: string;
  constructor(sessionId: string, messageId: string) {
    super(
      'E_NO_MESSAGE',
      `Session ${sessionId} has no user or assistant message ${JSON.stringify(messageId)} ` +
        '(see the message ids with rollouts show --json).',
    );
    this.sessionId = sessionId;
    this.messageId = messageId;
  }
}

/**
 * A rewind to a message that has no workspace snapshot; nothing was changed. `nearest` names the
 * closest earlier message that has one (pass `nearest: true` to rewind there), if any.
 * @public
 */
export class MessageHasNoSnapshotError extends RolloutError {
  /** The session. */
  readonly sessionId: string;
  /** The message asked for. */
  readonly messageId: string;
  /** The closest earlier message with a snapshot, if there is one. */
  readonly nearest: string | undefined;
  constructor(sessionId: string, messageId: string, nearest: string | undefined) {
    super(
      'E_NO_SNAPSHOT',
      `Nothing was changed: message ${JSON.stringify(messageId)} of session ${sessionId} has no workspace ` +
        'snapshot. ' +
        (nearest === undefined
          ? 'No earlier message has one either.'
          : `The nearest earlier message with one is ${JSON.stringify(nearest)}: rewind to it, or pass nearest.`),
    );
    this.sessionId = sessionId;
    this.messageId = messageId;
    this.nearest = nearest;
  }
}

/**
 * {@link undoLastRewind} with no rewind recorded in the home (none yet, or the last one was undone).
 * @public
 */
export class NothingToUndoError extends RolloutError {
  /** The home searched. */
  readonly home: string;
  constructor(home: string) {
    super('E_NOTHING_TO_UNDO', `No rewind to undo in ${home} (none recorded, or the last one was undone).`);
    this.home = home;
  }
}

/** The errno code of a Node system error, or undefined. */
export function errnoOf(error: unknown): string | undefined {
  if (typeof error === 'object' && error !== null && 'code' in error) {
    const code = error.code;
    return typeof code === 'string' ? code : undefined;
  }
  return undefined;
}

/** True when `error` is a Node system error with one of `codes`. */
export function hasErrno(error: unknown, ...codes: string[]): boolean {
  const code = errnoOf(error);
  return code !== undefined && codes.includes(code);
}

/**
 * A Hub request failed, or the token cannot be used.
 * @public
 */
export class HubError extends RolloutError {
  /** The HTTP status, when the Hub answered. */
  readonly status: number | null;

  constructor(message: string, status: number | null, options?: { cause?: unknown }) {
    super('E_HUB', message, options);
    this.name = 'HubError';
    this.status = status;
  }
}
