import type { HeldLock } from './lock.js';
import { SNAPSHOT_REF_PREFIX, decodeCommitMessage, sessionPrefix, vcsFromDisk } from './refs.js';
import { storeGit } from './store-context.js';
import type { StoreContext } from './store-context.js';
import type { SnapshotInfo } from './types.js';

/**
 * The store describes itself: one `for-each-ref` reads every message ref with its commit message,
 * which carries the raw ids and the capture record. No separate database to drift.
 */
export async function listLocked(
  ctx: StoreContext,
  lock: HeldLock,
  sessionId: string | undefined,
  signal: AbortSignal | undefined,
): Promise<(SnapshotInfo & { ref: string })[]> {
  const prefix = sessionId === undefined ? SNAPSHOT_REF_PREFIX : sessionPrefix(sessionId);
  const out = await storeGit(
    ctx,
    lock,
    [
      'for-each-ref',
      '--format=%(refname)%00%(objectname)%00%(tree)%00%(parent)%00%(contents)%00',
      '--end-of-options',
      prefix,
    ],
    { signal, noWorkTree: true },
  );
  const snapshots: (SnapshotInfo & { ref: string })[] = [];
  for (const rec of out.stdout.split('\0\n')) {
    const [ref, commit, tree, parents, contents] = rec.split('\0');
    if (!ref || !commit || !tree || contents === undefined) continue;
    const record = decodeCommitMessage(contents);
    if (record === undefined) continue;
    if (sessionId !== undefined && record.session_id !== sessionId) continue;
    snapshots.push({
      ref,
      sessionId: record.session_id,
      messageId: record.message_id,
      commit,
      tree,
      parent: parents?.split(' ')[0] || null,
      capturedAt: record.captured_at,
      workspace: record.workspace,
      metadata: record.metadata,
      vcs: vcsFromDisk(record.vcs),
      skipped: record.skipped,
    });
  }
  snapshots.sort((a, b) =>
    a.capturedAt < b.capturedAt ? -1 : a.capturedAt > b.capturedAt ? 1 : a.commit < b.commit ? -1 : 1,
  );
  return snapshots;
}
