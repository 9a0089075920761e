import type { ChatMessage, DatasetTool, OpenAIToolCall } from '../format/dataset.js';
import type { ChatTurn } from './chat.js';
import { TOOL_NAME, ToolsCollector } from './tool-schema.js';

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** A function name OpenAI takes: other characters become `_`, cut to 64, never empty. */
export function toolName(name: string): string {
  if (TOOL_NAME.test(name)) return name;
  const fixed = name.replace(/[^a-zA-Z0-9_-]/g, '_').slice(0, 64);
  return fixed === '' ? 'tool' : fixed;
}

/**
 * Arguments as OpenAI takes them, a JSON object in a string: a JSON object is kept as written;
 * anything else (a custom tool's free-form input, a JSON array or scalar) becomes `{"input": …}`.
 */
export function toolArguments(args: string): { text: string; value: Record<string, unknown> } {
  try {
    const parsed: unknown = JSON.parse(args);
    if (isObject(parsed)) return { text: args, value: parsed };
    return { text: JSON.stringify({ input: parsed }), value: { input: parsed } };
  } catch {
    return { text: JSON.stringify({ input: args }), value: { input: args } };
  }
}

/** OpenAI fine-tuning messages of a session, their ids, and the tools the calls used. */
export interface OpenAIConversation {
  messages: ChatMessage[];
  ids: (string | null)[];
  tools: DatasetTool[];
}

/**
 * A chat transcript made valid for OpenAI fine-tuning: every `tool` message directly after the
 * assistant message whose call it answers (a rollout may put assistant text between a call and its
 * output), answers to calls the session never made dropped, calls never answered dropped (the
 * session was cut), an assistant message left with neither text nor calls dropped, names and
 * arguments brought to OpenAI's rules, and the `tools` list built from the calls that remain.
 */
export function toOpenAI(turns: readonly ChatTurn[]): OpenAIConversation {
  // Which message each call id belongs to, and which calls get an answer.
  const callOwner = new Map<string, number>();
  const answered = new Set<string>();
  turns.forEach((t, i) => {
    for (const c of t.message.tool_calls ?? []) if (!callOwner.has(c.id)) callOwner.set(c.id, i);
  });
  for (const t of turns) {
    const id = t.message.tool_call_id;
    if (t.message.role === 'tool' && id !== undefined && callOwner.has(id)) answered.add(id);
  }
  // Tool answers grouped after their call's message, in their own order.
  const answersOf = new Map<number, ChatTurn[]>();
  const seenAnswer = new Set<string>();
  for (const t of turns) {
    if (t.message.role !== 'tool') continue;
    const id = t.message.tool_call_id ?? '';
    const owner = callOwner.get(id);
    if (owner === undefined || seenAnswer.has(id)) continue; // unknown or repeated answer
    seenAnswer.add(id);
    let list = answersOf.get(owner);
    if (list === undefined) answersOf.set(owner, (list = []));
    list.push(t);
  }
  const messages: ChatMessage[] = [];
  const ids: (string | null)[] = [];
  const tools = new ToolsCollector();
  const seenCall = new Set<string>();
  turns.forEach((t, i) => {
    const m = t.message;
    if (m.role === 'tool') return;
    if (m.role !== 'assistant') {
      messages.push({ role: m.role, content: m.content ?? '' });
      ids.push(t.id);
      return;
    }
    const calls: OpenAIToolCall[] = [];
    for (const c of m.tool_calls ?? []) {
      if (!answered.has(c.id) || seenCall.has(c.id) || callOwner.get(c.id) !== i) continue;
      seenCall.add(c.id);
      const name = toolName(c.function.name);
      const args = toolArguments(c.function.arguments);
      tools.add(name, args.value);
      calls.push({ id: c.id, type: 'function', function: { name, arguments: args.text } });
    }
    const text = m.content === null || m.content === '' ? null : m.content;
    if (text === null && calls.length === 0) return;
    messages.push({ role: 'assistant', content: text, ...(calls.length > 0 ? { tool_calls: calls } : {}) });
    ids.push(t.id);
    for (const a of answersOf.get(i) ?? []) {
      messages.push({
        role: 'tool',
        tool_call_id: a.message.tool_call_id!,
        content: a.message.content ?? '',
      });
      ids.push(a.id);
    }
  });
  return { messages, ids, tools: tools.build() };
}
