import type { OnDiskGitInfo } from '../format/types.js';

/** Options of {@link collectGitInfo}. */
export interface CollectGitInfoOptions {
  /** Bound on every git call, in milliseconds. */
  timeoutMs: number;
  /** Stops the calls. */
  signal?: AbortSignal;
}

/**
 * Git facts about `cwd`: HEAD commit, branch (absent when HEAD is detached) and `origin` URL.
 *
 * @remarks
 * The three git calls run at once and each is stopped at `timeoutMs`, so a hung git delays a new
 * session by that bound at most. A fact that git does not give in time, or at all, is left out;
 * outside a repository the result is `undefined`. Never throws.
 */
export async function collectGitInfo(
  cwd: string,
  options: CollectGitInfoOptions,
): Promise<OnDiskGitInfo | undefined> {
  // Loaded on first use, so a recorder created with `git: false` never loads the process runner.
  const { runGit } = await import('../files/git.js');
  const run = (args: string[], okExitCodes = [0]): Promise<string | undefined> =>
    runGit(args, { cwd, timeout: options.timeoutMs, signal: options.signal, okExitCodes }).then(
      (r) => (r.exitCode === 0 ? r.stdout.trim() : ''),
      () => undefined,
    );
  // `undefined` means the call failed (not a repository, timeout); '' means git answered "none".
  const [commit, branch, url] = await Promise.all([
    run(['rev-parse', '--verify', '-q', 'HEAD'], [0, 1]),
    run(['symbolic-ref', '--short', '-q', 'HEAD'], [0, 1]),
    run(['config', '--get', 'remote.origin.url'], [0, 1]),
  ]);
  // `config --get` answers outside a repository too, so only the other two tell whether we are in one.
  if (commit === undefined && branch === undefined) return undefined;
  const info: OnDiskGitInfo = {};
  if (commit) info.commit_hash = commit;
  if (branch) info.branch = branch;
  if (url) info.repository_url = url;
  return info;
}
