import { constants } from 'node:fs';
import { lstat, open, readdir, realpath } from 'node:fs/promises';
import path from 'node:path';
import {
  ArchiveRemoteError,
  RolloutIOError,
  hasErrno,
  invalidArgument,
  isInvalidArgument,
  isRolloutError,
} from '../errors.js';
import { homePaths, resolveHome } from '../files/layout.js';
import { getRemoteDefaults, readRemotesFile, storeArchiveRemote } from './archive-remotes.js';
import type { ArchiveRemote } from './archive-remotes.js';
import { createGithubArchive } from './github-repo.js';
import { withStoreLock } from './lock.js';
import { pushLocked } from './push.js';
import { plumbingContext } from './session-stores.js';
import type { RedactedSnapshot } from './types.js';
import { resolveWorkspace, workspaceKey } from './workspace.js';

/**
 * Pushing to the stored archive remotes: one workspace (its stored remote, or one created with
 * `gh`), or every workspace that has one. Each store is pushed under its own lock, as
 * `SnapshotStore.push` does; with `all`, one workspace failing does not stop the others.
 */

/**
 * Options of {@link pushArchives}.
 * @public
 */
export interface PushArchivesOptions {
  /**
   * The home holding the stores and the remotes file.
   * @defaultValue `$CODEX_HOME`, else `~/.codex`
   */
  home?: string;
  /**
   * The workspace to push (any folder inside it). Exactly one of `workspace` and `all`.
   */
  workspace?: string;
  /** Push every workspace with a stored remote (and, with `createRemote`, every store in the home). */
  all?: boolean;
  /**
   * Push to this remote instead of the stored one (nothing is stored). Not with `all` or
   * `createRemote`.
   */
  remote?: string;
  /**
   * Create a GitHub repository (`gh repo create`, with the defaults of {@link setRemoteDefaults})
   * for a workspace in scope that has no stored remote, and store it.
   * @defaultValue false
   */
  createRemote?: boolean;
  /** Only this session's snapshots. Not with `all`. */
  sessionId?: string;
  /**
   * Push a redacted copy of each snapshot whose tree, metadata or history holds a secret (see
   * {@link SnapshotStore.push}); `false` pushes the exact commits.
   * @defaultValue true
   */
  redact?: boolean;
  /**
   * The environment `gh` runs with (its PATH, config and token).
   * @defaultValue `process.env`
   */
  env?: Record<string, string | undefined>;
  /** Stops the push (between git and gh calls). */
  signal?: AbortSignal;
}

/**
 * What {@link pushArchives} did for one workspace.
 * @public
 */
export interface ArchivePushResult {
  /** The workspace (its real path, or the path its store records). */
  workspace: string;
  /** The remote pushed to; undefined when there was none to use. */
  url: string | undefined;
  /** True when the remote was created (and stored) by this call. */
  created: boolean;
  /** True when the workspace has no snapshot store (nothing to push). */
  noStore: boolean;
  /** Tags created on the remote. */
  pushed: string[];
  /** Tags that were on the remote already. */
  skipped: string[];
  /** Snapshots the remote holds as redacted copies (see {@link PushResult.redactions}). */
  redactions: RedactedSnapshot[];
  /** Why this workspace failed (only with `all`; a single workspace's failure is thrown). */
  error?: Error;
}

function normalize(options: PushArchivesOptions): PushArchivesOptions & { home: string } {
  if (typeof options !== 'object' || options === null)
    throw invalidArgument('pushArchives: options must be an object.');
  const { all, workspace, remote, createRemote, sessionId } = options;
  if (all === true && workspace !== undefined)
    throw invalidArgument('pushArchives: `all` and `workspace` cannot be combined.');
  if (all !== true && (typeof workspace !== 'string' || workspace === ''))
    throw invalidArgument('pushArchives: give `workspace` (a folder path) or `all: true`.');
  if (all === true && remote !== undefined)
    throw invalidArgument(
      'pushArchives: `all` and `remote` cannot be combined (each workspace has its own).',
    );
  if (all === true && sessionId !== undefined)
    throw invalidArgument('pushArchives: `all` and `sessionId` cannot be combined.');
  if (remote !== undefined && createRemote === true)
    throw invalidArgument('pushArchives: `remote` and `createRemote` cannot be combined.');
  if (options.redact !== undefined && typeof options.redact !== 'boolean')
    throw invalidArgument('pushArchives: `redact` must be a boolean.');
  if (sessionId !== undefined && (typeof sessionId !== 'string' || sessionId === ''))
    throw invalidArgument('pushArchives: `sessionId` must be a non-empty string.');
  return { ...options, home: resolveHome(options.home) };
}

/**
 * Pushes snapshots to archive remotes: a workspace's stored remote when no `remote` is given, or
 * every workspace with a stored remote (`all`).
 *
 * @remarks
 * Tags already on a remote are skipped, as {@link SnapshotStore.push} does. With `createRemote`, a
 * workspace in scope without a stored remote gets a GitHub repository named
 * `<prefix><workspace-slug>-<id prefix>` (owner, prefix and visibility from
 * {@link setRemoteDefaults}), created with `gh repo create` once `gh auth status` says a user is
 * logged in, and its SSH URL is stored before the push; with `all`, the scope is then every store
 * in the home. A workspace without a store pushes nothing and creates nothing. With `all`, the
 * stores are pushed by their folders, so a workspace that was moved or deleted still pushes.
 * @throws with a single workspace: `ArchiveRemoteError` (`no-remote`, `no-defaults`, `gh-*`,
 * `bad-file`), `GitError`, `TypeError` for a refused remote. With `all`, only a remotes file that
 * cannot be used throws; each workspace's failure is its result's `error`.
 * @public
 */
export async function pushArchives(options: PushArchivesOptions): Promise<ArchivePushResult[]> {
  const o = normalize(options);
  const env = o.env ?? process.env;
  if (o.all !== true) return [await pushOne(o, env)];
  const file = await readRemotesFile(o.home);
  const scope = new Map<string, { root: string; remote?: ArchiveRemote }>();
  for (const w of file.workspaces)
    scope.set(w.key, {
      root: w.root,
      remote: { workspace: w.root, key: w.key, url: w.url, setAt: new Date(w.set_at), created: w.created },
    });
  if (o.createRemote === true)
    for (const s of await homeStores(o.home, o.signal))
      if (!scope.has(s.key)) scope.set(s.key, { root: s.root });
  const results: ArchivePushResult[] = [];
  for (const [key, entry] of [...scope].sort((a, b) => (a[1].root < b[1].root ? -1 : 1))) {
    o.signal?.throwIfAborted();
    const result: ArchivePushResult = {
      workspace: entry.root,
      url: entry.remote?.url,
      created: false,
      noStore: false,
      pushed: [],
      skipped: [],
      redactions: [],
    };
    results.push(result);
    try {
      const gitDir = await storeDir(o.home, key);
      if (gitDir === undefined) {
        result.noStore = true;
        continue;
      }
      if (result.url === undefined) {
        result.url = (await createAndStore(o.home, entry.root, env, o.signal)).url;
        result.created = true;
      }
      const ctx = plumbingContext(gitDir, o.home);
      const r = await withStoreLock(ctx.lockFile, o.signal, (lock) =>
        pushLocked(ctx, lock, result.url!, undefined, o.signal, process.cwd(), o.redact ?? true),
      );
      result.pushed = r.pushed;
      result.skipped = r.skipped;
      result.redactions = r.redactions;
    } catch (error) {
      if (o.signal?.aborted) throw error;
      if (!isRolloutError(error) && !isInvalidArgument(error)) throw error;
      result.error = error;
    }
  }
  return results;
}

async function pushOne(
  o: PushArchivesOptions & { home: string },
  env: Record<string, string | undefined>,
): Promise<ArchivePushResult> {
  const root = (await resolveWorkspace(o.workspace!, o.signal)).root;
  const key = workspaceKey(root);
  const result: ArchivePushResult = {
    workspace: root,
    url: o.remote,
    created: false,
    noStore: false,
    pushed: [],
    skipped: [],
    redactions: [],
  };
  if (result.url === undefined)
    result.url = (await readRemotesFile(o.home)).workspaces.find((w) => w.key === key)?.url;
  const gitDir = await storeDir(o.home, key);
  if (gitDir === undefined) {
    if (result.url === undefined && o.createRemote !== true) throw noRemote(root);
    result.noStore = true;
    return result;
  }
  if (result.url === undefined) {
    if (o.createRemote !== true) throw noRemote(root);
    result.url = (await createAndStore(o.home, root, env, o.signal)).url;
    result.created = true;
  }
  const ctx = plumbingContext(gitDir, o.home);
  const r = await withStoreLock(ctx.lockFile, o.signal, (lock) =>
    pushLocked(ctx, lock, result.url!, o.sessionId, o.signal, process.cwd(), o.redact ?? true),
  );
  result.pushed = r.pushed;
  result.skipped = r.skipped;
  result.redactions = r.redactions;
  return result;
}

const noRemote = (root: string): ArchiveRemoteError =>
  new ArchiveRemoteError(
    'no-remote',
    root,
    `The workspace ${root} has no archive remote: set one (rollouts remote set --url URL), give --remote, or pass --create-remote.`,
  );

/** Creates the workspace's GitHub archive and stores it. */
export async function createAndStore(
  home: string,
  root: string,
  env: Record<string, string | undefined>,
  signal: AbortSignal | undefined,
): Promise<ArchiveRemote> {
  const defaults = await getRemoteDefaults({ home });
  if (defaults === undefined)
    throw new ArchiveRemoteError(
      'no-defaults',
      root,
      'Creating an archive repository needs an owner: run rollouts remote defaults set --owner OWNER first.',
    );
  const { url } = await createGithubArchive(root, defaults, env, signal);
  return storeArchiveRemote(home, root, url, true, signal);
}

/** The store folder of a key, when it is a real bare repository directly in `<home>/snapshots/`. */
async function storeDir(home: string, key: string): Promise<string | undefined> {
  let root: string;
  try {
    root = await realpath(homePaths.snapshots(home));
  } catch (cause) {
    if (hasErrno(cause, 'ENOENT', 'ENOTDIR')) return undefined;
    throw new RolloutIOError('open', homePaths.snapshots(home), cause);
  }
  const dir = path.join(root, key);
  try {
    if ((await lstat(dir)).isDirectory() && (await lstat(path.join(dir, 'HEAD'))).isFile()) return dir;
  } catch (cause) {
    if (!hasErrno(cause, 'ENOENT', 'ENOTDIR')) throw new RolloutIOError('check', dir, cause);
  }
  return undefined;
}

/**
 * Every store in the home with the workspace its marker names (a marker that is not ours, or
 * whose path does not give the store's key, is passed over).
 */
async function homeStores(
  home: string,
  signal: AbortSignal | undefined,
): Promise<{ key: string; root: string }[]> {
  let root: string;
  try {
    root = await realpath(homePaths.snapshots(home));
  } catch (cause) {
    if (hasErrno(cause, 'ENOENT', 'ENOTDIR')) return [];
    throw new RolloutIOError('open', homePaths.snapshots(home), cause);
  }
  const out: { key: string; root: string }[] = [];
  for (const e of await readdir(root, { withFileTypes: true })) {
    signal?.throwIfAborted();
    if (!e.isDirectory()) continue;
    const marker = await readMarker(path.join(root, e.name, 'rollouts-workspace.json'));
    if (marker !== undefined && workspaceKey(marker) === e.name) out.push({ key: e.name, root: marker });
  }
  return out;
}

async function readMarker(file: string): Promise<string | undefined> {
  try {
    const fh = await open(file, constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOFOLLOW);
    try {
      if (!(await fh.stat()).isFile()) return undefined;
      const buf = Buffer.alloc(65536);
      const { bytesRead } = await fh.read(buf, 0, buf.length, 0);
      const value = (JSON.parse(buf.subarray(0, bytesRead).toString('utf8')) as { workspace?: unknown })
        .workspace;
      return typeof value === 'string' && value.startsWith('/') && !value.includes('\0') ? value : undefined;
    } finally {
      await fh.close();
    }
  } catch {
    return undefined;
  }
}
