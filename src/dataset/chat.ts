import { isHarnessWrapper } from '../format/preview.js';
import type { ChatMessage } from '../format/dataset.js';
import type { RolloutItem } from '../format/types.js';

/** A chat message and the id of the rollout item it came from (null when the item has none). */
export interface ChatTurn {
  message: ChatMessage;
  id: string | null;
}

/** Told once per field of a session that has the wrong type (the rest is still converted). */
export type BadField = (field: string, what: string) => void;

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** The text of content parts; a part that is not an object with a string `text` is left out. */
function partsText(content: unknown, field: string, bad: BadField): string {
  if (typeof content === 'string') return content;
  if (content === undefined) return '';
  if (!Array.isArray(content)) {
    bad(field, `is ${typeOf(content)}, not an array`);
    return '';
  }
  const texts: string[] = [];
  for (const part of content) {
    if (!isObject(part)) {
      bad(`${field}[]`, `holds ${typeOf(part)}, left out`);
      continue;
    }
    if (typeof part['text'] === 'string' && part['text'] !== '') texts.push(part['text']);
  }
  return texts.join('\n');
}

/** A tool output as text: a string, an object's `content`, content parts, or else its JSON. */
function outputText(output: unknown, bad: BadField): string {
  if (typeof output === 'string') return output;
  if (isObject(output) && typeof output['content'] === 'string') return output['content'];
  if (Array.isArray(output)) return partsText(output, 'output', bad);
  return JSON.stringify(output ?? null);
}

const typeOf = (v: unknown): string =>
  v === null ? 'null' : Array.isArray(v) ? 'an array' : `a ${typeof v}`;

const str = (v: unknown, fallback: string): string =>
  typeof v === 'string' ? v : v === undefined || v === null ? fallback : JSON.stringify(v);

const idOf = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);

/**
 * The chat transcript of a session, one item at a time: the base instructions as the system
 * message, user and assistant messages, tool calls on the assistant message that made them, tool
 * results as `tool` messages. Harness wrappers (environment context, instructions) and reasoning are
 * left out. Only the last assistant message is held back (tool calls may still join it), so memory
 * follows one message, not the session. A field of the wrong type is told to `bad` and skipped.
 * Each message comes with the id of the item it came from: a message's `id`, for an assistant
 * message made of tool calls only the first call's item `id`, for a tool result its `call_id`.
 */
export class ChatStream {
  private pending: ChatTurn | undefined;
  private count = 0;

  constructor(private readonly bad: BadField = () => {}) {}

  /** The system message for these instructions, if any. */
  start(instructions: unknown): ChatTurn[] {
    if (instructions === undefined || instructions === null) return [];
    if (typeof instructions !== 'string') {
      this.bad('session_meta.base_instructions.text', `is ${typeOf(instructions)}, not a string`);
      return [];
    }
    return instructions ? this.emit({ message: { role: 'system', content: instructions }, id: null }) : [];
  }

  /** The messages this item completes. */
  push(item: RolloutItem): ChatTurn[] {
    if (item.type !== 'response_item') return [];
    const p: unknown = item.payload;
    if (!isObject(p)) {
      this.bad('response_item.payload', `is ${typeOf(p)}, not an object`);
      return [];
    }
    switch (p['type']) {
      case 'message': {
        const role = p['role'];
        const text = partsText(p['content'], 'message.content', this.bad);
        const id = idOf(p['id']);
        if (role === 'user' && !isHarnessWrapper(text))
          return this.emit({ message: { role: 'user', content: text }, id });
        if (role === 'assistant') {
          const out = this.flush();
          this.pending = { message: { role: 'assistant', content: text }, id };
          return out;
        }
        return [];
      }
      case 'function_call':
      case 'custom_tool_call':
      case 'local_shell_call': {
        const shell = p['type'] === 'local_shell_call';
        const name = shell ? 'local_shell' : str(p['name'], '');
        const args = shell ? JSON.stringify(p['action'] ?? {}) : str(p['arguments'] ?? p['input'], '');
        const id = str(p['call_id'] ?? p['id'], `call_${this.count + (this.pending ? 1 : 0)}`);
        this.pending ??= { message: { role: 'assistant', content: null }, id: idOf(p['id']) };
        (this.pending.message.tool_calls ??= []).push({
          id,
          type: 'function',
          function: { name, arguments: args },
        });
        return [];
      }
      case 'function_call_output':
      case 'custom_tool_call_output': {
        const callId = str(p['call_id'], '');
        return this.emit({
          message: { role: 'tool', tool_call_id: callId, content: outputText(p['output'], this.bad) },
          id: callId === '' ? null : callId,
        });
      }
      default:
        return [];
    }
  }

  /** The message still held back, at the end of the session. */
  end(): ChatTurn[] {
    return this.flush();
  }

  private flush(): ChatTurn[] {
    const held = this.pending;
    this.pending = undefined;
    if (held) this.count++;
    return held ? [held] : [];
  }

  private emit(turn: ChatTurn): ChatTurn[] {
    const out = this.flush();
    out.push(turn);
    this.count++;
    return out;
  }
}

/** The whole chat transcript of `items` at once (see {@link ChatStream}). */
export function toChat(items: readonly RolloutItem[], instructions: string | undefined): ChatMessage[] {
  const chat = new ChatStream();
  const out = chat.start(instructions);
  for (const item of items) out.push(...chat.push(item));
  out.push(...chat.end());
  return out.map((t) => t.message);
}
