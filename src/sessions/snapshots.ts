import { realpath } from 'node:fs/promises';
import { InvalidRolloutError, RolloutIOError, SessionLockedError, SessionNotFoundError } from '../errors.js';
import { acquireSessionLock } from '../files/session-lock.js';
import { resolveHome } from '../files/layout.js';
import type { SnapshotLink, WorkspaceSnapshotPayload } from '../format/types.js';
import { readRollout } from '../reader/read.js';
import { listSessionSnapshotsIn, sessionStores } from '../snapshot/session-stores.js';
import { appendRolloutLine } from './append.js';
import { filesOf, pickSession } from './target.js';

/**
 * Options of {@link listSessionSnapshots}.
 * @public
 */
export interface ListSessionSnapshotsOptions {
  /**
   * The home folder.
   * @defaultValue `$CODEX_HOME`, else `~/.codex`
   */
  home?: string;
  /** Stops the listing. */
  signal?: AbortSignal;
}

/**
 * One snapshot of a session, as its rollout links it and as its store holds it.
 * @public
 */
export interface SessionSnapshot extends SnapshotLink {
  /** A `workspace_snapshot` line of the rollout links it. */
  inRollout: boolean;
  /** A store in `<home>/snapshots/` holds it now (its `commit` is then the store's). */
  inStore: boolean;
  /** When it was captured, from the store; null when only the rollout names it. */
  capturedAt: string | null;
}

/**
 * A session's snapshots from both sources: the rollout's `workspace_snapshot` lines and the
 * session's refs in the stores of the home (a snapshot taken while another writer held the
 * session is only in its store). Each (store, message) once.
 *
 * @param idOrPrefix - a full session id or a unique prefix (8+ hex digits), live or archived.
 * @remarks
 * Rollout links come first, in file order; snapshots only a store holds follow, oldest capture
 * first. Stores are compared by real path. A rollout that cannot be read contributes no links.
 * Never creates or writes anything.
 * @throws `SessionNotFoundError` / `AmbiguousSessionIdError` as {@link findSession}.
 * @public
 */
export async function listSessionSnapshots(
  idOrPrefix: string,
  options: ListSessionSnapshotsOptions = {},
): Promise<SessionSnapshot[]> {
  const home = resolveHome(options.home);
  const { signal } = options;
  const { id } = await pickSession(home, idOrPrefix, 'any', signal);
  const file = (await filesOf(home, id, signal))[0];
  if (file === undefined) throw new SessionNotFoundError(idOrPrefix, home);
  let links: SnapshotLink[] = [];
  try {
    links = (await readRollout(file.path, { signal })).snapshots;
  } catch (error) {
    // A rollout that cannot be opened or read names no store; its snapshots are still found by ref.
    if (!(error instanceof InvalidRolloutError || error instanceof RolloutIOError)) throw error;
  }
  const real = async (p: string): Promise<string> => realpath(p).catch(() => p);
  const out = new Map<string, SessionSnapshot>();
  const keyOf = (store: string, messageId: string): string => `${store}\0${messageId}`;
  for (const link of links) {
    const store = await real(link.store);
    // A later line for the same message (a replaced capture) wins, in the first one's place.
    out.set(keyOf(store, link.messageId), {
      ...link,
      store,
      inRollout: true,
      inStore: false,
      capturedAt: null,
    });
  }
  const stores = await sessionStores(
    home,
    [id],
    links.map((l) => l.store),
    signal,
  );
  const storeOnly: SessionSnapshot[] = [];
  for (const store of stores) {
    for (const s of await listSessionSnapshotsIn(store, home, id, signal)) {
      const known = out.get(keyOf(store, s.messageId));
      if (known !== undefined) {
        Object.assign(known, { commit: s.commit, tree: s.tree, inStore: true, capturedAt: s.capturedAt });
      } else {
        storeOnly.push({
          messageId: s.messageId,
          commit: s.commit,
          tree: s.tree,
          workspace: s.workspace,
          store,
          inRollout: false,
          inStore: true,
          capturedAt: s.capturedAt,
        });
      }
    }
  }
  storeOnly.sort((a, b) => (a.capturedAt ?? '').localeCompare(b.capturedAt ?? ''));
  return [...out.values(), ...storeOnly];
}

/**
 * Records a `workspace_snapshot` line linking a capture in the rollout of session `id` (a full
 * id), when no writer holds the session: takes its writer lock without waiting and appends the line
 * as the recorder would. Returns false, writing nothing, while a writer holds the session (its
 * store's ref is then the only link; {@link listSessionSnapshots} finds it), or when the rollout
 * is compressed or does not read as an envelope or paginated rollout.
 */
export async function recordSnapshotLink(
  home: string,
  id: string,
  link: SnapshotLink,
  signal?: AbortSignal,
): Promise<boolean> {
  let lock;
  try {
    lock = acquireSessionLock(home, id);
  } catch (error) {
    if (error instanceof SessionLockedError) return false;
    throw error;
  }
  try {
    const file = (await filesOf(home, id, signal))[0];
    if (file === undefined || file.compressed) return false;
    const payload: WorkspaceSnapshotPayload = {
      message_id: link.messageId,
      commit: link.commit,
      tree: link.tree,
      workspace: link.workspace,
      store: link.store,
    };
    return await appendRolloutLine(file.path, 'workspace_snapshot', payload, signal);
  } finally {
    lock.release();
  }
}
