import path from 'node:path';
import type { RecordItem } from '../format/types.js';
import { isUuid } from '../format/ids.js';
import { foreignSessionId } from './foreign-id.js';
import { isObject, listFolder, readJsonLines, str } from './foreign-files.js';
import type { ForeignProblem, ForeignSession } from './types.js';

/**
 * Claude Code's sessions: `<source>/projects/<project-slug>/<session-uuid>.jsonl` (the source
 * defaults to `~/.claude`), one JSON object per line. Lines of `type` `user` and `assistant` carry
 * `uuid`, `parentUuid`, `sessionId`, `cwd`, `gitBranch`, `version`, `timestamp` and a `message`
 * whose `content` is a string or blocks: `text`, `thinking`, `tool_use` (`id`, `name`, `input`),
 * `tool_result` (`tool_use_id`, `content` as a string or text blocks, `is_error`), `image`. A
 * `summary` line names the session. Other lines (`system`, `file-history-snapshot`, …), meta and
 * side-chain lines, and sub-agent files (`agent-*.jsonl`) are not part of the conversation and are
 * left out. Claude Code is not open source; this is the format its 2.0 releases write, as their
 * files show.
 */

/** Every session file under the source, each once. */
export async function* readClaudeCodeSessions(
  source: string,
  signal: AbortSignal | undefined,
  onProblem: ForeignProblem,
): AsyncGenerator<ForeignSession> {
  const projects = path.join(source, 'projects');
  for (const project of await listFolder(projects, 'dir')) {
    const dir = path.join(projects, project);
    for (const name of await listFolder(dir, 'file')) {
      signal?.throwIfAborted();
      const m = /^(.+)\.jsonl$/.exec(name);
      if (!m || !isUuid(m[1]!)) continue;
      const session = await readClaudeCodeFile(path.join(dir, name), m[1]!, signal, onProblem);
      if (session !== undefined) yield session;
    }
  }
}

/** Translates one session file; undefined when it holds no conversation. */
export async function readClaudeCodeFile(
  file: string,
  fileId: string,
  signal: AbortSignal | undefined,
  onProblem: ForeignProblem,
): Promise<ForeignSession | undefined> {
  const items: RecordItem[] = [];
  let cwd: string | undefined;
  let created: Date | undefined;
  let version: string | undefined;
  let gitBranch: string | undefined;
  let title: string | undefined;
  for await (const entry of readJsonLines(file, signal)) {
    if ('problem' in entry) {
      onProblem(file, entry.problem);
      if (entry.line === 0) return undefined;
      continue;
    }
    const line = entry.value;
    if (!isObject(line)) continue;
    const type = line['type'];
    if (type === 'summary') {
      title = str(line['summary']) ?? title;
      continue;
    }
    if (type !== 'user' && type !== 'assistant') continue;
    if (line['isSidechain'] === true || line['isMeta'] === true) continue;
    const sessionId = str(line['sessionId']);
    if (sessionId !== undefined && sessionId.toLowerCase() !== fileId.toLowerCase()) continue;
    const uuid = str(line['uuid']) ?? `line-${entry.line}`;
    cwd ??= str(line['cwd']);
    version ??= str(line['version']);
    const branch = str(line['gitBranch']);
    if (branch) gitBranch ??= branch;
    const ts = str(line['timestamp']);
    if (created === undefined && ts !== undefined && !Number.isNaN(Date.parse(ts))) created = new Date(ts);
    const message = line['message'];
    if (!isObject(message)) continue;
    const content = message['content'];
    if (type === 'user') items.push(...userItems(uuid, content));
    else items.push(...assistantItems(uuid, content));
  }
  if (items.length === 0 || cwd === undefined) return undefined;
  const createdAt = created ?? new Date(0);
  return {
    agent: 'claude-code',
    sourceId: fileId,
    id: foreignSessionId('claude-code', fileId, createdAt),
    sourcePath: file,
    cwd,
    createdAt,
    version,
    gitBranch,
    title,
    items,
  };
}

const userMessage = (id: string, parts: unknown[], text: string): RecordItem[] => [
  { type: 'response_item', payload: { type: 'message', id, role: 'user', content: parts } },
  { type: 'event_msg', payload: { type: 'user_message', message: text } },
];

const assistantMessage = (id: string, text: string): RecordItem[] => [
  {
    type: 'response_item',
    payload: { type: 'message', id, role: 'assistant', content: [{ type: 'output_text', text }] },
  },
  { type: 'event_msg', payload: { type: 'agent_message', message: text } },
];

/** A tool result's content as the text a `function_call_output` holds. */
function resultText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content))
    return content === undefined || content === null ? '' : JSON.stringify(content);
  return content
    .map((b) => {
      if (!isObject(b)) return '';
      if (b['type'] === 'text') return str(b['text']) ?? '';
      return `[${str(b['type']) ?? 'block'}]`;
    })
    .join('\n');
}

function imageUrl(block: Record<string, unknown>): string | undefined {
  const src = block['source'];
  if (!isObject(src)) return undefined;
  if (src['type'] === 'base64' && typeof src['data'] === 'string')
    return `data:${str(src['media_type']) ?? 'image/png'};base64,${src['data']}`;
  return str(src['url']);
}

function userItems(uuid: string, content: unknown): RecordItem[] {
  if (typeof content === 'string')
    return content === '' ? [] : userMessage(uuid, [{ type: 'input_text', text: content }], content);
  if (!Array.isArray(content)) return [];
  const out: RecordItem[] = [];
  const parts: unknown[] = [];
  const texts: string[] = [];
  for (const block of content) {
    if (!isObject(block)) continue;
    if (block['type'] === 'text' && typeof block['text'] === 'string') {
      parts.push({ type: 'input_text', text: block['text'] });
      texts.push(block['text']);
    } else if (block['type'] === 'image') {
      const url = imageUrl(block);
      if (url !== undefined) parts.push({ type: 'input_image', image_url: url });
    } else if (block['type'] === 'tool_result') {
      const callId = str(block['tool_use_id']);
      if (callId === undefined) continue;
      const output = resultText(block['content']);
      out.push({
        type: 'response_item',
        payload: {
          type: 'function_call_output',
          call_id: callId,
          output: block['is_error'] === true ? { content: output, success: false } : output,
        },
      });
    }
  }
  if (parts.length > 0) out.unshift(...userMessage(uuid, parts, texts.join('\n')));
  return out;
}

function assistantItems(uuid: string, content: unknown): RecordItem[] {
  if (typeof content === 'string') return content === '' ? [] : assistantMessage(uuid, content);
  if (!Array.isArray(content)) return [];
  const out: RecordItem[] = [];
  content.forEach((block, i) => {
    if (!isObject(block)) return;
    const id = i === 0 ? uuid : `${uuid}:${i}`;
    if (block['type'] === 'text' && typeof block['text'] === 'string' && block['text'] !== '') {
      out.push(...assistantMessage(id, block['text']));
    } else if (block['type'] === 'thinking' && typeof block['thinking'] === 'string') {
      out.push({
        type: 'response_item',
        payload: {
          type: 'reasoning',
          summary: [{ type: 'summary_text', text: block['thinking'] }],
          content: null,
        },
      });
    } else if (block['type'] === 'tool_use') {
      const callId = str(block['id']);
      const name = str(block['name']);
      if (callId === undefined || name === undefined) return;
      out.push({
        type: 'response_item',
        payload: {
          type: 'function_call',
          name,
          arguments: JSON.stringify(block['input'] ?? {}),
          call_id: callId,
        },
      });
    }
  });
  return out;
}
