/**
 * The on-disk contract (DESIGN.md §1) as types. Field names are the ones on disk (snake_case).
 * Every object type is open (`[key: string]: unknown`): fields we do not know are kept, never dropped.
 */

/**
 * Git facts about the workspace, collected when a session starts.
 * @public
 */
export interface GitInfo {
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
  git?: GitInfo;
  /** `"paginated"` when every line carries an `ordinal` (Codex CLI 0.169 and later). */
  history_mode?: string;
  /** Fields this library does not know, kept as they are. */
  [key: string]: unknown;
}

/**
 * One content part of a message.
 * @public
 */
export type ContentPart =
  | { type: 'input_text'; text: string; [key: string]: unknown }
  | { type: 'output_text'; text: string; [key: string]: unknown }
  | { type: 'input_image'; image_url: string; [key: string]: unknown }
  | { type: string; [key: string]: unknown };

/**
 * A `response_item` message.
 * @public
 */
export interface MessageItem {
  /** Always `message`. */
  type: 'message';
  /** `user`, `assistant`, `developer` or `system`. */
  role: string;
  /** The parts of the message, in order. */
  content: ContentPart[];
  /** The model's id of the item, when it gave one. */
  id?: string;
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
 * Any `response_item` payload: the common ones are typed, the rest kept as they are
 * (`reasoning`, `custom_tool_call`, `custom_tool_call_output`, `local_shell_call`,
 * `web_search_call`, …).
 * @public
 */
export type ResponseItemPayload =
  MessageItem | FunctionCallItem | FunctionCallOutputItem | { type: string; [key: string]: unknown };

/**
 * Any `event_msg` payload: `user_message` (`message`, `images?`), `agent_message`, `token_count`,
 * `task_started`, `task_complete`, `item_completed`, and whatever else a writer adds.
 * @public
 */
export type EventMsgPayload =
  | { type: 'user_message'; message: string; images?: string[] | null; [key: string]: unknown }
  | { type: 'agent_message'; message: string; [key: string]: unknown }
  | { type: string; [key: string]: unknown };

/**
 * The payload of a `workspace_snapshot` line: the link from a message to the Git commit of the
 * workspace at that moment.
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
 * Payload types by line type.
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
}

/**
 * The line types this library knows. Others are kept as they are.
 * @public
 */
export type KnownLineType = keyof RolloutPayloads;

/**
 * What a harness records: a line type and its payload. The recorder adds the envelope.
 * @public
 */
export type RolloutItem =
  | { [K in KnownLineType]: { type: K; payload: RolloutPayloads[K] } }[Exclude<KnownLineType, 'session_meta'>]
  | { type: string; payload: unknown };

/**
 * One line of a rollout in the envelope format. Unknown envelope keys (`metadata`,
 * `format_version`, …) are kept.
 * @public
 */
export interface RolloutLine {
  /** Write time, RFC 3339 UTC with milliseconds. */
  timestamp: string;
  /** The line type; unknown types are kept as they are. */
  type: string;
  /** The payload. */
  payload: unknown;
  /** Present on every line of a paginated file, from 0, rising by 1. */
  ordinal?: number;
  /** Fields this library does not know, kept as they are. */
  [key: string]: unknown;
}

/**
 * A `session_meta` line.
 * @public
 */
export interface SessionMetaLine extends RolloutLine {
  /** Always `session_meta`. */
  type: 'session_meta';
  /** The session's head. */
  payload: SessionMetaPayload;
}

/**
 * The first line of a legacy bare rollout (Codex files before September 2025).
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
  git?: GitInfo;
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
