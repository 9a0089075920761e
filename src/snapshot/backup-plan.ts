import { constants } from 'node:fs';
import { lstat, open, readdir, readlink } from 'node:fs/promises';
import type { Stats } from 'node:fs';
import { RolloutIOError, hasErrno } from '../errors.js';
import type { RewindRefusalReason } from '../errors.js';
import type { BeforeEntry } from './backup-store.js';
import { objectId, writeLooseObject } from './loose-object.js';

/**
 * Planning a change of a folder to a wanted state, before anything is written: what each path
 * holds now (its backup), and the removals, folders, writes and mode changes that bring it to the
 * wanted state. Whatever is in the way is found and recorded here, ignored or not; what cannot be
 * recorded (a nested repository, a file over the cap, an unreadable or special file, an unsafe
 * path) is refused, and a plan with refusals is never applied.
 *
 * Paths are the raw bytes of the names held in strings one byte per UTF-16 unit (latin1), so a
 * name that is not UTF-8 is written and compared exactly; `fsPath` turns one into a Buffer path.
 */

/** The wanted state of one path. */
export type Want =
  | { kind: 'absent' }
  /** `exact`: `mode` is the full permission bits; otherwise a git mode, of which only the exec bit counts. */
  | { kind: 'file'; oid: string; mode: number; exact: boolean }
  | { kind: 'symlink'; oid: string }
  /** `mode` undefined: a new folder gets the default mode, an existing one keeps its own. */
  | { kind: 'dir'; mode: number | undefined };

export interface PlanInput {
  /** The folder changed (a real path). */
  root: string;
  wants: Map<string, Want>;
  /** The blobs of what some paths hold now, when already known (from a capture). */
  known: Map<string, { kind: 'file' | 'symlink'; oid: string }>;
  /** Folders to remove if nothing is left in them (the parents of removed paths). */
  prune: Iterable<string>;
  /** `/`-terminated prefixes never written, removed or replaced (the home inside the workspace). */
  protect: readonly string[];
  maxFileSize: number;
  /** Where the blobs of what is recorded are written; undefined: only hashed. */
  gitDir: string | undefined;
}

export interface Write {
  path: string;
  want: Extract<Want, { kind: 'file' | 'symlink' }>;
  /** The permission bits to set, or undefined for the default (0666/0777 less the umask). */
  mode: number | undefined;
  /** Its temporary file can be written before anything else changes (its folder stays). */
  stage: boolean;
  /** The index of its entry in `before`, naming its temporary file. */
  index: number;
}

export interface Plan {
  /** The state before, of every path the plan changes, sorted by path. */
  before: BeforeEntry[];
  /** Deepest first. */
  removes: { path: string; dir: boolean }[];
  /** Deepest first; each removed only if empty. */
  prunes: string[];
  /** Shallowest first; `mode` set at the end (after the folder's files are in). */
  mkdirs: { path: string; mode: number | undefined }[];
  writes: Write[];
  /** Modes set last, deepest first. */
  chmods: { path: string; mode: number }[];
  refused: { path: string; reason: RewindRefusalReason }[];
  /** Wanted paths left alone because they lie in (or would replace) a protected folder. */
  protectedPaths: string[];
  /** Blobs written for the backup that no snapshot tree holds. */
  extraBlobs: string[];
}

const latin1 = (s: string): Buffer => Buffer.from(s, 'latin1');
export const bytesOf = (utf8: string): string => Buffer.from(utf8, 'utf8').toString('latin1');
export const shownPath = (p: string): string => Buffer.from(p, 'latin1').toString('utf8');

export function fsPath(rootBytes: string, rel: string): Buffer {
  return latin1(rel === '' ? rootBytes : `${rootBytes}/${rel}`);
}

const parentOf = (p: string): string => {
  const i = p.lastIndexOf('/');
  return i < 0 ? '' : p.slice(0, i);
};

function ancestorsOf(p: string): string[] {
  const out: string[] = [];
  for (let i = p.indexOf('/'); i >= 0; i = p.indexOf('/', i + 1)) out.push(p.slice(0, i));
  return out;
}

/** A path with an empty, `.`, `..` or `.git` component (any case) never comes from a capture. */
function unsafe(p: string): boolean {
  return p.split('/').some((c) => c === '' || c === '.' || c === '..' || c.toLowerCase() === '.git');
}

const byPath = (a: { path: string }, b: { path: string }): number =>
  a.path < b.path ? -1 : a.path > b.path ? 1 : 0;

export async function planState(input: PlanInput): Promise<Plan> {
  const rootBytes = bytesOf(input.root);
  const abs = (rel: string): Buffer => fsPath(rootBytes, rel);
  const refused = new Map<string, RewindRefusalReason>();
  const protectedPaths: string[] = [];
  const extraBlobs: string[] = [];
  const before = new Map<string, BeforeEntry>();
  const removes: { path: string; dir: boolean }[] = [];
  const mkdirs: { path: string; mode: number | undefined }[] = [];
  const writes: Omit<Write, 'index'>[] = [];
  const chmods: { path: string; mode: number }[] = [];
  const prunes: string[] = [];

  const stats = new Map<string, Stats | null>();
  const lst = async (rel: string): Promise<Stats | null> => {
    if (stats.has(rel)) return stats.get(rel)!;
    let st: Stats | null;
    try {
      st = await lstat(abs(rel));
    } catch (error) {
      if (!hasErrno(error, 'ENOENT', 'ENOTDIR')) throw new RolloutIOError('inspect', shownPath(rel), error);
      st = null;
    }
    stats.set(rel, st);
    return st;
  };
  const refuse = (p: string, reason: RewindRefusalReason): void => {
    if (!refused.has(p)) refused.set(p, reason);
  };
  const inside = (p: string, prefix: string): boolean => `${p}/`.startsWith(prefix);
  const isProtected = (p: string, want: Want): boolean =>
    input.protect.some((pr) => inside(p, pr) || (pr.startsWith(`${p}/`) && want.kind !== 'dir'));

  // What is there now, recorded; false when it cannot be.
  const record = async (p: string, st: Stats): Promise<boolean> => {
    if (before.has(p)) return true;
    const mode = st.mode & 0o7777;
    if (st.isDirectory()) {
      before.set(p, { path: p, kind: 'dir', mode });
      return true;
    }
    const kind = st.isFile() ? 'file' : st.isSymbolicLink() ? 'symlink' : undefined;
    if (kind === undefined) {
      refuse(p, 'special-file');
      return false;
    }
    if (kind === 'file' && st.size > input.maxFileSize) {
      refuse(p, 'too-large');
      return false;
    }
    const known = input.known.get(p);
    let oid = known?.kind === kind ? known.oid : undefined;
    if (oid === undefined) {
      const bytes = await readCurrent(abs(p), kind);
      if (bytes === undefined) {
        refuse(p, 'unreadable');
        return false;
      }
      if (input.gitDir === undefined) oid = objectId('blob', bytes);
      else {
        oid = writeLooseObject(input.gitDir, 'blob', bytes);
        extraBlobs.push(oid);
      }
    }
    before.set(p, kind === 'file' ? { path: p, kind, mode, oid } : { path: p, kind, oid });
    return true;
  };

  // A folder that goes: everything in it is recorded and removed; a `.git` in it refuses the plan.
  const gone = new Set<string>();
  const expand = async (p: string, st: Stats): Promise<void> => {
    gone.add(p);
    await record(p, st);
    let names: Buffer[];
    try {
      names = await readdir(abs(p), { encoding: 'buffer' });
    } catch (error) {
      if (hasErrno(error, 'EACCES', 'EPERM')) {
        refuse(`${p}/`, 'unreadable');
        return;
      }
      throw new RolloutIOError('list', shownPath(p), error);
    }
    if (names.some((n) => n.toString('latin1') === '.git')) {
      refuse(`${p}/`, 'nested-repository');
      return;
    }
    for (const name of names) {
      const child = `${p}/${name.toString('latin1')}`;
      const cst = await lst(child);
      if (cst === null) continue;
      if (cst.isDirectory()) await expand(child, cst);
      else if (await record(child, cst)) removes.push({ path: child, dir: false });
    }
    removes.push({ path: p, dir: true });
  };

  // Folders holding their own repository, found on the way to a path.
  const nested = new Map<string, boolean>();
  const isNested = async (dir: string): Promise<boolean> => {
    let found = nested.get(dir);
    if (found === undefined) {
      found = (await lst(`${dir}/.git`)) !== null;
      nested.set(dir, found);
    }
    return found;
  };

  const keep = new Map<string, Want>();
  for (const [p, want] of input.wants) {
    if (unsafe(p)) refuse(p, 'unsafe-path');
    else if (isProtected(p, want)) protectedPaths.push(p);
    else keep.set(p, want);
  }
  for (const [p, want] of [...keep]) {
    if (want.kind === 'absent') continue;
    for (const a of ancestorsOf(p)) {
      const w = keep.get(a);
      if (w === undefined || w.kind === 'absent') keep.set(a, { kind: 'dir', mode: undefined });
      else if (w.kind !== 'dir') refuse(a, 'unsafe-path');
    }
  }

  /** Folders created (absent now, or something else is in their place). */
  const fresh = new Set<string>();
  const order = [...keep.keys()].sort();
  for (const p of order) {
    const want = keep.get(p)!;
    // Where the path's folders are now: created (nothing under them yet), gone, or real folders.
    let current: Stats | null = null;
    let reachable = true;
    let skip = false;
    for (const a of ancestorsOf(p)) {
      if (gone.has(a)) skip = true;
      if (skip || fresh.has(a)) {
        reachable = false;
        break;
      }
      const ast = await lst(a);
      if (ast === null || !ast.isDirectory()) {
        reachable = false;
        break;
      }
      if (await isNested(a)) {
        refuse(`${a}/`, 'nested-repository');
        skip = true;
        break;
      }
    }
    if (skip) continue;
    if (reachable) current = await lst(p);

    if (want.kind === 'absent') {
      if (current === null) continue;
      if (current.isDirectory()) await expand(p, current);
      else if (await record(p, current)) removes.push({ path: p, dir: false });
      continue;
    }
    if (want.kind === 'dir') {
      if (current?.isDirectory()) {
        if (want.mode !== undefined && (current.mode & 0o7777) !== want.mode) {
          await record(p, current);
          chmods.push({ path: p, mode: want.mode });
        }
        continue;
      }
      if (current === null) before.set(p, { path: p, kind: 'absent' });
      else if (await record(p, current)) removes.push({ path: p, dir: false });
      else continue;
      fresh.add(p);
      mkdirs.push({ path: p, mode: want.mode });
      continue;
    }

    // A file or a symlink.
    let mode: number | undefined = want.kind === 'file' && want.exact ? want.mode : undefined;
    if (current === null) before.set(p, { path: p, kind: 'absent' });
    else if (current.isDirectory()) await expand(p, current);
    else {
      if (!(await record(p, current))) continue;
      const now = before.get(p)!;
      if (want.kind === 'file' && now.kind === 'file' && !want.exact) {
        // Git keeps only the exec bit: keep the file's own bits, with the exec bit the snapshot's.
        const bits = now.mode ?? 0o644;
        mode = want.mode & 0o111 ? bits | ((bits & 0o444) >> 2) : bits & ~0o111;
      }
      if (now.kind === want.kind && now.oid === want.oid) {
        if (want.kind === 'symlink' || mode === now.mode) {
          before.delete(p);
          continue;
        }
        chmods.push({ path: p, mode: mode! });
        continue;
      }
    }
    const parent = parentOf(p);
    writes.push({ path: p, want, mode, stage: !fresh.has(parent) && !gone.has(parent) });
  }

  for (const d of [...new Set(input.prune)].sort()) {
    if (d === '' || keep.has(d) || before.has(d) || unsafe(d)) continue;
    if (input.protect.some((pr) => inside(d, pr) || pr.startsWith(`${d}/`))) continue;
    if (ancestorsOf(d).some((a) => gone.has(a) || fresh.has(a))) continue;
    const st = await lst(d);
    if (st?.isDirectory() && !(await isNested(d))) {
      await record(d, st);
      prunes.push(d);
    }
  }

  const sorted = [...before.values()].sort(byPath);
  const index = new Map(sorted.map((e, i) => [e.path, i]));
  const desc = (a: { path: string }, b: { path: string }): number => -byPath(a, b);
  return {
    before: sorted,
    removes: removes.sort(desc),
    prunes: prunes.sort().reverse(),
    mkdirs: mkdirs.sort(byPath),
    writes: writes.map((w) => ({ ...w, index: index.get(w.path)! })),
    chmods: chmods.sort(desc),
    refused: [...refused].map(([p, reason]) => ({ path: p, reason })).sort(byPath),
    protectedPaths: protectedPaths.sort(),
    extraBlobs,
  };
}

/** A file's bytes or a symlink's target, never following a link or blocking on a FIFO. */
async function readCurrent(file: Buffer, kind: 'file' | 'symlink'): Promise<Buffer | undefined> {
  try {
    if (kind === 'symlink') return await readlink(file, { encoding: 'buffer' });
    const handle = await open(file, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
    try {
      if (!(await handle.stat()).isFile()) return undefined;
      return await handle.readFile();
    } finally {
      await handle.close();
    }
  } catch (error) {
    if (hasErrno(error, 'EACCES', 'EPERM', 'ELOOP', 'ENXIO')) return undefined;
    throw new RolloutIOError('read', shownPath(file.toString('latin1')), error);
  }
}
