import type { Dirent } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { hasErrno } from '../errors.js';
import type { CursorKey } from '../format/cursor.js';
import { parseRolloutFileName } from '../files/layout.js';
import { uuidV7Time } from '../format/ids.js';
import type { SkipHandler, SkipReason } from './skip.js';

const HOUR = 3_600_000;
export const DAY_MS = 24 * HOUR;
/**
 * How far a file's true creation instant can be from the time in its name and date folder: the
 * Codex CLI writes local time (UTC−12 … UTC+14), cut to the second.
 */
export const LOCAL_TIME_SLACK_MS = 14 * HOUR + 1000;

/** A rollout file found by a traversal, before its head is read. */
export interface Candidate {
  /** The file. */
  path: string;
  /** The id as written in the name: the thread's id (the first UUID of a reverted thread's name). */
  id: string;
  /**
   * The rollout's own id: the second UUID of a Codex CLI 0.171 reverted thread's name
   * (`rollout-<ts>-<thread>_<rollout>.jsonl`), else the same as `id`. Segment references
   * (`history_base.thread_id`) name this id.
   */
  rolloutId: string;
  /** Its place in the order (set by the walker for the sort key in use). */
  key: CursorKey;
  /** The creation instant the order and `since`/`until` use. */
  created: number;
  /** A `.jsonl.zst` file. */
  compressed: boolean;
  /** Found in `archived_sessions/`. */
  archived: boolean;
}

/** Counters and callbacks of one call. */
export class ScanContext {
  /** Directory entries examined. */
  entries = 0;
  /** Files and folders left out. */
  skipped = 0;
  /** Rollout files opened. */
  opened = 0;
  /** The call stopped listing at the scan cap. */
  reachedScanCap = false;
  /** At least one candidate was handed out, so stopping at the cap still makes progress. */
  progressed = false;

  constructor(
    readonly scanCap: number,
    readonly onSkip: SkipHandler | undefined,
    readonly signal: AbortSignal | undefined,
  ) {}

  skip(file: string, reason: SkipReason, error?: unknown): void {
    this.skipped++;
    this.onSkip?.(file, reason, error);
  }

  checkAbort(): void {
    this.signal?.throwIfAborted();
  }

  /** True when no more folders may be listed. */
  get capReached(): boolean {
    return this.entries >= this.scanCap && this.progressed;
  }
}

/** Lists a folder, counting its entries; a problem is reported and gives `undefined`. */
export async function listDir(
  dir: string,
  ctx: ScanContext,
  quietIfMissing = false,
): Promise<Dirent[] | undefined> {
  ctx.checkAbort();
  try {
    const entries = await readdir(dir, { withFileTypes: true });
    ctx.entries += entries.length;
    return entries;
  } catch (error) {
    if (hasErrno(error, 'ENOENT')) {
      if (!quietIfMissing) ctx.skip(dir, 'vanished', error);
    } else if (hasErrno(error, 'ENOTDIR')) {
      ctx.skip(dir, 'unrecognized-name', error);
    } else {
      ctx.skip(dir, 'unreadable', error);
    }
    return undefined;
  }
}

/**
 * Whether a folder entry is a folder, following symbolic links (a loop or a dangling link is
 * reported here and gives `'reported'`).
 */
async function folderKind(
  dir: string,
  entry: Dirent,
  ctx: ScanContext,
): Promise<'folder' | 'other' | 'reported'> {
  if (entry.isDirectory()) return 'folder';
  if (!entry.isSymbolicLink() && entry.isFile()) return 'other';
  const full = path.join(dir, entry.name);
  try {
    return (await stat(full)).isDirectory() ? 'folder' : 'other';
  } catch (error) {
    ctx.skip(full, hasErrno(error, 'ENOENT') ? 'vanished' : 'unreadable', error);
    return 'reported';
  }
}

const YEAR_RE = /^\d{4}$/;
const MONTH_RE = /^(0[1-9]|1[0-2])$/;
const DAY_RE = /^(0[1-9]|[12]\d|3[01])$/;

/** The pattern a date folder's name must match, by depth below `sessions/` (year, month, day). */
export const DATE_FOLDER_NAMES: readonly RegExp[] = [YEAR_RE, MONTH_RE, DAY_RE];

/**
 * The window `[lo, hi)` of creation instants a date folder (`[year]`, `[year, month]` or
 * `[year, month, day]`) can hold, the local-time slack included; undefined for a day that does
 * not exist.
 */
export function dateFolderWindow(parts: readonly number[]): { lo: number; hi: number } | undefined {
  const [y, m = 1, d = 1] = parts as [number, number?, number?];
  let start: number;
  let end: number;
  if (parts.length === 1) {
    start = Date.UTC(y, 0, 1);
    end = Date.UTC(y + 1, 0, 1);
  } else if (parts.length === 2) {
    start = Date.UTC(y, m - 1, 1);
    end = Date.UTC(y, m, 1);
  } else {
    start = Date.UTC(y, m - 1, d);
    end = start + DAY_MS;
    if (new Date(start).getUTCDate() !== d) return undefined;
  }
  return { lo: start - LOCAL_TIME_SLACK_MS, hi: end + LOCAL_TIME_SLACK_MS };
}

/** A cheap test on a file name, before it is parsed; names it refuses are passed over silently. */
export type NameFilter = (name: string) => boolean;

/**
 * The rollout files of one folder. `window` clamps each creation instant into the span the folder
 * can hold, so a misnamed or misfiled session still has one fixed place in the order, inside the
 * bounds the traversal relies on. A plain `.jsonl` wins over a `.jsonl.zst` of the same name.
 */
export async function readRolloutFolder(
  dir: string,
  ctx: ScanContext,
  options: {
    archived: boolean;
    window?: { lo: number; hi: number };
    quietIfMissing?: boolean;
    accept?: NameFilter | undefined;
  },
): Promise<Candidate[]> {
  const entries = await listDir(dir, ctx, options.quietIfMissing);
  if (entries === undefined) return [];
  const byName = new Map<string, Candidate>();
  for (const entry of entries) {
    if (options.accept !== undefined && !options.accept(entry.name)) continue;
    // Plain concatenation: `dir` is normalized already, and path.join shows in profiles of big walks.
    const full = dir + path.sep + entry.name;
    const parsed = parseRolloutFileName(entry.name);
    if (parsed === undefined) {
      ctx.skip(full, 'unrecognized-name');
      continue;
    }
    if (entry.isDirectory()) {
      ctx.skip(full, 'not-a-file');
      continue;
    }
    // A later rollout of a thread (a reverted thread's new file) sorts where it was made: the thread
    // is listed once, at the place of its newest rollout.
    const rolloutId = parsed.rolloutId ?? parsed.id;
    let created = uuidV7Time(rolloutId) ?? parsed.nameTime;
    if (options.window) created = Math.min(Math.max(created, options.window.lo), options.window.hi - 1);
    const plainName = parsed.compressed ? entry.name.slice(0, -'.zst'.length) : entry.name;
    const other = byName.get(plainName);
    if (other !== undefined && !other.compressed) continue;
    byName.set(plainName, {
      path: full,
      id: parsed.id,
      rolloutId,
      key: { time: created, id: parsed.id.toLowerCase() },
      created,
      compressed: parsed.compressed,
      archived: options.archived,
    });
  }
  return [...byName.values()];
}

interface Node {
  dir: string;
  level: 0 | 1 | 2 | 3;
  /** Year, month (1-12), day of the folder. */
  parts: number[];
  /** Every session below has a creation instant in [lo, hi). */
  lo: number;
  hi: number;
}

/** Bounds a traversal may prune with. */
export interface TreeBounds {
  /** Skip folders holding only sessions at or after this instant (the cursor of 'created' order). */
  newerThan?: number | undefined;
  since?: number | undefined;
  until?: number | undefined;
  /** Only file names passing this test are parsed and returned. */
  accept?: NameFilter | undefined;
}

/**
 * Walks `sessions/YYYY/MM/DD/` newest first, one folder per `expand()`. `upperBound` is an exclusive
 * bound on the creation instant of every session not yet listed, so a caller holding a candidate at
 * or above it knows no unlisted session comes before it. Only the folders a caller asks for are
 * read: the cost follows the page, not the home.
 */
export class DateTreeWalker {
  private readonly pending: Node[];

  constructor(
    root: string,
    private readonly ctx: ScanContext,
    private readonly bounds: TreeBounds = {},
  ) {
    this.pending = [{ dir: root, level: 0, parts: [], lo: -Infinity, hi: Infinity }];
  }

  /** Exclusive bound on the creation instant of every session in folders not yet listed. */
  get upperBound(): number {
    return this.pending[0]?.hi ?? -Infinity;
  }

  get done(): boolean {
    return this.pending.length === 0;
  }

  private wanted(lo: number, hi: number): boolean {
    const b = this.bounds;
    if (b.newerThan !== undefined && lo > b.newerThan) return false;
    if (b.until !== undefined && lo > b.until) return false;
    if (b.since !== undefined && hi <= b.since) return false;
    return true;
  }

  private add(node: Node): void {
    if (!this.wanted(node.lo, node.hi)) return;
    // Few nodes are ever pending (years + months + days of one month), so a sorted insert is enough.
    let i = this.pending.length;
    while (i > 0 && this.pending[i - 1]!.hi < node.hi) i--;
    this.pending.splice(i, 0, node);
  }

  /** Lists the pending folder with the highest bound; returns the rollout files it held, if a day. */
  async expand(): Promise<Candidate[]> {
    const node = this.pending.shift();
    return node === undefined ? [] : this.list(node);
  }

  /** Starts listing the `n` pending folders with the highest bounds at once (order is not kept). */
  expandMany(n: number): Promise<Candidate[]>[] {
    return this.pending.splice(0, n).map((node) => this.list(node));
  }

  private async list(node: Node): Promise<Candidate[]> {
    if (node.level === 3) {
      return readRolloutFolder(node.dir, this.ctx, {
        archived: false,
        window: { lo: node.lo, hi: node.hi },
        accept: this.bounds.accept,
      });
    }
    const entries = await listDir(node.dir, this.ctx, node.level === 0);
    if (entries === undefined) return [];
    const re = node.level === 0 ? YEAR_RE : node.level === 1 ? MONTH_RE : DAY_RE;
    for (const entry of entries) {
      const full = path.join(node.dir, entry.name);
      if (!re.test(entry.name)) {
        this.ctx.skip(full, 'unrecognized-name');
        continue;
      }
      const kind = await folderKind(node.dir, entry, this.ctx);
      if (kind !== 'folder') {
        if (kind === 'other') this.ctx.skip(full, 'unrecognized-name');
        continue;
      }
      const parts = [...node.parts, Number(entry.name)];
      const window = dateFolderWindow(parts);
      if (window === undefined) {
        this.ctx.skip(full, 'unrecognized-name');
        continue;
      }
      this.add({
        dir: full,
        level: (node.level + 1) as 1 | 2 | 3,
        parts,
        lo: window.lo,
        hi: window.hi,
      });
    }
    return [];
  }
}

/** Folders a full walk lists at once (latency of each `readdir` hides behind the others). */
const WALK_CONCURRENCY = 16;

/**
 * Every rollout file below `sessions/`, in no particular order, up to the scan cap. Folders are
 * listed newest first, so a capped walk keeps the newest folders.
 */
export async function listAllLive(
  root: string,
  ctx: ScanContext,
  bounds: TreeBounds = {},
): Promise<Candidate[]> {
  const walker = new DateTreeWalker(root, ctx, bounds);
  const all: Candidate[] = [];
  while (!walker.done) {
    if (ctx.entries >= ctx.scanCap) {
      ctx.reachedScanCap = true;
      break;
    }
    const round = await Promise.all(walker.expandMany(WALK_CONCURRENCY));
    for (const list of round) for (const c of list) all.push(c);
  }
  return all;
}

/** The UTC date-folder parts of every day whose folder could hold a session created at `time`. */
export function dayFoldersAround(time: number): [number, number, number][] {
  const out: [number, number, number][] = [];
  const first = Math.floor((time - LOCAL_TIME_SLACK_MS) / DAY_MS);
  const last = Math.floor((time + LOCAL_TIME_SLACK_MS) / DAY_MS);
  for (let day = first; day <= last; day++) {
    const d = new Date(day * DAY_MS);
    out.push([d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate()]);
  }
  return out;
}

/** The folder of a day, below `sessions/`. */
export function dayFolderPath(root: string, [y, m, d]: [number, number, number]): string {
  const pad = (n: number, w = 2): string => String(n).padStart(w, '0');
  return path.join(root, pad(y, 4), pad(m), pad(d));
}
