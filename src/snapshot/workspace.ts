import { realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import { GitError, RolloutIOError } from '../errors.js';
import { runGit } from '../files/git.js';
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
  let out: string;
  try {
    out = (
      await runGit(
        ['rev-parse', '--path-format=absolute', '--show-toplevel', '--git-dir', '--git-common-dir'],
        {
          cwd: real,
          signal,
        },
      )
    ).stdout;
  } catch (error) {
    // Outside a repository, or inside a .git folder or bare repository: a plain folder.
    if (error instanceof GitError && error.exitCode === 128) return { root: real, kind: 'plain' };
    throw error;
  }
  const [top, gitDir, commonDir] = out.split('\n');
  if (!top || !gitDir || !commonDir) return { root: real, kind: 'plain' };
  return {
    root: await realpath(top),
    kind: 'git',
    gitDir: await realpath(gitDir),
    commonDir: await realpath(commonDir),
  };
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
