/**
 * The first messages of a session for the picker's preview pane, read through the line engine in
 * bounded mode: reading stops once enough messages are known or `maxBytes` after `session_meta`
 * have been read, so a 600 MB session costs no more than a small one.
 */
import { STREAM_CHUNK } from '../../reader/engine.js';
import { readEntries } from '../../reader/stream.js';
import { ChatStream } from '../../dataset/chat.js';
import type { PreviewMessage } from './state.js';

export interface PreviewOptions {
  /** Messages to collect at most. @defaultValue 8 */
  messages?: number;
  /** Bytes to read after `session_meta` at most. @defaultValue 256 KiB */
  maxBytes?: number;
  signal?: AbortSignal;
}

/** The longest `session_meta` line read (Codex puts the whole base instructions in it). */
const MAX_META_LINE_BYTES = 16 * 1024 * 1024;
/** A message's text is kept to this many code units: the pane shows a few lines of it. */
const MAX_TEXT = 4000;

const clip = (text: string): string => (text.length > MAX_TEXT ? `${text.slice(0, MAX_TEXT)}…` : text);

/**
 * The first user and assistant messages of the rollout at `file` (harness wrappers left out), and
 * its first tool calls, in order. Throws only when the file cannot be opened at all.
 */
export async function readPreview(file: string, options: PreviewOptions = {}): Promise<PreviewMessage[]> {
  const want = options.messages ?? 8;
  const out: PreviewMessage[] = [];
  const chat = new ChatStream();
  const add = (messages: ReturnType<ChatStream['push']>): void => {
    for (const { message: m } of messages) {
      if (m.role === 'system') continue;
      if (m.role === 'tool') {
        out.push({ role: 'output', text: clip(m.content ?? '') });
        continue;
      }
      if (m.content) out.push({ role: m.role, text: clip(m.content) });
      for (const call of m.tool_calls ?? []) {
        out.push({ role: 'call', text: clip(`${call.function.name} ${call.function.arguments}`) });
      }
    }
  };
  let cut = false;
  for await (const _batch of readEntries(
    file,
    {
      ...(options.signal ? { signal: options.signal } : {}),
      maxLineBytes: MAX_META_LINE_BYTES,
      bounded: {
        maxBytes: options.maxBytes ?? 256 * 1024,
        until: (_line, entry) => {
          if (entry !== undefined) add(chat.push(entry.value));
          return out.length >= want;
        },
        onCut: () => {
          cut = true;
        },
      },
    },
    undefined,
    STREAM_CHUNK,
  )) {
    // Drained for what `until` collects.
  }
  if (out.length < want) add(chat.end());
  const messages = out.slice(0, want);
  if (cut && messages.length < want) messages.push({ role: 'note', text: '… (a long record follows)' });
  return messages;
}
