import { readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { RolloutIOError } from '../../src/errors.js';
import { runGit } from '../../src/files/git.js';
import { RefFiles, updateRefFiles } from '../../src/snapshot/ref-files.js';
import { tempDir } from '../helpers/temp.js';

async function storeWithCommits(): Promise<{ gitDir: string; a: string; b: string }> {
  const parent = await tempDir('ar-refs-');
  const gitDir = path.join(parent, 'store.git');
  await runGit(['init', '--quiet', '--bare', '--template=', gitDir], { cwd: parent });
  const run = async (args: string[], input?: string) =>
    (await runGit(args, { gitDir, cwd: gitDir, input })).stdout;
  const tree = await run(['mktree'], '');
  const a = await run(['commit-tree', '-m', 'a', tree]);
  const b = await run(['commit-tree', '-p', a, '-m', 'b', tree]);
  return { gitDir, a, b };
}

const rev = async (gitDir: string, name: string): Promise<string> =>
  (await runGit(['rev-parse', '--verify', '--end-of-options', name], { gitDir, cwd: gitDir })).stdout;

const MSG = `refs/rollouts/${'1'.repeat(64)}/${'2'.repeat(64)}`;
const HEAD = `refs/rollouts-heads/${'1'.repeat(64)}`;

describe('updateRefFiles', () => {
  it('creates and moves refs git reads, overriding packed ones', async () => {
    const { gitDir, a, b } = await storeWithCommits();
    updateRefFiles(gitDir, [
      { name: MSG, value: a, expected: undefined },
      { name: HEAD, value: a, expected: undefined },
    ]);
    expect(await rev(gitDir, MSG)).toBe(a);
    // Packed by a maintenance run: the loose ref written next wins, as it does for git.
    await runGit(['pack-refs', '--all', '--prune'], { gitDir, cwd: gitDir });
    expect(await new RefFiles(gitDir).resolve(HEAD)).toBe(a);
    updateRefFiles(gitDir, [{ name: HEAD, value: b, expected: a }]);
    expect(await rev(gitDir, HEAD)).toBe(b);
    expect(await rev(gitDir, MSG)).toBe(a);
    const listed = await runGit(['for-each-ref', '--format=%(refname) %(objectname)'], {
      gitDir,
      cwd: gitDir,
    });
    expect(listed.stdout.split('\n').sort()).toEqual([`${HEAD} ${b}`, `${MSG} ${a}`]);
    await runGit(['fsck', '--strict', '--no-progress'], { gitDir, cwd: gitDir });
  });

  it('changes nothing and leaves no lock when a ref is not what was expected', async () => {
    const { gitDir, a, b } = await storeWithCommits();
    updateRefFiles(gitDir, [{ name: HEAD, value: a, expected: undefined }]);
    expect(() =>
      updateRefFiles(gitDir, [
        { name: MSG, value: b, expected: undefined },
        { name: HEAD, value: b, expected: undefined },
      ]),
    ).toThrow(RolloutIOError);
    expect(await new RefFiles(gitDir).resolve(MSG)).toBeUndefined();
    expect(await rev(gitDir, HEAD)).toBe(a);
    expect(await readdir(path.join(gitDir, 'refs', 'rollouts-heads'))).toEqual(['1'.repeat(64)]);
    expect(await readdir(path.dirname(path.join(gitDir, MSG)))).toEqual([]);
  });

  it('replaces a lock file left by a killed process', async () => {
    const { gitDir, a, b } = await storeWithCommits();
    updateRefFiles(gitDir, [{ name: HEAD, value: a, expected: undefined }]);
    await writeFile(path.join(gitDir, `${HEAD}.lock`), 'stale');
    updateRefFiles(gitDir, [{ name: HEAD, value: b, expected: a }]);
    expect(await rev(gitDir, HEAD)).toBe(b);
    expect(await readdir(path.join(gitDir, 'refs', 'rollouts-heads'))).toEqual(['1'.repeat(64)]);
  });
});
