import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { RolloutIOError, hasErrno } from '../errors.js';
import { DIR_MODE, FILE_MODE } from '../files/layout.js';
import { LINE_FILE_BUDGET, PACKED_REFS_BUDGET, readRegularText } from './repo-files.js';

/**
 * Refs as files, to spare git processes on the capture path. Reading: loose refs first, then
 * `packed-refs` (present only if someone ran `git pack-refs`/`gc` in the folder); symbolic refs
 * are followed a few levels. Reads never block and are bounded (see repo-files.ts): the folder may
 * be a user's `.git`, where a ref can be a FIFO or lead to a device. Writing: loose refs through git's own `<ref>.lock` protocol.
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
    const text = await readRegularText(path.join(dir, name), LINE_FILE_BUDGET, 'the ref');
    if (text !== undefined) {
      const value = parseLooseRef(text);
      return value?.startsWith('ref: ') ? this.resolve(value.slice(5), depth + 1) : value;
    }
    return (await this.#packedRefs()).get(name);
  }

  /** The raw content of a symbolic or detached HEAD. */
  async head(): Promise<string | undefined> {
    return (await readRegularText(path.join(this.headDir, 'HEAD'), LINE_FILE_BUDGET, 'HEAD'))?.trim();
  }

  async #packedRefs(): Promise<Map<string, string>> {
    this.#packed ??= parsePackedRefs(
      (await readRegularText(path.join(this.refsDir, 'packed-refs'), PACKED_REFS_BUDGET, 'packed-refs')) ??
        '',
    );
    return this.#packed;
  }
}

/** An object id, a `ref: <name>` symbolic ref, or undefined for anything else. */
function parseLooseRef(text: string): string | undefined {
  const value = text.trim();
  return value.startsWith('ref: ') || /^[0-9a-f]{40,64}$/.test(value) ? value : undefined;
}

function parsePackedRefs(text: string): Map<string, string> {
  const map = new Map<string, string>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#') || line.startsWith('^')) continue;
    const space = line.indexOf(' ');
    if (space > 0) map.set(line.slice(space + 1), line.slice(0, space));
  }
  return map;
}

/**
 * Points the store's HEAD at a commit (detached) or back at an unborn branch. HEAD is only a cache
 * that keeps `git status` cheap, so it is written atomically but without fsync or a ref update.
 * Synchronous, like the other writes below: two system calls on a tiny file cost less than two
 * round trips through the thread pool.
 */
export function writeStoreHead(gitDir: string, value: string): void {
  const file = path.join(gitDir, 'HEAD');
  const tmp = `${file}.rollouts-tmp`;
  try {
    writeFileSync(tmp, `${value}\n`, { mode: FILE_MODE });
    renameSync(tmp, file);
  } catch (cause) {
    throw new RolloutIOError('write', file, cause);
  }
}

/** One ref to set: `expected` is its current value, undefined when it must not exist yet. */
export interface RefUpdate {
  name: string;
  value: string;
  expected: string | undefined;
}

/**
 * Sets loose refs the way `git update-ref --stdin` does, for a caller holding the store lock:
 * every `<ref>.lock` is created exclusively and filled, every current value checked against the
 * expected one, then each lock renamed over its ref. A loose ref overrides a packed one of the same
 * name, so `packed-refs` is never rewritten. Like git with its default `core.fsync`, nothing is
 * fsynced: the refs survive the process being killed; lock files it may leave are removed by the
 * next holder of the store lock.
 *
 * Synchronous on purpose: a dozen system calls on tiny files, each cheaper than a thread-pool round
 * trip, which on a busy machine costs more than the call itself.
 */
export function updateRefFiles(gitDir: string, updates: readonly RefUpdate[]): void {
  const locked: string[] = [];
  try {
    for (const u of updates) {
      const lockFile = `${path.join(gitDir, u.name)}.lock`;
      createLockFile(lockFile, `${u.value}\n`);
      locked.push(lockFile);
    }
    // Read after locking, as git does: no other git process can move these refs now.
    let packed: Map<string, string> | undefined;
    for (const u of updates) {
      const file = path.join(gitDir, u.name);
      const loose = readOptionalSync(file);
      const current =
        loose === undefined
          ? (packed ??= parsePackedRefs(readOptionalSync(path.join(gitDir, 'packed-refs')) ?? '')).get(u.name)
          : parseLooseRef(loose);
      if (current !== u.expected) {
        throw new RolloutIOError(
          'update the ref',
          file,
          new Error(`it is ${current ?? 'absent'}, expected ${u.expected ?? 'absent'}`),
        );
      }
    }
    for (const [i, u] of updates.entries()) {
      const file = path.join(gitDir, u.name);
      try {
        renameSync(locked[i]!, file);
      } catch (cause) {
        throw new RolloutIOError('update the ref', file, cause);
      }
    }
    locked.length = 0;
  } finally {
    for (const f of locked) rmSync(f, { force: true });
  }
}

/**
 * Creates a lock file that must not exist. One found while the store lock is held was left by a
 * killed process (see lock.ts), so it is replaced.
 */
function createLockFile(lockFile: string, content: string): void {
  for (let attempt = 0; ; attempt++) {
    try {
      writeFileSync(lockFile, content, { mode: FILE_MODE, flag: 'wx' });
      return;
    } catch (error) {
      if (attempt < 2 && hasErrno(error, 'ENOENT')) {
        try {
          mkdirSync(path.dirname(lockFile), { recursive: true, mode: DIR_MODE });
        } catch {
          // the next attempt reports what is wrong
        }
      } else if (attempt < 2 && hasErrno(error, 'EEXIST')) {
        rmSync(lockFile, { force: true });
      } else {
        throw new RolloutIOError('lock the ref', lockFile, error);
      }
    }
  }
}

function readOptionalSync(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    if (hasErrno(error, 'ENOENT', 'ENOTDIR', 'EISDIR')) return undefined;
    throw new RolloutIOError('read', file, error);
  }
}
