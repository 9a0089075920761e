import { statSync } from 'node:fs';
import { acquireIndex } from './handle.js';
import { indexPath } from './store.js';

/**
 * The recorder's notes to the index: "this rollout was written". Off the write path: noting is a
 * set insertion, and the notes of a home are written to the index's `dirty` table in one
 * transaction, at most every {@link NOTE_DELAY_MS}, from a timer that never keeps the process alive.
 * The next listing re-reads exactly those files. Any failure (no addon, no index, busy) drops the
 * notes: the reconcile finds the change through the writer-lock folder anyway.
 */
export const NOTE_DELAY_MS = 200;

const pending = new Map<string, Set<string>>();
let timer: NodeJS.Timeout | undefined;

export function noteWritten(home: string, file: string): void {
  let set = pending.get(home);
  if (set === undefined) {
    set = new Set();
    pending.set(home, set);
  }
  set.add(file);
  if (timer === undefined) {
    timer = setTimeout(flushNotes, NOTE_DELAY_MS);
    timer.unref();
  }
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
      if (store !== undefined && !store.readonly) store.markDirty(files);
    } catch {
      // Best effort: see above.
    }
  }
}
