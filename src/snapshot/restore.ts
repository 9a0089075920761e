import { randomUUID } from 'node:crypto';
import { SnapshotNotFoundError } from '../errors.js';
import { captureLocked, readRefs } from './capture.js';
import { diffNames } from './changes.js';
import { checkoutTreeInto } from './checkout.js';
import type { HeldLock } from './lock.js';
import { writeStoreHead } from './ref-files.js';
import { messageRef } from './refs.js';
import { storeGit } from './store-context.js';
import type { StoreContext } from './store-context.js';
import type { RestoreToDestResult, RewindResult, SnapshotRef } from './types.js';

/** The commit and tree of a snapshot, or SnapshotNotFoundError. */
export async function resolveSnapshot(
  ctx: StoreContext,
  lock: HeldLock,
  ref: SnapshotRef,
  signal: AbortSignal | undefined,
): Promise<{ commit: string; tree: string }> {
  const name = messageRef(ref.sessionId, ref.messageId);
  const found = (await readRefs(ctx, lock, [name], signal)).get(name);
  if (found === undefined) throw new SnapshotNotFoundError(ref.sessionId, ref.messageId, ctx.gitDir);
  return found;
}

export async function restoreToDest(
  ctx: StoreContext,
  lock: HeldLock,
  ref: SnapshotRef,
  dest: string,
  signal: AbortSignal | undefined,
): Promise<RestoreToDestResult> {
  const target = await resolveSnapshot(ctx, lock, ref, signal);
  const written = await checkoutTreeInto({
    gitDir: ctx.gitDir,
    tree: target.tree,
    dest,
    lockFd: lock.fd,
    signal,
  });
  return { mode: 'dest', dest: written, ...target };
}

/**
 * Rewinds the workspace to a snapshot. The current state is captured first; the persistent index
 * then equals that capture, so a two-way `read-tree -m -u` from it to the target writes or removes
 * exactly the paths that differ. Paths the index does not hold (ignored, skipped, excluded) are
 * never touched: if the target needs one of them, git refuses and nothing is written.
 */
export async function rewindInPlace(
  ctx: StoreContext,
  lock: HeldLock,
  ref: SnapshotRef,
  options: { backup: SnapshotRef | undefined; maxFileSize: number; signal: AbortSignal | undefined },
): Promise<RewindResult> {
  const { signal } = options;
  const target = await resolveSnapshot(ctx, lock, ref, signal);
  const backupRef = options.backup ?? {
    sessionId: ref.sessionId,
    messageId: `restore-backup:${new Date().toISOString()}:${randomUUID()}`,
  };
  const backup = await captureLocked(ctx, lock, {
    sessionId: backupRef.sessionId,
    messageId: backupRef.messageId,
    metadata: { kind: 'restore-backup', restoring: { ...ref, commit: target.commit } },
    replace: false,
    maxFileSize: options.maxFileSize,
    signal,
  });
  const changes = await diffNames(ctx, lock, backup.tree, target.tree, signal);
  const written = changes.filter((c) => c.status !== 'deleted').map((c) => c.path);
  const removed = changes.filter((c) => c.status === 'deleted').map((c) => c.path);
  if (changes.length > 0) {
    await storeGit(ctx, lock, ['read-tree', '-m', '-u', '--end-of-options', backup.tree, target.tree], {
      signal,
      config: { 'checkout.workers': '0' },
    });
    // The index now holds the target's tree: HEAD follows, so the next status stays short.
    writeStoreHead(ctx.gitDir, target.commit);
  }
  return { mode: 'in-place', ...target, backup, written, removed };
}
