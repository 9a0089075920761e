import type { RolloutItem } from '../format/types.js';
import { isHarnessWrapper } from '../format/preview.js';
import { asText, contentText, outputText } from './format.js';

/** A message of the OpenAI chat format, as fine-tuning data takes it. */
export interface ChatMessage {
  role: 'system' | 'user' | 'assistant' | 'tool';
  content: string | null;
  tool_calls?: { id: string; type: 'function'; function: { name: string; arguments: string } }[];
  tool_call_id?: string;
}

/**
 * The chat transcript of a session's items: the base instructions as the system message, user and
 * assistant messages, tool calls on the assistant message that made them, tool results as `tool`
 * messages. Harness wrappers (environment context, instructions) and reasoning are left out.
 */
export function toChat(items: readonly RolloutItem[], instructions: string | undefined): ChatMessage[] {
  const messages: ChatMessage[] = [];
  if (instructions) messages.push({ role: 'system', content: instructions });
  const lastAssistant = (): ChatMessage => {
    const last = messages[messages.length - 1];
    if (last && last.role === 'assistant') return last;
    const fresh: ChatMessage = { role: 'assistant', content: null };
    messages.push(fresh);
    return fresh;
  };
  for (const item of items) {
    if (item.type !== 'response_item') continue;
    const p = item.payload as Record<string, unknown>;
    switch (p['type']) {
      case 'message': {
        const role = p['role'];
        const text = contentText(p['content']);
        if (role === 'user' && !isHarnessWrapper(text)) messages.push({ role: 'user', content: text });
        else if (role === 'assistant') messages.push({ role: 'assistant', content: text });
        break;
      }
      case 'function_call':
      case 'custom_tool_call':
      case 'local_shell_call': {
        const name = p['type'] === 'local_shell_call' ? 'local_shell' : String(p['name']);
        const args =
          p['type'] === 'local_shell_call'
            ? JSON.stringify(p['action'] ?? {})
            : asText(p['arguments'] ?? p['input']);
        const id = asText(p['call_id'] ?? p['id']) || `call_${messages.length}`;
        const target = lastAssistant();
        (target.tool_calls ??= []).push({ id, type: 'function', function: { name, arguments: args } });
        break;
      }
      case 'function_call_output':
      case 'custom_tool_call_output':
        messages.push({ role: 'tool', tool_call_id: String(p['call_id']), content: outputText(p['output']) });
        break;
      default:
        break;
    }
  }
  return messages;
}
