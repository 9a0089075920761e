import path from 'node:path';
import { RefFiles } from './ref-files.js';
import type { SnapshotVcsInfo } from './types.js';
import type { Workspace } from './workspace.js';

/**
 * The user's version control state, read as files: no git process runs in the user's repository,
 * so nothing there can be refreshed, locked or rewritten.
 */
export async function readVcsInfo(ws: Workspace): Promise<SnapshotVcsInfo | null> {
  if (ws.kind !== 'git' || ws.gitDir === undefined || ws.commonDir === undefined) return null;
  const refs = new RefFiles(ws.commonDir, ws.gitDir);
  let branch: string | null = null;
  let head: string | null = null;
  try {
    const raw = (await refs.head()) ?? '';
    if (raw.startsWith('ref: ')) branch = raw.slice(5).replace(/^refs\/heads\//, '');
    head = (await refs.resolve('HEAD')) ?? null;
  } catch {
    // An unreadable HEAD leaves the fields unknown rather than failing the capture.
  }
  return { type: 'git', branch, head, worktree: ws.root, commonDir: path.resolve(ws.commonDir) };
}
