import path from 'node:path';
import type { WorkspaceSnapshotPayload } from '../format/types.js';
import { resolveHome } from '../files/layout.js';
import { SnapshotStore } from './snapshot-store.js';

/** Opened stores by home and workspace, so a session's repeated snapshots skip the open. */
const stores = new Map<string, Promise<SnapshotStore>>();

/**
 * What the recorder needs for a `workspace_snapshot` line: captures the workspace for
 * (sessionId, messageId) and returns the line's payload.
 */
export async function captureForRollout(options: {
  workspace: string;
  home?: string;
  sessionId: string;
  messageId: string;
  metadata?: Record<string, unknown>;
  replace?: boolean;
  signal?: AbortSignal;
}): Promise<WorkspaceSnapshotPayload> {
  const home = resolveHome(options.home);
  const key = `${home}\0${path.resolve(options.workspace)}`;
  let opening = stores.get(key);
  if (opening === undefined) {
    opening = SnapshotStore.open({ workspace: options.workspace, home, signal: options.signal });
    stores.set(key, opening);
    opening.catch(() => stores.delete(key));
  }
  const store = await opening;
  const snap = await store.capture({
    sessionId: options.sessionId,
    messageId: options.messageId,
    metadata: options.metadata,
    replace: options.replace,
    signal: options.signal,
  });
  return {
    message_id: snap.messageId,
    commit: snap.commit,
    tree: snap.tree,
    workspace: store.workspace,
    store: store.path,
  };
}
