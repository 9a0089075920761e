/**
 * What a search matches in a rollout, and how a hit is shown: the text of every user and
 * assistant message (as the Codex CLI's `thread/list` search reads it), matched literally and
 * case-insensitively, and an excerpt around the first match. No I/O: the file-walk search and
 * the session index both feed lines through these functions, so they agree by construction.
 */
import { isHarnessWrapper, userMessageOfRecord } from './preview.js';

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;

function joinedTexts(content: unknown, types: ReadonlySet<string>): string {
  if (!Array.isArray(content)) return '';
  const texts: string[] = [];
  for (const part of content) {
    if (isObject(part) && typeof part['type'] === 'string' && types.has(part['type'])) {
      if (typeof part['text'] === 'string') texts.push(part['text']);
    }
  }
  return texts.join('\n');
}

const ASSISTANT_PARTS: ReadonlySet<string> = new Set(['output_text', 'text']);
const AGENT_ITEM_PARTS: ReadonlySet<string> = new Set(['text']);

/**
 * The searchable text of one record (an envelope line, or a legacy bare item with `legacy`): a
 * user message (what the first-user-message rules accept, harness context left out) or an
 * assistant message (`response_item` message of role `assistant`, `event_msg` `agent_message`,
 * `item_completed` of an `AgentMessage`); undefined for anything else.
 */
export function searchableText(record: unknown, legacy = false): string | undefined {
  if (!isObject(record)) return undefined;
  const user = userMessageOfRecord(record, legacy);
  if (user !== undefined) return user.text;
  const payload = legacy ? record : record['payload'];
  if (!isObject(payload)) return undefined;
  const kind = legacy ? 'response_item' : record['type'];
  if (kind === 'response_item' && payload['type'] === 'message' && payload['role'] === 'assistant') {
    const text = joinedTexts(payload['content'], ASSISTANT_PARTS);
    return text === '' ? undefined : text;
  }
  if (kind !== 'event_msg') return undefined;
  if (payload['type'] === 'agent_message' && typeof payload['message'] === 'string') {
    return payload['message'] === '' ? undefined : payload['message'];
  }
  if (payload['type'] === 'item_completed') {
    const item = payload['item'];
    if (isObject(item) && item['type'] === 'AgentMessage') {
      const text = joinedTexts(item['content'], AGENT_ITEM_PARTS);
      return text === '' || isHarnessWrapper(text) ? undefined : text;
    }
  }
  return undefined;
}

/** The form a search term and a text are compared in (case-insensitive, literal). */
export function foldCase(text: string): string {
  return text.toLowerCase();
}

/**
 * Characters of context an excerpt keeps before the match, and its longest length: the Codex
 * CLI's search excerpts are 48 characters of lead-in in a window of 96.
 */
export const SNIPPET_BEFORE = 48;
export const SNIPPET_LENGTH = 96;

/**
 * The excerpt around the first occurrence of `folded` (an already case-folded term) in `text`, or
 * undefined when it does not occur. Whitespace runs become one space; an end that was cut shows
 * `…`. Counted in code points, so no surrogate pair is split.
 */
export function snippetOf(text: string, folded: string): string | undefined {
  const flat = text.replace(/\s+/g, ' ');
  const lower = foldCase(flat);
  const at = lower.indexOf(folded);
  if (at === -1) return undefined;
  // toLowerCase keeps the length of almost every string; where it does not, show the start.
  const same = lower.length === flat.length;
  const chars = Array.from(flat);
  const start16 = same ? at : 0;
  const before = Array.from(flat.slice(0, start16)).length;
  const from = Math.max(0, before - SNIPPET_BEFORE);
  const to = Math.min(chars.length, from + SNIPPET_LENGTH);
  let out = chars.slice(from, to).join('');
  if (from > 0) out = '…' + out.trimStart();
  if (to < chars.length) out = out.trimEnd() + '…';
  return out;
}
