import {
  closeSync,
  constants,
  existsSync,
  fstatSync,
  openSync,
  readSync,
  statSync,
  writeSync,
} from 'node:fs';
import path from 'node:path';
import { InvalidRolloutError, RecorderClosedError, RolloutIOError, invalidArgument } from '../errors.js';
import { dateFolder, homePaths, parseRolloutFileName, rolloutFileName } from '../files/layout.js';
import { isUuid, newMessageId } from '../format/ids.js';
import type { OnDiskGitInfo, RecordItem, RolloutItem, SessionMetaPayload } from '../format/types.js';
import { payloadShapeProblem } from '../format/types.js';
import type { CaptureResult } from '../snapshot/types.js';
import { captureForRollout } from '../snapshot/link.js';
import type { ReadRolloutResult } from '../reader/read.js';
import { readRollout } from '../reader/read.js';
import { homeOfRollout, locateRollout, locateSessions } from '../files/locate.js';
import { collectGitInfo } from './git-info.js';
import { envelopeLine, nowIso } from './line.js';
import type { SessionLock } from '../files/session-lock.js';
import { acquireSessionLock } from '../files/session-lock.js';
import type { NormalizedCreateOptions, ResumeRecorderOptions, RolloutRecorderOptions } from './options.js';
import { normalizeCreateOptions, normalizeResumeOptions } from './options.js';
import { AppendWriter } from './writer.js';
import { materializeCompressed } from './materialize.js';
import type {
  ForkSessionResult,
  RecorderRewindOptions,
  RewindSessionOptions,
  UndoRewindResult,
} from './rewind-types.js';
import type { RewindResult } from '../snapshot/types.js';
import { noteWritten } from '../search-index/notes.js';

/**
 * Options of {@link RolloutRecorder.recordUserMessage}.
 * @public
 */
export interface RecordUserMessageOptions {
  /** Image URLs (`https:` or `data:`) attached to the message, after its text. */
  images?: readonly string[];
}

/**
 * Options of {@link RolloutRecorder.(snapshot:1)}.
 * @public
 */
export interface RecorderSnapshotOptions {
  /**
   * The folder to capture.
   * @defaultValue the session's `cwd`
   */
  workspace?: string;
  /** A JSON object stored with the snapshot. */
  metadata?: Record<string, unknown>;
  /**
   * Take the snapshot again when this message has one already.
   * @defaultValue false
   */
  replace?: boolean;
  /** Stops the capture. */
  signal?: AbortSignal;
}

/**
 * What {@link RolloutRecorder.resume} returns.
 * @public
 */
export interface ResumedSession {
  /** A recorder appending to the session's file; it holds the session's writer lock. */
  recorder: RolloutRecorder;
  /** The session as it was on disk when resumed (read after the lock was taken). */
  session: ReadRolloutResult;
}

/**
 * What {@link rewindSession} did: the workspace is back at the message's snapshot and the
 * conversation continues in a fork ending at that message.
 * @public
 */
export interface RewindSessionResult {
  /** A recorder appending to the fork; it holds the fork's writer lock. Close it when done. */
  recorder: RolloutRecorder;
  /** The fork the conversation continues in. */
  session: ForkSessionResult;
  /** The session rewound (left as it was). */
  sourceId: string;
  /** The message rewound to: `toMessage`, or with `nearest`, the earlier message used. */
  message: string;
  /** The in-place rewind of the workspace: what it wrote and removed, and its backup. */
  workspace: RewindResult;
  /** The workspace as it was just before the rewind (`workspace.backup`). */
  backup: CaptureResult;
  /**
   * Puts both back: closes `recorder`, restores the workspace from `backup`, and removes the fork
   * (archives it when something was recorded in it since). Same as {@link undoLastRewind} of this
   * rewind.
   */
  undo(): Promise<UndoRewindResult>;
}

type Rewinder = (id: string, options: RewindSessionOptions) => Promise<RewindSessionResult>;

/**
 * The rewind {@link RolloutRecorder.rewindTo} calls. It lives in `sessions/`, above the recorder,
 * and registers itself here when loaded (the package's entry point always loads it).
 */
let rewinder: Rewinder | undefined;

/** Called once by `sessions/rewind.ts` when it loads. */
export function registerRewinder(fn: Rewinder): void {
  rewinder = fn;
}

const writers = new WeakMap<RolloutRecorder, AppendWriter>();

/** The writer of a recorder, for tests and benchmarks that count its syscalls. */
export function writerOf(recorder: RolloutRecorder): AppendWriter {
  return writers.get(recorder)!;
}

interface RecorderInit {
  id: string;
  path: string;
  writer: AppendWriter;
  lock: SessionLock;
  /** The home, where the snapshot stores live too. */
  home: string;
  /** The session's working folder: the workspace snapshots capture by default. */
  cwd: string;
  /** The `session_meta` line, queued before the first record of a new session. */
  metaLine: string | undefined;
  /** The next `ordinal` when appending to a paginated file. */
  nextOrdinal: number | undefined;
  /** The id of the last user or assistant message in the file (resume). */
  lastMessageId: string | undefined;
}

/** The id of a user or assistant `message` item, the messages a snapshot belongs to. */
function messageIdOf(item: RecordItem | RolloutItem): string | undefined {
  if (item.type !== 'response_item') return undefined;
  const p = item.payload as { type?: unknown; id?: unknown; role?: unknown };
  if (p.type !== 'message' || typeof p.id !== 'string' || p.id === '') return undefined;
  return p.role === 'user' || p.role === 'assistant' ? p.id : undefined;
}

/** `payload.toJSON('payload')` when it has one (as `JSON.stringify` calls it), else `payload`. */
function resolveToJSON(type: string, payload: unknown): unknown {
  const toJSON = (payload as { toJSON?: unknown } | null)?.toJSON;
  if (typeof toJSON !== 'function') return payload;
  try {
    return (toJSON as (key: string) => unknown).call(payload, 'payload');
  } catch (cause) {
    throw invalidArgument(
      `The payload of a "${type}" item cannot be serialized: ${(cause as Error).message}`,
      {
        cause,
      },
    );
  }
}

/**
 * Records one session as a rollout file, in the Codex CLI's format.
 *
 * @remarks
 * The recorder holds the session's writer lock from `create()`/`resume()` until `close()`, so no
 * other recorder or running Codex CLI appends to the file meanwhile. A new session's file is
 * created when its first records are written, never before (a session that records nothing leaves
 * no file), and appears only once its first line, `session_meta`, is complete.
 *
 * Records are queued in call order and written in large batches of whole lines; what a resolved
 * `flush()` guarantees depends on {@link Durability}. I/O failures are never dropped: the call that
 * meets one rejects with a {@link RolloutIOError}, the lines stay queued, and the next `flush()`
 * retries them.
 *
 * @example
 * ```ts
 * const rec = await RolloutRecorder.create({ cwd: process.cwd() });
 * await rec.recordUserMessage('Fix the failing test');
 * await rec.recordAssistantMessage('Done: the fixture path was wrong.');
 * await rec.close();
 * ```
 * @public
 */
export class RolloutRecorder {
  /** The session id (a UUID, lower case for sessions created here). */
  readonly id: string;
  /** The rollout file. It exists once something has been recorded (or, when resumed, already). */
  readonly path: string;

  private readonly lock: SessionLock;
  private readonly home: string;
  private readonly cwd: string;
  private metaLine: string | undefined;
  private nextOrdinal: number | undefined;
  private lastMessageId: string | undefined;
  private closed = false;
  private closing: Promise<void> | undefined;

  private constructor(init: RecorderInit) {
    this.id = init.id;
    this.path = init.path;
    this.lock = init.lock;
    this.home = init.home;
    this.cwd = init.cwd;
    this.metaLine = init.metaLine;
    this.nextOrdinal = init.nextOrdinal;
    this.lastMessageId = init.lastMessageId;
    writers.set(this, init.writer);
  }

  /**
   * Starts a new session: takes its writer lock and collects git facts about `cwd`. Creates no
   * file; the first record does.
   *
   * @remarks
   * Git facts (HEAD commit, branch, `origin` URL) are collected here by three concurrent git calls,
   * each bounded by `gitTimeoutMs`, so this resolves within that bound even when git hangs; a fact
   * git does not give in time is left out.
   *
   * @throws `TypeError` for bad or contradictory options; {@link SessionLockedError} when another
   * writer holds the session; {@link RolloutIOError} when the lock cannot be taken or the session's
   * file exists already.
   */
  static async create(options: RolloutRecorderOptions): Promise<RolloutRecorder> {
    const o = normalizeCreateOptions(options);
    // A session's working folder is where its snapshots and git facts come from: it must be there.
    const cwdStat = o.cwdMustExist ? statSync(o.cwd, { throwIfNoEntry: false }) : undefined;
    if (o.cwdMustExist && cwdStat?.isDirectory() !== true) {
      throw invalidArgument(
        `cwd ${o.cwd} ${cwdStat === undefined ? 'does not exist' : 'is not a folder'}; pass the session's working folder`,
      );
    }
    const file = path.join(
      homePaths.sessions(o.home),
      dateFolder(o.createdAt),
      rolloutFileName(o.createdAt, o.id),
    );
    const lock = acquireSessionLock(o.home, o.id);
    try {
      // The same id anywhere in the home (another date folder, archived, compressed) is the same
      // session: a second file for it would split it in two.
      const existing = existsSync(file)
        ? file
        : (await locateSessions(o.home, o.id, { signal: o.signal })).matches[0]?.path;
      if (existing !== undefined) {
        const cause = Object.assign(new Error('the session exists already; resume it instead'), {
          code: 'EEXIST',
        });
        throw new RolloutIOError('create', existing, cause);
      }
      let git: OnDiskGitInfo | undefined;
      if (o.git === true) git = await collectGitInfo(o.cwd, { timeoutMs: o.gitTimeoutMs, signal: o.signal });
      else if (o.git !== false) git = o.git;
      o.signal?.throwIfAborted();
      const meta = sessionMeta(o, git);
      return new RolloutRecorder({
        id: o.id,
        path: file,
        writer: new AppendWriter(file, {
          durability: o.durability,
          maxQueuedBytes: o.maxQueuedBytes,
          create: true,
          onWritten: () => {
            noteWritten(o.home, file);
          },
        }),
        lock,
        home: o.home,
        cwd: o.cwd,
        metaLine: envelopeLine(meta.timestamp, 'session_meta', meta),
        nextOrdinal: undefined,
        lastMessageId: undefined,
      });
    } catch (error) {
      lock.release();
      throw error;
    }
  }

  /**
   * Reopens a session to record more: finds its file, takes its writer lock, terminates a torn
   * last line, and reads the session.
   *
   * @param pathOrId - the rollout file, or a session id searched (by file name) under
   * `<home>/sessions/` and `<home>/archived_sessions/`.
   *
   * @remarks
   * A torn last line (a writer killed mid-line) gets a `\n` so new lines start clean; no byte is
   * ever removed, and the reader reports the torn line in `session.errors`. In a paginated file
   * (`history_mode: "paginated"`) new lines continue its `ordinal`s. When a path is given without
   * `home`, the lock is taken in the home the path lies in (`<home>/sessions/YYYY/MM/DD/…` or
   * `<home>/archived_sessions/…`).
   *
   * A compressed session (`.jsonl.zst`) is first made plain, under the lock, as the Codex CLI 0.171
   * does: decompressed into a hidden temp file with the same permissions, synced, linked to the
   * `.jsonl` name, then the `.zst` removed; a process killed at any point loses nothing (the next
   * resume finishes or redoes it). A Codex CLI 0.171 reverted thread is resumed at its newest
   * rollout, and `session` holds the whole thread (older segments included, see
   * {@link readRollout}).
   *
   * @throws {@link SessionNotFoundError} when nothing matches; {@link SessionLockedError} when
   * another writer holds the session; {@link InvalidRolloutError} for a file that cannot be
   * appended to (unreadable, not decompressible, or in the legacy bare format, which is read but
   * never written).
   */
  static async resume(pathOrId: string, options?: ResumeRecorderOptions): Promise<ResumedSession> {
    const o = normalizeResumeOptions(options);
    const found = await locateRollout(pathOrId, o.home, o.signal);
    const home = options?.home === undefined ? (homeOfRollout(found) ?? o.home) : o.home;
    const id =
      parseRolloutFileName(found)?.id ??
      (await readRollout(found, { signal: o.signal, scope: 'file' })).meta.id;
    // The id names the lock file: one read from the file itself must be a UUID, never a path.
    if (!isUuid(id)) {
      throw new InvalidRolloutError(found, `its session_meta id ${JSON.stringify(id)} is not a UUID`);
    }
    const lock = acquireSessionLock(home, id);
    try {
      // A compressed session becomes plain first, as the Codex CLI does before it appends.
      const file =
        parseRolloutFileName(found)?.compressed || existsSync(`${found}.zst`)
          ? await materializeCompressed(found, { signal: o.signal })
          : found;
      const session = await readRollout(file, { signal: o.signal, home });
      if (session.format === 'legacy') {
        throw new InvalidRolloutError(
          file,
          'is in the legacy bare format (Codex CLI before September 2025), which can be read but is never ' +
            'appended to. Start a new session instead.',
        );
      }
      if (session.meta.id.toLowerCase() !== id.toLowerCase()) {
        throw new InvalidRolloutError(
          file,
          `its name says session ${id} but its session_meta says ${session.meta.id}`,
        );
      }
      terminateTornLine(file);
      const recorder = new RolloutRecorder({
        id: session.meta.id,
        path: file,
        writer: new AppendWriter(file, {
          durability: o.durability,
          maxQueuedBytes: o.maxQueuedBytes,
          create: false,
          onWritten: () => {
            noteWritten(home, file);
          },
        }),
        lock,
        home,
        cwd: session.meta.cwd,
        metaLine: undefined,
        nextOrdinal: session.format === 'paginated' ? (session.lastOrdinal ?? -1) + 1 : undefined,
        lastMessageId: session.items.reduce<string | undefined>(
          (last, i) => messageIdOf(i) ?? last,
          undefined,
        ),
      });
      return { recorder, session };
    } catch (error) {
      lock.release();
      throw error;
    }
  }

  /**
   * Queues items, in order, after everything recorded before. The first record of a new session
   * also queues its `session_meta` line, so the file is created by the next write.
   *
   * @remarks
   * Resolves once the items are queued, not written: call {@link RolloutRecorder.flush} for a
   * guarantee. Waits (backpressure) while more than `maxQueuedBytes` are queued. A
   * `workspace_snapshot` item is recorded like any other.
   *
   * Items are typed ({@link RecordItem}): a line type this library does not know does not compile,
   * so a typo such as `'response_itme'` is caught. To record a type of your own, make the item
   * with {@link customItem} (`rec.record([customItem('my_event', payload)])`): that is the explicit
   * opt-in, checked at run time too. Items read back with {@link readRollout} can be recorded as
   * they are. A user or assistant `message` with a string `id` becomes the message that
   * {@link RolloutRecorder.(snapshot:1)} links by default.
   *
   * Rejects with a `TypeError`, recording nothing, when an item has no string `type`, is a
   * `session_meta` (the recorder writes that one), has a payload JSON cannot hold, or is of a known
   * type with a payload the reader would not return as that type (not an object; for
   * `response_item` and `event_msg`, no string `payload.type`). Rejects with a
   * {@link RolloutIOError} when a write failed: the items are queued nonetheless (do not record
   * them again) and the next `flush()` retries. Rejects with {@link RecorderClosedError} after
   * `close()`.
   */
  record(items: readonly RecordItem[]): Promise<void> {
    if (this.closed) return Promise.reject(new RecorderClosedError(this.id));
    if (!Array.isArray(items)) return Promise.reject(invalidArgument('record() takes an array of items'));
    if (items.length === 0) return Promise.resolve();
    const lines: string[] = [];
    if (this.metaLine !== undefined) lines.push(this.metaLine);
    const timestamp = nowIso();
    let ordinal = this.nextOrdinal;
    let lastMessageId = this.lastMessageId;
    try {
      // Array.isArray above widens the items to any[]: keep their declared type.
      for (const item of items as readonly RecordItem[]) {
        const type = (item as { type?: unknown } | null)?.type;
        if (typeof type !== 'string' || type === '')
          throw invalidArgument('every item needs a non-empty string type');
        if (type === 'session_meta')
          throw invalidArgument('session_meta is written by the recorder, not recorded');
        // What JSON.stringify writes for a payload with toJSON is what toJSON gives: check that.
        const payload = resolveToJSON(type, item.payload);
        const line = envelopeLine(timestamp, type, payload, ordinal);
        const problem = payloadShapeProblem(type, payload);
        if (problem !== undefined) throw invalidArgument(`cannot record it: ${problem}`);
        lines.push(line);
        if (ordinal !== undefined) ordinal++;
        lastMessageId = messageIdOf(item) ?? lastMessageId;
      }
    } catch (error) {
      return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
    this.nextOrdinal = ordinal;
    this.lastMessageId = lastMessageId;
    this.metaLine = undefined;
    return writerOf(this).enqueue(lines);
  }

  /**
   * Records a user turn as the Codex CLI does: a `response_item` user `message` (an `input_text`
   * part, then one `input_image` part per image) followed by an `event_msg` `user_message`.
   *
   * Resolves to the message's id (`msg_` and a UUIDv7, as the Codex CLI makes them), written as the
   * message's `id`; pass it to {@link RolloutRecorder.(snapshot:1)}, or call `snapshot()` without one
   * to link the message recorded last.
   *
   * @remarks
   * Both lines are needed: the Codex CLI lists only sessions that have the event. Same guarantees
   * and rejections as {@link RolloutRecorder.record}.
   */
  async recordUserMessage(text: string, options: RecordUserMessageOptions = {}): Promise<string> {
    if (typeof text !== 'string') throw invalidArgument('recordUserMessage() takes a string');
    const images = options.images ?? [];
    const id = newMessageId();
    await this.record([
      {
        type: 'response_item',
        payload: {
          type: 'message',
          id,
          role: 'user',
          content: [
            { type: 'input_text', text },
            ...images.map((url) => ({ type: 'input_image', image_url: url })),
          ],
        },
      },
      {
        type: 'event_msg',
        payload: {
          type: 'user_message',
          message: text,
          ...(images.length > 0 ? { images: [...images] } : {}),
        },
      },
    ]);
    return id;
  }

  /**
   * Records an assistant reply as the Codex CLI does: a `response_item` assistant `message` with
   * one `output_text` part, followed by an `event_msg` `agent_message`. Resolves to the message's
   * id, as {@link RolloutRecorder.recordUserMessage} does. Same guarantees and rejections as
   * {@link RolloutRecorder.record}.
   */
  async recordAssistantMessage(text: string): Promise<string> {
    if (typeof text !== 'string') throw invalidArgument('recordAssistantMessage() takes a string');
    const id = newMessageId();
    await this.record([
      {
        type: 'response_item',
        payload: { type: 'message', id, role: 'assistant', content: [{ type: 'output_text', text }] },
      },
      { type: 'event_msg', payload: { type: 'agent_message', message: text } },
    ]);
    return id;
  }

  /**
   * Captures the workspace as the snapshot of the message recorded last (a user or assistant
   * message, by either role) in the workspace's shadow Git store (see {@link SnapshotStore}), then
   * records a `workspace_snapshot` line linking the two; resolves to the capture, as
   * {@link SnapshotStore.capture} returns it.
   *
   * @example
   * ```ts
   * await rec.recordUserMessage('Rename foo to bar');
   * // … the agent edits files …
   * await rec.recordAssistantMessage('Renamed.');
   * const snap = await rec.snapshot(); // the workspace as it was after that reply
   * ```
   * @remarks
   * The workspace defaults to the session's `cwd` (for a Git working tree, its top level). The line
   * is queued once the capture is done, so records queued meanwhile come before it. The user's
   * repository is never written to. After {@link RolloutRecorder.resume}, the last message is the
   * last one in the file until another is recorded.
   *
   * @throws `TypeError` (`code: 'ERR_INVALID_ARG_VALUE'`) when no user or assistant message with an
   * id has been recorded yet; {@link SnapshotExistsError} when this message has a snapshot already
   * and `replace` is not set; {@link GitError} when git fails; {@link RecorderClosedError} after
   * `close()`.
   */
  snapshot(options?: RecorderSnapshotOptions): Promise<CaptureResult>;
  /**
   * Captures the workspace as the snapshot of message `messageId` (any string; usually an id that
   * {@link RolloutRecorder.recordUserMessage} or {@link RolloutRecorder.recordAssistantMessage}
   * resolved to), as {@link RolloutRecorder.(snapshot:1)} does for the last message.
   *
   * @throws `TypeError` when `messageId` is not a non-empty string, and as
   * {@link RolloutRecorder.(snapshot:1)}.
   */
  snapshot(messageId: string, options?: RecorderSnapshotOptions): Promise<CaptureResult>;
  async snapshot(
    messageIdOrOptions?: string | RecorderSnapshotOptions,
    maybeOptions?: RecorderSnapshotOptions,
  ): Promise<CaptureResult> {
    if (this.closed) throw new RecorderClosedError(this.id);
    let messageId: string;
    let options: RecorderSnapshotOptions;
    if (typeof messageIdOrOptions === 'string') {
      if (messageIdOrOptions === '')
        throw invalidArgument('snapshot(): messageId must be a non-empty string');
      messageId = messageIdOrOptions;
      options = maybeOptions ?? {};
    } else if (
      messageIdOrOptions === undefined ||
      (typeof messageIdOrOptions === 'object' && messageIdOrOptions !== null)
    ) {
      if (maybeOptions !== undefined) {
        throw invalidArgument(
          'snapshot(options) takes one argument; pass snapshot(messageId, options) for both',
        );
      }
      if (this.lastMessageId === undefined) {
        throw invalidArgument(
          'snapshot(): no message to link: record one first (recordUserMessage() or recordAssistantMessage()) ' +
            'or pass a messageId',
        );
      }
      messageId = this.lastMessageId;
      options = messageIdOrOptions ?? {};
    } else {
      throw invalidArgument(
        `snapshot(): messageId must be a non-empty string; got ${typeof messageIdOrOptions}`,
      );
    }
    const { capture, payload } = await captureForRollout({
      workspace: options.workspace ?? this.cwd,
      home: this.home,
      sessionId: this.id,
      messageId,
      metadata: options.metadata,
      replace: options.replace,
      signal: options.signal,
    });
    await this.record([{ type: 'workspace_snapshot', payload }]);
    return capture;
  }

  /**
   * Rewinds this session to message `messageId`, for a live harness: flushes and closes this
   * recorder (releasing the session's writer lock), then does {@link rewindSession} on the session:
   * the workspace goes back to the message's snapshot and the conversation continues in a fork
   * ending at that message. Record the rest of the conversation through the result's `recorder`;
   * its `undo()` puts the workspace and the conversation back.
   *
   * @remarks
   * This recorder is closed afterwards, also when the rewind is refused (open the session again
   * with {@link RolloutRecorder.resume} to go on in it). The home is this recorder's.
   * @throws as {@link rewindSession}; {@link RecorderClosedError} after `close()`.
   */
  async rewindTo(messageId: string, options: RecorderRewindOptions = {}): Promise<RewindSessionResult> {
    if (this.closed) throw new RecorderClosedError(this.id);
    if (typeof messageId !== 'string' || messageId === '') {
      throw invalidArgument('rewindTo(): messageId must be a non-empty string');
    }
    const rewind = rewinder;
    if (rewind === undefined) {
      throw new Error('rewindTo needs the rewind operation: import the package from its entry point');
    }
    await this.close();
    return rewind(this.id, { ...options, toMessage: messageId, home: this.home });
  }

  /**
   * Writes everything recorded so far; resolves once it is as durable as the recorder's
   * {@link Durability} promises (`'none'`/`'flush'`: in the operating system; `'fsync'`: on disk).
   *
   * @remarks
   * If the file or its folder was removed while recording, it is recreated at its path with every
   * line written so far. Rejects with a {@link RolloutIOError} naming the file when a write fails;
   * what was not written stays queued and the next `flush()` retries it.
   */
  flush(): Promise<void> {
    return writerOf(this).flush();
  }

  /**
   * {@link RolloutRecorder.flush}, synchronously, for exit hooks (`process.on('exit')`) where no
   * promise can settle. Throws a {@link RolloutIOError} on failure.
   */
  flushSync(): void {
    writerOf(this).flushSync();
  }

  /**
   * Flushes, closes the file and releases the session's writer lock. Records after `close()` reject
   * with {@link RecorderClosedError}.
   *
   * @remarks
   * When the final flush fails, `close()` rejects, the lock stays held and the queued lines stay
   * queued: call `close()` (or `flush()`) again to retry. Calling it again after success does
   * nothing.
   */
  close(): Promise<void> {
    this.closed = true;
    this.closing ??= writerOf(this)
      .close()
      .then(
        () => {
          this.lock.release();
        },
        (error: unknown) => {
          this.closing = undefined;
          throw error;
        },
      );
    return this.closing;
  }
}

function sessionMeta(o: NormalizedCreateOptions, git: OnDiskGitInfo | undefined): SessionMetaPayload {
  const meta: SessionMetaPayload = {
    id: o.id,
    session_id: o.id,
    timestamp: o.createdAt.toISOString(),
    cwd: o.cwd,
    originator: o.originator,
    cli_version: o.cliVersion,
    source: o.source,
  };
  if (o.modelProvider !== undefined) meta.model_provider = o.modelProvider;
  meta.base_instructions = o.baseInstructions;
  if (git !== undefined) meta.git = git;
  return meta;
}

/** Appends `\n` when the file's last byte is not one, so the next line starts on its own. */
function terminateTornLine(file: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(file, constants.O_RDWR | constants.O_APPEND);
    const size = fstatSync(fd).size;
    if (size === 0) return;
    const last = Buffer.alloc(1);
    readSync(fd, last, 0, 1, size - 1);
    if (last[0] !== 0x0a) writeSync(fd, '\n');
  } catch (cause) {
    throw new RolloutIOError('terminate the last line of', file, cause);
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}
