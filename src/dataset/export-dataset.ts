import { realpath } from 'node:fs/promises';
import path from 'node:path';
import { invalidArgument, isRolloutError } from '../errors.js';
import { resolveHome } from '../files/layout.js';
import type {
  ChatDatasetRow,
  DatasetTurn,
  EnvelopeDatasetRow,
  OpenAIDatasetRow,
  TrlDatasetRow,
} from '../format/dataset.js';
import type { RolloutLine, SnapshotLink } from '../format/types.js';
import { itemOf, toSnapshotLink } from '../format/types.js';
import { findSession } from '../lister/find.js';
import { iterateSessions } from '../lister/list.js';
import { streamRollout } from '../reader/stream.js';
import { diffCommitsIn, listSessionSnapshotsIn, sessionStores } from '../snapshot/session-stores.js';
import type { ChatTurn } from './chat.js';
import { ChatStream } from './chat.js';
import { toOpenAI } from './openai.js';
import type { SecretRedactor } from '../secrets/redact.js';
import { createSecretRedactor, redactDeep } from '../secrets/redact.js';
import { toTrl } from './trl.js';

/**
 * The formats of a dataset row.
 * @public
 */
export type DatasetFormat = 'openai' | 'trl' | 'envelope' | 'chat';

/**
 * The row type of each format.
 * @public
 */
export interface DatasetRowOf {
  /** OpenAI fine-tuning chat rows. */
  openai: OpenAIDatasetRow;
  /** TRL conversational rows. */
  trl: TrlDatasetRow;
  /** Every rollout line. */
  envelope: EnvelopeDatasetRow;
  /** The chat transcript with the meta. */
  chat: ChatDatasetRow;
}

/**
 * Something about one session that did not stop the export.
 * @public
 */
export interface DatasetWarning {
  /** The session, when known. */
  sessionId: string | null;
  /** The rollout file. */
  path: string;
  /** What happened. */
  message: string;
  /** True when the session was left out of the export. */
  skipped: boolean;
}

/**
 * Options of {@link exportDataset}.
 * @public
 */
export interface ExportDatasetOptions<F extends DatasetFormat = DatasetFormat> {
  /**
   * The home folder.
   * @defaultValue `$CODEX_HOME`, else `~/.codex`
   */
  home?: string;
  /**
   * The row format.
   * @defaultValue `'openai'`
   */
  format?: F;
  /** Only this session (an id or a unique prefix); contradicts every filter. */
  session?: string;
  /** Only sessions created at or after. */
  since?: Date | string | number;
  /** Only sessions created at or before. */
  until?: Date | string | number;
  /** Only sessions whose working folder is one of these. */
  cwd?: string | readonly string[];
  /** Only sessions whose preview or name holds this text. */
  search?: string;
  /**
   * Archived sessions instead of live ones.
   * @defaultValue false
   */
  archived?: boolean;
  /**
   * Replace secrets with `[REDACTED:<kind>]` in message text, tool arguments and outputs (and, for
   * `envelope`, in every string of every line). `true` uses {@link createSecretRedactor}; a
   * redactor of your own may be passed.
   * @defaultValue false
   */
  redact?: boolean | SecretRedactor;
  /**
   * Give each turn with a commit the patch from the session's previous snapshot to it.
   * @defaultValue false
   */
  diffs?: boolean;
  /** Told about sessions skipped or exported incomplete. */
  onWarning?: (warning: DatasetWarning) => void;
  /** Stops the export. */
  signal?: AbortSignal;
}

/** A row with what `hf push` needs beside it. */
export interface DatasetEntry<F extends DatasetFormat = DatasetFormat> {
  row: DatasetRowOf[F];
  sessionId: string;
  path: string;
  /** The session's working folder from its meta. */
  cwd: string | null;
  /** The stores holding the session's snapshots (real paths), with the workspace each is of. */
  stores: { store: string; workspace: string }[];
  /** False when the rollout could not be read to its end. */
  complete: boolean;
}

interface Normalized {
  home: string;
  format: DatasetFormat;
  session: string | undefined;
  filters: {
    since?: Date | string | number;
    until?: Date | string | number;
    cwd?: string | readonly string[];
    search?: string;
    archived: boolean;
  };
  redactor: SecretRedactor | undefined;
  diffs: boolean;
  onWarning: (w: DatasetWarning) => void;
  signal: AbortSignal | undefined;
}

const FORMATS: readonly DatasetFormat[] = ['openai', 'trl', 'envelope', 'chat'];

function normalize(o: ExportDatasetOptions): Normalized {
  if (typeof o !== 'object' || o === null) throw invalidArgument('exportDataset: options must be an object');
  const format = o.format ?? 'openai';
  if (!FORMATS.includes(format))
    throw invalidArgument(
      `exportDataset: format must be one of ${FORMATS.join(', ')}; got ${JSON.stringify(format)}`,
    );
  if (o.session !== undefined) {
    if (typeof o.session !== 'string' || o.session === '')
      throw invalidArgument('exportDataset: session must be a non-empty string');
    for (const name of ['since', 'until', 'cwd', 'search'] as const) {
      if (o[name] !== undefined)
        throw invalidArgument(`exportDataset: session and ${name} contradict each other; pass one`);
    }
    if (o.archived !== undefined)
      throw invalidArgument('exportDataset: session and archived contradict each other; pass one');
  }
  const redact = o.redact ?? false;
  if (typeof redact !== 'boolean' && (typeof redact !== 'object' || typeof redact.redact !== 'function'))
    throw invalidArgument('exportDataset: redact must be a boolean or a SecretRedactor');
  return {
    home: resolveHome(o.home),
    format,
    session: o.session,
    filters: {
      ...(o.since !== undefined ? { since: o.since } : {}),
      ...(o.until !== undefined ? { until: o.until } : {}),
      ...(o.cwd !== undefined ? { cwd: o.cwd } : {}),
      ...(o.search !== undefined ? { search: o.search } : {}),
      archived: o.archived ?? false,
    },
    redactor: redact === true ? createSecretRedactor() : redact === false ? undefined : redact,
    diffs: o.diffs ?? false,
    onWarning: o.onWarning ?? (() => {}),
    signal: o.signal,
  };
}

/**
 * Streams the sessions of a home as training-data rows, one row per session, newest first.
 *
 * @remarks
 * Formats: `openai` (the fine-tuning chat format: `messages` with system, user, assistant with
 * `tool_calls`, and `tool` messages answering them by `tool_call_id`, plus a top-level `tools` list
 * of the functions the session called with a JSON Schema of their parameters inferred from the
 * calls), `trl` (TRL's conversational format: `messages`, `tools` when any), `envelope` (every line
 * as on disk) and `chat` (the transcript with the meta). Every row carries `session_id`, the id of
 * each message (`message_ids`, parallel to `messages`), and `turns`: for each assistant message
 * (every linked message for `envelope`) the commit of the workspace in the shadow store at that
 * turn, or null where no snapshot links it, and with `diffs` the patch from the session's previous
 * snapshot. Snapshots come from the rollout's `workspace_snapshot` lines and from the session's
 * refs in the home's stores (the store's commit wins).
 *
 * Memory follows one session (its row is built whole), never the home. A file that cannot be read
 * is told to `onWarning` and skipped; a read that fails midway yields what was read, with a
 * warning. Nothing is written anywhere.
 * @throws `TypeError` for bad or contradictory options; `SessionNotFoundError` /
 * `AmbiguousSessionIdError` for `session`.
 * @public
 */
export async function* exportDataset<F extends DatasetFormat = 'openai'>(
  options: ExportDatasetOptions<F> = {},
): AsyncGenerator<DatasetRowOf[F]> {
  for await (const entry of datasetEntries(options)) yield entry.row as DatasetRowOf[F];
}

/** {@link exportDataset} with each row's session, file, working folder and stores. */
export async function* datasetEntries(
  options: ExportDatasetOptions,
  /** Exactly these rollout files (a file named on the command line), instead of a listing. */
  only?: { path: string; id?: string },
): AsyncGenerator<DatasetEntry> {
  const o = normalize(options);
  const files: AsyncIterable<{ path: string; id?: string }> | { path: string; id?: string }[] =
    only !== undefined
      ? [only]
      : o.session !== undefined
        ? [await findSession(o.session, { home: o.home, signal: o.signal })]
        : iterateSessions({ home: o.home, ...o.filters, includeEmpty: true, signal: o.signal });
  for await (const s of files) {
    o.signal?.throwIfAborted();
    const entry = await sessionEntry(o, s.path, s.id);
    if (entry !== undefined) yield entry;
  }
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** Keys whose strings are identifiers, never redacted. */
const ID_KEYS = new Set(['id', 'session_id', 'call_id', 'message_id', 'commit', 'tree', 'type', 'timestamp']);

async function sessionEntry(
  o: Normalized,
  file: string,
  listedId: string | undefined,
): Promise<DatasetEntry | undefined> {
  let id = listedId ?? null;
  const warn = (message: string, skipped: boolean): void => {
    o.onWarning({ sessionId: id, path: file, message, skipped });
  };
  const lines = streamRollout(file, { signal: o.signal })[Symbol.asyncIterator]();
  let first: IteratorResult<RolloutLine>;
  try {
    first = await lines.next();
  } catch (error) {
    if (!isRolloutError(error)) throw error;
    warn(error.message, true);
    return undefined;
  }
  const head = first.done ? undefined : first.value;
  const meta = head?.type === 'session_meta' && isObject(head.payload) ? head.payload : null;
  const sessionId: string =
    id ??
    (typeof meta?.['id'] === 'string' ? meta['id'] : path.basename(file).replace(/\.jsonl(\.zst)?$/, ''));
  id = sessionId;
  const bad = (field: string, what: string): void => {
    warn(`${field} ${what}`, false);
  };
  const chat = new ChatStream(bad);
  const turns: ChatTurn[] = [];
  const envelope: unknown[] = [];
  const envelopeIds: string[] = [];
  const links: SnapshotLink[] = [];
  const wantsChat = o.format !== 'envelope';
  if (wantsChat) {
    const bi = meta?.['base_instructions'];
    turns.push(...chat.start(isObject(bi) ? bi['text'] : undefined));
  } else if (head !== undefined) envelope.push(head);
  let complete = true;
  try {
    for (;;) {
      const next = await lines.next();
      if (next.done) break;
      const line = next.value;
      if (line.type === 'workspace_snapshot') {
        const link = toSnapshotLink(line.payload);
        if (link !== undefined) links.push(link);
      }
      if (wantsChat) turns.push(...chat.push(itemOf(line)));
      else {
        envelope.push(line);
        const p = line.type === 'response_item' ? line.payload : undefined;
        if (isObject(p) && p['type'] === 'message' && typeof p['id'] === 'string') envelopeIds.push(p['id']);
      }
    }
    if (wantsChat) turns.push(...chat.end());
  } catch (error) {
    if (!isRolloutError(error)) throw error;
    complete = false;
    warn(`${error.message}; its row is incomplete`, false);
  }

  const snaps = await sessionSnapshots(o, sessionId, links);
  const stores = [
    ...new Map(
      snaps.filter((s) => s.inHome).map((s) => [s.store, { store: s.store, workspace: s.workspace }]),
    ).values(),
  ];
  const cwd = typeof meta?.['cwd'] === 'string' ? meta['cwd'] : null;
  const base = { sessionId, path: file, cwd, stores, complete };

  if (o.format === 'envelope') {
    const redacted = o.redactor ? ((await redactDeep(envelope, o.redactor, ID_KEYS)) as unknown[]) : envelope;
    const redactedMeta =
      o.redactor && meta ? ((await redactDeep(meta, o.redactor, ID_KEYS)) as typeof meta) : meta;
    const marks = envelopeIds.map((mid) => ({ id: mid, role: 'assistant' as const }));
    const row: EnvelopeDatasetRow = {
      session_id: sessionId,
      meta: redactedMeta,
      lines: redacted,
      message_ids: envelopeIds,
      turns: await turnsOf(o, marks, snaps, true),
    };
    return { ...base, row };
  }

  const redactedTurns = o.redactor ? await redactTurns(turns, o.redactor) : turns;
  if (o.format === 'chat') {
    const messages = redactedTurns.map((t) => t.message);
    const ids = redactedTurns.map((t) => t.id);
    const row: ChatDatasetRow = {
      session_id: sessionId,
      meta: o.redactor && meta ? ((await redactDeep(meta, o.redactor, ID_KEYS)) as typeof meta) : meta,
      messages,
      message_ids: ids,
      turns: await turnsOf(
        o,
        messages.map((m, i) => ({ id: ids[i] ?? null, role: m.role })),
        snaps,
      ),
    };
    return { ...base, row };
  }
  const openai = toOpenAI(redactedTurns);
  const marks = openai.messages.map((m, i) => ({ id: openai.ids[i] ?? null, role: m.role }));
  const turnList = await turnsOf(o, marks, snaps);
  if (o.format === 'trl') {
    const trl = toTrl(openai.messages);
    const row: TrlDatasetRow = {
      session_id: sessionId,
      messages: trl,
      ...(openai.tools.length > 0 ? { tools: openai.tools } : {}),
      message_ids: openai.ids,
      turns: turnList,
    };
    return { ...base, row };
  }
  const row: OpenAIDatasetRow = {
    session_id: sessionId,
    messages: openai.messages,
    tools: openai.tools,
    message_ids: openai.ids,
    turns: turnList,
  };
  return { ...base, row };
}

/**
 * Message text, tool arguments (value by value when they are JSON, so they stay JSON) and outputs
 * redacted, the whole session in one batch.
 */
async function redactTurns(turns: ChatTurn[], r: SecretRedactor): Promise<ChatTurn[]> {
  // One tree of every string to redact: contents, and each call's parsed arguments (or its text).
  const tree = turns.map((t) => ({
    content: t.message.content,
    calls: (t.message.tool_calls ?? []).map((c) => {
      try {
        return { json: true, value: JSON.parse(c.function.arguments) as unknown };
      } catch {
        return { json: false, value: c.function.arguments };
      }
    }),
  }));
  const done = (await redactDeep(tree, r)) as typeof tree;
  return turns.map((t, i) => {
    const d = done[i]!;
    const m = { ...t.message, content: d.content };
    if (t.message.tool_calls) {
      m.tool_calls = t.message.tool_calls.map((c, j) => {
        const a = d.calls[j]!;
        return {
          ...c,
          function: { ...c.function, arguments: a.json ? JSON.stringify(a.value) : (a.value as string) },
        };
      });
    }
    return { message: m, id: t.id };
  });
}

interface Snap {
  messageId: string;
  commit: string;
  tree: string;
  workspace: string;
  store: string;
  /** The store is one of the home's (git is only ever run in those). */
  inHome: boolean;
}

/** The session's snapshots: rollout links, then the stores' refs (the store's commit wins). */
async function sessionSnapshots(o: Normalized, id: string, links: SnapshotLink[]): Promise<Snap[]> {
  const stores = await sessionStores(
    o.home,
    [id],
    links.map((l) => l.store),
    o.signal,
  );
  const byMessage = new Map<string, Snap>();
  const real = async (p: string): Promise<string> => realpath(p).catch(() => p);
  for (const l of links) {
    const store = await real(l.store);
    byMessage.set(l.messageId, { ...l, store, inHome: stores.includes(store) });
  }
  for (const store of stores) {
    for (const s of await listSessionSnapshotsIn(store, o.home, id, o.signal)) {
      byMessage.set(s.messageId, {
        messageId: s.messageId,
        commit: s.commit,
        tree: s.tree,
        workspace: s.workspace,
        store,
        inHome: true,
      });
    }
  }
  return [...byMessage.values()];
}

/** The turns of a row: each assistant message (or, with `all`, each message) and its snapshot. */
async function turnsOf(
  o: Normalized,
  marks: { id: string | null; role: DatasetTurn['role'] }[],
  snaps: Snap[],
  all = false,
): Promise<DatasetTurn[]> {
  const byMessage = new Map(snaps.map((s) => [s.messageId, s]));
  const out: DatasetTurn[] = [];
  let previous: Snap | undefined;
  for (let i = 0; i < marks.length; i++) {
    const { id, role } = marks[i]!;
    const snap = id === null ? undefined : byMessage.get(id);
    if (role === 'assistant' || (all && snap !== undefined)) {
      const turn: DatasetTurn = {
        message_index: i,
        message_id: id,
        role,
        commit: snap?.commit ?? null,
        tree: snap?.tree ?? null,
        workspace: snap?.workspace ?? null,
      };
      if (o.diffs) {
        turn.diff =
          snap === undefined || !snap.inHome
            ? null
            : await diffCommitsIn(
                snap.store,
                o.home,
                previous !== undefined && previous.store === snap.store ? previous.commit : null,
                snap.commit,
                o.signal,
              );
      }
      out.push(turn);
    }
    if (snap !== undefined) previous = snap;
  }
  // A diff is the workspace's own text: secrets in it are redacted like the messages'.
  if (o.redactor !== undefined && o.diffs) {
    const withDiff = out.filter((t) => typeof t.diff === 'string');
    const redacted = await o.redactor.redactAll(withDiff.map((t) => t.diff as string));
    withDiff.forEach((t, i) => (t.diff = redacted[i]!));
  }
  return out;
}
