import type { ChatMessage, TrlMessage } from '../format/dataset.js';

/**
 * OpenAI fine-tuning messages (as {@link toOpenAI} makes them) in TRL's conversational format:
 * content always a string, tool-call arguments as objects (what chat templates take), and each
 * `tool` message naming the function that answered.
 */
export function toTrl(messages: readonly ChatMessage[]): TrlMessage[] {
  const names = new Map<string, string>();
  return messages.map((m): TrlMessage => {
    if (m.role === 'assistant' && m.tool_calls) {
      return {
        role: 'assistant',
        content: m.content ?? '',
        tool_calls: m.tool_calls.map((c) => {
          names.set(c.id, c.function.name);
          return {
            id: c.id,
            type: 'function',
            function: { name: c.function.name, arguments: JSON.parse(c.function.arguments) as unknown },
          };
        }),
      };
    }
    if (m.role === 'tool') {
      const id = m.tool_call_id ?? '';
      return { role: 'tool', name: names.get(id) ?? '', tool_call_id: id, content: m.content ?? '' };
    }
    return { role: m.role, content: m.content ?? '' };
  });
}
