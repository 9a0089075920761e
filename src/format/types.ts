/**
 * The on-disk contract (DESIGN.md §1) as types. This is the one place with snake_case: every field
 * name here is the one on disk, and every public result elsewhere is camelCase, mapped once where it
 * leaves this format (for example `SessionSummary.git`, `ReadRolloutResult.snapshots`).
 *
 * Reading: lines and items are discriminated unions on `type` (and `response_item` / `event_msg`
 * payloads on `payload.type`), so `if (line.type === 'response_item') line.payload.type` narrows.
 * A type this library does not know comes back, intact, through its own member whose `type` is
 * {@link UnknownType}. Every object type is open (`[key: string]: unknown`): fields we do not know
 * are kept, never dropped.
 *
 * Writing: {@link RecordItem} takes the known line types only, so a misspelt type does not compile;
 * {@link customItem} is the explicit way to record any other.
 */

import { invalidArgument } from '../errors.js';

/**
 * A `type` this library does not know, on a line, an item or a payload.
 *
 * @remarks
 * At run time it is the string as written (`"world_state"`, `"my_harness_event"`, …). TypeScript
 * cannot subtract the known names from `string`, so this type is declared as one that never
 * overlaps them: that is what lets `line.type === 'response_item'` (or a `switch`) narrow a line
 * to its known member. Compare an unknown type as a string: `(line.type as string) === 'world_state'`.
 * Values of this type come from the reader or from {@link customItem}; never write one by hand.
 * @public
 */
export type UnknownType = `\u0000unknown:${string}`;

/**
 * Git facts about the workspace as `session_meta.git` holds them on disk (snake_case). The public,
 * camelCase form is {@link SessionGitInfo}.
 * @public
 */
export interface OnDiskGitInfo {
  /** The HEAD commit. */
  commit_hash?: string;
  /** The current branch; absent when HEAD is detached. */
  branch?: string;
  /** The URL of the `origin` remote. */
  repository_url?: string;
  /** Fields this library does not know, kept as they are. */
  [key: string]: unknown;
}

/**
 * Git facts about a session's workspace when it started, camelCase: what
 * {@link SessionSummary | SessionSummary.git} reports and the recorder's `git` option takes.
 *
 * @remarks
 * A field is null when the file does not have it as a string (absent, detached HEAD, no `origin`,
 * or a value of another type).
 * @public
 */
export interface SessionGitInfo {
  /** The HEAD commit (`session_meta.git.commit_hash`). */
  commitHash: string | null;
  /** The current branch (`session_meta.git.branch`); null when HEAD was detached. */
  branch: string | null;
  /** The URL of the `origin` remote (`session_meta.git.repository_url`). */
  repositoryUrl: string | null;
}

/**
 * Where a session came from: `"cli"`, `"vscode"`, `"exec"`, `"mcp"`, a custom string, or a
 * sub-agent object (kept as written).
 * @public
 */
export type SessionSource = string | { [key: string]: unknown };

/**
 * The payload of the `session_meta` line, always the first line of a rollout.
 * @public
 */
export interface SessionMetaPayload {
  /** The session id (a UUID; UUIDv7 for sessions we create). */
  id: string;
  /** The root session's id; equals `id` for a root session. */
  session_id?: string;
  /** Creation instant, RFC 3339 UTC with milliseconds. */
  timestamp: string;
  /** Working folder of the session. */
  cwd: string;
  /** The program that wrote the session. */
  originator?: string;
  /** Version of that program. */
  cli_version?: string;
  /** Where the session came from. */
  source?: SessionSource;
  /** The model provider id, such as `"openai"`. */
  model_provider?: string;
  /** The base instructions the model was given. */
  base_instructions?: { text: string; [key: string]: unknown } | null;
  /** Git facts; absent outside a repository. */
  git?: OnDiskGitInfo;
  /** `"paginated"` when every line carries an `ordinal` (Codex CLI 0.169 and later). */
  history_mode?: string;
  /**
   * Where the older history of this thread lives (Codex CLI 0.171 `thread/revert` and
   * `thread/fork`): the first lines of another rollout, which this file continues.
   */
  history_base?: HistoryBase;
  /** The thread this one was forked from (Codex CLI 0.171 `thread/fork`). */
  forked_from_id?: string;
  /** The source thread's `ordinal` the fork stops before (Codex CLI 0.171 `thread/fork`). */
  forked_from_ordinal_exclusive?: number;
  /** Fields this library does not know, kept as they are. */
  [key: string]: unknown;
}

/**
 * The segment reference of a Codex CLI 0.171 `session_meta`: this file's history starts with the
 * lines of rollout `thread_id` before `end_ordinal_exclusive` (its first `end_byte_offset`
 * bytes, decompressed), and this file's own lines follow, their ordinals continuing from there.
 * @public
 */
export interface HistoryBase {
  /**
   * The rollout the older history is in: its own id (the second UUID of a reverted thread's file
   * name `rollout-<ts>-<thread>_<rollout>.jsonl`, else the id in the name).
   */
  thread_id: string;
  /** Lines of that rollout with an `ordinal` below this belong to the history. */
  end_ordinal_exclusive: number;
  /** The same cut as a byte offset in that rollout's (decompressed) text. */
  end_byte_offset?: number;
  /** Fields this library does not know, kept as they are. */
  [key: string]: unknown;
}

/** The `history_base` of a meta when it has the shape Codex writes, else `undefined`. */
export function historyBaseOf(meta: SessionMetaPayload): HistoryBase | undefined {
  const base = meta.history_base as unknown;
  if (base === null || typeof base !== 'object') return undefined;
  const b = base as { thread_id?: unknown; end_ordinal_exclusive?: unknown };
  if (typeof b.thread_id !== 'string' || typeof b.end_ordinal_exclusive !== 'number') return undefined;
  if (!Number.isSafeInteger(b.end_ordinal_exclusive) || b.end_ordinal_exclusive < 0) return undefined;
  return base as HistoryBase;
}

/**
 * One content part of a message.
 * @public
 */
export type ContentPart =
  | { type: 'input_text'; text: string; [key: string]: unknown }
  | { type: 'output_text'; text: string; [key: string]: unknown }
  | { type: 'input_image'; image_url: string; [key: string]: unknown }
  | { type: UnknownType; [key: string]: unknown };

/**
 * A `response_item` message.
 * @public
 */
export interface MessageItem {
  /** Always `message`. */
  type: 'message';
  /**
   * The message's id. The Codex CLI writes `msg_` and a UUIDv7 for the messages it makes, keeps the
   * model's id for the model's, and the recorder writes one for every message it records.
   */
  id?: string;
  /** `user`, `assistant`, `developer` or `system`. */
  role: string;
  /** The parts of the message, in order. */
  content: ContentPart[];
  /** Fields this library does not know, kept as they are. */
  [key: string]: unknown;
}

/**
 * A `response_item` function call. `arguments` is a JSON string, as the model sent it.
 * @public
 */
export interface FunctionCallItem {
  /** Always `function_call`. */
  type: 'function_call';
  /** The tool's name. */
  name: string;
  /** The arguments, a JSON string as the model sent it. */
  arguments: string;
  /** Pairs the call with its `function_call_output`. */
  call_id: string;
  /** Fields this library does not know, kept as they are. */
  [key: string]: unknown;
}

/**
 * The result of a function call.
 * @public
 */
export interface FunctionCallOutputItem {
  /** Always `function_call_output`. */
  type: 'function_call_output';
  /** The `call_id` of the call this answers. */
  call_id: string;
  /** What the tool returned: a string, or an object with `content`. */
  output: unknown;
  /** Fields this library does not know, kept as they are. */
  [key: string]: unknown;
}

/**
 * The model's reasoning: a summary, and its content when the provider returns it.
 * @public
 */
export interface ReasoningItem {
  /** Always `reasoning`. */
  type: 'reasoning';
  /** Summary parts (`{ type: "summary_text", text }`). */
  summary?: unknown[];
  /** Reasoning parts, when given in the clear. */
  content?: unknown[] | null;
  /** The reasoning, encrypted by the provider. */
  encrypted_content?: string | null;
  /** Fields this library does not know, kept as they are. */
  [key: string]: unknown;
}

/**
 * A call of a free-form (custom) tool, whose input is a plain string.
 * @public
 */
export interface CustomToolCallItem {
  /** Always `custom_tool_call`. */
  type: 'custom_tool_call';
  /** The tool's name. */
  name: string;
  /** The input, as the model wrote it. */
  input: string;
  /** Pairs the call with its `custom_tool_call_output`. */
  call_id: string;
  /** Fields this library does not know, kept as they are. */
  [key: string]: unknown;
}

/**
 * The result of a custom tool call.
 * @public
 */
export interface CustomToolCallOutputItem {
  /** Always `custom_tool_call_output`. */
  type: 'custom_tool_call_output';
  /** The `call_id` of the call this answers. */
  call_id: string;
  /** What the tool returned. */
  output: unknown;
  /** Fields this library does not know, kept as they are. */
  [key: string]: unknown;
}

/**
 * Any other `response_item` payload Codex writes, open: `local_shell_call`, `web_search_call`,
 * `ghost_snapshot`, `compaction`, `compaction_summary`.
 * @public
 */
export interface OtherKnownResponseItem {
  /** The item's kind. */
  type: 'local_shell_call' | 'web_search_call' | 'ghost_snapshot' | 'compaction' | 'compaction_summary';
  /** Fields as written. */
  [key: string]: unknown;
}

/**
 * A `response_item` payload of a kind this library does not know, kept as written.
 * @public
 */
export interface UnknownResponseItem {
  /** The kind, as written. */
  type: UnknownType;
  /** Fields as written. */
  [key: string]: unknown;
}

/**
 * Any `response_item` payload, discriminated on `type`.
 * @public
 */
export type ResponseItemPayload =
  | MessageItem
  | FunctionCallItem
  | FunctionCallOutputItem
  | ReasoningItem
  | CustomToolCallItem
  | CustomToolCallOutputItem
  | OtherKnownResponseItem
  | UnknownResponseItem;

/**
 * Any `event_msg` payload, discriminated on `type`: `user_message` (`message`, `images?`),
 * `agent_message`, a few other kinds Codex writes (open), and whatever else a writer adds
 * ({@link UnknownType}).
 * @public
 */
export type EventMsgPayload =
  | { type: 'user_message'; message: string; images?: string[] | null; [key: string]: unknown }
  | { type: 'agent_message'; message: string; [key: string]: unknown }
  | {
      type:
        | 'agent_reasoning'
        | 'token_count'
        | 'task_started'
        | 'task_complete'
        | 'turn_aborted'
        | 'item_completed';
      [key: string]: unknown;
    }
  | { type: UnknownType; [key: string]: unknown };

/**
 * The payload of a `workspace_snapshot` line, as on disk: the link from a message to the Git commit
 * of the workspace at that moment. Its public, camelCase form is {@link SnapshotLink}.
 * @public
 */
export interface WorkspaceSnapshotPayload {
  /** The message the snapshot belongs to. */
  message_id: string;
  /** The snapshot commit in the shadow store. */
  commit: string;
  /** Its tree. */
  tree: string;
  /** The workspace folder captured. */
  workspace: string;
  /** The shadow store holding the commit. */
  store: string;
  /** Fields this library does not know, kept as they are. */
  [key: string]: unknown;
}

/**
 * A `workspace_snapshot` link, camelCase: what {@link ReadRolloutResult | ReadRolloutResult.snapshots}
 * lists.
 * @public
 */
export interface SnapshotLink {
  /** The message the snapshot belongs to (`message_id`). */
  messageId: string;
  /** The snapshot commit in the shadow store. */
  commit: string;
  /** Its tree. */
  tree: string;
  /** The workspace folder captured. */
  workspace: string;
  /** The shadow store holding the commit. */
  store: string;
}

/**
 * Payload types by known line type, as on disk.
 * @public
 */
export interface RolloutPayloads {
  /** The session's head: always the first line. */
  session_meta: SessionMetaPayload;
  /** A model-facing item: message, reasoning, tool call or output. */
  response_item: ResponseItemPayload;
  /** A user-facing event. */
  event_msg: EventMsgPayload;
  /** The settings of a turn (model, cwd, policies). */
  turn_context: { [key: string]: unknown };
  /** A compaction of the history up to this point. */
  compacted: { message?: string; [key: string]: unknown };
  /** The link from a message to a snapshot of the workspace. */
  workspace_snapshot: WorkspaceSnapshotPayload;
  /** Codex CLI 0.169+: the state of the world (environment) the model saw. */
  world_state: { [key: string]: unknown };
  /** Codex CLI 0.169+: token usage of a model call. */
  token_usage_record: { [key: string]: unknown };
}

/**
 * The line types this library knows. Others are kept as they are ({@link UnknownType}).
 * @public
 */
export type KnownLineType = keyof RolloutPayloads;

/** The known line types, at run time. */
const KNOWN_LINE_TYPES: ReadonlySet<string> = new Set<KnownLineType>([
  'session_meta',
  'response_item',
  'event_msg',
  'turn_context',
  'compacted',
  'workspace_snapshot',
  'world_state',
  'token_usage_record',
]);

/**
 * True when `type` is one of the {@link KnownLineType}s.
 * @public
 */
export function isKnownLineType(type: string): type is KnownLineType {
  return KNOWN_LINE_TYPES.has(type);
}

/**
 * An item of a known line type, as read: its type and payload.
 * @public
 */
export interface KnownRolloutItem<K extends KnownLineType = KnownLineType> {
  /** The line type. */
  type: K;
  /** Its payload. */
  payload: RolloutPayloads[K];
}

/**
 * An item of a line type this library does not know, kept as written.
 * @public
 */
export interface UnknownRolloutItem {
  /** The line type, as written. */
  type: UnknownType;
  /** The payload, as written. */
  payload: unknown;
}

/**
 * A recorded item as read: `{ type, payload }`, discriminated on `type`.
 * @public
 */
export type RolloutItem = { [K in KnownLineType]: KnownRolloutItem<K> }[KnownLineType] | UnknownRolloutItem;

/**
 * The payloads {@link RecordItem} takes by line type: the reading types, and for `response_item` and
 * `event_msg` any other `{ type: string }` object too, so a harness can record kinds this library
 * does not list yet.
 * @public
 */
export interface RecordPayloads extends Omit<
  RolloutPayloads,
  'session_meta' | 'response_item' | 'event_msg'
> {
  /** A model-facing item. */
  response_item: ResponseItemPayload | { type: string; [key: string]: unknown };
  /** A user-facing event. */
  event_msg: EventMsgPayload | { type: string; [key: string]: unknown };
}

/**
 * What a harness records with {@link RolloutRecorder.record}: a known line type and its payload
 * (the recorder adds the envelope), or an item made by {@link customItem}. A misspelt type does not
 * compile. Every {@link RolloutItem} read from a rollout (other than `session_meta`) is one.
 * @public
 */
export type RecordItem =
  | { [K in keyof RecordPayloads]: { type: K; payload: RecordPayloads[K] } }[keyof RecordPayloads]
  | UnknownRolloutItem;

/**
 * An item of a line type this library does not know, for {@link RolloutRecorder.record}: the explicit
 * opt-in to writing any type.
 *
 * @remarks
 * Readers keep lines of unknown types as they are (this library's and the Codex CLI's), so such an
 * item round-trips; the Codex CLI ignores it when it resumes the session.
 *
 * @example
 * ```ts
 * await rec.record([customItem('my_harness_event', { step: 3 })]);
 * ```
 * @throws `TypeError` when `type` is empty, not a string, or one of the {@link KnownLineType}s
 * (record those as typed items).
 * @public
 */
export function customItem(type: string, payload: unknown): UnknownRolloutItem {
  if (typeof type !== 'string' || type === '')
    throw invalidArgument('customItem() needs a non-empty string type');
  if (isKnownLineType(type)) {
    throw invalidArgument(`"${type}" is a known line type: record it as a typed item, not with customItem()`);
  }
  return { type: type as UnknownType, payload };
}

/**
 * The envelope of every line: what surrounds the type and payload. Unknown envelope keys
 * (`metadata`, `format_version`, …) are kept.
 * @public
 */
export interface RolloutEnvelope {
  /** Write time, RFC 3339 UTC with milliseconds. */
  timestamp: string;
  /** Present on every line of a paginated file, from 0, rising by 1. */
  ordinal?: number;
  /** Fields this library does not know, kept as they are. */
  [key: string]: unknown;
}

/**
 * A line of a known type.
 * @public
 */
export interface KnownRolloutLine<K extends KnownLineType = KnownLineType> extends RolloutEnvelope {
  /** The line type. */
  type: K;
  /** Its payload. */
  payload: RolloutPayloads[K];
}

/**
 * A line of a type this library does not know, kept as written.
 * @public
 */
export interface UnknownRolloutLine extends RolloutEnvelope {
  /** The line type, as written. */
  type: UnknownType;
  /** The payload, as written. */
  payload: unknown;
}

/**
 * One line of a rollout in the envelope format, discriminated on `type`.
 *
 * @remarks
 * The reader checks the envelope (a `timestamp` string, a `type` string, a `payload`) and, for a
 * known type, that the payload is a JSON object, with a string `type` for `response_item` and
 * `event_msg`; a line that fails is reported as a problem, not returned. Fields inside a payload are
 * typed as the format defines them and kept as written: a file from an unknown writer can hold
 * other values there ({@link validateRollout} reports them), so code that must survive any file
 * checks a field's type before relying on it.
 * @public
 */
export type RolloutLine = { [K in KnownLineType]: KnownRolloutLine<K> }[KnownLineType] | UnknownRolloutLine;

/**
 * A `session_meta` line.
 * @public
 */
export type SessionMetaLine = KnownRolloutLine<'session_meta'>;

/**
 * The first line of a legacy bare rollout (Codex files before September 2025), as on disk.
 * @public
 */
export interface LegacyMeta {
  /** The session id. */
  id: string;
  /** Creation instant. */
  timestamp: string;
  /** The base instructions, as plain text. */
  instructions?: string | null;
  /** Git facts. */
  git?: OnDiskGitInfo;
  /** Fields this library does not know, kept as they are. */
  [key: string]: unknown;
}

/**
 * The formats the reader recognises: `envelope` (plain), `paginated` (envelope with `ordinal`s) and
 * `legacy` (bare items, no envelope).
 * @public
 */
export type RolloutFormat = 'envelope' | 'paginated' | 'legacy';

/**
 * True when `line` is a `session_meta` line with an id.
 * @public
 */
export function isSessionMetaLine(line: RolloutLine): line is SessionMetaLine {
  return (
    line.type === 'session_meta' &&
    typeof line.payload === 'object' &&
    line.payload !== null &&
    typeof (line.payload as { id?: unknown }).id === 'string'
  );
}

/**
 * Why a parsed envelope of type `type` cannot be returned as that type, or undefined when it can:
 * a known line type needs an object payload, and `response_item` / `event_msg` a string
 * `payload.type`, so narrowing on them never meets a non-object. Unknown types pass as they are.
 */
export function payloadShapeProblem(type: string, payload: unknown): string | undefined {
  if (!isKnownLineType(type)) return undefined;
  if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) {
    const kind = payload === null ? 'null' : Array.isArray(payload) ? 'an array' : typeof payload;
    return `"${type}" line's payload is ${kind}, not a JSON object`;
  }
  if (
    (type === 'response_item' || type === 'event_msg') &&
    typeof (payload as { type?: unknown }).type !== 'string'
  ) {
    return `"${type}" line's payload has no "type" string`;
  }
  return undefined;
}

/** The item of a line: its type and payload, the envelope left out. */
export function itemOf(line: RolloutLine): RolloutItem {
  return { type: line.type, payload: line.payload } as RolloutItem;
}

/** The camelCase {@link SessionGitInfo} of an on-disk `git` value of any shape; null when it is not an object. */
export function toSessionGitInfo(git: unknown): SessionGitInfo | null {
  if (typeof git !== 'object' || git === null || Array.isArray(git)) return null;
  const g = git as Record<string, unknown>;
  const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);
  return {
    commitHash: str(g['commit_hash']),
    branch: str(g['branch']),
    repositoryUrl: str(g['repository_url']),
  };
}

/** The camelCase {@link SnapshotLink} of a `workspace_snapshot` payload; undefined when a field is not a string. */
export function toSnapshotLink(payload: unknown): SnapshotLink | undefined {
  if (typeof payload !== 'object' || payload === null) return undefined;
  const p = payload as Record<string, unknown>;
  const { message_id: messageId, commit, tree, workspace, store } = p;
  if (
    typeof messageId !== 'string' ||
    typeof commit !== 'string' ||
    typeof tree !== 'string' ||
    typeof workspace !== 'string' ||
    typeof store !== 'string'
  ) {
    return undefined;
  }
  return { messageId, commit, tree, workspace, store };
}
