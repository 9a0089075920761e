/**
 * Generates Codex-like homes for the lister benchmark: `count` sessions spread over three years,
 * 2–50 KB each (log-uniform, so most are small, as real ones are), with a realistic head
 * (`session_meta` with base instructions, environment context, turn context, the user turn), then
 * reasoning, tool calls and answers up to the size. Half the sessions are filed the Codex CLI way,
 * in local time (UTC−8), the rest in UTC; 5 % have no user message; 5 % were resumed long after
 * they began (mtime months later); one in ten has a name in `session_index.jsonl`. Deterministic; a
 * finished home is marked and reused. The `search` variant (bench/search.ts) is the same home with
 * "task number N: " before each first message and one session in 5000 in a rare folder.
 */
import {
  appendFileSync,
  existsSync,
  mkdirSync,
  readFileSync,
  rmSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { dateFolder, rolloutFileName } from '../src/files/layout.js';
import { newSessionId } from '../src/format/ids.js';
import { prng } from './_util.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const DONE = '.generated-v2';
const END = Date.UTC(2026, 10, 1);
const SPAN = 3 * 365 * 24 * 3_600_000;
/** Distinct task numbers of the search homes. */
export const TASKS = 9091;

const WORDS =
  'the parser lister cursor session folder page rollout fix add test refactor error path file home slow fast'.split(
    ' ',
  );
const INSTRUCTIONS =
  'You are a coding agent running in a terminal. Follow the repository conventions. '.repeat(120);

function sentence(r: () => number, n: number): string {
  const out: string[] = [];
  for (let i = 0; i < n; i++) out.push(WORDS[Math.floor(r() * WORDS.length)]!);
  return out.join(' ');
}

/** The text of one generated rollout of about `size` bytes. */
function rolloutText(
  r: () => number,
  id: string,
  t: number,
  size: number,
  withUser: boolean,
  task?: { n: number; rare: boolean },
): string {
  const ts = new Date(t).toISOString();
  const line = (type: string, payload: unknown): string => JSON.stringify({ timestamp: ts, type, payload });
  let cwd = `/home/dev/project-${Math.floor(r() * 20)}`;
  if (task?.rare) cwd = '/home/dev/rare-project';
  const lines = [
    line('session_meta', {
      id,
      session_id: id,
      timestamp: ts,
      cwd,
      originator: 'codex_cli_rs',
      cli_version: '0.170.0',
      source: r() < 0.8 ? 'cli' : 'vscode',
      model_provider: r() < 0.9 ? 'openai' : 'azure',
      base_instructions: {
        text: INSTRUCTIONS.slice(0, Math.min(INSTRUCTIONS.length, Math.floor(size * 0.4))),
      },
      git: {
        commit_hash: id.replace(/-/g, '').slice(0, 40),
        branch: 'main',
        repository_url: 'git@example.com:dev/p.git',
      },
    }),
    line('response_item', {
      type: 'message',
      role: 'user',
      content: [
        {
          type: 'input_text',
          text: `<environment_context>\n  <cwd>${cwd}</cwd>\n  <shell>bash</shell>\n</environment_context>`,
        },
      ],
    }),
    line('turn_context', { cwd, approval_policy: 'on-request', model: 'gpt-5-codex', effort: 'medium' }),
  ];
  if (withUser) {
    const words = sentence(r, 8 + Math.floor(r() * 30));
    const msg = task === undefined ? words : `task number ${task.n}: ${words}`;
    lines.push(
      line('response_item', { type: 'message', role: 'user', content: [{ type: 'input_text', text: msg }] }),
    );
    lines.push(line('event_msg', { type: 'user_message', message: msg, images: null }));
  }
  let bytes = lines.reduce((n, l) => n + l.length + 1, 0);
  let call = 0;
  while (bytes < size) {
    const k = r();
    let l: string;
    if (k < 0.3) {
      l = line('response_item', {
        type: 'reasoning',
        summary: [{ type: 'summary_text', text: sentence(r, 40) }],
        encrypted_content: 'x'.repeat(400),
      });
    } else if (k < 0.6) {
      l = line('response_item', {
        type: 'function_call',
        name: 'shell',
        arguments: JSON.stringify({ command: ['rg', sentence(r, 2)] }),
        call_id: `call_${call}`,
      });
    } else if (k < 0.85) {
      l = line('response_item', {
        type: 'function_call_output',
        call_id: `call_${call++}`,
        output: sentence(r, 60 + Math.floor(r() * 300)),
      });
    } else {
      l = line('event_msg', { type: 'agent_message', message: sentence(r, 50) });
    }
    lines.push(l);
    bytes += l.length + 1;
  }
  return lines.join('\n') + '\n';
}

/**
 * A home of `count` sessions under bench/.data/ (made once, then reused); returns its path and its
 * size on disk in bytes.
 */
export function generateHome(
  count: number,
  log: (msg: string) => void = () => undefined,
  variant: 'lister' | 'search' = 'lister',
): { home: string; bytes: number } {
  const home = path.join(here, '.data', `${variant}-home-${count}`);
  const marker = path.join(home, DONE);
  if (existsSync(marker))
    return { home, bytes: Number((JSON.parse(readFileSync(marker, 'utf8')) as { bytes: number }).bytes) };
  rmSync(home, { recursive: true, force: true });
  const r = prng(count);
  const times = Array.from({ length: count }, () => END - Math.floor(r() * SPAN)).sort((a, b) => a - b);
  const made = new Set<string>();
  const names: string[] = [];
  let total = 0;
  for (const [i, t] of times.entries()) {
    const id = newSessionId(new Date(t));
    const codexStyle = r() < 0.5;
    const local = new Date(codexStyle ? t - 8 * 3_600_000 : t);
    const dir = path.join(home, 'sessions', dateFolder(local));
    if (!made.has(dir)) {
      mkdirSync(dir, { recursive: true });
      made.add(dir);
    }
    const size = Math.round(2048 * Math.pow(25, r()));
    // The search homes: "task number <i mod 9091>" opens each first message (11 sessions share a
    // number at 100k), and one session in 5000 works in a rare folder.
    const task = variant === 'search' ? { n: i % TASKS, rare: i % 5000 === 1234 } : undefined;
    const text = rolloutText(r, id, t, size, r() >= 0.05, task);
    const file = path.join(dir, rolloutFileName(local, id));
    writeFileSync(file, text);
    if (i % 10 === 0)
      names.push(JSON.stringify({ id, thread_name: sentence(r, 4), updated_at: new Date(t).toISOString() }));
    total += text.length;
    const resumed = r() < 0.05;
    const mtime = new Date(Math.min(END, t + (resumed ? r() * 200 * 86_400_000 : r() * 3 * 3_600_000)));
    utimesSync(file, mtime, mtime);
    if (i > 0 && i % 10_000 === 0) log(`  ${i} / ${count} sessions written`);
  }
  appendFileSync(path.join(home, 'session_index.jsonl'), names.join('\n') + '\n');
  writeFileSync(marker, JSON.stringify({ count, bytes: total }));
  return { home, bytes: total };
}
