import { ArchiveRemoteError } from '../errors.js';
import { getArchiveRemote } from '../snapshot/archive-remotes.js';

/**
 * The archive remote stored for a workspace (`rollouts remote set`), where its snapshots are
 * pushed before rows that name it are exported; `undefined` when it has none, or when the
 * workspace folder is gone or unreadable (its rows then carry no remote, and nothing is pushed).
 */
export async function archiveRemoteFor(
  workspace: string,
  home: string | undefined,
  signal?: AbortSignal,
): Promise<string | undefined> {
  try {
    return (
      await getArchiveRemote(workspace, {
        ...(home === undefined ? {} : { home }),
        ...(signal ? { signal } : {}),
      })
    )?.url;
  } catch (error) {
    // A remotes file that is not ours to read is said, never taken for "no remote".
    if (signal?.aborted || error instanceof ArchiveRemoteError) throw error;
    return undefined;
  }
}
