import { constants } from 'node:fs';
import { chmod, lstat, mkdir, open, realpath, rename, rmdir, symlink, unlink } from 'node:fs/promises';
import { RolloutIOError, hasErrno } from '../errors.js';
import type { Plan, Write } from './backup-plan.js';
import { bytesOf, fsPath, shownPath } from './backup-plan.js';
import { tempName } from './backup-store.js';

/**
 * Applying a plan (see backup-plan.ts) to a folder, in two phases:
 *
 * 1. Stage: every file and symlink whose folder stays is written under a temporary name beside
 *    its final one (`.rollouts-<nonce>-<n>`), with its mode. A failure here (disk full, a folder
 *    that cannot be written) removes the temporary files and leaves the folder as it was.
 * 2. Commit: removals (deepest first), empty parents pruned, folders created, temporary files
 *    renamed into place (each one atomic), the rest written the same way, modes set last.
 *
 * A failure in phase 2 is thrown with `changed: true`: the caller puts the folder back from the
 * plan's `before`. No write goes through a symbolic link: every folder written into is checked to
 * be the real folder it names (no symlink on its path) right before its first write, and files
 * are created with `O_EXCL | O_NOFOLLOW`.
 */

/** Reads blobs: oid → bytes. */
export type BlobReader = (oids: string[]) => Promise<Map<string, Buffer>>;

export class ApplyError extends Error {
  constructor(
    readonly changed: boolean,
    override readonly cause: unknown,
  ) {
    super(cause instanceof Error ? cause.message : String(cause), { cause });
  }
}

/** At most this many bytes of blobs are read into memory at once. */
const CHUNK_BYTES = 64 * 1024 * 1024;

export async function applyPlan(options: {
  root: string;
  plan: Plan;
  nonce: string;
  read: BlobReader;
  sizes: Map<string, number>;
}): Promise<void> {
  const { plan, nonce } = options;
  const rootBytes = bytesOf(options.root);
  const abs = (rel: string): Buffer => fsPath(rootBytes, rel);
  const temps = new Map<Write, Buffer>();
  const checked = new Set<string>();
  const realFolder = async (dir: string): Promise<void> => {
    if (checked.has(dir)) return;
    const want = abs(dir);
    const real = await realpath(want, { encoding: 'buffer' });
    if (!real.equals(want)) {
      throw new RolloutIOError('write into', shownPath(dir), new Error('a symbolic link is on its path'));
    }
    checked.add(dir);
  };
  const stageAll = async (writes: Write[]): Promise<void> => {
    for (const chunk of chunks(writes, options.sizes)) {
      const blobs = await options.read([...new Set(chunk.map((w) => w.want.oid))]);
      for (const w of chunk) {
        const content = blobs.get(w.want.oid);
        if (content === undefined) throw new Error(`blob ${w.want.oid} is missing from the store`);
        const tmp = tempName(w.path, nonce, w.index);
        const slash = w.path.lastIndexOf('/');
        await realFolder(slash < 0 ? '' : w.path.slice(0, slash));
        temps.set(w, abs(tmp));
        try {
          await writeTemp(abs(tmp), w, content);
        } catch (error) {
          throw new RolloutIOError('write', shownPath(w.path), error);
        }
      }
    }
  };

  try {
    await stageAll(plan.writes.filter((w) => w.stage));
  } catch (error) {
    await removeTemps(temps.values());
    throw new ApplyError(false, error);
  }

  try {
    for (const r of plan.removes) {
      try {
        await (r.dir ? rmdir(abs(r.path)) : unlink(abs(r.path)));
      } catch (error) {
        if (!hasErrno(error, 'ENOENT')) throw new RolloutIOError('remove', shownPath(r.path), error);
      }
    }
    for (const d of plan.prunes) {
      try {
        await rmdir(abs(d));
      } catch (error) {
        if (!hasErrno(error, 'ENOTEMPTY', 'EEXIST', 'ENOENT')) {
          throw new RolloutIOError('remove', shownPath(d), error);
        }
      }
    }
    for (const d of plan.mkdirs) {
      try {
        await mkdir(abs(d.path), { mode: d.mode === undefined ? 0o777 : 0o700 });
      } catch (error) {
        throw new RolloutIOError('create the folder', shownPath(d.path), error);
      }
    }
    await stageAll(plan.writes.filter((w) => !w.stage));
    for (const w of plan.writes) {
      try {
        await rename(temps.get(w)!, abs(w.path));
      } catch (error) {
        throw new RolloutIOError('write', shownPath(w.path), error);
      }
      temps.delete(w);
    }
    const modes = [
      ...plan.mkdirs.filter((d) => d.mode !== undefined).map((d) => ({ path: d.path, mode: d.mode! })),
      ...plan.chmods,
    ].sort((a, b) => (a.path < b.path ? 1 : a.path > b.path ? -1 : 0));
    for (const c of modes) {
      try {
        const st = await lstat(abs(c.path));
        if (!st.isSymbolicLink()) await chmod(abs(c.path), c.mode);
      } catch (error) {
        throw new RolloutIOError('set the mode of', shownPath(c.path), error);
      }
    }
  } catch (error) {
    await removeTemps(temps.values());
    throw new ApplyError(true, error);
  }
}

/** Groups writes so each group's blobs fit in {@link CHUNK_BYTES} (one oversized blob alone). */
function* chunks(writes: Write[], sizes: Map<string, number>): Generator<Write[]> {
  let group: Write[] = [];
  let bytes = 0;
  for (const w of writes) {
    const size = sizes.get(w.want.oid) ?? 0;
    if (group.length > 0 && bytes + size > CHUNK_BYTES) {
      yield group;
      group = [];
      bytes = 0;
    }
    group.push(w);
    bytes += size;
  }
  if (group.length > 0) yield group;
}

async function writeTemp(tmp: Buffer, w: Write, content: Buffer): Promise<void> {
  if (w.want.kind === 'symlink') {
    await symlink(content, tmp);
    return;
  }
  const exec = (w.mode ?? w.want.mode) & 0o111;
  const handle = await open(
    tmp,
    constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW,
    exec ? 0o777 : 0o666,
  );
  try {
    await handle.writeFile(content);
    if (w.mode !== undefined) await handle.chmod(w.mode);
  } finally {
    await handle.close();
  }
}

async function removeTemps(files: Iterable<Buffer>): Promise<void> {
  for (const f of files) {
    try {
      await unlink(f);
    } catch {
      // never written, or gone already
    }
  }
}
