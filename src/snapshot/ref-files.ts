import { readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { RolloutIOError, hasErrno } from '../errors.js';
import { FILE_MODE } from '../home.js';

/**
 * Reading refs as files, to spare a git process on the capture path. Loose refs first, then
 * `packed-refs` (present only if someone ran `git pack-refs`/`gc` in the folder). Symbolic refs
 * are followed a few levels.
 */
export class RefFiles {
  #packed: Map<string, string> | undefined;

  /** `refsDir` holds `refs/…` and `packed-refs`; `headDir` holds `HEAD` (per worktree). */
  constructor(
    private readonly refsDir: string,
    private readonly headDir: string = refsDir,
  ) {}

  /** The object a ref points at, or undefined when it does not exist. */
  async resolve(name: string, depth = 0): Promise<string | undefined> {
    if (depth > 5) return undefined;
    const dir = name === 'HEAD' ? this.headDir : this.refsDir;
    const text = await readOptional(path.join(dir, name));
    if (text !== undefined) {
      const value = text.trim();
      if (value.startsWith('ref: ')) return this.resolve(value.slice(5), depth + 1);
      return /^[0-9a-f]{40,64}$/.test(value) ? value : undefined;
    }
    return (await this.#packedRefs()).get(name);
  }

  /** The raw content of a symbolic or detached HEAD. */
  async head(): Promise<string | undefined> {
    return (await readOptional(path.join(this.headDir, 'HEAD')))?.trim();
  }

  async #packedRefs(): Promise<Map<string, string>> {
    if (this.#packed) return this.#packed;
    const map = new Map<string, string>();
    const text = (await readOptional(path.join(this.refsDir, 'packed-refs'))) ?? '';
    for (const line of text.split('\n')) {
      if (line === '' || line.startsWith('#') || line.startsWith('^')) continue;
      const space = line.indexOf(' ');
      if (space > 0) map.set(line.slice(space + 1), line.slice(0, space));
    }
    this.#packed = map;
    return map;
  }
}

async function readOptional(file: string): Promise<string | undefined> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    if (hasErrno(error, 'ENOENT', 'ENOTDIR', 'EISDIR')) return undefined;
    throw new RolloutIOError('read', file, error);
  }
}

/**
 * Points the store's HEAD at a commit (detached) or back at an unborn branch. HEAD is only a cache
 * that keeps `git status` cheap, so it is written atomically but without fsync or a ref update.
 */
export async function writeStoreHead(gitDir: string, value: string): Promise<void> {
  const file = path.join(gitDir, 'HEAD');
  const tmp = `${file}.rollouts-tmp`;
  try {
    await writeFile(tmp, `${value}\n`, { mode: FILE_MODE });
    await rename(tmp, file);
  } catch (cause) {
    throw new RolloutIOError('write', file, cause);
  }
}
