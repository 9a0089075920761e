import { createHash, randomBytes } from 'node:crypto';
import { lstat, mkdir, readFile, rename, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import {
  MessageHasNoSnapshotError,
  MessageNotFoundError,
  NothingToUndoError,
  RolloutIOError,
  hasErrno,
  invalidArgument,
} from '../errors.js';
import { DIR_MODE, FILE_MODE, homePaths, resolveHome } from '../files/layout.js';
import { isUuid } from '../format/ids.js';
import type { ReadRolloutResult } from '../reader/read.js';
import { readRollout } from '../reader/read.js';
import type { RewindSessionResult } from '../recorder/recorder.js';
import { RolloutRecorder, registerRewinder } from '../recorder/recorder.js';
import type { RewindSessionOptions, UndoRewindResult } from '../recorder/rewind-types.js';
import { SnapshotStore } from '../snapshot/snapshot-store.js';
import type { DiffEntry, SnapshotRef } from '../snapshot/types.js';
import type { OwnedSnapshotLink } from './fork.js';
import { messageIdOfLine, ownedLinks, writeFork } from './fork.js';
import { withSessionLock } from './lock.js';
import { pickSession } from './target.js';

/**
 * The last rewind of a home, as {@link lastRewind} reads it from `<home>/rollouts-last-rewind.json`
 * (mode 0600): enough to undo it from another process ({@link undoLastRewind}, `rollouts undo`).
 * @public
 */
export interface LastRewind {
  /** When the rewind finished (ISO 8601). */
  at: string;
  /** The session rewound. */
  sourceId: string;
  /** The message rewound to. */
  message: string;
  /** The fork the conversation continued in: id, file, and its size and SHA-256 right after. */
  fork: { id: string; path: string; size: number; sha256: string };
  /** The workspace rewound (a real path). */
  workspace: string;
  /** The snapshot holding the workspace as it was before the rewind. */
  backup: SnapshotRef;
}

/**
 * What {@link planRewind} found: what a rewind would change, without changing anything.
 * @public
 */
export interface RewindPlan {
  /** The session. */
  sourceId: string;
  /** The message the rewind goes back to (with `nearest`, maybe an earlier one than asked). */
  message: string;
  /** The snapshot it restores. */
  snapshot: SnapshotRef & { commit: string; workspace: string; store: string };
  /** The workspace that would be rewound (a real path). */
  workspace: string;
  /** The paths that differ between the workspace now and the snapshot. */
  changes: DiffEntry[];
  /** How many user and assistant messages after it the fork leaves out. */
  messagesDropped: number;
}

const RECORD_NAME = 'rollouts-last-rewind.json';

function recordPath(home: string): string {
  return path.join(home, RECORD_NAME);
}

interface Resolved {
  source: ReadRolloutResult;
  message: string;
  link: OwnedSnapshotLink;
  store: SnapshotStore;
  messagesDropped: number;
}

/** The message, its snapshot and its store; refuses before anything is written. */
async function resolveRewind(home: string, file: string, options: RewindSessionOptions): Promise<Resolved> {
  const { signal } = options;
  const source = await readRollout(file, { signal });
  const messages = source.items.flatMap((i) => messageIdOfLine(i) ?? []);
  const at = messages.lastIndexOf(options.toMessage);
  if (at < 0) throw new MessageNotFoundError(source.meta.id, options.toMessage);
  const linkOf = new Map<string, OwnedSnapshotLink>();
  for (const link of ownedLinks(source)) linkOf.set(link.messageId, link); // a later capture wins
  let message = options.toMessage;
  let link = linkOf.get(message);
  let index = at;
  if (link === undefined) {
    let nearest: number | undefined;
    for (let i = at - 1; i >= 0; i--) {
      if (linkOf.has(messages[i]!)) {
        nearest = i;
        break;
      }
    }
    if (nearest === undefined || options.nearest !== true) {
      throw new MessageHasNoSnapshotError(
        source.meta.id,
        message,
        nearest === undefined ? undefined : messages[nearest],
      );
    }
    index = nearest;
    message = messages[nearest]!;
    link = linkOf.get(message)!;
  }
  const store = await SnapshotStore.open({
    workspace: options.workspace ?? link.workspace,
    home,
    create: false,
    signal,
  });
  return { source, message, link, store, messagesDropped: messages.length - 1 - index };
}

function checkOptions(where: string, id: unknown, options: RewindSessionOptions | undefined): void {
  if (typeof id !== 'string' || id === '') throw invalidArgument(`${where}: pass a session id`);
  if (typeof options?.toMessage !== 'string' || options.toMessage === '') {
    throw invalidArgument(`${where}: \`toMessage\` must be a non-empty message id`);
  }
  if (
    options.workspace !== undefined &&
    (typeof options.workspace !== 'string' || options.workspace === '')
  ) {
    throw invalidArgument(`${where}: \`workspace\` must be a folder path`);
  }
}

/**
 * What {@link rewindSession} would do, changing nothing: the message and snapshot it would go back
 * to, and the paths of the workspace that differ from that snapshot.
 * @throws as {@link rewindSession} before it writes anything.
 * @public
 */
export async function planRewind(id: string, options: RewindSessionOptions): Promise<RewindPlan> {
  checkOptions('planRewind', id, options);
  const home = resolveHome(options.home);
  const one = await pickSession(home, id, 'any', options.signal);
  const r = await resolveRewind(home, one.path, options);
  const ref = { sessionId: r.link.sessionId, messageId: r.message };
  const diff = await r.store.diff('workspace', ref, { signal: options.signal });
  return {
    sourceId: r.source.meta.id,
    message: r.message,
    snapshot: { ...ref, commit: r.link.commit, workspace: r.link.workspace, store: r.link.store },
    workspace: r.store.workspace,
    changes: diff.files,
    messagesDropped: r.messagesDropped,
  };
}

/**
 * Rewinds a session to one of its messages: the workspace goes back to the snapshot linked to that
 * message, and the conversation continues from that message in a fork of the session.
 *
 * @param id - a full session id or a unique prefix (8+ hex digits), live or archived.
 * @remarks
 * Steps, each refusing before anything is written when it can: find the message (a user or
 * assistant message of the session) and its `workspace_snapshot` link (a message without one is
 * refused unless `nearest`, which takes the nearest earlier message that has one, never a later
 * one); take the session's writer lock, so no writer (this process, another, or a running Codex
 * CLI) works on it meanwhile; rewind the workspace in place with {@link SnapshotStore.(restore:2)}
 * (the safe rewind: the workspace is captured first as the backup, nothing is lost, the user's
 * `.git` is never written); write the fork ({@link forkSession} at that message); record the
 * rewind as the home's last (`<home>/rollouts-last-rewind.json`, 0600) for
 * {@link undoLastRewind}; resume the fork.
 *
 * The conversation continues as a fork rather than as the Codex CLI's `thread/revert`: 0.171
 * reverts only paginated threads (recorded sessions are plain), and a fork is listed and resumed
 * by 0.169 and 0.171 alike. The source session is left as it was.
 *
 * If writing the fork fails, the workspace is put back from the backup before the error is
 * thrown.
 * @throws `MessageNotFoundError` (`E_NO_MESSAGE`); `MessageHasNoSnapshotError` (`E_NO_SNAPSHOT`);
 * `SnapshotStoreNotFoundError` when the workspace has no store; `SessionLockedError` while a
 * writer holds the session; `RewindRefusedError` / `RewindFailedError` from the workspace rewind.
 * @public
 */
export async function rewindSession(id: string, options: RewindSessionOptions): Promise<RewindSessionResult> {
  checkOptions('rewindSession', id, options);
  const home = resolveHome(options.home);
  const { signal } = options;
  const found = await pickSession(home, id, 'any', signal);
  const done = await withSessionLock(home, found.id, 'rewind', async () => {
    const one = await pickSession(home, found.id, 'any', signal);
    const r = await resolveRewind(home, one.path, options);
    const ref = { sessionId: r.link.sessionId, messageId: r.message };
    signal?.throwIfAborted();
    const workspace = await r.store.restore(ref, { inPlace: true, signal });
    const backupRef = { sessionId: workspace.backup.sessionId, messageId: workspace.backup.messageId };
    let fork;
    try {
      fork = await writeFork(home, r.source, r.message);
    } catch (error) {
      await r.store.restore(backupRef, { inPlace: true });
      throw error;
    }
    const bytes = await readFile(fork.path);
    const record: LastRewind = {
      at: new Date().toISOString(),
      sourceId: r.source.meta.id,
      message: r.message,
      fork: { id: fork.id, path: fork.path, size: bytes.length, sha256: sha256(bytes) },
      workspace: r.store.workspace,
      backup: backupRef,
    };
    await writeRecord(home, record);
    return { r, workspace, fork, record };
  });
  const { recorder } = await RolloutRecorder.resume(done.fork.path, { home });
  let undone: Promise<UndoRewindResult> | undefined;
  return {
    recorder,
    session: done.fork,
    sourceId: done.r.source.meta.id,
    message: done.r.message,
    workspace: done.workspace,
    backup: done.workspace.backup,
    undo: () => {
      undone ??= recorder.close().then(() => undoRecorded(home, done.record));
      return undone;
    },
  };
}

registerRewinder(rewindSession);

/**
 * The home's last rewind that has not been undone, or undefined.
 * @public
 */
export async function lastRewind(options: { home?: string } = {}): Promise<LastRewind | undefined> {
  const home = resolveHome(options.home);
  return readRecord(home);
}

/**
 * Undoes the home's last rewind (the one {@link lastRewind} names): puts the workspace back from
 * the rewind's backup, then removes the fork the conversation continued in, so the session list
 * and the workspace are as they were before the rewind.
 *
 * @remarks
 * The workspace is restored with the same safe rewind (itself backed up). The fork is deleted
 * only when its file is byte for byte as the rewind wrote it; when something was recorded in it
 * since, it is archived instead (`forkOutcome: 'archived'`), never deleted. Holds the fork's
 * writer lock throughout. The record is removed once both are back.
 * @throws `NothingToUndoError` (`E_NOTHING_TO_UNDO`) when no rewind is recorded;
 * `SessionLockedError` while a writer holds the fork (close its recorder first);
 * `RewindRefusedError` / `RewindFailedError` from the workspace restore (nothing else changed).
 * @public
 */
export async function undoLastRewind(
  options: { home?: string; signal?: AbortSignal } = {},
): Promise<UndoRewindResult> {
  const home = resolveHome(options.home);
  const record = await readRecord(home);
  if (record === undefined) throw new NothingToUndoError(home);
  return undoRecorded(home, record, options.signal);
}

async function undoRecorded(
  home: string,
  record: LastRewind,
  signal?: AbortSignal,
): Promise<UndoRewindResult> {
  return withSessionLock(home, record.fork.id, 'undo', async () => {
    const store = await SnapshotStore.open({ workspace: record.workspace, home, create: false, signal });
    const restored = await store.restore(record.backup, { inPlace: true, signal });
    let forkOutcome: UndoRewindResult['forkOutcome'] = 'deleted';
    const bytes = await readFile(record.fork.path).catch((error: unknown) =>
      hasErrno(error, 'ENOENT')
        ? undefined
        : Promise.reject(new RolloutIOError('read', record.fork.path, error)),
    );
    if (bytes !== undefined) {
      if (bytes.length === record.fork.size && sha256(bytes) === record.fork.sha256) {
        await unlink(record.fork.path).catch((error: unknown) => {
          throw new RolloutIOError('delete', record.fork.path, error);
        });
      } else {
        forkOutcome = 'archived';
        const to = path.join(homePaths.archived(home), path.basename(record.fork.path));
        await mkdir(homePaths.archived(home), { recursive: true, mode: DIR_MODE });
        const taken = await lstat(to).then(
          () => true,
          () => false,
        );
        if (taken)
          throw new RolloutIOError(
            'archive',
            to,
            Object.assign(new Error('exists already'), { code: 'EEXIST' }),
          );
        await rename(record.fork.path, to).catch((error: unknown) => {
          throw new RolloutIOError('archive', record.fork.path, error);
        });
      }
    }
    // Only the record of this very rewind goes: a later rewind's record stays.
    const current = await readRecord(home);
    if (current !== undefined && current.fork.id === record.fork.id) {
      await unlink(recordPath(home)).catch(() => undefined);
    }
    return { workspace: record.workspace, restored, fork: record.fork.id, forkOutcome };
  });
}

function sha256(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** Writes the record through a temporary file (0600) renamed into place. */
async function writeRecord(home: string, record: LastRewind): Promise<void> {
  const file = recordPath(home);
  const temp = path.join(home, `.${RECORD_NAME}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    await writeFile(temp, `${JSON.stringify(record, null, 2)}\n`, { mode: FILE_MODE, flag: 'wx' });
    await rename(temp, file);
  } catch (cause) {
    await unlink(temp).catch(() => undefined);
    throw new RolloutIOError('write', file, cause);
  }
}

/** The record, checked field by field; undefined when there is none or it does not parse. */
async function readRecord(home: string): Promise<LastRewind | undefined> {
  let text: string;
  try {
    const st = await lstat(recordPath(home));
    if (!st.isFile()) return undefined;
    text = await readFile(recordPath(home), 'utf8');
  } catch (error) {
    if (hasErrno(error, 'ENOENT')) return undefined;
    throw new RolloutIOError('read', recordPath(home), error);
  }
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    return undefined;
  }
  const r = v as Partial<LastRewind> | null;
  const str = (x: unknown): x is string => typeof x === 'string' && x !== '';
  if (
    r === null ||
    typeof r !== 'object' ||
    !str(r.at) ||
    !str(r.sourceId) ||
    !str(r.message) ||
    !str(r.workspace) ||
    typeof r.fork !== 'object' ||
    r.fork === null ||
    !str(r.fork.id) ||
    !isUuid(r.fork.id) ||
    !str(r.fork.path) ||
    typeof r.fork.size !== 'number' ||
    !str(r.fork.sha256) ||
    typeof r.backup !== 'object' ||
    r.backup === null ||
    !str(r.backup.sessionId) ||
    !str(r.backup.messageId)
  ) {
    return undefined;
  }
  // The fork must be a rollout of this home: the record is never trusted to name another file.
  const sessions = homePaths.sessions(home) + path.sep;
  if (!path.resolve(r.fork.path).startsWith(sessions)) return undefined;
  return r as LastRewind;
}
