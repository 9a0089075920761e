import { closeSync, fsyncSync, linkSync, openSync, unlinkSync, writeSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { InvalidRolloutError, MessageNotFoundError, RolloutIOError, invalidArgument } from '../errors.js';
import {
  FILE_MODE,
  dateFolder,
  homePaths,
  mkdirPrivateSync,
  resolveHome,
  rolloutFileName,
} from '../files/layout.js';
import { newSessionId } from '../format/ids.js';
import type { RolloutLine, SessionMetaPayload, SnapshotLink } from '../format/types.js';
import { toSnapshotLink } from '../format/types.js';
import type { ReadRolloutResult } from '../reader/read.js';
import { readRollout } from '../reader/read.js';
import { envelopeLine, nowIso } from '../recorder/line.js';
import { ownVersion } from '../recorder/options.js';
import type { ForkSessionResult } from '../recorder/rewind-types.js';
import { withSessionLock } from './lock.js';
import { pickSession } from './target.js';

/**
 * Options of {@link forkSession}.
 * @public
 */
export interface ForkSessionOptions {
  /**
   * The last message the fork keeps: the id of a user or assistant `message` of the source (as
   * `recordUserMessage()` resolved to, or as `rollouts show --json` prints).
   * @defaultValue the whole session
   */
  atMessage?: string;
  /**
   * The home folder.
   * @defaultValue `$CODEX_HOME`, else `~/.codex`
   */
  home?: string;
  /** Stops the look-up and the read of the source. */
  signal?: AbortSignal;
}

/** Events that belong to the message line before them (Codex writes them right after it). */
const COMPANION_EVENTS: ReadonlySet<string> = new Set(['user_message', 'agent_message', 'item_completed']);

/** The id of a user or assistant `message` line, else undefined. */
export function messageIdOfLine(line: { type: string; payload: unknown }): string | undefined {
  if (line.type !== 'response_item') return undefined;
  const p = line.payload as { type?: unknown; id?: unknown; role?: unknown } | null;
  if (p?.type !== 'message' || typeof p.id !== 'string' || p.id === '') return undefined;
  return p.role === 'user' || p.role === 'assistant' ? p.id : undefined;
}

/**
 * A `workspace_snapshot` link with the session whose refs hold it: a link carried into a fork keeps
 * naming the session it was captured for (`session_id`, a field only forks write).
 */
export interface OwnedSnapshotLink extends SnapshotLink {
  /** The session id of the snapshot's ref in its store. */
  sessionId: string;
}

/** The snapshot links of a read session, each with the session that owns its ref; file order. */
export function ownedLinks(session: ReadRolloutResult): OwnedSnapshotLink[] {
  const out: OwnedSnapshotLink[] = [];
  for (const item of session.items) {
    if (item.type !== 'workspace_snapshot') continue;
    const link = toSnapshotLink(item.payload);
    if (link === undefined) continue;
    const owner = (item.payload as { session_id?: unknown }).session_id;
    out.push({ ...link, sessionId: typeof owner === 'string' && owner !== '' ? owner : session.meta.id });
  }
  return out;
}

/** The lines a fork keeps: up to and including `atMessage` and its events, plus its links. */
function keptLines(session: ReadRolloutResult, atMessage: string | undefined): RolloutLine[] {
  const body = session.lines.slice(1).filter((l) => l.type !== 'session_meta');
  if (atMessage === undefined) return body.map((l) => withOwner(l, session.meta.id));
  const cut = body.findIndex((l) => messageIdOfLine(l) === atMessage);
  if (cut < 0) throw new MessageNotFoundError(session.meta.id, atMessage);
  let end = cut + 1;
  while (end < body.length) {
    const l = body[end]!;
    const kind = (l.payload as { type?: unknown } | null)?.type;
    if (l.type !== 'event_msg' || typeof kind !== 'string' || !COMPANION_EVENTS.has(kind)) break;
    end++;
  }
  const kept = body.slice(0, end);
  const messages = new Set(kept.flatMap((l) => messageIdOfLine(l) ?? []));
  // A message's snapshot is taken after it (and after its reply's events): its link comes later.
  for (const l of body.slice(end)) {
    if (l.type !== 'workspace_snapshot') continue;
    const id = (l.payload as { message_id?: unknown } | null)?.message_id;
    if (typeof id === 'string' && messages.has(id)) kept.push(l);
  }
  return kept.map((l) => withOwner(l, session.meta.id));
}

/** A `workspace_snapshot` line naming the session its ref belongs to; other lines as they are. */
function withOwner(line: RolloutLine, sourceId: string): RolloutLine {
  if (line.type !== 'workspace_snapshot') return line;
  const p = line.payload;
  if (typeof p.session_id === 'string' && p.session_id !== '') return line;
  return { ...line, payload: { ...p, session_id: sourceId } };
}

/**
 * Writes the fork of a read session, in the form the Codex CLI 0.171 writes for `thread/fork` of a
 * plain (non-paginated) thread: a `session_meta` of the new session naming its source in
 * `forked_from_id`, the source's own `session_meta` (with `history_mode: "legacy"`), then the kept
 * lines, re-enveloped without `ordinal` (their timestamps kept). The caller has read the source;
 * the new session's lock is held while its file is created.
 */
export async function writeFork(
  home: string,
  source: ReadRolloutResult,
  atMessage: string | undefined,
): Promise<ForkSessionResult> {
  if (source.format === 'legacy') {
    throw new InvalidRolloutError(
      source.path,
      'is in the legacy bare format (Codex CLI before September 2025), which is read but never forked',
    );
  }
  const kept = keptLines(source, atMessage);
  const createdAt = new Date();
  const id = newSessionId(createdAt);
  const src = source.meta;
  const meta: SessionMetaPayload = {
    id,
    session_id: id,
    forked_from_id: src.id,
    timestamp: createdAt.toISOString(),
    cwd: src.cwd,
    originator: src.originator,
    cli_version: ownVersion(),
    source: src.source,
  };
  if (src.model_provider !== undefined) meta.model_provider = src.model_provider;
  meta.base_instructions = src.base_instructions ?? null;
  if (src.git !== undefined) meta.git = src.git;
  const copiedMeta: Record<string, unknown> = { ...src, history_mode: 'legacy' };
  const now = nowIso();
  const text =
    [
      envelopeLine(now, 'session_meta', meta),
      envelopeLine(now, 'session_meta', copiedMeta),
      ...kept.map((l) => envelopeLine(l.timestamp ?? now, l.type, l.payload)),
    ].join('\n') + '\n';

  const folder = path.join(homePaths.sessions(home), dateFolder(createdAt));
  const file = path.join(folder, rolloutFileName(createdAt, id));
  await withSessionLock(home, id, 'fork', () => {
    writeWhole(folder, file, text);
    return Promise.resolve();
  });
  const messages = kept.flatMap((l) => messageIdOfLine(l) ?? []);
  const snapshots = kept.flatMap((l) =>
    l.type === 'workspace_snapshot' ? (toSnapshotLink(l.payload) ?? []) : [],
  );
  return {
    id,
    path: file,
    forkedFrom: src.id,
    atMessage: atMessage ?? messages.at(-1) ?? null,
    messages,
    snapshots,
  };
}

/** Creates `file` with `text`, whole or not at all: a hidden staging file linked into place. */
function writeWhole(folder: string, file: string, text: string): void {
  try {
    mkdirPrivateSync(folder);
  } catch (cause) {
    throw new RolloutIOError('create the folder of', file, cause);
  }
  const staging = path.join(folder, `.fork-${randomBytes(8).toString('hex')}.tmp`);
  let fd: number | undefined;
  try {
    fd = openSync(staging, 'wx', FILE_MODE);
    writeSync(fd, text);
    fsyncSync(fd);
    closeSync(fd);
    fd = undefined;
    linkSync(staging, file);
  } catch (cause) {
    throw new RolloutIOError('create', file, cause);
  } finally {
    if (fd !== undefined) closeSync(fd);
    try {
      unlinkSync(staging);
    } catch {
      // Never created, or gone already.
    }
  }
}

/**
 * Forks a session: writes a new session whose history is the source's up to and including
 * `atMessage` (all of it when omitted), recording where it came from; the source is untouched.
 *
 * @param id - a full session id or a unique prefix (8+ hex digits), live or archived, plain or
 * `.jsonl.zst`.
 * @remarks
 * The new file is in the form the Codex CLI 0.171 writes for `thread/fork` of a plain thread, so
 * `codex resume <new id>` resumes it and its model sees exactly the kept history: its
 * `session_meta` names the source in `forked_from_id`, the source's `session_meta` follows (with
 * `history_mode: "legacy"`), then every line of the source up to the message and the events that
 * belong to it (`user_message`, `agent_message`, `item_completed`), re-enveloped without `ordinal`.
 * Lines the reader reports as damaged are not copied. The `workspace_snapshot` links of the kept
 * messages carry over, each naming the session whose snapshot it is (`session_id`), so the fork
 * can be rewound to them. The source is only read, never locked or written.
 * @throws `MessageNotFoundError` (`E_NO_MESSAGE`) when `atMessage` is not a user or assistant
 * message of the source; `SessionNotFoundError` / `AmbiguousSessionIdError` as
 * {@link findSession}; `InvalidRolloutError` for a source that cannot be read as a rollout, or is
 * in the legacy bare format.
 * @public
 */
export async function forkSession(id: string, options: ForkSessionOptions = {}): Promise<ForkSessionResult> {
  if (typeof id !== 'string' || id === '') throw invalidArgument('forkSession: pass a session id');
  const { atMessage, signal } = options;
  if (atMessage !== undefined && (typeof atMessage !== 'string' || atMessage === '')) {
    throw invalidArgument('forkSession: `atMessage` must be a non-empty message id');
  }
  const home = resolveHome(options.home);
  const one = await pickSession(home, id, 'any', signal);
  const source = await readRollout(one.path, { signal });
  return writeFork(home, source, atMessage);
}
