import { resolveHome } from '../files/layout.js';
import { invalidArgument } from '../errors.js';
import { captureLocked } from './capture.js';
import { deleteLocked } from './delete.js';
import { diffLocked } from './diff.js';
import { listLocked } from './list.js';
import { withStoreLock } from './lock.js';
import { readJournal } from './backup-store.js';
import { pushLocked, restoreFromRemote } from './push.js';
import { restoreToDest, rewindInPlace } from './restore.js';
import { checkGlobs } from './path-filter.js';
import { openStoreContext } from './store-context.js';
import type { StoreContext } from './store-context.js';
import type {
  CaptureResult,
  DeleteResult,
  DiffSide,
  InterruptedRewind,
  PushResult,
  RemoteRestoreResult,
  RestoreToDestResult,
  RewindResult,
  SnapshotDiff,
  SnapshotInfo,
  SnapshotRef,
} from './types.js';

/**
 * The default size cap of a captured file: 50 MiB.
 * @public
 */
export const DEFAULT_MAX_FILE_SIZE = 50 * 1024 * 1024;

/**
 * Options of {@link SnapshotStore.open}.
 * @public
 */
export interface SnapshotStoreOptions {
  /**
   * Any folder inside the workspace. Inside a Git working tree the workspace is its top level (a
   * linked worktree is a workspace of its own); elsewhere it is the folder itself.
   */
  workspace: string;
  /**
   * The home folder; the store lives in `<home>/snapshots/<workspace-key>/`.
   * @defaultValue `$CODEX_HOME`, else `~/.codex`
   */
  home?: string;
  /**
   * Files larger than this many bytes are left out of captures and listed in `skipped`.
   * @defaultValue 52428800 (50 MiB, {@link DEFAULT_MAX_FILE_SIZE})
   */
  maxFileSize?: number;
  /**
   * Default `include` globs of every capture (and of `diff` against the workspace): only paths
   * matching one of them are captured. See {@link CaptureOptions.include} for the semantics.
   * @defaultValue none: every path
   */
  include?: string[];
  /**
   * Default `exclude` globs of every capture (and of `diff` against the workspace). See
   * {@link CaptureOptions.exclude}.
   * @defaultValue none
   */
  exclude?: string[];
  /**
   * Create the store (and `<home>/snapshots/`) when the workspace has none. With `false`, only an
   * existing store is opened and nothing is created or written on opening: a workspace without a
   * store is a `SnapshotStoreNotFoundError` (it has no snapshots). For callers that only read.
   * @defaultValue true
   */
  create?: boolean;
  /** Stops opening (waiting for the store lock, git calls). */
  signal?: AbortSignal;
}

/**
 * Options of {@link SnapshotStore.capture}.
 * @public
 */
export interface CaptureOptions {
  /** The session id, any non-empty string. */
  sessionId: string;
  /** The message id, any non-empty string. */
  messageId: string;
  /** JSON-serialisable data kept in the snapshot's commit message and returned by `list`. */
  metadata?: Record<string, unknown>;
  /**
   * Take the snapshot again when this (session, message) has one already.
   * @defaultValue false: an existing snapshot is a `SnapshotExistsError`
   */
  replace?: boolean;
  /**
   * The size cap for this capture.
   * @defaultValue the store's `maxFileSize`
   */
  maxFileSize?: number;
  /**
   * Glob patterns (picomatch, as fast-glob matches): when given, only paths matching one of them
   * are captured. Patterns are relative to the workspace root and `/`-separated; `*` stays within
   * one folder, `**` crosses folders; dotfiles match like any name; a pattern matching a folder
   * covers everything under it (`src` takes `src/**`). Never absolute, never negated (`!`), no
   * `..`.
   * @defaultValue the store's `include` (none: every path)
   */
  include?: string[];
  /**
   * Glob patterns of paths left out, with the same semantics as `include`; exclude wins over
   * include. `node_modules` leaves out that folder at the root, `**\/node_modules` every one.
   * Paths left out this way are not listed in `skipped`.
   * @defaultValue the store's `exclude` (none)
   */
  exclude?: string[];
  /** Stops the capture (waiting for the lock, git calls); nothing is linked then. */
  signal?: AbortSignal;
}

/**
 * `SnapshotStore.restore` into a new folder.
 * @public
 */
export interface RestoreToDestOptions {
  /** The folder to create and fill; it must not exist (its parents are created). */
  dest: string;
  /** Must be absent or false with `dest`. */
  inPlace?: false;
  /** Stops the restore. */
  signal?: AbortSignal;
}

/**
 * `SnapshotStore.restore` over the workspace itself.
 * @public
 */
export interface RestoreInPlaceOptions {
  /** Rewind the workspace itself. */
  inPlace: true;
  /** Must be absent with `inPlace`. */
  dest?: undefined;
  /**
   * The (session, message) under which the pre-rewind state is captured.
   * @defaultValue the restored snapshot's session, with message id `restore-backup:<time>:<uuid>`
   */
  backup?: SnapshotRef;
  /** Stops the rewind (before files are written, or between git calls). */
  signal?: AbortSignal;
}

/**
 * Options of `SnapshotStore.restore`: `{ dest }` or `{ inPlace: true }`, never both.
 * @public
 */
export type RestoreOptions = RestoreToDestOptions | RestoreInPlaceOptions;

/**
 * Options of {@link SnapshotStore.diff}.
 * @public
 */
export interface DiffOptions {
  /**
   * Also return the unified patch (binary changes as git binary patches).
   * @defaultValue false
   */
  patch?: boolean;
  /** Stops the diff. */
  signal?: AbortSignal;
}

/**
 * Options of {@link SnapshotStore.list}.
 * @public
 */
export interface ListSnapshotsOptions {
  /**
   * Only this session's snapshots.
   * @defaultValue every session
   */
  sessionId?: string;
  /** Stops the listing. */
  signal?: AbortSignal;
}

/**
 * Options of {@link SnapshotStore.delete}.
 * @public
 */
export interface DeleteSnapshotsOptions {
  /** The session whose snapshots go. */
  sessionId: string;
  /**
   * Only this message's snapshot.
   * @defaultValue every snapshot of the session
   */
  messageId?: string;
  /** Stops the deletion (between git calls). */
  signal?: AbortSignal;
}

/**
 * Options of {@link SnapshotStore.push}.
 * @public
 */
export interface PushOptions {
  /**
   * Only this session's snapshots.
   * @defaultValue every snapshot in the store
   */
  sessionId?: string;
  /**
   * Scan what the remote does not have yet for secrets and push a redacted copy of each snapshot
   * whose tree, metadata or history holds one (see {@link SnapshotStore.push}).
   * @defaultValue true
   */
  redact?: boolean;
  /** Stops the push. */
  signal?: AbortSignal;
}

/**
 * Options of {@link SnapshotStore.restoreFromRemote}.
 * @public
 */
export interface RestoreFromRemoteOptions {
  /** Stops the fetch and restore. */
  signal?: AbortSignal;
}

/**
 * Workspace snapshots in a shadow Git store: one bare repository per workspace under
 * `<home>/snapshots/<workspace-key>/`, one commit per captured message.
 *
 * @remarks
 * The user's own repository is only ever read: its HEAD, index, refs, config, hooks and objects
 * stay byte-identical. Git runs with every inherited `GIT_*` variable removed and system and global
 * config ignored. Content is stored byte-exact (no end-of-line conversion, filters, `ident` or
 * re-encoding); the exec bit and symbolic links are kept.
 *
 * What a capture holds: the files on disk, byte-exact (names that are not UTF-8 included). In a
 * Git workspace, tracked files and untracked files its `.gitignore` files and `info/exclude` do
 * not ignore, as they are in the working tree (the user's global excludes file is not read: global
 * config is isolated; skip-worktree and assume-unchanged bits of the user's index are not trusted:
 * a file a sparse checkout left off the disk is not in the snapshot); in a plain folder, every
 * file its `.gitignore` files (nested ones too, with git's semantics) do not ignore. Both then
 * pass the `include`/`exclude` globs. Left out and listed in `skipped`: files over `maxFileSize`
 * (checked for every file of every capture), unreadable files, nested repositories and submodules
 * (never entered, never renamed), special files. The home (sessions, archived sessions, writer
 * locks, session index, snapshots, anything in it) is never captured, wherever it lies inside the
 * workspace, also through a symbolic link; a workspace that is the home or lies in one of its
 * folders is refused.
 *
 * Operations on one store serialize on a kernel lock, across processes; a crashed holder never
 * leaves it stale. Raw ids never reach a ref name or a command line: refs are
 * `refs/rollouts/<sha256(sessionId)>/<sha256(messageId)>` and the ids travel in commit messages.
 * @public
 */
export class SnapshotStore {
  /** The workspace captured: the Git top level, or the plain folder (a real path). */
  readonly workspace: string;
  /** Whether the workspace is a Git working tree or a plain folder. */
  readonly kind: 'git' | 'plain';
  /** The store: a bare Git repository. */
  readonly path: string;
  /** The home folder in use. */
  readonly home: string;
  readonly #ctx: StoreContext;

  private constructor(ctx: StoreContext) {
    this.#ctx = ctx;
    this.workspace = ctx.workspace.root;
    this.kind = ctx.workspace.kind;
    this.path = ctx.gitDir;
    this.home = ctx.home;
  }

  /**
   * Opens the store of a workspace, creating it on first use (unless `create: false`).
   * @throws `SnapshotStoreNotFoundError` with `create: false` when the workspace has no store;
   * `RolloutIOError` when the workspace is not a readable folder or the store cannot be
   * created; `GitError` when git fails.
   */
  static async open(options: SnapshotStoreOptions): Promise<SnapshotStore> {
    if (typeof options?.workspace !== 'string' || options.workspace === '') {
      throw invalidArgument('SnapshotStore.open: `workspace` must be a folder path.');
    }
    const ctx = await openStoreContext({
      workspace: options.workspace,
      home: resolveHome(options.home),
      maxFileSize: checkSize(options.maxFileSize, 'maxFileSize') ?? DEFAULT_MAX_FILE_SIZE,
      include: checkGlobs(options.include, 'include'),
      exclude: checkGlobs(options.exclude, 'exclude'),
      create: options.create !== false,
      signal: options.signal,
    });
    return new SnapshotStore(ctx);
  }

  /**
   * Restores a snapshot from an archive remote (see {@link SnapshotStore.push}) into a new folder,
   * without any local store.
   *
   * @remarks
   * Static because the remote is self-describing: only the tag of that snapshot is fetched (depth
   * 1) into a temporary repository, its JSON message is checked against the ids, and its tree is
   * written. The remote is a `file://`, `ssh://`, `https://`, `http://` or `git://` URL, an
   * scp-like `host:path`, or a path (a relative one is resolved against the current working
   * folder, as is `dest`). `<transport>::` forms (`ext::`, `fd::`, …) and other URL schemes are
   * refused before git runs. The remote is passed to git as data after `--end-of-options`.
   * @throws `SnapshotNotFoundError` when the remote has no such tag; `TypeError` for a refused
   * remote.
   */
  static async restoreFromRemote(
    remoteUrl: string,
    ref: SnapshotRef,
    dest: string,
    options: RestoreFromRemoteOptions = {},
  ): Promise<RemoteRestoreResult> {
    checkRef(ref, 'ref');
    return restoreFromRemote(remoteUrl, ref, dest, options.signal, process.cwd());
  }

  /**
   * Captures the workspace as the snapshot of (sessionId, messageId).
   *
   * @remarks
   * The commit's parent is the session's previous capture. An incremental capture hashes only the
   * files changed since the store's last capture (a persistent index); the first capture of a Git
   * workspace starts from the user's index and objects, which are then copied into the store.
   * @throws `SnapshotExistsError` when the pair has a snapshot and `replace` is not set.
   */
  async capture(options: CaptureOptions): Promise<CaptureResult> {
    checkRef(options, 'capture');
    if (
      options.metadata !== undefined &&
      (typeof options.metadata !== 'object' || options.metadata === null)
    ) {
      throw invalidArgument('capture: `metadata` must be a plain object.');
    }
    const metadata =
      options.metadata === undefined
        ? null
        : (JSON.parse(JSON.stringify(options.metadata)) as Record<string, unknown>);
    const maxFileSize = checkSize(options.maxFileSize, 'maxFileSize') ?? this.#ctx.maxFileSize;
    const include = checkGlobs(options.include, 'capture: include');
    const exclude = checkGlobs(options.exclude, 'capture: exclude');
    return this.#locked(options.signal, (lock) =>
      captureLocked(this.#ctx, lock, {
        sessionId: options.sessionId,
        messageId: options.messageId,
        metadata,
        replace: options.replace ?? false,
        maxFileSize,
        include,
        exclude,
        signal: options.signal,
      }),
    );
  }

  /**
   * Restores a snapshot into a new folder (`{ dest }`) or rewinds the workspace to it
   * (`{ inPlace: true }`).
   *
   * @remarks
   * Into `dest`: exact bytes, exec bits and links; no path can land outside `dest`; an existing
   * `dest` is refused.
   *
   * In place, a rewind never loses what it replaces. The workspace is captured first (the
   * `backup`), and only the paths that differ from the snapshot are touched. Before anything is
   * written, everything those paths hold and everything in their way (ignored files, folders,
   * symlinks) is recorded beside the backup with its bytes and full permission bits; a nested
   * repository, a file over `maxFileSize`, an unreadable or special file in the way makes the
   * rewind refuse up front (`RewindRefusedError`, listing them). Files are written under a
   * temporary name beside their final one and renamed into place; nothing is written through a
   * symlink. The home, when inside the workspace, is never touched. If the rewind fails part-way,
   * the workspace is put back and `RewindFailedError` names the backup and the undo command; if
   * its process dies, {@link SnapshotStore.interruptedRewind} does.
   *
   * Restoring a rewind's `backup` (in place, or into `dest`) undoes it exactly: bytes, modes,
   * symlinks, emptied folders and ignored files as they were (the `undo` command does this).
   * Never `git clean`.
   * @throws `SnapshotNotFoundError`; `RolloutIOError` when `dest` exists; `RewindRefusedError`;
   * `RewindFailedError`.
   */
  restore(ref: SnapshotRef, options: RestoreToDestOptions): Promise<RestoreToDestResult>;
  /** Rewinds the workspace to a snapshot; see the first signature. */
  restore(ref: SnapshotRef, options: RestoreInPlaceOptions): Promise<RewindResult>;
  /** Either form, decided by the options; see the first signature. */
  restore(ref: SnapshotRef, options: RestoreOptions): Promise<RestoreToDestResult | RewindResult>;
  async restore(ref: SnapshotRef, options: RestoreOptions): Promise<RestoreToDestResult | RewindResult> {
    checkRef(ref, 'restore');
    const dest = (options as { dest?: unknown }).dest;
    const inPlace = (options as { inPlace?: unknown }).inPlace === true;
    if (dest !== undefined && inPlace) {
      throw invalidArgument('restore: `dest` and `inPlace` contradict each other; pass one of them.');
    }
    if (!inPlace && (typeof dest !== 'string' || dest === '')) {
      throw invalidArgument('restore: pass `{ dest }` (a folder to create) or `{ inPlace: true }`.');
    }
    const backup = inPlace ? (options as RestoreInPlaceOptions).backup : undefined;
    if (backup !== undefined) checkRef(backup, 'restore: backup');
    return this.#locked<RestoreToDestResult | RewindResult>(options.signal, (lock) =>
      inPlace
        ? rewindInPlace(this.#ctx, lock, ref, {
            backup,
            maxFileSize: this.#ctx.maxFileSize,
            signal: options.signal,
          })
        : restoreToDest(this.#ctx, lock, ref, dest as string, options.signal),
    );
  }

  /**
   * The rewind whose process died while it was changing the workspace, if the last one did: its
   * backup and the command that restores it. Undefined when every rewind finished (or was put
   * back). The record stays until the next rewind of the workspace finishes.
   */
  async interruptedRewind(options: { signal?: AbortSignal } = {}): Promise<InterruptedRewind | undefined> {
    return this.#locked(options.signal, () => {
      const j = readJournal(this.#ctx.gitDir);
      return Promise.resolve(
        j && { backup: j.backup, target: j.target, startedAt: j.startedAt, undo: j.undo },
      );
    });
  }

  /**
   * The changes from one state to another: paths with status and line counts, and the patch on
   * request. Either side is a snapshot or `'workspace'` (the files as they are now).
   * @throws `SnapshotNotFoundError`.
   */
  async diff(from: DiffSide, to: DiffSide, options: DiffOptions = {}): Promise<SnapshotDiff> {
    if (from !== 'workspace') checkRef(from, 'diff: from');
    if (to !== 'workspace') checkRef(to, 'diff: to');
    return this.#locked(options.signal, (lock) =>
      diffLocked(this.#ctx, lock, from, to, {
        patch: options.patch ?? false,
        maxFileSize: this.#ctx.maxFileSize,
        signal: options.signal,
      }),
    );
  }

  /** The snapshots in the store (or of one session), oldest capture first. */
  async list(options: ListSnapshotsOptions = {}): Promise<SnapshotInfo[]> {
    if (options.sessionId !== undefined) checkId(options.sessionId, 'sessionId', 'list');
    const all = await this.#locked(options.signal, (lock) =>
      listLocked(this.#ctx, lock, options.sessionId, options.signal),
    );
    return all.map(({ ref: _ref, ...info }) => info);
  }

  /**
   * Deletes a session's snapshots (or one message's) and prunes the objects only they kept.
   *
   * @remarks
   * A deleted snapshot that a later snapshot of the same session was captured on top of stays
   * stored as that snapshot's parent (it is no longer listed).
   * @throws `SnapshotNotFoundError` when nothing matches.
   */
  async delete(options: DeleteSnapshotsOptions): Promise<DeleteResult> {
    checkId(options?.sessionId, 'sessionId', 'delete');
    if (options.messageId !== undefined) checkId(options.messageId, 'messageId', 'delete');
    return this.#locked(options.signal, (lock) =>
      deleteLocked(this.#ctx, lock, options.sessionId, options.messageId, options.signal),
    );
  }

  /**
   * Pushes snapshots to an archive remote as annotated tags
   * `refs/tags/rollouts/session/<sha256(sessionId)>/message/<sha256(messageId)>`.
   *
   * @remarks
   * Each tag's message is JSON: `schema_version`, `session_id`, `message_id`, `captured_at`,
   * `commit`, `vcs`, `metadata`. Tags already on the remote are skipped (and never moved). Tag
   * objects are deterministic, so pushing the same snapshot from two machines agrees.
   *
   * Secrets are redacted by default: every object the remote lacks is scanned (text files, commit
   * and tag metadata) with the rules of {@link createSecretRedactor}. A snapshot whose tree or
   * history holds a secret is pushed as a copy: each secret replaced by `[REDACTED:<kind>]`, the
   * rest byte for byte, with no parent (so no earlier snapshot travels with it); its tag's `commit`
   * names the copy and `redacted.files` the files changed, and `redactions` in the result lists it.
   * Local snapshots are never changed. `redact: false` pushes the exact commits.
   *
   * The remote is a URL, `host:path` or a path, as for {@link SnapshotStore.restoreFromRemote}: a
   * relative path is resolved against the current working folder at the call; the store itself is
   * refused. Hooks of a remote on this machine do not run (its `receive-pack` runs as the caller).
   * @throws `TypeError` for a refused remote; `GitError` when git fails.
   */
  async push(remoteUrl: string, options: PushOptions = {}): Promise<PushResult> {
    if (typeof remoteUrl !== 'string' || remoteUrl === '')
      throw invalidArgument('push: `remoteUrl` must be a URL.');
    if (options.sessionId !== undefined) checkId(options.sessionId, 'sessionId', 'push');
    const cwd = process.cwd();
    return this.#locked(options.signal, (lock) =>
      pushLocked(this.#ctx, lock, remoteUrl, options.sessionId, options.signal, cwd, options.redact ?? true),
    );
  }

  /** Runs `fn` holding the store lock (every operation does, so they serialize across processes). */
  #locked<T>(signal: AbortSignal | undefined, fn: Parameters<typeof withStoreLock<T>>[2]): Promise<T> {
    return withStoreLock(this.#ctx.lockFile, signal, fn);
  }
}

function checkRef(ref: unknown, where: string): asserts ref is SnapshotRef {
  const r = ref as Partial<SnapshotRef> | undefined;
  checkId(r?.sessionId, 'sessionId', where);
  checkId(r?.messageId, 'messageId', where);
}

/**
 * Ids must be non-empty and well-formed Unicode: refs are named after the SHA-256 of the id's
 * UTF-8 bytes, and UTF-8 cannot hold an unpaired surrogate (it would become U+FFFD, so distinct
 * ids would share one ref).
 */
function checkId(value: unknown, name: string, where: string): asserts value is string {
  if (typeof value !== 'string' || value === '') {
    throw invalidArgument(`${where}: \`${name}\` must be a non-empty string.`);
  }
  if (/\p{Surrogate}/u.test(value)) {
    throw invalidArgument(
      `${where}: \`${name}\` holds an unpaired UTF-16 surrogate; ids must be well-formed Unicode.`,
    );
  }
}

function checkSize(value: number | undefined, name: string): number | undefined {
  if (value === undefined) return undefined;
  if (!Number.isSafeInteger(value) || value < 0)
    throw invalidArgument(`\`${name}\` must be a non-negative integer.`);
  return value;
}
