import { execa } from 'execa';
import { ArchiveRemoteError } from '../errors.js';
import type { RemoteDefaults } from './archive-remotes.js';
import { checkRemote } from './push.js';
import { sha256Hex } from './refs.js';
import { workspaceKey } from './workspace.js';

/**
 * Creating an archive repository on GitHub with the GitHub CLI: `gh auth status`, then
 * `gh repo create <owner>/<name> --<visibility>`, then `gh repo view --json` for its SSH URL (git
 * runs without credential helpers, so an ssh remote is the one that pushes with the user's own
 * keys). `gh` runs through execa with an argument array, never a shell, and every argument is
 * built from checked parts: the owner and prefix (checked when stored) and the store key's slug.
 */

/** Bound on each `gh` call: creating a repository is one API request. */
const GH_TIMEOUT = 120_000;

/**
 * The repository name for a workspace: `<prefix><workspace-slug>-<id prefix>`, the slug and id of
 * its store key (the id prefix is the first 8 hex digits of the SHA-256 of its real path).
 */
export function archiveRepoName(root: string, prefix: string): string {
  const key = workspaceKey(root);
  const slug = key.slice(0, key.lastIndexOf('-'));
  return `${prefix}${slug}-${sha256Hex(root).slice(0, 8)}`.slice(0, 100);
}

interface GhRun {
  exitCode: number | undefined;
  stdout: string;
  stderr: string;
}

async function gh(
  args: string[],
  env: Record<string, string | undefined>,
  signal: AbortSignal | undefined,
  where: string,
): Promise<GhRun> {
  try {
    const r = await execa('gh', args, {
      env,
      extendEnv: false,
      reject: false,
      stdin: 'ignore',
      timeout: GH_TIMEOUT,
      cancelSignal: signal,
      maxBuffer: 4 * 1024 * 1024,
      encoding: 'utf8',
    });
    if (r.isCanceled) throw signal?.reason ?? new Error('aborted');
    if ((r as { code?: string }).code === 'ENOENT')
      throw new ArchiveRemoteError(
        'gh-missing',
        where,
        'The GitHub CLI `gh` is not on the PATH; install it and log in (gh auth login) to create archive repositories.',
      );
    if (r.exitCode === undefined)
      throw new ArchiveRemoteError('gh-failed', where, `Could not run gh: ${r.shortMessage}`, {
        cause: r.cause,
      });
    return { exitCode: r.exitCode, stdout: r.stdout, stderr: r.stderr };
  } catch (error) {
    if (error instanceof ArchiveRemoteError || signal?.aborted) throw error;
    throw new ArchiveRemoteError('gh-failed', where, `Could not run gh: ${(error as Error).message}`, {
      cause: error,
    });
  }
}

/**
 * Creates the archive repository of a workspace on GitHub (or finds it, when a repository of that
 * name exists already: the name is derived from the workspace, so it is the archive made before)
 * and returns its URL for git.
 */
export async function createGithubArchive(
  root: string,
  defaults: RemoteDefaults,
  env: Record<string, string | undefined>,
  signal: AbortSignal | undefined,
): Promise<{ url: string; name: string; existed: boolean }> {
  const auth = await gh(['auth', 'status'], env, signal, root);
  if (auth.exitCode !== 0)
    throw new ArchiveRemoteError(
      'gh-logged-out',
      root,
      'gh is not logged in to GitHub (gh auth status failed); run gh auth login first.',
      { stderr: auth.stderr },
    );
  const name = `${defaults.owner}/${archiveRepoName(root, defaults.prefix)}`;
  const created = await gh(
    ['repo', 'create', name, `--${defaults.visibility}`, '--description', 'agent-rollouts snapshot archive'],
    env,
    signal,
    root,
  );
  const view = await gh(['repo', 'view', name, '--json', 'sshUrl,url'], env, signal, root);
  if (view.exitCode !== 0) {
    const failed = created.exitCode !== 0 ? created : view;
    throw new ArchiveRemoteError(
      'gh-failed',
      root,
      `gh could not create the repository ${name}: ${failed.stderr.trim().split('\n')[0] ?? ''}`,
      { stderr: failed.stderr },
    );
  }
  let url: unknown;
  try {
    const info = JSON.parse(view.stdout) as { sshUrl?: unknown; url?: unknown };
    url = typeof info.sshUrl === 'string' && info.sshUrl !== '' ? info.sshUrl : info.url;
  } catch {
    url = undefined;
  }
  if (typeof url !== 'string' || url === '')
    throw new ArchiveRemoteError('gh-failed', root, `gh repo view ${name} printed no repository URL.`, {
      stderr: view.stderr,
    });
  try {
    url = checkRemote(url, '/', 'gh repo view').url;
  } catch (error) {
    throw new ArchiveRemoteError(
      'gh-failed',
      root,
      `gh gave a refused URL for ${name}: ${(error as Error).message}`,
      {
        cause: error,
      },
    );
  }
  return { url: url as string, name, existed: created.exitCode !== 0 };
}
