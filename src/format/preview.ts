/**
 * Which record of a rollout is "the first user message", and what text it shows.
 *
 * Writers disagree on how a user turn is recorded: the Codex CLI writes a `response_item` user
 * message followed by an `event_msg` `user_message`; Codex 0.169 writes an `event_msg`
 * `item_completed` holding a `UserMessage` instead of the event; legacy files only have the bare
 * response item, and harness-injected context (`<environment_context>`, AGENTS.md instructions)
 * also arrives as user-role response items. Hence a ranking rather than a single rule.
 */

/** Where a user message was found, best first. */
export type UserMessageKind = 'user_message' | 'item_completed' | 'response_item';

/** A user message found in a record. */
export interface UserMessageHit {
  /** The text after the request prefix was stripped; `"[Image]"` for an image-only message. */
  text: string;
  /** The kind of record it came from. */
  kind: UserMessageKind;
}

/** The rank of each kind: lower wins. */
export const USER_MESSAGE_RANK: Readonly<Record<UserMessageKind, number>> = {
  user_message: 0,
  item_completed: 1,
  response_item: 2,
};

/** What an image-only message shows. */
export const IMAGE_ONLY_TEXT = '[Image]';

const REQUEST_MARKER = '## My request for Codex:';

const HARNESS_PREFIXES = ['<environment_context>', '<user_instructions>', '# AGENTS.md instructions for '];

/** True when a user-role text is context injected by a harness, not something the user typed. */
export function isHarnessWrapper(text: string): boolean {
  const t = text.trimStart();
  return HARNESS_PREFIXES.some((p) => t.startsWith(p));
}

/**
 * Drops everything up to and including `## My request for Codex:` (IDE extensions put the editor
 * context before it), then trims.
 */
export function stripRequestPrefix(text: string): string {
  const at = text.indexOf(REQUEST_MARKER);
  return (at === -1 ? text : text.slice(at + REQUEST_MARKER.length)).trim();
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;

function hit(text: string, hasImage: boolean, kind: UserMessageKind): UserMessageHit | undefined {
  const stripped = stripRequestPrefix(text);
  if (stripped !== '') return { text: stripped, kind };
  return hasImage ? { text: IMAGE_ONLY_TEXT, kind } : undefined;
}

const nonEmptyArray = (v: unknown): boolean => Array.isArray(v) && v.length > 0;

/** A user message in a `response_item` payload (or a legacy bare item), unless it is a wrapper. */
export function userMessageOfResponseItem(item: unknown): UserMessageHit | undefined {
  if (!isObject(item) || item['type'] !== 'message' || item['role'] !== 'user') return undefined;
  const content = item['content'];
  if (!Array.isArray(content)) return undefined;
  const texts: string[] = [];
  let hasImage = false;
  for (const part of content) {
    if (!isObject(part)) continue;
    if ((part['type'] === 'input_text' || part['type'] === 'text') && typeof part['text'] === 'string') {
      texts.push(part['text']);
    } else if (part['type'] === 'input_image') {
      hasImage = true;
    }
  }
  const text = texts.join('\n');
  if (isHarnessWrapper(text)) return undefined;
  return hit(text, hasImage, 'response_item');
}

/** A user message in an `event_msg` payload: `user_message`, or `item_completed` of a `UserMessage`. */
export function userMessageOfEvent(payload: unknown): UserMessageHit | undefined {
  if (!isObject(payload)) return undefined;
  if (payload['type'] === 'user_message') {
    // Older CLIs also sent context as user_message events, told apart by `kind`.
    const kind = payload['kind'];
    if (kind !== undefined && kind !== null && kind !== 'plain') return undefined;
    const message = typeof payload['message'] === 'string' ? payload['message'] : '';
    const hasImage = nonEmptyArray(payload['images']) || nonEmptyArray(payload['local_images']);
    return hit(message, hasImage, 'user_message');
  }
  if (payload['type'] === 'item_completed') {
    const item = payload['item'];
    if (!isObject(item) || item['type'] !== 'UserMessage' || !Array.isArray(item['content']))
      return undefined;
    const texts: string[] = [];
    let hasImage = false;
    for (const part of item['content'] as unknown[]) {
      if (!isObject(part)) continue;
      if (part['type'] === 'text' && typeof part['text'] === 'string') texts.push(part['text']);
      else if (part['type'] === 'image' || part['type'] === 'local_image') hasImage = true;
    }
    return hit(texts.join('\n'), hasImage, 'item_completed');
  }
  return undefined;
}

/**
 * The user message a record holds, if any. `record` is an envelope line (`{type, payload}`) or, for
 * the legacy bare format, an item itself (`legacy: true`).
 */
export function userMessageOfRecord(record: unknown, legacy = false): UserMessageHit | undefined {
  if (!isObject(record)) return undefined;
  if (legacy) return userMessageOfResponseItem(record);
  if (record['type'] === 'event_msg') return userMessageOfEvent(record['payload']);
  if (record['type'] === 'response_item') return userMessageOfResponseItem(record['payload']);
  return undefined;
}

/**
 * How many records past a lower-ranked hit to keep looking for a better one. Writers put the
 * `user_message` event right after the response item of the same turn, so a short window finds it
 * without reading whole files that never have one (legacy files, Codex 0.169).
 */
export const BETTER_HIT_WINDOW = 16;

/**
 * True for a record the model or a tool produced (an assistant message, reasoning, a tool call or
 * its output, an agent message, a completed turn): once one follows a user message, that user
 * message's turn is over, and no later record belongs to it.
 */
function endsUserTurn(record: unknown, legacy: boolean): boolean {
  if (!isObject(record)) return false;
  const item = legacy ? record : record['type'] === 'response_item' ? record['payload'] : undefined;
  if (isObject(item)) return !(item['type'] === 'message' && item['role'] === 'user');
  if (legacy || record['type'] !== 'event_msg') return false;
  const payload = record['payload'];
  if (!isObject(payload)) return false;
  const type = payload['type'];
  if (type === 'agent_message' || type === 'task_complete' || type === 'agent_reasoning') return true;
  if (type !== 'item_completed') return false;
  const completed = payload['item'];
  return isObject(completed) && completed['type'] !== 'UserMessage';
}

/**
 * Picks the first user message from records in file order. The first turn that holds one decides;
 * within that turn the best-ranked record wins (the first `user_message` event, else the first
 * `item_completed` `UserMessage`, else the first non-wrapper user response item). Looking stops at
 * the end of that turn (the first record from the model or a tool) or {@link BETTER_HIT_WINDOW}
 * records after the first hit, so a later turn, recorded in another style (a turn appended to a
 * Codex session by another writer), never replaces it.
 */
export class FirstUserMessageFinder {
  private best: UserMessageHit | undefined;
  private sinceFirstHit = 0;
  private turnOver = false;

  /** Feeds the next record; returns true once no later record can change the answer. */
  push(record: unknown, legacy = false): boolean {
    if (this.done) return true;
    if (this.best !== undefined && endsUserTurn(record, legacy)) {
      this.turnOver = true;
      return true;
    }
    const found = userMessageOfRecord(record, legacy);
    if (this.best !== undefined) this.sinceFirstHit++;
    if (
      found !== undefined &&
      (this.best === undefined || USER_MESSAGE_RANK[found.kind] < USER_MESSAGE_RANK[this.best.kind])
    ) {
      this.best = found;
    }
    return this.done;
  }

  /** True when the answer is final. */
  get done(): boolean {
    return (
      this.best !== undefined &&
      (this.turnOver || this.best.kind === 'user_message' || this.sinceFirstHit >= BETTER_HIT_WINDOW)
    );
  }

  /** The best message so far. */
  get result(): UserMessageHit | undefined {
    return this.best;
  }
}
