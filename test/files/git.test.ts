import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { GitError } from '../../src/errors.js';
import { DEFAULT_MAX_OUTPUT, runGit } from '../../src/files/git.js';
import { tempDir } from '../helpers/temp.js';

describe('runGit', () => {
  it('points core.hooksPath at /dev/null, a path no one can create', async () => {
    const dir = await tempDir();
    await runGit(['init', '--quiet', '--template=', dir]);
    const out = await runGit(['config', '--get', 'core.hooksPath'], { cwd: dir });
    expect(out.stdout).toBe('/dev/null');
  });

  it('stops a call whose output passes its bound, by default far below 1 GiB', async () => {
    expect(DEFAULT_MAX_OUTPUT).toBeLessThanOrEqual(64 * 1024 * 1024);
    const gitDir = path.join(await tempDir(), 'repo.git');
    await runGit(['init', '--quiet', '--bare', '--template=', gitDir]);
    const big = Buffer.alloc(DEFAULT_MAX_OUTPUT + 1024, 'a');
    const blob = (await runGit(['hash-object', '-w', '--stdin'], { gitDir, input: big })).stdout;
    const error = await runGit(['cat-file', 'blob', blob], { gitDir }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(GitError);
    expect((error as GitError).message).toMatch(/output passed \d+ bytes/);
    const asked = await runGit(['cat-file', 'blob', blob], { gitDir, maxOutput: big.length * 2 });
    expect(asked.stdout.length).toBe(big.length);
  });

  it('stops a call that hangs at its timeout', async () => {
    const dir = await tempDir();
    const fifo = path.join(dir, 'fifo');
    execFileSync('mkfifo', [fifo]);
    const error = await runGit(['hash-object', '--', fifo], { cwd: dir, timeout: 500 }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(GitError);
    expect((error as GitError).timedOut).toBe(true);
  });
});
