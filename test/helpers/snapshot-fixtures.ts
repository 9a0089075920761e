import { createHash } from 'node:crypto';
import { lstat, mkdir, readdir, readFile, readlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { runGit } from '../../src/files/git.js';
import { tempDir } from './temp.js';

/** Runs git for test set-up, isolated from the machine's config like the library's own calls. */
export async function git(cwd: string, ...args: string[]): Promise<string> {
  return (await runGit(args, { cwd })).stdout;
}

/** Writes files (creating folders); a value of `null` makes nothing, a `{ link }` makes a symlink. */
export async function writeTree(root: string, files: Record<string, string | Buffer>): Promise<void> {
  for (const [rel, content] of Object.entries(files)) {
    const abs = path.join(root, rel);
    await mkdir(path.dirname(abs), { recursive: true });
    await writeFile(abs, content);
  }
}

/** A new Git repository with one commit of `files`. */
export async function makeRepo(
  files: Record<string, string | Buffer> = { 'README.md': '# hello\n' },
): Promise<string> {
  const dir = path.join(await tempDir('ar-snap-ws-'), 'repo');
  await mkdir(dir);
  await git(dir, 'init', '--quiet', '--template=');
  await writeTree(dir, files);
  await git(dir, 'add', '-A');
  await git(dir, 'commit', '--quiet', '-m', 'initial');
  return dir;
}

/** A new temporary home. */
export async function makeHome(): Promise<string> {
  return tempDir('ar-snap-home-');
}

/**
 * A digest of a whole folder: every entry's path, type, mode and content (link targets for
 * symlinks). Equal digests mean byte-identical trees.
 */
export async function hashTree(
  root: string,
  options: { skip?: (rel: string) => boolean } = {},
): Promise<string> {
  const h = createHash('sha256');
  async function walk(rel: string): Promise<void> {
    const abs = path.join(root, rel);
    const entries = (await readdir(abs)).sort();
    for (const name of entries) {
      const r = rel === '' ? name : `${rel}/${name}`;
      if (options.skip?.(r)) continue;
      const st = await lstat(path.join(root, r));
      h.update(`${r}\0${st.mode.toString(8)}\0`);
      if (st.isSymbolicLink()) h.update(`link:${await readlink(path.join(root, r))}\0`);
      else if (st.isDirectory()) await walk(r);
      else h.update(await readFile(path.join(root, r)));
      h.update('\0');
    }
  }
  await walk('');
  return h.digest('hex');
}

/** Every file of a folder as path → content (symlinks as `-> target`), for equality checks. */
export async function readTree(
  root: string,
  options: { skip?: (rel: string) => boolean } = {},
): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  async function walk(rel: string): Promise<void> {
    for (const name of (await readdir(path.join(root, rel))).sort()) {
      const r = rel === '' ? name : `${rel}/${name}`;
      if (options.skip?.(r)) continue;
      const st = await lstat(path.join(root, r));
      if (st.isSymbolicLink()) out[r] = `-> ${await readlink(path.join(root, r))}`;
      else if (st.isDirectory()) await walk(r);
      else
        out[r] = `${st.mode & 0o111 ? 'x ' : ''}${(await readFile(path.join(root, r))).toString('base64')}`;
    }
  }
  await walk('');
  return out;
}

export const skipDotGit = (rel: string): boolean => rel === '.git' || rel.startsWith('.git/');
