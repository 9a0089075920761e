import { createHash, randomBytes } from 'node:crypto';
import { linkSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { readdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { deflateSync } from 'node:zlib';
import { RolloutIOError, hasErrno } from '../errors.js';
import { DIR_MODE } from '../files/layout.js';

/**
 * Writing one small object into a store as git does, without a git process: `<type> <size>\0<body>`,
 * named by its SHA-1, zlib-deflated into `objects/xx/…`.
 *
 * The file is written under a temporary name in the same folder, then hard-linked to its final
 * name, so a reader never sees a partial object and an object already there is never rewritten
 * (the same name is the same content). Like git with its default `core.fsync`, loose objects are
 * not fsynced: they survive the writing process being killed, not necessarily a power cut.
 *
 * Synchronous on purpose: the objects written here are commits of a few KiB, and the handful of
 * system calls costs less than the thread-pool round trips of their asynchronous forms.
 */

/** Git's own mode for loose objects: read-only, then narrowed by the umask. */
const OBJECT_MODE = 0o444;

export type LooseObjectType = 'blob' | 'tree' | 'commit' | 'tag';

/** The SHA-1 object id of a body of the given type. */
export function objectId(type: LooseObjectType, body: Buffer): string {
  return createHash('sha1').update(`${type} ${body.length}\0`).update(body).digest('hex');
}

/** Writes the object (unless it exists) and returns its id. */
export function writeLooseObject(gitDir: string, type: LooseObjectType, body: Buffer): string {
  const oid = objectId(type, body);
  const dir = path.join(gitDir, 'objects', oid.slice(0, 2));
  const file = path.join(dir, oid.slice(2));
  const data = deflateSync(Buffer.concat([Buffer.from(`${type} ${body.length}\0`), body]));
  const tmp = path.join(dir, `tmp_obj_rollouts_${randomBytes(6).toString('hex')}`);
  try {
    try {
      writeFileSync(tmp, data, { mode: OBJECT_MODE, flag: 'wx' });
    } catch (error) {
      if (!hasErrno(error, 'ENOENT')) throw error;
      mkdirSync(dir, { recursive: true, mode: DIR_MODE });
      writeFileSync(tmp, data, { mode: OBJECT_MODE, flag: 'wx' });
    }
    try {
      linkSync(tmp, file);
    } catch (error) {
      // EEXIST: the object is there already. Otherwise a file system without hard links: like
      // git, fall back to a rename (over an existing object it replaces equal content).
      if (!hasErrno(error, 'EEXIST')) renameSync(tmp, file);
    }
  } catch (cause) {
    throw new RolloutIOError('write the object', file, cause);
  } finally {
    rmSync(tmp, { force: true });
  }
  return oid;
}

/**
 * Removes what a failed write leaves in a store: git's and our temporary objects
 * (`objects/xx/tmp_obj_*`), temporary packs (`objects/pack/tmp_*`), temporary shared indexes and
 * our `*.rollouts-tmp` files (and git's lock of such a file used as an index). For a caller holding the store lock once every git process it
 * started has ended: every writer holds that lock, so no such file is anyone's work in progress.
 * Complete objects stay (they are valid, and the next capture reuses them). Never throws: a
 * cleanup that fails must not hide the error that called it.
 */
export async function removeTemporaries(gitDir: string): Promise<void> {
  const objects = path.join(gitDir, 'objects');
  const list = async (dir: string): Promise<string[]> => readdir(dir).catch(() => [] as string[]);
  const remove = (dir: string, names: string[], test: (n: string) => boolean): Promise<unknown> =>
    Promise.all(names.filter(test).map((n) => rm(path.join(dir, n), { force: true }).catch(() => undefined)));
  const fanout = (await list(objects)).filter((n) => /^[0-9a-f]{2}$/.test(n));
  await Promise.all([
    ...fanout.map(async (d) => remove(path.join(objects, d), await list(path.join(objects, d)), isTemp)),
    list(path.join(objects, 'pack')).then((names) => remove(path.join(objects, 'pack'), names, isTemp)),
    list(gitDir).then((names) =>
      remove(
        gitDir,
        names,
        (n) =>
          n.startsWith('sharedindex_') || n.endsWith('.rollouts-tmp') || n.endsWith('.rollouts-tmp.lock'),
      ),
    ),
    list(path.join(gitDir, 'info')).then((names) =>
      remove(path.join(gitDir, 'info'), names, (n) => n.endsWith('.rollouts-tmp')),
    ),
  ]);
}

const isTemp = (name: string): boolean => name.startsWith('tmp_');
