/**
 * The training-data formats a dataset export writes: OpenAI fine-tuning chat rows, TRL
 * conversational rows and Hugging Face dataset rows. Their field names are those formats' own
 * (snake_case), so they live here, with the other shapes written to disk.
 */

/**
 * One tool call on an assistant message of the OpenAI chat format.
 * @public
 */
export interface OpenAIToolCall {
  /** The call's id; the `tool` message answering it carries the same `tool_call_id`. */
  id: string;
  /** Always `function`. */
  type: 'function';
  /** The function called and its arguments as a JSON string (an object). */
  function: { name: string; arguments: string };
}

/**
 * A message of the OpenAI chat format, as fine-tuning data takes it.
 * @public
 */
export interface ChatMessage {
  /** Who speaks. */
  role: 'system' | 'user' | 'assistant' | 'tool';
  /** The text; null only on an assistant message that only calls tools. */
  content: string | null;
  /** The calls an assistant message makes. */
  tool_calls?: OpenAIToolCall[];
  /** On a `tool` message: the id of the call it answers. */
  tool_call_id?: string;
}

/**
 * A function definition of a `tools` list, as OpenAI and TRL take it.
 * @public
 */
export interface DatasetTool {
  /** Always `function`. */
  type: 'function';
  /** The function: its name and a JSON Schema of its parameters (built from the calls made). */
  function: { name: string; description?: string; parameters: JsonSchemaObject };
}

/**
 * A JSON Schema (draft 2020-12 subset) inferred from the values a tool was called with.
 * @public
 */
export interface JsonSchemaObject {
  /** The JSON type or types. */
  type?: string | string[];
  /** Object members. */
  properties?: { [name: string]: JsonSchemaObject };
  /** Members every call gave. */
  required?: string[];
  /** Array items. */
  items?: JsonSchemaObject;
  /** Schemas any of which the value matches (mixed types). */
  anyOf?: JsonSchemaObject[];
}

/**
 * The snapshot of the workspace at one turn of a row: the shadow-store commit a message is linked
 * to, so the row can be replayed against the repository it was produced in.
 * @public
 */
export interface DatasetTurn {
  /** Index in the row's `messages`. */
  message_index: number;
  /** The id of that message in the rollout (null when the rollout gives it none). */
  message_id: string | null;
  /** The role of that message. */
  role: ChatMessage['role'];
  /** The commit of the workspace after that message, in the shadow store; null when none links it. */
  commit: string | null;
  /** The commit's tree. */
  tree: string | null;
  /** The workspace the commit is of. */
  workspace: string | null;
  /** The patch from the previous snapshot of the session (or from nothing) to `commit`, when asked. */
  diff?: string | null;
  /**
   * True when `commit` and `tree` name the redacted copy of the snapshot that the archive remote
   * holds (a snapshot with a secret, pushed by `pushDatasetToHub`), not the local commit.
   */
  redacted?: boolean;
}

/**
 * A row of the `openai` format: the fine-tuning chat format (`messages`, `tools`) plus the
 * session's provenance beside it.
 * @public
 */
export interface OpenAIDatasetRow {
  /** The session id. */
  session_id: string;
  /** The chat messages. */
  messages: ChatMessage[];
  /** The functions the session called, with a JSON Schema of their parameters. */
  tools: DatasetTool[];
  /** The rollout id of each message, parallel to `messages` (null where there is none). */
  message_ids: (string | null)[];
  /** One entry per assistant message: the workspace commit at that turn. */
  turns: DatasetTurn[];
}

/**
 * A message of TRL's conversational format.
 * @public
 */
export interface TrlMessage {
  /** Who speaks. */
  role: 'system' | 'user' | 'assistant' | 'tool';
  /** The text (empty for an assistant message that only calls tools). */
  content: string;
  /** The calls an assistant message makes, arguments as objects (as chat templates take them). */
  tool_calls?: { id: string; type: 'function'; function: { name: string; arguments: unknown } }[];
  /** On a `tool` message: the function that answered. */
  name?: string;
  /** On a `tool` message: the id of the call it answers. */
  tool_call_id?: string;
}

/**
 * A row of the `trl` format: TRL's conversational dataset format plus the session's provenance.
 * @public
 */
export interface TrlDatasetRow {
  /** The session id. */
  session_id: string;
  /** The conversation. */
  messages: TrlMessage[];
  /** The functions the session called (absent when it called none). */
  tools?: DatasetTool[];
  /** The rollout id of each message, parallel to `messages`. */
  message_ids: (string | null)[];
  /** One entry per assistant message: the workspace commit at that turn. */
  turns: DatasetTurn[];
}

/**
 * A row of the `envelope` format: every line of the rollout as it is on disk.
 * @public
 */
export interface EnvelopeDatasetRow {
  /** The session id. */
  session_id: string;
  /** The `session_meta` payload, or null. */
  meta: { [key: string]: unknown } | null;
  /** The rollout's lines. */
  lines: unknown[];
  /** Every message id of the session's messages, in file order. */
  message_ids: string[];
  /** The snapshots linked to messages of the session. */
  turns: DatasetTurn[];
}

/**
 * A row of the `chat` format: the chat transcript with the meta.
 * @public
 */
export interface ChatDatasetRow {
  /** The session id. */
  session_id: string;
  /** The `session_meta` payload, or null. */
  meta: { [key: string]: unknown } | null;
  /** The chat messages. */
  messages: ChatMessage[];
  /** The rollout id of each message, parallel to `messages`. */
  message_ids: (string | null)[];
  /** One entry per assistant message: the workspace commit at that turn. */
  turns: DatasetTurn[];
}

/**
 * A row of a Hugging Face dataset pushed by `hf push`, as the Python tool writes it.
 * @public
 */
export interface HubDatasetRow {
  /** The batch the row was appended in (1, 2, …): raised only when a push appends rows. */
  batch_id: number;
  /** The session id. */
  session_id: string;
  /** The agent that recorded the session (`codex`). */
  agent: string;
  /** When the row was exported (ISO 8601, UTC). */
  exported_at: string;
  /** The session in the chosen format. */
  session: OpenAIDatasetRow | TrlDatasetRow | EnvelopeDatasetRow;
  /** Null when the session has no snapshot store; else the archive remote (or null). */
  metadata: { remote_url: string | null } | null;
}
