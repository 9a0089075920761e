import { createHash } from 'node:crypto';
import { lstat, readFile, readdir, readlink } from 'node:fs/promises';
import path from 'node:path';

/**
 * Every entry under a folder as one line each, sorted: path, type, full permission bits and a
 * digest of the content (the target for a symlink). Folders are listed too, so an empty folder or a
 * changed folder mode shows. Names are read as bytes, so any name compares exactly.
 */
export async function describeTree(
  root: string,
  options: { skip?: (rel: string) => boolean } = {},
): Promise<string[]> {
  const out: string[] = [];
  async function walk(rel: Buffer | undefined): Promise<void> {
    const abs = rel === undefined ? Buffer.from(root) : Buffer.concat([Buffer.from(`${root}/`), rel]);
    const names = (await readdir(abs, { encoding: 'buffer' })).sort(Buffer.compare);
    for (const name of names) {
      const r = rel === undefined ? name : Buffer.concat([rel, Buffer.from('/'), name]);
      const shown = r.toString('latin1');
      if (options.skip?.(shown)) continue;
      const full = Buffer.concat([Buffer.from(`${root}/`), r]);
      const st = await lstat(full);
      const mode = (st.mode & 0o7777).toString(8).padStart(4, '0');
      if (st.isSymbolicLink()) out.push(`${shown} link ${await readlink(full, { encoding: 'buffer' })}`);
      else if (st.isDirectory()) {
        out.push(`${shown}/ dir ${mode}`);
        await walk(r);
      } else if (st.isFile()) {
        const sum = createHash('sha256')
          .update(await readFile(full))
          .digest('hex')
          .slice(0, 16);
        out.push(`${shown} file ${mode} ${sum}`);
      } else out.push(`${shown} special ${mode}`);
    }
  }
  await walk(undefined);
  return out;
}

/** The state of a workspace without its `.git`. */
export const workspaceState = (ws: string): Promise<string[]> =>
  describeTree(ws, { skip: (r) => r === '.git' || r.startsWith('.git/') });

/** Every file of a `.git` folder hashed into one digest (any change to the user's repository shows). */
export async function gitDigest(ws: string): Promise<string> {
  return createHash('sha256')
    .update((await describeTree(path.join(ws, '.git'))).join('\n'))
    .digest('hex');
}
