import type { RolloutItem } from '../format/types.js';
import { isHarnessWrapper } from '../format/preview.js';

/** A message of the OpenAI chat format, as fine-tuning data takes it. */
export interface ChatMessage {
  role: 'system' | 'user' | 'assistant' | 'tool';
  content: string | null;
  tool_calls?: { id: string; type: 'function'; function: { name: string; arguments: string } }[];
  tool_call_id?: string;
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

/**
 * The chat transcript of a session, one item at a time: the base instructions as the system
 * message, user and assistant messages, tool calls on the assistant message that made them, tool
 * results as `tool` messages. Harness wrappers (environment context, instructions) and reasoning are
 * left out. Only the last assistant message is held back (tool calls may still join it), so memory
 * follows one message, not the session. A field of the wrong type is told to `bad` and skipped.
 */
export class ChatStream {
  private pending: ChatMessage | undefined;
  private count = 0;

  constructor(private readonly bad: BadField = () => {}) {}

  /** The system message for these instructions, if any. */
  start(instructions: unknown): ChatMessage[] {
    if (instructions === undefined || instructions === null) return [];
    if (typeof instructions !== 'string') {
      this.bad('session_meta.base_instructions.text', `is ${typeOf(instructions)}, not a string`);
      return [];
    }
    return instructions ? this.emit({ role: 'system', content: instructions }) : [];
  }

  /** The messages this item completes. */
  push(item: RolloutItem): ChatMessage[] {
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
        if (role === 'user' && !isHarnessWrapper(text)) return this.emit({ role: 'user', content: text });
        if (role === 'assistant') {
          const out = this.flush();
          this.pending = { role: 'assistant', content: text };
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
        this.pending ??= { role: 'assistant', content: null };
        (this.pending.tool_calls ??= []).push({ id, type: 'function', function: { name, arguments: args } });
        return [];
      }
      case 'function_call_output':
      case 'custom_tool_call_output':
        return this.emit({
          role: 'tool',
          tool_call_id: str(p['call_id'], ''),
          content: outputText(p['output'], this.bad),
        });
      default:
        return [];
    }
  }

  /** The message still held back, at the end of the session. */
  end(): ChatMessage[] {
    return this.flush();
  }

  private flush(): ChatMessage[] {
    const held = this.pending;
    this.pending = undefined;
    if (held) this.count++;
    return held ? [held] : [];
  }

  private emit(message: ChatMessage): ChatMessage[] {
    const out = this.flush();
    out.push(message);
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
  return out;
}
