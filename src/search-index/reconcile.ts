import { readdirSync, statSync, type Stats } from 'node:fs';
import path from 'node:path';
import { homePaths, parseRolloutFileName } from '../files/layout.js';
import { DATE_FOLDER_NAMES, ScanContext, dateFolderWindow, readRolloutFolder } from '../files/traverse.js';
import type { FileRecord, FileStat, IndexStore, StoredFolder } from './store.js';
import type { FileFacts, IndexProgress, InspectFile } from './types.js';
import { FolderWatch, canWatch, watchTuning, type Pending as Marks } from './watch.js';

/**
 * A file or folder whose timestamps are this close to now may still change within the same
 * timestamp tick (file systems stamp with a coarse clock): it is not trusted as unchanged, and is
 * checked again by the next reconcile (git's "racily clean" rule).
 */
export const RACY_MS = 2000;
/** Every indexed file is stat'ed at most this often by default, to catch in-place changes by writers
 * that take no writer lock. */
export const DEFAULT_FULL_CHECK_MS = 60_000;

/** Knobs of the catch-up (tests lower them to reach the big-update paths with small homes). */
export const indexTuning = {
  /** After a catch-up that read at least this many files, the full-text segments are merged. */
  mergeAfter: 1000,
};

/** How catch-ups checked the folders in this process (read by tests to see the watch used). */
export const walkCounters = { marked: 0, full: 0 };

/** The last merge of the full-text segments in this process (read by the benchmark). */
export const lastMerge: { before: number; after: number; ms: number } = { before: 0, after: 0, ms: 0 };

const READ_CONCURRENCY = 8;
const WRITE_BATCH = 256;
const LOCK_NAME_RE = /^([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})\.lock$/;

/** Options of {@link reconcile}. */
export interface ReconcileOptions {
  inspect: InspectFile;
  signal?: AbortSignal | undefined;
  onProgress?: ((p: IndexProgress) => void) | undefined;
  /** Stat every indexed file when the last full check is older than this (ms); 0: always. */
  fullCheckMs?: number | undefined;
  /** Stat every indexed file now. */
  full?: boolean | undefined;
  /** Only count what would be read and forgotten; write nothing. */
  dryRun?: boolean | undefined;
}

/** What a reconcile did. */
export interface ReconcileResult {
  /** Files (re)read into the index. */
  read: number;
  /** Files forgotten. */
  removed: number;
  /** Folders listed again. */
  folders: number;
  /** The index's epoch this catch-up saw and wrote to: a query of the same epoch sees its work. */
  epoch: string;
}

/** A file to read: where it is and what the index needs to file it. */
interface Pending {
  path: string;
  folder: string;
  id: string;
  created: number;
  archived: boolean;
  compressed: boolean;
}

/** A stored file to read again, as its row says it was found. */
function pendingOf(f: {
  path: string;
  folder: string;
  id: string;
  created: number;
  archived: number;
  compressed: number;
}): Pending {
  return {
    path: f.path,
    folder: f.folder,
    id: f.id,
    created: f.created,
    archived: f.archived === 1,
    compressed: f.compressed === 1,
  };
}

/**
 * Thrown inside a catch-up's write when another process emptied the index (a rebuild: a new
 * epoch) since the catch-up took its view of it: what it found was found against tables that are
 * gone, so none of it may be written (a folder stored as checked would hide the sessions under it
 * that it did not read).
 */
export class EpochChangedError extends Error {}

/** Tries of work done against an index emptied under it before giving up (the caller then lists from the files). */
const EPOCH_TRIES = 3;

/** Runs `work` again while it fails with {@link EpochChangedError}, at most {@link EPOCH_TRIES} times. */
export async function untilEpochHolds<T>(work: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await work();
    } catch (error) {
      if (!(error instanceof EpochChangedError) || attempt >= EPOCH_TRIES) throw error;
    }
  }
}

/** Thrown when the index is behind the files but cannot be written (read-only). */
export class IndexStaleError extends Error {
  readonly code = 'E_INDEX_STALE';
}

const statOf = (st: Stats): FileStat => ({ mtime: st.mtimeMs, ctime: st.ctimeMs, size: st.size });
const same = (a: FileStat, b: FileStat): boolean =>
  a.mtime === b.mtime && a.ctime === b.ctime && a.size === b.size;

function statOrUndefined(p: string): Stats | undefined {
  try {
    return statSync(p);
  } catch {
    return undefined;
  }
}

/** The changes between the index and the files, found by stat'ing folders and suspects only. */
class ChangeSet {
  toRead = new Map<string, Pending>();
  toDrop = new Set<string>();
  droppedFolders = new Set<string>();
  folderUpdates: StoredFolder[] = [];
  foldersListed = 0;
  clearDirty: string[] = [];
  /** Files read again only because they are recent (their stat is unchanged): not stale. */
  rechecks = 0;

  constructor(
    private readonly store: IndexStore,
    private readonly now: number,
  ) {}

  /** Forgets what was found (a walk of marked folders that gave up, before a full one). */
  reset(): void {
    this.toRead.clear();
    this.toDrop.clear();
    this.droppedFolders.clear();
    this.folderUpdates = [];
    this.foldersListed = 0;
    this.rechecks = 0;
  }

  get empty(): boolean {
    return (
      this.toRead.size === 0 &&
      this.toDrop.size === 0 &&
      this.droppedFolders.size === 0 &&
      this.folderUpdates.length === 0 &&
      this.clearDirty.length === 0
    );
  }

  private racy(st: FileStat): boolean {
    return this.now - Math.max(st.mtime, st.ctime) < RACY_MS;
  }

  folderState(dir: string, parent: string | null, level: number, lo: number, hi: number, st: Stats): void {
    const s = statOf(st);
    // A racy folder is stored with an impossible time so that it is listed again next time.
    const mtime = this.racy(s) ? -1 : s.mtime;
    this.folderUpdates.push({ path: dir, parent, level, lo, hi, mtime, ctime: s.ctime });
  }

  /** Compares a folder's rollout files (as a listing finds them) with what the index holds. */
  async diffFolder(dir: string, archived: boolean, window?: { lo: number; hi: number }): Promise<void> {
    this.foldersListed++;
    const ctx = new ScanContext(Infinity, undefined, undefined);
    const found = await readRolloutFolder(dir, ctx, {
      archived,
      quietIfMissing: true,
      ...(window ? { window } : {}),
    });
    const stored = new Map(this.store.filesIn(dir).map((f) => [f.path, f]));
    for (const c of found) {
      const old = stored.get(c.path);
      stored.delete(c.path);
      const st = statOrUndefined(c.path);
      if (st === undefined) {
        if (old !== undefined) this.toDrop.add(c.path);
        continue;
      }
      if (old !== undefined && same(old, statOf(st))) {
        if (old.racy === 0) continue;
        this.rechecks++;
      }
      this.toRead.set(c.path, {
        path: c.path,
        folder: dir,
        id: c.id,
        created: c.created,
        archived,
        compressed: c.compressed,
      });
    }
    for (const gone of stored.keys()) this.toDrop.add(gone);
  }

  /**
   * Adds every other rollout the index holds of a thread one of whose rollouts is read again or
   * gone, and every file whose history lies in part in one of them (a fork, by its `history_base`):
   * a later rollout of a Codex CLI 0.171 thread holds its history (texts, first message) in the
   * older ones, so what is filed for it changes with them. A rollout that appears is such a change
   * too: a fork filed before its parent was there (copied later) is read again with it.
   */
  withThreads(): void {
    if (this.toRead.size === 0 && this.toDrop.size === 0 && this.droppedFolders.size === 0) return;
    const kids = new Set<string>();
    const rollouts = new Set<string>();
    const touched = (p: string): void => {
      const parsed = parseRolloutFileName(p);
      if (parsed !== undefined) rollouts.add((parsed.rolloutId ?? parsed.id).toLowerCase());
    };
    for (const p of this.toRead.values()) {
      kids.add(p.id.toLowerCase());
      touched(p.path);
    }
    for (const p of this.toDrop) {
      const f = this.store.fileByPath(p);
      if (f !== undefined) kids.add(f.id.toLowerCase());
      touched(p);
    }
    // A folder gone takes its files with it: their threads' other rollouts are read again, they are not.
    const gone = new Set<string>();
    for (const d of this.droppedFolders) {
      for (const f of this.store.filesUnder(d)) {
        kids.add(f.kid);
        gone.add(f.path);
        touched(f.path);
      }
    }
    for (const f of [...this.store.filesOfIds([...kids]), ...this.store.dependentsOf([...rollouts])]) {
      if (this.toRead.has(f.path) || this.toDrop.has(f.path) || gone.has(f.path)) continue;
      this.toRead.set(f.path, pendingOf(f));
    }
  }

  /** Re-reads an indexed file whose stat changed (or that was racy). */
  checkFile(f: {
    path: string;
    folder: string;
    id: string;
    created: number;
    archived: number;
    compressed: number;
    mtime: number;
    ctime: number;
    size: number;
    racy: number;
  }): void {
    if (this.toRead.has(f.path) || this.toDrop.has(f.path)) return;
    const st = statOrUndefined(f.path);
    if (st === undefined || !st.isFile()) {
      this.toDrop.add(f.path);
      return;
    }
    const s = statOf(st);
    if (same(f, s)) {
      if (f.racy === 0) return;
      // Unchanged but stored while recent: read again, so a change within the same timestamp tick
      // is not missed; once old enough it is stored as settled.
      this.rechecks++;
    }
    this.toRead.set(f.path, pendingOf(f));
  }
}

/** What the walk knows of the stored folders: all of them loaded, or looked up one by one. */
interface StoredFolders {
  folder(dir: string): StoredFolder | undefined;
  children(dir: string): string[];
}

function loadedFolders(store: IndexStore): StoredFolders & { count: number } {
  const stored = new Map<string, StoredFolder>();
  const children = new Map<string, string[]>();
  for (const f of store.folders()) {
    stored.set(f.path, f);
    if (f.parent !== null) {
      const list = children.get(f.parent) ?? [];
      list.push(f.path);
      children.set(f.parent, list);
    }
  }
  return { folder: (d) => stored.get(d), children: (d) => children.get(d) ?? [], count: stored.size };
}

function queriedFolders(store: IndexStore): StoredFolders {
  return { folder: (d) => store.folderByPath(d), children: (d) => store.childFolders(d) };
}

/**
 * How a walk treats folders: `watch` is told of each folder before it is read; `force` reads a
 * folder whatever its stat says (it was marked); `descend` visits the stored children of a folder
 * (a full walk) rather than only the new ones (a marked folder's, whose others have watchers).
 */
interface WalkMode {
  watch: FolderWatch | undefined;
  force: boolean;
  descend: boolean;
}

/** Checks one date folder (and, as the mode says, those under it) against the index. */
async function visitFolder(
  set: ChangeSet,
  folders: StoredFolders,
  mode: WalkMode,
  v: { dir: string; parent: string | null; level: number; parts: number[]; lo: number; hi: number },
): Promise<void> {
  const { dir, parent, level, parts, lo, hi } = v;
  mode.watch?.add(dir);
  const st = statOrUndefined(dir);
  const old = folders.folder(dir);
  if (st === undefined || !st.isDirectory()) {
    if (old !== undefined) set.droppedFolders.add(dir);
    return;
  }
  const unchanged = !mode.force && old !== undefined && old.mtime === st.mtimeMs && old.ctime === st.ctimeMs;
  if (level === 3) {
    if (unchanged) return;
    await set.diffFolder(dir, false, { lo, hi });
    set.folderState(dir, parent, level, lo, hi, st);
    return;
  }
  let kids: { dir: string; parts: number[]; lo: number; hi: number }[];
  const storedKids = folders.children(dir);
  if (unchanged) {
    kids = storedKids.map((k) => {
      const f = folders.folder(k)!;
      return { dir: k, parts: [...parts, Number(path.basename(k))], lo: f.lo, hi: f.hi };
    });
  } else {
    set.foldersListed++;
    kids = [];
    let names: string[] = [];
    try {
      names = readdirSync(dir);
    } catch {
      names = [];
    }
    const re = DATE_FOLDER_NAMES[level]!;
    for (const name of names) {
      if (!re.test(name)) continue;
      const full = dir + path.sep + name;
      const childParts = [...parts, Number(name)];
      const window = dateFolderWindow(childParts);
      if (window === undefined) continue;
      kids.push({ dir: full, parts: childParts, ...window });
    }
    const present = new Set(kids.map((k) => k.dir));
    for (const k of storedKids) if (!present.has(k)) set.droppedFolders.add(k);
    set.folderState(dir, parent, level, lo, hi, st);
  }
  const known = mode.descend ? undefined : new Set(storedKids);
  // A new folder is read whole, with every folder under it (none of them is known yet).
  const below: WalkMode = { watch: mode.watch, force: false, descend: true };
  for (const k of kids) {
    if (known?.has(k.dir)) continue;
    await visitFolder(set, folders, known === undefined ? mode : below, {
      dir: k.dir,
      parent: dir,
      level: level + 1,
      parts: k.parts,
      lo: k.lo,
      hi: k.hi,
    });
  }
}

async function walkLive(set: ChangeSet, folders: StoredFolders, root: string, mode: WalkMode): Promise<void> {
  await visitFolder(set, folders, mode, {
    dir: root,
    parent: null,
    level: 0,
    parts: [],
    lo: -Infinity,
    hi: Infinity,
  });
}

async function walkArchived(
  set: ChangeSet,
  folders: StoredFolders,
  root: string,
  mode: WalkMode,
): Promise<void> {
  mode.watch?.add(root);
  const old = folders.folder(root);
  const st = statOrUndefined(root);
  if (st === undefined || !st.isDirectory()) {
    if (old !== undefined) set.droppedFolders.add(root);
    return;
  }
  if (!mode.force && old !== undefined && old.mtime === st.mtimeMs && old.ctime === st.ctimeMs) return;
  await set.diffFolder(root, true);
  set.folderState(root, null, 9, -Infinity, Infinity, st);
}

/** A folder's identity (device and inode), or `'-'` when it does not exist. */
function identity(dir: string): string {
  const st = statOrUndefined(dir);
  return st === undefined || !st.isDirectory() ? '-' : `${st.dev}:${st.ino}`;
}

/**
 * Checks only the folders the watch marked, when the watch can be trusted: the index's tables are
 * the ones it was established on, both top folders are the folders it watches, and no event may
 * have been lost. Returns the marks handled, or undefined when every folder must be checked.
 */
async function walkMarked(
  set: ChangeSet,
  store: IndexStore,
  watch: FolderWatch,
  roots: { live: string; archived: string },
): Promise<Marks | undefined> {
  if (!watch.established || watch.epoch !== store.epoch()) return undefined;
  const pending = await watch.pending();
  if (pending === undefined) return undefined;
  for (const r of [roots.live, roots.archived]) if (identity(r) !== watch.roots.get(r)) return undefined;
  const folders = queriedFolders(store);
  const mode: WalkMode = { watch, force: true, descend: false };
  for (const dir of pending.marks.keys()) {
    if (dir === roots.archived) {
      await walkArchived(set, folders, dir, mode);
      continue;
    }
    const f = folders.folder(dir);
    // A marked folder the index does not hold (another process dropped it): check everything.
    if (f === undefined) return undefined;
    const rel = path.relative(roots.live, dir);
    const parts = rel === '' ? [] : rel.split(path.sep).map(Number);
    await visitFolder(set, folders, mode, {
      dir,
      parent: f.parent,
      level: f.level,
      parts,
      lo: f.lo,
      hi: f.hi,
    });
  }
  return pending;
}

/** Sessions with a writer-lock file: the ones a writer (ours or the Codex CLI) may be appending to. */
function lockedIds(home: string): string[] {
  let names: string[];
  try {
    names = readdirSync(homePaths.locks(home));
  } catch {
    return [];
  }
  const ids: string[] = [];
  for (const n of names) {
    const m = LOCK_NAME_RE.exec(n);
    if (m) ids.push(m[1]!.toLowerCase());
  }
  return ids;
}

/**
 * Brings the index in line with the files at a cost that follows what changed: every date folder
 * is stat'ed (not listed), and only the folders whose time changed are listed again; a file is
 * read only when it is new or its `stat` changed. Files appended to in place are found through
 * the writer-lock folder (every writer of a session holds its lock file), the recorder's notes
 * (the `dirty` table), files still in their racy tick, and a periodic stat of every indexed file.
 * Throws {@link IndexStaleError} when changes are found but the index is read-only, and whatever
 * SQLite throws (busy, corrupt): the caller then lists from the files.
 */
export async function reconcile(store: IndexStore, options: ReconcileOptions): Promise<ReconcileResult> {
  return untilEpochHolds(() => catchUp(store, options));
}

/** One catch-up: its view of the index, and writes made only while the index is still that one. */
async function catchUp(store: IndexStore, options: ReconcileOptions): Promise<ReconcileResult> {
  // Taken before anything is read from the index: every write checks it first.
  const epoch = store.epoch();
  const write = (fn: () => void): void => {
    store.write(() => {
      if (store.epoch() !== epoch) throw new EpochChangedError('the session index was emptied meanwhile');
      fn();
    });
  };
  const now = Date.now();
  const set = new ChangeSet(store, now);
  const { home } = store;
  const root = homePaths.sessions(home);
  const archivedRoot = homePaths.archived(home);
  const roots = { live: root, archived: archivedRoot };
  // The watch is only for catch-ups that act on what they find (a dry run would use up its marks).
  const watch = options.dryRun === true || store.readonly ? undefined : watchOf(store);
  const handled = watch === undefined ? undefined : await walkMarked(set, store, watch, roots);
  let establishing = false;
  if (handled === undefined) {
    walkCounters.full++;
    set.reset();
    const folders = loadedFolders(store);
    // Not on a process's first walk: a one-off listing (a CLI run) would pay for watchers it never
    // uses (about 30 µs a folder); the second walk sets them up.
    establishing = watch !== undefined && folders.count >= watchTuning.minFolders && watch.walks++ > 0;
    // Every folder is watched before it is read; marks made during the walk stay for the next one.
    watch?.reset();
    const mode: WalkMode = { watch: establishing ? watch : undefined, force: false, descend: true };
    await walkLive(set, folders, root, mode);
    await walkArchived(set, folders, archivedRoot, mode);
    if (establishing) for (const r of [root, archivedRoot]) watch!.roots.set(r, identity(r));
  } else walkCounters.marked++;
  for (const f of store.filesOfIds(lockedIds(home))) set.checkFile(f);
  // A note is used up once acted on. One about a file the index does not hold yet, and that this
  // reconcile does not read either, stays: another process (a rebuild, a first build) may have
  // read the file before the write the note is about, and not yet written its row.
  for (const p of store.dirtyPaths()) {
    const f = store.fileByPath(p);
    if (f !== undefined) set.checkFile(f);
    if (f !== undefined || set.toRead.has(p) || statOrUndefined(p) === undefined) set.clearDirty.push(p);
  }
  for (const f of store.racyFiles()) set.checkFile(f);
  const last = Number(store.getMeta('full_check') ?? '0');
  const fullCheckMs = options.fullCheckMs ?? DEFAULT_FULL_CHECK_MS;
  // Once a watch is established, a file changed in place marks its folder; one stat of every
  // file after that covers the time before it.
  const fullDue =
    options.full === true ||
    (now - last >= fullCheckMs && !(watch?.established === true && watch.filesChecked));
  if (fullDue) {
    // Compared inside the query, the whole row read only for the few that changed (racy rows were
    // checked above).
    for (const p of store.changedFiles()) {
      const f = store.fileByPath(p);
      if (f !== undefined) set.checkFile(f);
    }
  }
  set.withThreads();
  options.signal?.throwIfAborted();
  if (options.dryRun === true) {
    return {
      read: set.toRead.size - set.rechecks,
      removed: set.toDrop.size,
      folders: set.foldersListed,
      epoch,
    };
  }
  /** After the changes are written: the watch's marks handled, or the watch established. */
  const settled = (result: ReconcileResult): ReconcileResult => {
    if (watch === undefined) return result;
    for (const d of set.droppedFolders) watch.removeUnder(d, path.sep);
    if (handled !== undefined) watch.settle(handled);
    if (establishing) {
      // A folder that could not be watched (no inotify watches left): stat'ing it is the way.
      if (watch.broken) watch.close();
      else {
        watch.established = true;
        watch.epoch = store.epoch();
      }
    }
    if (fullDue && watch.established) watch.filesChecked = true;
    return result;
  };

  if (set.empty && !fullDue) return settled({ read: 0, removed: 0, folders: set.foldersListed, epoch });
  if (store.readonly) {
    if (set.empty) return { read: 0, removed: 0, folders: set.foldersListed, epoch };
    throw new IndexStaleError('the session index is read-only and behind the files');
  }

  const pending = [...set.toRead.values()];
  const total = pending.length;
  let done = 0;
  options.onProgress?.({ done, total });
  for (let i = 0; i < pending.length; i += WRITE_BATCH) {
    const batch = pending.slice(i, i + WRITE_BATCH);
    const records: FileRecord[] = [];
    for (let j = 0; j < batch.length; j += READ_CONCURRENCY) {
      options.signal?.throwIfAborted();
      const part = batch.slice(j, j + READ_CONCURRENCY);
      const read = await Promise.all(part.map((p) => readOne(p, options)));
      for (const r of read) if (r !== undefined) records.push(r);
      done += part.length;
      options.onProgress?.({ done, total });
    }
    write(() => {
      for (const r of records) store.putFile(r);
    });
  }
  write(() => {
    for (const p of set.toDrop) store.dropPath(p);
    for (const d of set.droppedFolders) store.dropFolder(d);
    for (const f of set.folderUpdates) store.putFolder(f);
    store.clearDirty(set.clearDirty);
    if (fullDue) store.setMeta('full_check', String(now));
  });
  if (total >= indexTuning.mergeAfter) {
    // Each batch left a segment, and every re-read file a deletion in another: merged, so a
    // full re-read does not leave the index fragmented (and half again its size).
    const t0 = performance.now();
    Object.assign(lastMerge, store.mergeSegments(), { ms: performance.now() - t0 });
    // Whole statistics (the sampled ones of PRAGMA optimize said every cwd, source and provider
    // holds 2001 sessions), so the planner walks the most selective filter's index.
    store.db.exec('ANALYZE files');
  }
  return settled({ read: total, removed: set.toDrop.size, folders: set.foldersListed, epoch });
}

/** The folder watch of a store (made on first use), or undefined where folders cannot be watched. */
function watchOf(store: IndexStore): FolderWatch | undefined {
  if (store.watch === undefined) {
    if (!canWatch(store.home)) return undefined;
    store.watch = new FolderWatch();
  }
  return store.watch.closed ? undefined : store.watch;
}

/** Reads one file: its stat first (so a change during the read shows next time), then its facts. */
async function readOne(p: Pending, options: ReconcileOptions): Promise<FileRecord | undefined> {
  const st = statOrUndefined(p.path);
  if (st === undefined) return undefined;
  const s = statOf(st);
  let facts: FileFacts;
  try {
    facts = await options.inspect(p.path, p.compressed, options.signal);
  } catch (error) {
    if (options.signal?.aborted) throw error;
    facts = {
      status: 'unreadable',
      hasUser: false,
      sourceLabel: null,
      provider: null,
      cwd: null,
      texts: [],
      bases: [],
    };
  }
  return {
    path: p.path,
    folder: p.folder,
    id: p.id,
    created: p.created,
    archived: p.archived,
    compressed: p.compressed,
    stat: s,
    racy: Date.now() - Math.max(s.mtime, s.ctime) < RACY_MS,
    facts,
  };
}

/** Re-reads one file now (a listing found its stat changed) and files it. */
export async function refreshFile(store: IndexStore, file: string, options: ReconcileOptions): Promise<void> {
  const f = store.fileByPath(file);
  if (f === undefined) return;
  if (store.readonly) throw new IndexStaleError('the session index is read-only and behind the files');
  const r = await readOne(pendingOf(f), options);
  store.write(() => {
    // Emptied meanwhile (a rebuild): the next catch-up reads the file with its folder.
    if (store.fileByPath(file) === undefined) return;
    if (r === undefined) store.dropPath(file);
    else store.putFile(r);
  });
}
