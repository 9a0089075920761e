import { mkdir, readFile, realpath, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import {
  GitError,
  RolloutIOError,
  SnapshotStoreNotFoundError,
  hasErrno,
  invalidArgument,
} from '../errors.js';
import { DIR_MODE, FILE_MODE, homePaths } from '../files/layout.js';
import { pathExists } from '../files/exists.js';
import { runGit } from '../files/git.js';
import type { GitResult, GitRunOptions } from '../files/git.js';
import { withStoreLock } from './lock.js';
import type { HeldLock } from './lock.js';
import { INDEX_HEAD_REF } from './refs.js';
import { resolveWorkspace, workspaceKey } from './workspace.js';
import type { Workspace } from './workspace.js';

/**
 * Opening a store: the shadow bare repository of one workspace, and the git runner bound to it.
 */

/**
 * Attributes with the highest precedence in the store (`info/attributes` beats every
 * `.gitattributes`): no end-of-line conversion, no clean/smudge filter (LFS included), no `ident`,
 * no re-encoding, so the bytes stored are the bytes on disk and the bytes restored are the bytes
 * stored.
 */
export const STORE_ATTRIBUTES = '* -text -eol -filter -ident -working-tree-encoding\n';

/** Everything an operation needs about one store. */
export interface StoreContext {
  home: string;
  workspace: Workspace;
  /** The bare repository folder. */
  gitDir: string;
  /** The persistent index: git's default index path of the store, so `prune` keeps its blobs. */
  indexFile: string;
  lockFile: string;
  /**
   * What no operation may capture, write or remove: the home and the home's own folders and files
   * (snapshots, sessions, archived sessions, writer locks, session index), by real path and as
   * given, wherever they lie inside the workspace. Workspace-relative, `/`-separated, UTF-8; a folder
   * ends with `/` (and covers itself), anything else is one file. Empty when none lies inside. Test
   * a path with `isExcludedPath` (path-filter.ts).
   */
  excludedPrefixes: string[];
  maxFileSize: number;
  /** The store's default `include` globs (empty: every path). */
  include: string[];
  /** The store's default `exclude` globs. */
  exclude: string[];
}

export async function openStoreContext(options: {
  workspace: string;
  home: string;
  maxFileSize: number;
  include?: string[];
  exclude?: string[];
  /** False: open an existing store only, creating nothing (a `SnapshotStoreNotFoundError` else). */
  create?: boolean;
  signal?: AbortSignal;
}): Promise<StoreContext> {
  const create = options.create ?? true;
  const workspace = await resolveWorkspace(options.workspace, options.signal);
  const snapshots = homePaths.snapshots(options.home);
  const key = workspaceKey(workspace.root);
  if (!create && !(await pathExists(path.join(snapshots, key, 'HEAD'), { followLinks: true }))) {
    throw new SnapshotStoreNotFoundError(workspace.root, path.join(snapshots, key));
  }
  await mkdirPrivate(snapshots);
  const realSnapshots = await realpath(snapshots);
  const excludedPrefixes = await homeInside(workspace.root, options.home);
  const gitDir = path.join(realSnapshots, key);
  if (create) await mkdirPrivate(gitDir);
  const ctx: StoreContext = {
    home: options.home,
    workspace,
    gitDir,
    indexFile: path.join(gitDir, 'index'),
    lockFile: path.join(gitDir, 'rollouts.lock'),
    excludedPrefixes,
    maxFileSize: options.maxFileSize,
    include: options.include ?? [],
    exclude: options.exclude ?? [],
  };
  // An existing store opened for reading is used as it is: nothing is written to it here.
  if (create)
    await withStoreLock(ctx.lockFile, options.signal, (lock) => initStore(ctx, lock, options.signal));
  return ctx;
}

/** The home's own folders (a workspace inside one of them is refused) and its files. */
const HOME_FOLDERS = [homePaths.snapshots, homePaths.sessions, homePaths.archived, homePaths.locks];
const HOME_FILES = [homePaths.sessionIndex, homePaths.archiveRemotes, homePaths.archiveRemotesLock];

/**
 * The workspace-relative prefixes of every part of the home inside the workspace, compared by real
 * path (a home or one of its folders reached through a symbolic link counts where it really is)
 * and by the path as given. Refuses a workspace that is the home, or lies inside one of its own
 * folders: nothing of it could be captured.
 */
async function homeInside(root: string, home: string): Promise<string[]> {
  const real = async (p: string): Promise<string | undefined> => {
    try {
      return await realpath(p);
    } catch {
      return undefined;
    }
  };
  const found = new Set<string>();
  const add = (p: string | undefined, folder: boolean): void => {
    if (p === undefined) return;
    const rel = path.relative(root, p);
    if (rel === '' && folder) {
      throw invalidArgument(
        `The workspace ${root} is the home or one of its folders; pick another workspace.`,
      );
    }
    if (rel === '' || rel.startsWith('..') || path.isAbsolute(rel)) return;
    found.add(`${rel.split(path.sep).join('/')}${folder ? '/' : ''}`);
  };
  const realHome = await real(home);
  for (const h of new Set([home, realHome])) {
    if (h === undefined) continue;
    add(h, true);
    for (const folder of HOME_FOLDERS) {
      const inHome = folder(h);
      const realFolder = await real(inHome);
      if (isWithin(inHome, root) || (realFolder !== undefined && isWithin(realFolder, root))) {
        throw invalidArgument(
          `The workspace ${root} lies inside the home folder ${inHome}; pick another workspace.`,
        );
      }
      add(inHome, true);
      add(realFolder, true);
    }
    for (const file of HOME_FILES) {
      add(file(h), false);
      add(await real(file(h)), false);
    }
  }
  // Only the outermost prefixes: one under another adds nothing.
  const all = [...found].sort();
  return all.filter((p) => !all.some((q) => q !== p && q.endsWith('/') && p.startsWith(q)));
}

function isWithin(parent: string, child: string): boolean {
  const rel = path.relative(parent, child);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

async function initStore(ctx: StoreContext, lock: HeldLock, signal: AbortSignal | undefined): Promise<void> {
  const marker = path.join(ctx.gitDir, 'rollouts-workspace.json');
  if (!(await pathExists(path.join(ctx.gitDir, 'HEAD'), { followLinks: true }))) {
    // An empty template: no sample hooks, nothing from a user's init.templateDir.
    await storeGit(
      ctx,
      lock,
      ['init', '--quiet', '--bare', '--template=', '--object-format=sha1', ctx.gitDir],
      {
        signal,
        noWorkTree: true,
      },
    );
    await writeFile(path.join(ctx.gitDir, 'HEAD'), `ref: ${INDEX_HEAD_REF}\n`, { mode: FILE_MODE });
  }
  await mkdirPrivate(path.join(ctx.gitDir, 'info'));
  await writeIfChanged(path.join(ctx.gitDir, 'info', 'attributes'), STORE_ATTRIBUTES);
  await writeIfChanged(
    marker,
    `${JSON.stringify({ workspace: ctx.workspace.root, kind: ctx.workspace.kind, common_dir: ctx.workspace.commonDir ?? null })}\n`,
  );
}

/** Options of a git call in a store. */
export interface StoreGitOptions extends Omit<
  GitRunOptions,
  'gitDir' | 'workTree' | 'indexFile' | 'inheritFds'
> {
  /** Run without the workspace as work tree (object and ref plumbing). */
  noWorkTree?: boolean;
  /** Use this index instead of the persistent one. */
  indexFile?: string;
  /** Work tree other than the workspace (restore into a new folder). */
  workTree?: string;
  /**
   * The call talks to a remote (push, ls-remote, fetch): it gets no descriptor beyond stdio. Every
   * other call inherits the store lock's descriptor (see lock.ts), which is what keeps the lock
   * held by a git child orphaned by a killed parent; a remote end must never see it (an `fd::`
   * transport, a helper or ssh could read or write it). Such a call only reads the store, so
   * running it without the lock held on its behalf leaves nothing for the next holder to clean.
   */
  remote?: boolean;
}

/**
 * Bound on the output of a store call: listings of the workspace (status, ls-files, diff names)
 * grow with it, and patches with the files changed.
 */
const STORE_MAX_OUTPUT = 256 * 1024 * 1024;

/**
 * Settings of every call on the persistent index (a call without them would undo them on its next
 * write of the index):
 *
 * - an untracked cache, so status re-reads only folders whose mtime changed;
 * - a split index: the entries live in a `sharedindex.<hash>` file written again only once a fifth
 *   of them changed, and each command rewrites (and checksums) just the small `index` file with
 *   the changed entries, instead of every entry of a large workspace, several times per capture.
 *   The shared index it replaces is removed at once: nothing else in the store uses one. A process
 *   killed right after that, before its new `index` is in place, leaves an index whose shared part
 *   is gone; the next capture then rebuilds it from nothing (see scan.ts).
 */
const PERSISTENT_INDEX_CONFIG = {
  'core.untrackedCache': 'true',
  'core.splitIndex': 'true',
  'splitIndex.sharedIndexExpire': 'now',
};

const STALE_LOCK = /Unable to create '([^']+\.lock)': File exists/;

/**
 * Runs git in the store while holding its lock. A git `*.lock` file found in the store can only be
 * left by a killed git process (see lock.ts), so it is removed and the command retried once.
 */
export async function storeGit(
  ctx: StoreContext,
  lock: HeldLock,
  args: readonly string[],
  options: StoreGitOptions & { binary: true },
): Promise<GitResult<Buffer>>;
export async function storeGit(
  ctx: StoreContext,
  lock: HeldLock,
  args: readonly string[],
  options?: StoreGitOptions,
): Promise<GitResult>;
export async function storeGit(
  ctx: StoreContext,
  lock: HeldLock,
  args: readonly string[],
  options: StoreGitOptions = {},
): Promise<GitResult | GitResult<Buffer>> {
  const { noWorkTree, workTree, indexFile, remote, ...rest } = options;
  const tree = noWorkTree ? undefined : (workTree ?? ctx.workspace.root);
  const persistent = tree === ctx.workspace.root && indexFile === undefined;
  const config = persistent ? { ...PERSISTENT_INDEX_CONFIG, ...rest.config } : rest.config;
  const run = (): Promise<GitResult | GitResult<Buffer>> =>
    runGit(args, {
      ...rest,
      // At the top of the work tree, so every path git prints or reads is workspace-relative.
      cwd: rest.cwd ?? tree ?? ctx.gitDir,
      gitDir: ctx.gitDir,
      workTree: tree,
      config,
      indexFile: indexFile ?? ctx.indexFile,
      maxOutput: rest.maxOutput ?? STORE_MAX_OUTPUT,
      inheritFds: remote ? undefined : [lock.fd],
    } as GitRunOptions);
  try {
    return await run();
  } catch (error) {
    const stale = error instanceof GitError ? STALE_LOCK.exec(error.stderr)?.[1] : undefined;
    if (stale === undefined || !isInside(ctx.gitDir, stale)) throw error;
    await rm(stale, { force: true });
    return run();
  }
}

function isInside(parent: string, child: string): boolean {
  const rel = path.relative(parent, path.resolve(parent, child));
  return rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel);
}

export async function mkdirPrivate(dir: string): Promise<void> {
  try {
    await mkdir(dir, { recursive: true, mode: DIR_MODE });
  } catch (cause) {
    throw new RolloutIOError('create the folder', dir, cause);
  }
}

/**
 * Replaces a small file when its content differs (atomically: a full disk leaves the old content,
 * and no temporary file). Returns whether it changed.
 */
export async function writeIfChanged(file: string, content: string): Promise<boolean> {
  let current: string | undefined;
  try {
    current = await readFile(file, 'utf8');
  } catch (error) {
    if (!hasErrno(error, 'ENOENT')) throw new RolloutIOError('read', file, error);
  }
  if (current === content) return false;
  const tmp = `${file}.rollouts-tmp`;
  try {
    await writeFile(tmp, content, { mode: FILE_MODE });
    await rename(tmp, file);
  } catch (cause) {
    await rm(tmp, { force: true });
    throw new RolloutIOError('write', file, cause);
  }
  return true;
}
