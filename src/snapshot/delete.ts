import { readdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { RolloutIOError, SnapshotNotFoundError } from '../errors.js';
import { backupRef } from './backup-store.js';
import { readRefs } from './capture.js';
import { listLocked } from './list.js';
import type { HeldLock } from './lock.js';
import { INDEX_HEAD_REF, messageRef, sessionHeadRef } from './refs.js';
import { RefFiles, writeStoreHead } from './ref-files.js';
import { storeGit } from './store-context.js';
import type { StoreContext } from './store-context.js';
import type { DeleteResult } from './types.js';

/**
 * Removes message refs, moves or removes the session head so it keeps nothing deleted alive, then
 * repacks and prunes: objects only the deleted snapshots reached are gone from disk. A deleted
 * snapshot that a later one of the same session builds on stays reachable as that one's parent.
 *
 * With `dropIndex`, the persistent index goes too before the prune: it holds the blobs of the last
 * capture, whichever session took it, and git keeps every blob an index names. The next capture
 * rebuilds it (hashing the whole workspace once).
 */
export async function deleteLocked(
  ctx: StoreContext,
  lock: HeldLock,
  sessionId: string,
  messageId: string | undefined,
  signal: AbortSignal | undefined,
  dropIndex = false,
): Promise<DeleteResult> {
  const all = await listLocked(ctx, lock, sessionId, signal);
  const doomed =
    messageId === undefined ? all : all.filter((s) => s.ref === messageRef(sessionId, messageId));
  const headRef = sessionHeadRef(sessionId);
  const head = (await readRefs(ctx, lock, [headRef], signal)).get(headRef);
  if (doomed.length === 0 && (messageId !== undefined || head === undefined)) {
    throw new SnapshotNotFoundError(sessionId, messageId, ctx.gitDir);
  }
  const doomedCommits = new Set(doomed.map((s) => s.commit));
  let updates = doomed.map((s) => `delete ${s.ref}\0${s.commit}\0`).join('');
  if (head !== undefined) {
    const survivors = all.filter((s) => !doomedCommits.has(s.commit));
    const newest = survivors.at(-1);
    if (messageId === undefined || newest === undefined) updates += `delete ${headRef}\0${head.commit}\0`;
    else if (doomedCommits.has(head.commit))
      updates += `update ${headRef}\0${newest.commit}\0${head.commit}\0`;
  }
  // A rewind backup's manifest (backup-store.ts) goes with its snapshot.
  const refFiles = new RefFiles(ctx.gitDir);
  for (const s of doomed) {
    const name = backupRef(s);
    const linked = await refFiles.resolve(name);
    if (linked !== undefined) updates += `delete ${name}\0${linked}\0`;
  }
  await storeGit(ctx, lock, ['update-ref', '-z', '--stdin'], { signal, noWorkTree: true, input: updates });
  const storeHead = await new RefFiles(ctx.gitDir).resolve('HEAD');
  // HEAD would keep a deleted snapshot alive; unborn, it only makes the next status list more.
  if (storeHead !== undefined && doomedCommits.has(storeHead))
    writeStoreHead(ctx.gitDir, `ref: ${INDEX_HEAD_REF}`);
  if (dropIndex) await removeIndexFiles(ctx);
  await storeGit(ctx, lock, ['repack', '-a', '-d', '-q'], { signal, noWorkTree: true });
  await storeGit(ctx, lock, ['prune', '--expire=now'], { signal, noWorkTree: true });
  return { deleted: doomed.map((s) => ({ sessionId: s.sessionId, messageId: s.messageId })) };
}

/** The persistent index and the shared files of its split form. */
async function removeIndexFiles(ctx: StoreContext): Promise<void> {
  let names: string[];
  try {
    names = await readdir(ctx.gitDir);
  } catch (cause) {
    throw new RolloutIOError('list', ctx.gitDir, cause);
  }
  const shared = names.filter((n) => n.startsWith('sharedindex.')).map((n) => path.join(ctx.gitDir, n));
  try {
    await Promise.all([ctx.indexFile, ...shared].map((f) => rm(f, { force: true })));
  } catch (cause) {
    throw new RolloutIOError('remove the index of', ctx.gitDir, cause);
  }
}
