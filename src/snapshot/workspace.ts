import { lstat, realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import { GitError, RolloutIOError, hasErrno } from '../errors.js';
import { runGit } from '../files/git.js';
import {
  LINE_FILE_BUDGET,
  PACKED_REFS_BUDGET,
  TEXT_FILE_BUDGET,
  checkRegularFile,
  readRegularText,
} from './repo-files.js';
import { sha256Hex } from './refs.js';

/** A resolved workspace: what a store captures. */
export interface Workspace {
  /** Real path of the folder captured: the Git top level, or the plain folder itself. */
  root: string;
  /** `'git'` when the folder is inside a Git working tree. */
  kind: 'git' | 'plain';
  /** The worktree's own git folder (per-worktree for a linked worktree). */
  gitDir?: string;
  /** The repository folder shared by all worktrees (objects, refs, info/exclude). */
  commonDir?: string;
}

/**
 * Resolves a workspace from any path inside it. A path inside a Git working tree resolves to its
 * top level (a linked worktree to its own top level); anything else is a plain folder.
 *
 * Before git runs, the repository is found the way git finds it and the files git (and we) will
 * read there are checked: a FIFO, device or oversized file is an error naming it, never a wait.
 * The repository found is trusted for this call only (`safe.directory`, never written to any
 * config), so a repository owned by another user is still captured as the Git workspace it is.
 * Only "not a repository" makes a plain folder; any other git failure is an error. The top level
 * must be the folder holding `.git`: a `core.worktree` pointing elsewhere is refused, so the
 * folder captured and rewound is always the one the caller named.
 */
export async function resolveWorkspace(dir: string, signal?: AbortSignal): Promise<Workspace> {
  let real: string;
  try {
    real = await realpath(path.resolve(dir));
    if (!(await stat(real)).isDirectory())
      throw Object.assign(new Error('not a folder'), { code: 'ENOTDIR' });
  } catch (cause) {
    throw new RolloutIOError('open the workspace', dir, cause);
  }
  const found = await findRepository(real);
  if (found !== undefined) await checkRepositoryFiles(found);
  let out: string;
  try {
    out = (
      await runGit(
        ['rev-parse', '--path-format=absolute', '--show-toplevel', '--git-dir', '--git-common-dir'],
        {
          cwd: real,
          signal,
          // Trust the repository found for this call only: its owner may be another user.
          config: found === undefined ? undefined : { 'safe.directory': found.top ?? found.gitDir },
        },
      )
    ).stdout;
  } catch (error) {
    if (error instanceof GitError && error.exitCode === 128) {
      if (NOT_A_REPOSITORY.test(error.stderr)) return { root: real, kind: 'plain' };
      // Inside a .git folder or a bare repository: a plain folder.
      if (NOT_A_WORK_TREE.test(error.stderr) && found?.top === undefined)
        return { root: real, kind: 'plain' };
    }
    throw error;
  }
  const [top, gitDir, commonDir] = out.split('\n');
  if (!top || !gitDir || !commonDir) {
    throw new GitError(`git rev-parse gave no top level for ${real}`, { args: ['rev-parse'], stderr: out });
  }
  const root = await realpath(top);
  if (root !== found?.top) {
    throw new RolloutIOError(
      'capture the workspace',
      real,
      new Error(
        `git names ${root} as its work tree, not ${found?.top ?? 'a folder holding .git'}` +
          ` (core.worktree in ${path.join(gitDir, 'config')} points elsewhere?); ` +
          'only the folder that holds the repository is captured or rewound',
      ),
    );
  }
  return { root, kind: 'git', gitDir: await realpath(gitDir), commonDir: await realpath(commonDir) };
}

/** git's answer outside any repository (also when discovery stops at a file-system boundary). */
const NOT_A_REPOSITORY = /not a git repository \(or any (of the parent directories|parent up to mount point)/;
const NOT_A_WORK_TREE = /must be run in a work tree/;

/** A repository found from a folder: its git folder, and the folder holding `.git` (if any). */
interface FoundRepository {
  /** The folder holding `.git`; undefined when the git folder itself was found (bare, inside .git). */
  top: string | undefined;
  gitDir: string;
}

/**
 * Finds the repository a folder belongs to, as git's discovery does: at each level up, a `.git`
 * folder or `.git` file, else the folder itself when it is a git folder.
 */
async function findRepository(start: string): Promise<FoundRepository | undefined> {
  for (let dir = start; ;) {
    const dotGit = path.join(dir, '.git');
    const st = await lstatOrUndefined(dotGit);
    if (st !== undefined) {
      const target = st.isSymbolicLink() ? await statOrUndefined(dotGit) : st;
      if (target?.isDirectory()) {
        if (await looksLikeGitDir(dotGit)) return { top: dir, gitDir: dotGit };
      } else if (target !== undefined) {
        const text = await readRegularText(dotGit, LINE_FILE_BUDGET, 'the .git file');
        const pointer = /^gitdir: (.+)$/m.exec(text ?? '')?.[1]?.trim();
        if (pointer) return { top: dir, gitDir: path.resolve(dir, pointer) };
      }
    }
    if (await looksLikeGitDir(dir)) return { top: undefined, gitDir: dir };
    const parent = path.dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

/** A git folder: HEAD (of any type: it is checked next), objects/ and refs/ (or a commondir). */
async function looksLikeGitDir(dir: string): Promise<boolean> {
  const [head, objects, refs, common] = await Promise.all(
    ['HEAD', 'objects', 'refs', 'commondir'].map((n) => lstatOrUndefined(path.join(dir, n))),
  );
  return head !== undefined && ((objects !== undefined && refs !== undefined) || common !== undefined);
}

/**
 * The files git reads to find and open the repository, and those we read ourselves (HEAD and the
 * ref it names, packed-refs, info/exclude, the index): each absent or a regular file in budget.
 */
async function checkRepositoryFiles(found: FoundRepository): Promise<void> {
  const { gitDir } = found;
  const pointer = (await readRegularText(path.join(gitDir, 'commondir'), LINE_FILE_BUDGET))?.trim();
  const commonDir = pointer ? path.resolve(gitDir, pointer) : gitDir;
  const head = (await readRegularText(path.join(gitDir, 'HEAD'), LINE_FILE_BUDGET))?.trim();
  const checks: [string, number | undefined][] = [
    [path.join(gitDir, 'config.worktree'), TEXT_FILE_BUDGET],
    [path.join(gitDir, 'index'), undefined],
    [path.join(commonDir, 'config'), TEXT_FILE_BUDGET],
    [path.join(commonDir, 'packed-refs'), PACKED_REFS_BUDGET],
    [path.join(commonDir, 'info', 'exclude'), TEXT_FILE_BUDGET],
    [path.join(commonDir, 'objects', 'info', 'alternates'), TEXT_FILE_BUDGET],
  ];
  const ref = head?.startsWith('ref: ') ? head.slice(5).trim() : undefined;
  if (ref) {
    // Wherever the name leads (`refs/heads/../../…` included): that is the file that gets read.
    checks.push([path.join(commonDir, ref), LINE_FILE_BUDGET]);
    if (commonDir !== gitDir) checks.push([path.join(gitDir, ref), LINE_FILE_BUDGET]);
  }
  for (const [file, budget] of checks) await checkRegularFile(file, budget);
}

async function lstatOrUndefined(p: string) {
  try {
    return await lstat(p);
  } catch (error) {
    if (hasErrno(error, 'ENOENT', 'ENOTDIR')) return undefined;
    throw new RolloutIOError('inspect', p, error);
  }
}

async function statOrUndefined(p: string) {
  try {
    return await stat(p);
  } catch (error) {
    if (hasErrno(error, 'ENOENT', 'ENOTDIR', 'ELOOP')) return undefined;
    throw new RolloutIOError('inspect', p, error);
  }
}

/**
 * The store folder name of a workspace: a readable slug of its base name plus a hash of its real
 * path, so two folders with the same name never share a store and renaming the key is never needed.
 */
export function workspaceKey(root: string): string {
  const slug = path
    .basename(root)
    .replace(/[^A-Za-z0-9._-]+/g, '-')
    .replace(/^[-.]+/, '')
    .slice(0, 40);
  return `${slug || 'root'}-${sha256Hex(root).slice(0, 20)}`;
}
