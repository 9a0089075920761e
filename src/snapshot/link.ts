import path from 'node:path';
import type { WorkspaceSnapshotPayload } from '../format/types.js';
import { resolveHome } from '../files/layout.js';
import { SnapshotStore } from './snapshot-store.js';
import type { CaptureResult } from './types.js';

/** Opened stores by home and workspace, so a session's repeated snapshots skip the open. */
const stores = new Map<string, Promise<SnapshotStore>>();

/**
 * What the recorder needs for a `workspace_snapshot` line: captures the workspace for
 * (sessionId, messageId) and returns the capture (the public result) with the line's on-disk
 * payload that links it.
 */
export async function captureForRollout(options: {
  workspace: string;
  home?: string;
  sessionId: string;
  messageId: string;
  metadata?: Record<string, unknown>;
  replace?: boolean;
  signal?: AbortSignal;
}): Promise<{ capture: CaptureResult; payload: WorkspaceSnapshotPayload }> {
  const home = resolveHome(options.home);
  const key = `${home}\0${path.resolve(options.workspace)}`;
  let opening = stores.get(key);
  if (opening === undefined) {
    opening = SnapshotStore.open({ workspace: options.workspace, home, signal: options.signal });
    stores.set(key, opening);
    opening.catch(() => stores.delete(key));
  }
  const store = await opening;
  const capture = await store.capture({
    sessionId: options.sessionId,
    messageId: options.messageId,
    metadata: options.metadata,
    replace: options.replace,
    signal: options.signal,
  });
  return {
    capture,
    payload: {
      message_id: capture.messageId,
      commit: capture.commit,
      tree: capture.tree,
      workspace: store.workspace,
      store: store.path,
    },
  };
}
