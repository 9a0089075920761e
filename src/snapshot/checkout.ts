import { randomBytes } from 'node:crypto';
import { mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { RolloutIOError } from '../errors.js';
import { DIR_MODE } from '../files/layout.js';
import { runGit } from '../files/git.js';

/**
 * Writing a tree into a new folder. Git itself guarantees no entry lands outside the folder: it
 * refuses tree paths with `..` or `.git` components and never writes through a symbolic link.
 */
export async function checkoutTreeInto(options: {
  gitDir: string;
  tree: string;
  dest: string;
  lockFd?: number;
  alternates?: string[];
  signal?: AbortSignal;
}): Promise<string> {
  const dest = path.resolve(options.dest);
  await createEmptyDest(dest);
  const indexFile = path.join(options.gitDir, `restore-${randomBytes(8).toString('hex')}.index`);
  try {
    await runGit(['read-tree', '--reset', '-u', '--end-of-options', options.tree], {
      cwd: dest,
      gitDir: options.gitDir,
      workTree: dest,
      indexFile,
      alternates: options.alternates,
      inheritFds: options.lockFd === undefined ? undefined : [options.lockFd],
      // Writing thousands of files is the cost of a restore; spread it over every CPU.
      config: { 'checkout.workers': '0' },
      signal: options.signal,
    });
  } finally {
    await rm(indexFile, { force: true });
  }
  return dest;
}

/** Creates `dest` (and its parents); an existing `dest` is refused, never merged into. */
async function createEmptyDest(dest: string): Promise<void> {
  try {
    await mkdir(path.dirname(dest), { recursive: true, mode: DIR_MODE });
    await mkdir(dest, { mode: DIR_MODE });
  } catch (cause) {
    throw new RolloutIOError('create the restore destination (it must not exist yet)', dest, cause);
  }
}
