import path from 'node:path';
import type { RecordItem } from '../format/types.js';
import { foreignSessionId } from './foreign-id.js';
import { isObject, listFolder, readJsonFile, str } from './foreign-files.js';
import type { ForeignProblem, ForeignSession } from './types.js';

/**
 * OpenCode's sessions, in the JSON storage it writes under its data folder (the source; defaults
 * to `$XDG_DATA_HOME/opencode`, else `~/.local/share/opencode`):
 *
 * ```
 * storage/session/<projectID>/<sessionID>.json   id, directory, title, version, time.created
 * storage/message/<sessionID>/<messageID>.json   role (user | assistant), time.created, time.completed
 * storage/part/<messageID>/<partID>.json         type text | reasoning | tool | file | step-… | …
 * ```
 *
 * Ids sort in creation order (`ses_`/`msg_`/`prt_` and a time-ordered suffix), so messages and
 * parts are taken in the order of their file names. A `tool` part holds `callID`, `tool` and a
 * `state` (`pending`, `running`, `completed` with `input` and `output`, `error` with `input` and
 * `error`). This is the layout of OpenCode's `Storage` module (its JSON-to-SQLite migration,
 * `packages/opencode/src/storage/json-migration.ts`, reads exactly these globs) and the part
 * shapes of `session/message-v2.ts`, as read in the anomalyco/opencode (formerly sst/opencode)
 * repository; releases that moved to SQLite are not read.
 *
 * A message still being written (an assistant message without `time.completed`, or with a tool
 * part not finished) ends the translation there: what follows it is taken by a later import, so
 * what was imported is always a prefix of what a later import makes.
 */
export async function* readOpenCodeSessions(
  source: string,
  signal: AbortSignal | undefined,
  onProblem: ForeignProblem,
): AsyncGenerator<ForeignSession> {
  const storage = path.join(source, 'storage');
  const sessions = path.join(storage, 'session');
  for (const project of await listFolder(sessions, 'dir')) {
    for (const name of await listFolder(path.join(sessions, project), 'file')) {
      signal?.throwIfAborted();
      if (!name.endsWith('.json')) continue;
      const file = path.join(sessions, project, name);
      const read = await readJsonFile(file);
      if ('problem' in read) {
        onProblem(file, read.problem);
        continue;
      }
      const info = read.value;
      const id = name.slice(0, -'.json'.length);
      if (!isObject(info) || !safeId(id)) {
        onProblem(file, 'not an OpenCode session');
        continue;
      }
      const time = isObject(info['time']) ? info['time'] : {};
      const createdMs = typeof time['created'] === 'number' ? time['created'] : 0;
      const createdAt = new Date(Number.isFinite(createdMs) ? createdMs : 0);
      const items = await sessionItems(storage, id, signal, onProblem);
      if (items.length === 0) continue;
      yield {
        agent: 'opencode',
        sourceId: id,
        id: foreignSessionId('opencode', id, createdAt),
        sourcePath: file,
        cwd: str(info['directory']) ?? '/',
        createdAt,
        version: str(info['version']),
        gitBranch: undefined,
        title: str(info['title']),
        items,
      };
    }
  }
}

/** An id that names a folder: no separators, no dot names. */
const safeId = (id: string): boolean => /^[A-Za-z0-9_-]+$/.test(id);

async function sessionItems(
  storage: string,
  sessionId: string,
  signal: AbortSignal | undefined,
  onProblem: ForeignProblem,
): Promise<RecordItem[]> {
  const out: RecordItem[] = [];
  const dir = path.join(storage, 'message', sessionId);
  for (const name of await listFolder(dir, 'file')) {
    signal?.throwIfAborted();
    if (!name.endsWith('.json')) continue;
    const messageId = name.slice(0, -'.json'.length);
    if (!safeId(messageId)) continue;
    const read = await readJsonFile(path.join(dir, name));
    if ('problem' in read) {
      // Perhaps being written: stop here, a later import takes the rest.
      onProblem(path.join(dir, name), read.problem);
      break;
    }
    const message = read.value;
    if (!isObject(message)) break;
    const role = message['role'];
    const time = isObject(message['time']) ? message['time'] : {};
    if (role === 'assistant' && typeof time['completed'] !== 'number') break;
    const parts = await messageParts(storage, messageId, onProblem);
    if (parts === undefined) break;
    if (role === 'user') out.push(...userItems(messageId, parts));
    else if (role === 'assistant') {
      const items = assistantItems(parts);
      if (items === undefined) break;
      out.push(...items);
    }
  }
  return out;
}

async function messageParts(
  storage: string,
  messageId: string,
  onProblem: ForeignProblem,
): Promise<Record<string, unknown>[] | undefined> {
  const dir = path.join(storage, 'part', messageId);
  const parts: Record<string, unknown>[] = [];
  for (const name of await listFolder(dir, 'file')) {
    if (!name.endsWith('.json')) continue;
    const read = await readJsonFile(path.join(dir, name));
    if ('problem' in read) {
      onProblem(path.join(dir, name), read.problem);
      return undefined;
    }
    if (isObject(read.value)) parts.push({ ...read.value, id: name.slice(0, -'.json'.length) });
  }
  return parts;
}

function userItems(messageId: string, parts: Record<string, unknown>[]): RecordItem[] {
  const content: unknown[] = [];
  const texts: string[] = [];
  for (const p of parts) {
    if (p['type'] === 'text' && typeof p['text'] === 'string' && p['ignored'] !== true) {
      content.push({ type: 'input_text', text: p['text'] });
      texts.push(p['text']);
    } else if (p['type'] === 'file') {
      const mime = str(p['mime']) ?? '';
      const url = str(p['url']);
      if (mime.startsWith('image/') && url !== undefined)
        content.push({ type: 'input_image', image_url: url });
      else content.push({ type: 'input_text', text: `[file ${str(p['filename']) ?? url ?? ''}]` });
    }
  }
  if (content.length === 0) return [];
  return [
    { type: 'response_item', payload: { type: 'message', id: messageId, role: 'user', content } },
    { type: 'event_msg', payload: { type: 'user_message', message: texts.join('\n') } },
  ];
}

/** The items of an assistant message; undefined when a tool part is not finished. */
function assistantItems(parts: Record<string, unknown>[]): RecordItem[] | undefined {
  const out: RecordItem[] = [];
  for (const p of parts) {
    const id = str(p['id']) ?? '';
    if (p['type'] === 'text' && typeof p['text'] === 'string' && p['text'] !== '') {
      out.push(
        {
          type: 'response_item',
          payload: {
            type: 'message',
            id,
            role: 'assistant',
            content: [{ type: 'output_text', text: p['text'] }],
          },
        },
        { type: 'event_msg', payload: { type: 'agent_message', message: p['text'] } },
      );
    } else if (p['type'] === 'reasoning' && typeof p['text'] === 'string' && p['text'] !== '') {
      out.push({
        type: 'response_item',
        payload: { type: 'reasoning', summary: [{ type: 'summary_text', text: p['text'] }], content: null },
      });
    } else if (p['type'] === 'tool') {
      const state = isObject(p['state']) ? p['state'] : {};
      const status = state['status'];
      if (status === 'pending' || status === 'running') return undefined;
      const callId = str(p['callID']) ?? id;
      const name = str(p['tool']) ?? 'tool';
      out.push({
        type: 'response_item',
        payload: {
          type: 'function_call',
          name,
          arguments: JSON.stringify(state['input'] ?? {}),
          call_id: callId,
        },
      });
      out.push({
        type: 'response_item',
        payload: {
          type: 'function_call_output',
          call_id: callId,
          output:
            status === 'error'
              ? { content: str(state['error']) ?? '', success: false }
              : (str(state['output']) ?? ''),
        },
      });
    }
  }
  return out;
}
