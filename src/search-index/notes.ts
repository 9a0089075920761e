import { statSync } from 'node:fs';
import { acquireIndex } from './handle.js';
import { isBusy } from './sqlite.js';
import { BUSY_TIMEOUT_MS, indexPath } from './store.js';

/**
 * The recorder's notes to the index: "this rollout was written". Off the write path: noting is a
 * set insertion, and the notes of a home are written to the index's `dirty` table in one
 * transaction, at most every {@link NOTE_DELAY_MS}, from a timer that never keeps the process alive.
 * The next listing re-reads exactly those files. The write waits at most {@link NOTE_BUSY_MS} for
 * another process's lock (it runs on the recorder's event loop); while the index stays locked the
 * notes are kept and tried again, up to {@link MAX_NOTE_TRIES} times. A note is not the only way a
 * change is found (the writer-lock folder, the periodic stat of every file), but it is the one a
 * lock file swept by the Codex CLI leaves, so it is not dropped for a lock held a moment. Any other
 * failure (no addon, no index, read-only, corrupt) drops the notes.
 */
export const NOTE_DELAY_MS = 200;
/** How long writing the notes waits for another process's write lock before trying later (ms). */
export const NOTE_BUSY_MS = 20;
/** Tries, {@link NOTE_DELAY_MS} apart, before notes a locked index keeps refusing are dropped. */
export const MAX_NOTE_TRIES = 300;

const pending = new Map<string, Set<string>>();
/** Failed tries so far of each home whose notes are waiting for a locked index. */
const tries = new Map<string, number>();
let timer: NodeJS.Timeout | undefined;

function schedule(): void {
  if (timer === undefined) {
    timer = setTimeout(flushNotes, NOTE_DELAY_MS);
    timer.unref();
  }
}

function keep(home: string, files: Iterable<string>): void {
  let set = pending.get(home);
  if (set === undefined) {
    set = new Set();
    pending.set(home, set);
  }
  for (const f of files) set.add(f);
}

export function noteWritten(home: string, file: string): void {
  keep(home, [file]);
  schedule();
}

/** Writes the pending notes now (also called by the timer). */
export function flushNotes(): void {
  timer = undefined;
  const all = [...pending];
  pending.clear();
  for (const [home, files] of all) {
    // Only an index that exists is told: the recorder never creates one.
    if (statSync(indexPath(home), { throwIfNoEntry: false }) === undefined) continue;
    try {
      const store = acquireIndex(home, { create: false });
      if (store === undefined || store.readonly) continue;
      store.db.pragma(`busy_timeout = ${NOTE_BUSY_MS}`);
      try {
        store.markDirty(files);
      } finally {
        store.db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
      }
      tries.delete(home);
    } catch (error) {
      // Busy: another process writes or holds the lock; kept for the next try, within a bound.
      const n = (tries.get(home) ?? 0) + 1;
      if (isBusy(error) && n < MAX_NOTE_TRIES) {
        tries.set(home, n);
        keep(home, files);
      } else {
        tries.delete(home);
      }
    }
  }
  if (pending.size > 0) schedule();
}
