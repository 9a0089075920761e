/**
 * Builds rollout files the way writers put them on disk, without the recorder: our own UTC layout,
 * the Codex CLI's local-time layout (name and date folder shifted by the writer's UTC offset),
 * paginated and legacy files, archived and compressed copies.
 */
import { execFileSync } from 'node:child_process';
import { mkdir, utimes, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { v4 as uuidv4 } from 'uuid';
import { dateFolder, rolloutFileName } from '../../src/files/layout.js';
import { newSessionId } from '../../src/format/ids.js';

export interface RolloutSpec {
  /** Creation instant. */
  createdAt: Date | number;
  /** The id; by default a UUIDv7 of `createdAt` (or a v4 with `idVersion: 4`). */
  id?: string;
  idVersion?: 4 | 7;
  /** UTC offset of the writer in minutes: names and folders hold local time (Codex CLI style). */
  offsetMinutes?: number;
  cwd?: string;
  source?: unknown;
  modelProvider?: string | null;
  originator?: string;
  /** The first user message; `null` for none. */
  userMessage?: string | null;
  /** How the user turn is recorded. */
  style?: 'codex' | 'item-completed' | 'response-only' | 'legacy' | 'paginated';
  /** Records written before the user turn (to push it far down). */
  fillerRecords?: number;
  /** Bytes of `base_instructions` text. */
  instructionsBytes?: number;
  /** Modification time to set. */
  mtime?: Date | number;
  /** Put the file in archived_sessions/ instead. */
  archived?: boolean;
  /** Also images (for image-only messages, give `userMessage: ''`). */
  images?: string[];
  /** `session_meta.git` as written (any JSON value); `undefined` leaves it out. Default: a full one. */
  git?: unknown;
}

export interface WrittenRollout {
  id: string;
  path: string;
  createdAt: number;
}

const iso = (ms: number): string => new Date(ms).toISOString();

/** The JSONL text of a rollout. */
export function rolloutText(spec: RolloutSpec, id: string): string {
  const t = typeof spec.createdAt === 'number' ? spec.createdAt : spec.createdAt.getTime();
  const ts = iso(t);
  const style = spec.style ?? 'codex';
  const lines: unknown[] = [];
  const instructions = 'x'.repeat(spec.instructionsBytes ?? 200);
  if (style === 'legacy') {
    lines.push({ id, timestamp: ts, instructions, git: { branch: 'main' } });
    lines.push({ record_type: 'state' });
    lines.push(userItem('<environment_context>\n  <cwd>/w</cwd>\n</environment_context>'));
    for (let i = 0; i < (spec.fillerRecords ?? 0); i++) lines.push(assistantItem(`filler ${i}`));
    if (spec.userMessage !== null && spec.userMessage !== undefined)
      lines.push(userItem(spec.userMessage, spec.images));
    lines.push(assistantItem('ok'));
    return lines.map((l) => JSON.stringify(l)).join('\n') + '\n';
  }
  const meta: Record<string, unknown> = {
    id,
    session_id: id,
    timestamp: ts,
    cwd: spec.cwd ?? '/work/project',
    originator: spec.originator ?? 'codex_cli_rs',
    cli_version: '0.170.0',
    source: spec.source ?? 'cli',
    base_instructions: { text: instructions },
  };
  const git =
    'git' in spec
      ? spec.git
      : { commit_hash: 'abc123', branch: 'main', repository_url: 'https://example.com/r.git' };
  if (git !== undefined) meta['git'] = git;
  if (spec.modelProvider !== null) meta['model_provider'] = spec.modelProvider ?? 'openai';
  if (style === 'paginated') meta['history_mode'] = 'paginated';
  const env = (type: string, payload: unknown): Record<string, unknown> => ({ timestamp: ts, type, payload });
  lines.push(env('session_meta', meta));
  lines.push(
    env('response_item', userItem('<environment_context>\n  <cwd>/w</cwd>\n</environment_context>')),
  );
  lines.push(env('turn_context', { cwd: spec.cwd ?? '/work/project', model: 'gpt-5' }));
  for (let i = 0; i < (spec.fillerRecords ?? 0); i++) {
    lines.push(env('event_msg', { type: 'token_count', info: null, n: i }));
  }
  const msg = spec.userMessage;
  if (msg !== null && msg !== undefined) {
    if (style === 'codex' || style === 'paginated') {
      lines.push(env('response_item', userItem(msg, spec.images)));
      lines.push(env('event_msg', { type: 'user_message', message: msg, images: spec.images ?? null }));
    } else if (style === 'item-completed') {
      const content: unknown[] = [];
      if (msg !== '') content.push({ type: 'text', text: msg });
      for (const url of spec.images ?? []) content.push({ type: 'image', image_url: url });
      lines.push(env('response_item', userItem(msg, spec.images)));
      lines.push(
        env('event_msg', {
          type: 'item_completed',
          thread_id: id,
          turn_id: '1',
          item: { type: 'UserMessage', id: 'u1', content },
        }),
      );
    } else {
      lines.push(env('response_item', userItem(msg, spec.images)));
    }
  }
  lines.push(env('response_item', assistantItem('Sure.')));
  lines.push(env('event_msg', { type: 'agent_message', message: 'Sure.' }));
  const withOrdinals =
    style === 'paginated' ? lines.map((l, i) => ({ ...(l as Record<string, unknown>), ordinal: i })) : lines;
  return withOrdinals.map((l) => JSON.stringify(l)).join('\n') + '\n';
}

function userItem(text: string, images?: string[]): unknown {
  const content: unknown[] = [];
  if (text !== '') content.push({ type: 'input_text', text });
  for (const url of images ?? []) content.push({ type: 'input_image', image_url: url });
  return { type: 'message', role: 'user', content };
}

function assistantItem(text: string): unknown {
  return { type: 'message', role: 'assistant', content: [{ type: 'output_text', text }] };
}

/** Where a writer at `offsetMinutes` puts a session created at `t`: `[folder below sessions/, file name]`. */
export function placement(t: number, id: string, offsetMinutes = 0): [string, string] {
  const local = new Date(t + offsetMinutes * 60_000);
  return [dateFolder(local), rolloutFileName(local, id)];
}

/** Writes one rollout under `home` and returns where. */
export async function writeRollout(home: string, spec: RolloutSpec): Promise<WrittenRollout> {
  const t = typeof spec.createdAt === 'number' ? spec.createdAt : spec.createdAt.getTime();
  const id = spec.id ?? (spec.idVersion === 4 ? uuidv4() : newSessionId(new Date(t)));
  const [folder, name] = placement(t, id, spec.offsetMinutes);
  const dir = spec.archived ? path.join(home, 'archived_sessions') : path.join(home, 'sessions', folder);
  await mkdir(dir, { recursive: true });
  const file = path.join(dir, name);
  await writeFile(file, rolloutText(spec, id));
  if (spec.mtime !== undefined) await utimes(file, new Date(spec.mtime), new Date(spec.mtime));
  return { id, path: file, createdAt: t };
}

/**
 * Appends an assistant message (`event_msg` `agent_message`) to a rollout in place, as a writer that
 * takes no lock does; `at` is its timestamp (now when omitted).
 */
export async function appendAgentMessage(file: string, message: string, at?: number): Promise<void> {
  const { appendFile } = await import('node:fs/promises');
  const line = {
    timestamp: new Date(at ?? Date.now()).toISOString(),
    type: 'event_msg',
    payload: { type: 'agent_message', message },
  };
  await appendFile(file, JSON.stringify(line) + '\n');
}

/** Appends `{id, thread_name}` to the home's session_index.jsonl. */
export async function nameSession(home: string, id: string, name: string | null): Promise<void> {
  const { appendFile } = await import('node:fs/promises');
  await mkdir(home, { recursive: true });
  await appendFile(
    path.join(home, 'session_index.jsonl'),
    JSON.stringify({ id, thread_name: name, updated_at: new Date().toISOString() }) + '\n',
  );
}

/** Compresses `file` to `file.zst` with the zstd tool, keeping the original; false when the tool is missing. */
export function zstdCompress(file: string): boolean {
  try {
    execFileSync('zstd', ['-q', '-f', '-k', file, '-o', `${file}.zst`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}
