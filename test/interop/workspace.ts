import { execFileSync } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';

/** A temporary Git workspace with one commit, a branch and an `origin`, as a session's cwd. */
export interface Workspace {
  dir: string;
  commit: string;
  branch: string;
  originUrl: string;
}

function git(dir: string, ...args: string[]): string {
  return execFileSync('git', args, {
    cwd: dir,
    encoding: 'utf8',
    env: {
      ...process.env,
      GIT_CONFIG_NOSYSTEM: '1',
      GIT_CONFIG_GLOBAL: '/dev/null',
      GIT_AUTHOR_NAME: 'Interop',
      GIT_AUTHOR_EMAIL: 'interop@example.invalid',
      GIT_COMMITTER_NAME: 'Interop',
      GIT_COMMITTER_EMAIL: 'interop@example.invalid',
    },
  }).trim();
}

/** Turns the empty folder `dir` into the workspace. */
export async function initWorkspace(
  dir: string,
  options: { branch?: string; originUrl?: string } = {},
): Promise<Workspace> {
  const branch = options.branch ?? 'feature/interop';
  // Never fetched: only recorded as the repository URL.
  const originUrl = options.originUrl ?? 'https://example.invalid/agent-rollouts/interop.git';
  git(dir, 'init', '-q', '-b', branch);
  await writeFile(path.join(dir, 'README.md'), '# interop workspace\n');
  git(dir, 'add', 'README.md');
  git(dir, 'commit', '-q', '-m', 'initial');
  git(dir, 'remote', 'add', 'origin', originUrl);
  return { dir, commit: git(dir, 'rev-parse', 'HEAD'), branch, originUrl };
}
