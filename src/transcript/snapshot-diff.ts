import { isRolloutError } from '../errors.js';
import { SnapshotStore } from '../snapshot/snapshot-store.js';
import type { DiffEntry } from '../snapshot/types.js';

/**
 * The change a snapshot brought: the diff from the session's previous snapshot of the same
 * workspace to this one, read from the shadow store (never the user's repository).
 */
export type SnapshotChange =
  | {
      kind: 'diff';
      /** The message whose snapshot is the old side. */
      previous: string;
      files: DiffEntry[];
      /** The unified patch (git's), possibly cut. */
      patch: string;
      /** Characters of the patch left out (0: whole). */
      cutChars: number;
    }
  | { kind: 'first' }
  | { kind: 'unavailable'; reason: string };

/** Patch characters kept per snapshot unless the caller asks for everything. */
export const MAX_PATCH_CHARS = 1024 * 1024;

/** Diffs each snapshot of one session against the one before it, in the order they are given. */
export class SnapshotDiffer {
  readonly #stores = new Map<string, Promise<SnapshotStore>>();
  readonly #previous = new Map<string, string>();

  constructor(
    private readonly home: string,
    private readonly sessionId: string,
    private readonly maxPatchChars: number,
    private readonly signal?: AbortSignal,
  ) {}

  /** Tells the differ a snapshot exists without diffing it (the viewer's page of a later one). */
  seen(workspace: string, messageId: string): void {
    this.#previous.set(workspace, messageId);
  }

  /** The change of the snapshot of `messageId` in `workspace`, then remembered as the previous one. */
  async next(workspace: string, messageId: string): Promise<SnapshotChange> {
    const previous = this.#previous.get(workspace);
    this.#previous.set(workspace, messageId);
    if (previous === undefined) return { kind: 'first' };
    if (previous === messageId) return { kind: 'first' };
    return this.diff(workspace, previous, messageId);
  }

  /** The diff between two messages' snapshots in `workspace`'s store. */
  async diff(workspace: string, from: string, to: string): Promise<SnapshotChange> {
    try {
      let store = this.#stores.get(workspace);
      if (store === undefined) {
        store = SnapshotStore.open({ workspace, home: this.home, create: false, signal: this.signal });
        this.#stores.set(workspace, store);
      }
      const d = await (
        await store
      ).diff(
        { sessionId: this.sessionId, messageId: from },
        { sessionId: this.sessionId, messageId: to },
        { patch: true, signal: this.signal },
      );
      const patch = d.patch ?? '';
      const cut =
        patch.length > this.maxPatchChars ? patch.lastIndexOf('\ndiff --git ', this.maxPatchChars) : -1;
      const keep = patch.length <= this.maxPatchChars ? patch.length : cut > 0 ? cut + 1 : this.maxPatchChars;
      return {
        kind: 'diff',
        previous: from,
        files: d.files,
        patch: patch.slice(0, keep),
        cutChars: patch.length - keep,
      };
    } catch (error) {
      if (this.signal?.aborted) throw error;
      if (isRolloutError(error) || error instanceof TypeError) {
        return { kind: 'unavailable', reason: error.message };
      }
      throw error;
    }
  }
}
