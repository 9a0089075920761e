import { hasErrno } from '../errors.js';
import { readFileSync, statfsSync, watch, type FSWatcher } from 'node:fs';

/**
 * Knobs of the folder watch (tests lower `minFolders` so that small homes take the watched path).
 */
export const watchTuning = {
  /** Homes with fewer date folders than this are checked by stat alone (cheap enough). */
  minFolders: 64,
  /** Set false to check every folder by stat on every listing. */
  enabled: true,
};

/** More events than this between two catch-ups may mean the kernel's queue overflowed. */
const MAX_EVENTS = 4096;
/** At most this many folders watched per process, over every home. */
const MAX_WATCHES = 65_536;
/** At most this many homes watched per process; the least recently used one is let go. */
const MAX_HOMES = 4;

/**
 * File systems whose changes the kernel reports to a watcher however they are made (a network
 * file system does not report another machine's writes): ext2/3/4, xfs, btrfs, tmpfs, overlayfs,
 * zfs, f2fs.
 */
const LOCAL_FS = new Set([0xef53, 0x58465342, 0x9123683e, 0x01021994, 0x794c7630, 0x2fc12fc1, 0xf2f52010]);

/** The marks a catch-up handles, and the event count when they were taken. */
export interface Pending {
  marks: Map<string, number>;
  events: number;
}

let watched = 0;
const homes: FolderWatch[] = [];

/**
 * Whether folders of `dir`'s file system can be watched: Linux (inotify), a local file system, and
 * a kernel event queue deep enough that an overflow (which drops events silently) always shows as
 * more than {@link MAX_EVENTS} events.
 */
export function canWatch(dir: string): boolean {
  if (!watchTuning.enabled || process.platform !== 'linux') return false;
  try {
    const queue = Number(readFileSync('/proc/sys/fs/inotify/max_queued_events', 'utf8').trim());
    if (!(queue > 2 * MAX_EVENTS)) return false;
    return LOCAL_FS.has(statfsSync(dir).type);
  } catch {
    return false;
  }
}

/**
 * The date folders of one home as a long-lived process watches them (inotify, through `fs.watch`),
 * so that a catch-up after the first one lists and stats only the folders something happened in,
 * instead of stat'ing every folder of the home. A file created, deleted, renamed, appended to or
 * touched in a watched folder, and a folder created or removed under it, marks the folder. Each
 * folder is watched before it is read, so no change after the read goes unmarked; a marked folder
 * is watched again (the same path may now be another folder) before it is read again.
 *
 * The watch is trusted only after a catch-up that checked every folder by stat succeeded with every
 * folder watched (`established`); anything doubtful (a watcher error, a possible event-queue
 * overflow, too many folders) makes it `broken`, and the next catch-up checks every folder by stat
 * again. Watchers never keep the process alive.
 */
export class FolderWatch {
  private readonly watchers = new Map<string, FSWatcher>();
  /** Marked folders, with the count of events at their last mark. */
  private readonly marked = new Map<string, number>();
  private events = 0;
  private eventsSeen = 0;
  /** Every folder was checked by stat with its watcher in place; events since are all marked. */
  established = false;
  /** Since it was established, a catch-up stat'ed every indexed file once (covering before it). */
  filesChecked = false;
  broken = false;
  /** Catch-ups that checked every folder by stat since this watch was made. */
  walks = 0;
  /** Closed for good (its store was closed, or too many homes are watched). */
  closed = false;
  /** The index's epoch when it was established (a new epoch means the tables were made anew). */
  epoch: string | undefined;
  /** Identity (`dev:ino`) of each top folder when it was watched. */
  readonly roots = new Map<string, string>();

  constructor() {
    homes.push(this);
    if (homes.length > MAX_HOMES) homes.shift()?.close();
  }

  /** Watches `dir` anew (closing an earlier watcher of the path): call before reading it. */
  add(dir: string): void {
    if (this.broken || this.closed) return;
    this.remove(dir);
    if (watched >= MAX_WATCHES) {
      this.fail();
      return;
    }
    try {
      const w = watch(dir, { persistent: false }, () => {
        this.events++;
        this.marked.set(dir, this.events);
      });
      w.on('error', () => {
        this.fail();
      });
      this.watchers.set(dir, w);
      watched++;
    } catch (error) {
      // A folder that is not there has nothing to watch: its parent's watcher (or, for a top
      // folder, the identity check of every catch-up) sees it appear.
      if (!hasErrno(error, 'ENOENT', 'ENOTDIR')) this.fail();
    }
    this.touch();
  }

  /** Stops watching `dir` and every folder under it. */
  removeUnder(dir: string, sep: string): void {
    const prefix = dir + sep;
    for (const p of [...this.watchers.keys()]) if (p === dir || p.startsWith(prefix)) this.remove(p);
  }

  private remove(dir: string): void {
    const w = this.watchers.get(dir);
    if (w === undefined) return;
    this.watchers.delete(dir);
    watched--;
    w.close();
  }

  get size(): number {
    return this.watchers.size;
  }

  /**
   * The folders marked so far, after letting the event loop read every event the kernel queued
   * before this call (two turns: the first may come after the loop's poll, the second follows
   * one). Undefined when the marks cannot be trusted (too many events: the queue may have
   * overflowed). Call {@link settle} with the result once the catch-up is written; until then the
   * marks stay (a catch-up running at the same time handles them too).
   */
  async pending(): Promise<Pending | undefined> {
    await new Promise((r) => setImmediate(r));
    await new Promise((r) => setImmediate(r));
    if (this.broken || this.closed) return undefined;
    if (this.events - this.eventsSeen > MAX_EVENTS) return undefined;
    return { marks: new Map(this.marked), events: this.events };
  }

  /** Forgets the marks handled (those not marked again meanwhile). */
  settle(handled: Pending): void {
    for (const [dir, n] of handled.marks) if (this.marked.get(dir) === n) this.marked.delete(dir);
    this.eventsSeen = Math.max(this.eventsSeen, handled.events);
  }

  /** Starts over: every watcher closed, nothing trusted until established again. */
  reset(): void {
    for (const p of [...this.watchers.keys()]) this.remove(p);
    this.marked.clear();
    this.roots.clear();
    this.eventsSeen = this.events;
    this.established = false;
    this.filesChecked = false;
    this.broken = this.closed;
  }

  private fail(): void {
    this.broken = true;
    this.established = false;
  }

  private touch(): void {
    const i = homes.indexOf(this);
    if (i >= 0 && i !== homes.length - 1) {
      homes.splice(i, 1);
      homes.push(this);
    }
  }

  /** Closes every watcher; the watch is not used again. */
  close(): void {
    this.closed = true;
    this.reset();
    const i = homes.indexOf(this);
    if (i >= 0) homes.splice(i, 1);
  }
}
