import { statSync } from 'node:fs';
import { IndexStore, indexPath, removeIndexFiles } from './store.js';

/**
 * One open index per home per process, reused across listings (opening costs more than a page).
 * Before each use the file is checked to be the one opened (same inode): an index deleted or
 * replaced meanwhile is closed and opened again.
 */
const open = new Map<string, { store: IndexStore; ino: number; dev: number }>();

/** Why the index of a home cannot be used right now, for `sessionIndexStatus`. */
const lastFailure = new Map<string, string>();

function identity(file: string): { ino: number; dev: number } | undefined {
  const st = statSync(file, { throwIfNoEntry: false });
  return st === undefined ? undefined : { ino: st.ino, dev: st.dev };
}

/**
 * The index of `home`, opened (and with `create`, created) or undefined when it cannot be used
 * (no SQLite addon, unwritable and absent, corrupt and unwritable, locked past the busy timeout).
 */
export function acquireIndex(home: string, { create }: { create: boolean }): IndexStore | undefined {
  const file = indexPath(home);
  const cached = open.get(home);
  if (cached !== undefined) {
    const now = identity(file);
    if (now !== undefined && now.ino === cached.ino && now.dev === cached.dev && cached.store.db.open) {
      return cached.store;
    }
    release(home);
  }
  try {
    const store = IndexStore.open(home, { create });
    const id = identity(file);
    if (id !== undefined) open.set(home, { store, ...id });
    lastFailure.delete(home);
    return store;
  } catch (error) {
    lastFailure.set(home, error instanceof Error ? error.message : String(error));
    return undefined;
  }
}

/** Closes and forgets the open index of `home` (after an error, so the next use reopens it). */
export function release(home: string): void {
  const cached = open.get(home);
  open.delete(home);
  try {
    cached?.store.close();
  } catch {
    // Closing a broken connection can fail; it is dropped either way.
  }
}

/** After SQLite said the file is corrupt: forget it and delete it, so the next use rebuilds. */
export function discardCorrupt(home: string): void {
  release(home);
  try {
    removeIndexFiles(home);
  } catch {
    // An index that cannot be deleted stays unusable; listings use the files.
  }
}

/** The reason the index of `home` last failed to open, if it did. */
export function failureOf(home: string): string | undefined {
  return lastFailure.get(home);
}

export function noteFailure(home: string, error: unknown): void {
  lastFailure.set(home, error instanceof Error ? error.message : String(error));
}
