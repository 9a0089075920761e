import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { mkdir, open, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { ArchiveRemoteError, RolloutIOError, hasErrno, invalidArgument, isRolloutError } from '../errors.js';
import {
  EMPTY_ARCHIVE_REMOTES,
  OWNER_RE,
  PREFIX_RE,
  VISIBILITIES,
  parseArchiveRemotes,
} from '../format/archive-remotes.js';
import type { DiskArchiveRemote, DiskArchiveRemotes } from '../format/archive-remotes.js';
import { DIR_MODE, FILE_MODE, homePaths, resolveHome } from '../files/layout.js';
import { withStoreLock } from './lock.js';
import { checkRemote } from './push.js';
import { resolveWorkspace, workspaceKey } from './workspace.js';

/**
 * The archive remote of each workspace and the defaults for creating one, in
 * `<home>/archive_remotes.json` (ours alone: written whole through a temp file and a rename, 0600,
 * under a kernel lock; read without following a link or blocking, bounded, and checked field by
 * field, a stored URL by the same rules as a URL given to `push`).
 */

/**
 * One workspace's archive remote.
 * @public
 */
export interface ArchiveRemote {
  /** The workspace (its real path when the remote was set). */
  workspace: string;
  /** The workspace's store key: the folder name of its store in `<home>/snapshots/`. */
  key: string;
  /** The remote: a URL, `host:path`, or an absolute path. */
  url: string;
  /** When it was set. */
  setAt: Date;
  /** True when `push --create-remote` (or {@link pushArchives} with `createRemote`) created the repository. */
  created: boolean;
}

/**
 * Visibility of an archive repository created on GitHub.
 * @public
 */
export type ArchiveVisibility = 'private' | 'public' | 'internal';

/**
 * The defaults for creating archive repositories (`rollouts remote defaults set`).
 * @public
 */
export interface RemoteDefaults {
  /** The GitHub user or organization that owns created repositories. */
  owner: string;
  /**
   * Prefix of created repository names (`<prefix><workspace-slug>-<id prefix>`).
   * @defaultValue `''`
   */
  prefix: string;
  /**
   * Visibility of created repositories.
   * @defaultValue `'private'`
   */
  visibility: ArchiveVisibility;
}

/**
 * Options of the archive-remote functions.
 * @public
 */
export interface ArchiveRemoteOptions {
  /**
   * The home holding the remotes file.
   * @defaultValue `$CODEX_HOME`, else `~/.codex`
   */
  home?: string;
  /** Stops the operation (before it writes). */
  signal?: AbortSignal;
}

/** The file is small; anything larger was not written by us. */
const MAX_FILE_BYTES = 4 * 1024 * 1024;

/** Reads and checks the remotes file; an empty content when there is none. */
export async function readRemotesFile(home: string): Promise<DiskArchiveRemotes> {
  const file = homePaths.archiveRemotes(home);
  const bad = (problem: string, cause?: unknown): ArchiveRemoteError =>
    new ArchiveRemoteError(
      'bad-file',
      file,
      `The archive remotes file ${file} cannot be used: ${problem}. Fix or remove it.`,
      { cause },
    );
  let text: string;
  try {
    const fh = await open(file, constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOFOLLOW);
    try {
      const st = await fh.stat();
      if (!st.isFile()) throw bad('it is not a regular file');
      if (st.size > MAX_FILE_BYTES) throw bad(`it is larger than ${MAX_FILE_BYTES} bytes`);
      const buf = Buffer.alloc(Math.min(st.size + 1, MAX_FILE_BYTES + 1));
      let n = 0;
      for (;;) {
        const { bytesRead } = await fh.read(buf, n, buf.length - n, null);
        if (bytesRead === 0) break;
        n += bytesRead;
        if (n > MAX_FILE_BYTES) throw bad(`it is larger than ${MAX_FILE_BYTES} bytes`);
      }
      text = buf.subarray(0, n).toString('utf8');
    } finally {
      await fh.close();
    }
  } catch (error) {
    if (isRolloutError(error)) throw error;
    if (hasErrno(error, 'ENOENT')) return structuredClone(EMPTY_ARCHIVE_REMOTES);
    if (hasErrno(error, 'ELOOP', 'EMLINK')) throw bad('it is a symbolic link', error);
    throw new RolloutIOError('read', file, error);
  }
  const parsed = parseArchiveRemotes(text);
  if (!parsed.ok) throw bad(parsed.problem);
  for (const [i, w] of parsed.value.workspaces.entries()) {
    let canonical: string;
    try {
      canonical = checkRemote(w.url, '/', 'archive remotes').url;
    } catch (error) {
      throw bad(`"workspaces[${i}].url" is refused (${(error as Error).message})`, error);
    }
    if (canonical !== w.url) throw bad(`"workspaces[${i}].url" is a relative path`);
    if (workspaceKey(w.root) !== w.key) throw bad(`"workspaces[${i}].key" is not the key of its root`);
  }
  return parsed.value;
}

/** Writes the file whole: a new 0600 file beside it (never through a link), then a rename. */
async function writeRemotesFile(home: string, content: DiskArchiveRemotes): Promise<void> {
  const file = homePaths.archiveRemotes(home);
  const tmp = path.join(home, `.archive_remotes.${randomBytes(6).toString('hex')}.tmp`);
  try {
    const fh = await open(
      tmp,
      constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW,
      FILE_MODE,
    );
    try {
      await fh.writeFile(`${JSON.stringify(content, null, 2)}\n`);
      await fh.sync();
    } finally {
      await fh.close();
    }
    await rename(tmp, file);
  } catch (error) {
    await rm(tmp, { force: true }).catch(() => undefined);
    throw new RolloutIOError('write', file, error);
  }
}

/**
 * Runs `fn` on the file's content under its lock; writes what it returns (`undefined`: nothing
 * changed, nothing written).
 */
async function updateRemotesFile<T>(
  home: string,
  signal: AbortSignal | undefined,
  fn: (content: DiskArchiveRemotes) => { write?: DiskArchiveRemotes; result: T },
): Promise<T> {
  try {
    await mkdir(home, { recursive: true, mode: DIR_MODE });
  } catch (cause) {
    throw new RolloutIOError('create the home', home, cause);
  }
  return withStoreLock(homePaths.archiveRemotesLock(home), signal, async () => {
    const { write, result } = fn(await readRemotesFile(home));
    signal?.throwIfAborted();
    if (write !== undefined) await writeRemotesFile(home, write);
    return result;
  });
}

const toPublic = (w: DiskArchiveRemote): ArchiveRemote => ({
  workspace: w.root,
  key: w.key,
  url: w.url,
  setAt: new Date(w.set_at),
  created: w.created,
});

function checkWorkspaceArg(workspace: unknown, where: string): string {
  if (typeof workspace !== 'string' || workspace === '' || workspace.includes('\0'))
    throw invalidArgument(`${where}: \`workspace\` must be a folder path.`);
  return workspace;
}

/**
 * The workspace root a remote is stored under: as a store resolves it (the Git top level, or the
 * folder), or, for a folder that is gone, the path as given (so its remote can still be read or
 * cleared).
 */
async function workspaceRoot(workspace: string, mustExist: boolean, signal?: AbortSignal): Promise<string> {
  try {
    return (await resolveWorkspace(workspace, signal)).root;
  } catch (error) {
    if (!mustExist && error instanceof RolloutIOError && hasErrno(error.cause, 'ENOENT', 'ENOTDIR'))
      return path.resolve(workspace);
    throw error;
  }
}

/**
 * The archive remote stored for a workspace, if any.
 *
 * @remarks
 * The workspace is resolved as a snapshot store resolves it (any folder inside a Git working tree
 * names its top level). The file is checked as a whole on every read.
 * @throws `ArchiveRemoteError` (`bad-file`) when the remotes file cannot be used.
 * @public
 */
export async function getArchiveRemote(
  workspace: string,
  options: ArchiveRemoteOptions = {},
): Promise<ArchiveRemote | undefined> {
  checkWorkspaceArg(workspace, 'getArchiveRemote');
  const home = resolveHome(options.home);
  const key = workspaceKey(await workspaceRoot(workspace, false, options.signal));
  const found = (await readRemotesFile(home)).workspaces.find((w) => w.key === key);
  return found && toPublic(found);
}

/**
 * Every stored archive remote, in the order they were set.
 * @throws `ArchiveRemoteError` (`bad-file`) when the remotes file cannot be used.
 * @public
 */
export async function listArchiveRemotes(options: ArchiveRemoteOptions = {}): Promise<ArchiveRemote[]> {
  return (await readRemotesFile(resolveHome(options.home))).workspaces.map(toPublic);
}

/** Stores `url` as the workspace's remote (the root already resolved). */
export async function storeArchiveRemote(
  home: string,
  root: string,
  url: string,
  created: boolean,
  signal: AbortSignal | undefined,
): Promise<ArchiveRemote> {
  const key = workspaceKey(root);
  const entry: DiskArchiveRemote = { key, root, url, set_at: new Date().toISOString(), created };
  return updateRemotesFile(home, signal, (content) => ({
    write: { ...content, workspaces: [...content.workspaces.filter((w) => w.key !== key), entry] },
    result: toPublic(entry),
  }));
}

/**
 * Stores the archive remote of a workspace (replacing any), for `push` to use when no remote is
 * given.
 *
 * @remarks
 * The URL is checked as `push` checks a remote: `<transport>::` forms (`ext::`, `fd::`) and URL
 * schemes git would hand to a helper program are refused; a relative path is resolved against the
 * current working folder and stored absolute. The workspace must exist; it needs no snapshots yet.
 * @throws `TypeError` for a refused URL; `ArchiveRemoteError` (`bad-file`) when the remotes file
 * cannot be used; `RolloutIOError` when the workspace is not a folder.
 * @public
 */
export async function setArchiveRemote(
  workspace: string,
  url: string,
  options: ArchiveRemoteOptions = {},
): Promise<ArchiveRemote> {
  checkWorkspaceArg(workspace, 'setArchiveRemote');
  const checked = checkRemote(url, process.cwd(), 'setArchiveRemote');
  const home = resolveHome(options.home);
  const root = await workspaceRoot(workspace, true, options.signal);
  return storeArchiveRemote(home, root, checked.url, false, options.signal);
}

/**
 * Forgets the archive remote of one workspace. Snapshots, stores and defaults are left alone.
 * @returns true when one was stored.
 * @public
 */
export async function clearArchiveRemote(
  workspace: string,
  options: ArchiveRemoteOptions = {},
): Promise<boolean> {
  checkWorkspaceArg(workspace, 'clearArchiveRemote');
  const home = resolveHome(options.home);
  const given = path.resolve(workspace);
  const keys = new Set([
    workspaceKey(await workspaceRoot(workspace, false, options.signal)),
    workspaceKey(given),
  ]);
  return updateRemotesFile(home, options.signal, (content) => {
    const kept = content.workspaces.filter((w) => !keys.has(w.key));
    if (kept.length === content.workspaces.length) return { result: false };
    return { write: { ...content, workspaces: kept }, result: true };
  });
}

/**
 * Forgets every stored archive remote (`rollouts remote clear --all`). Snapshots, stores and the
 * defaults are left alone.
 * @returns the remotes forgotten.
 * @throws `ArchiveRemoteError` (`bad-file`) when the remotes file cannot be used (it is left as it
 * is: it may be a hand edit worth fixing).
 * @public
 */
export async function clearArchiveRemotes(options: ArchiveRemoteOptions = {}): Promise<ArchiveRemote[]> {
  return updateRemotesFile(resolveHome(options.home), options.signal, (content) => ({
    write: content.workspaces.length === 0 ? undefined : { ...content, workspaces: [] },
    result: content.workspaces.map(toPublic),
  }));
}

/**
 * The defaults for creating archive repositories, if set.
 * @throws `ArchiveRemoteError` (`bad-file`) when the remotes file cannot be used.
 * @public
 */
export async function getRemoteDefaults(
  options: ArchiveRemoteOptions = {},
): Promise<RemoteDefaults | undefined> {
  return (await readRemotesFile(resolveHome(options.home))).defaults ?? undefined;
}

/**
 * Sets the defaults for creating archive repositories (`push --create-remote`). Creates nothing.
 *
 * @remarks
 * `owner` must be a GitHub user or organization name; `prefix` (default empty) may hold letters,
 * digits, `.`, `_` and `-` and must not start with `-` or `.`; `visibility` defaults to `private`.
 * @throws `TypeError` for a value of the wrong form.
 * @public
 */
export async function setRemoteDefaults(
  defaults: { owner: string; prefix?: string; visibility?: ArchiveVisibility },
  options: ArchiveRemoteOptions = {},
): Promise<RemoteDefaults> {
  const owner = defaults?.owner;
  if (typeof owner !== 'string' || !OWNER_RE.test(owner))
    throw invalidArgument(
      `setRemoteDefaults: \`owner\` ${JSON.stringify(owner)} is not a GitHub owner name.`,
    );
  const prefix = defaults.prefix ?? '';
  if (typeof prefix !== 'string' || !PREFIX_RE.test(prefix))
    throw invalidArgument(
      `setRemoteDefaults: \`prefix\` ${JSON.stringify(prefix)} may hold only letters, digits, ".", "_" and "-", ` +
        'not first "-" or ".", up to 60 characters.',
    );
  const visibility = defaults.visibility ?? 'private';
  if (!VISIBILITIES.includes(visibility))
    throw invalidArgument(
      `setRemoteDefaults: \`visibility\` ${JSON.stringify(visibility)} is not private, public or internal.`,
    );
  const value: RemoteDefaults = { owner, prefix, visibility };
  return updateRemotesFile(resolveHome(options.home), options.signal, (content) => ({
    write: { ...content, defaults: value },
    result: value,
  }));
}
