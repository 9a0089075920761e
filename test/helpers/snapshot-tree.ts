import { runGit } from '../../src/files/git.js';

/**
 * The paths of a snapshot tree as raw bytes rendered in latin1 (one character per byte), so names
 * that are not UTF-8 compare exactly.
 */
export async function treePaths(gitDir: string, tree: string): Promise<string[]> {
  const out = await runGit(['ls-tree', '-r', '-z', '--name-only', '--end-of-options', tree], {
    gitDir,
    binary: true,
  });
  return out.stdout
    .toString('latin1')
    .split('\0')
    .filter((p) => p !== '');
}

/** The content of one path of a snapshot tree. */
export async function treeFile(gitDir: string, tree: string, file: string): Promise<string> {
  return (await runGit(['cat-file', 'blob', `${tree}:${file}`], { gitDir })).stdout;
}
