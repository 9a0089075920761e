#!/usr/bin/env node
// Writes fixtures/odd/: valid rollouts with odd but legal content (type-confused fields, nulls,
// control characters, bidi text, CJK, emoji, ZWJ sequences, huge heads and lines). Every file is a
// readable rollout that `ls`, `show`, `validate` and `export` must handle with exit 0, warning
// where due. Small cases are committed; huge ones are described in cases.json (`grow`) and built
// at test time by test/helpers/odd-corpus.ts, so the repository stays small.
// Usage: node scripts/odd-corpus.mjs
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const dir = path.resolve(import.meta.dirname, '../fixtures/odd');
rmSync(dir, { recursive: true, force: true });
mkdirSync(dir, { recursive: true });

let n = 0;
const cases = [];
/** A case: its meta overrides and the lines after session_meta. */
function add(name, note, { meta = {}, lines = [], grow } = {}) {
  n++;
  const t = Date.UTC(2026, 9, 1, 12, n);
  const hex = t.toString(16).padStart(12, '0');
  const id = `${hex.slice(0, 8)}-${hex.slice(8, 12)}-7000-8000-${String(n).padStart(12, '0')}`;
  const ts = new Date(t).toISOString();
  const d = new Date(t);
  const pad = (v, w = 2) => String(v).padStart(w, '0');
  const file =
    `rollout-${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}T` +
    `${pad(d.getUTCHours())}-${pad(d.getUTCMinutes())}-${pad(d.getUTCSeconds())}-${id}.jsonl`;
  const head = {
    timestamp: ts,
    type: 'session_meta',
    payload: {
      id,
      session_id: id,
      timestamp: ts,
      cwd: '/work/odd',
      originator: 'odd-corpus',
      cli_version: '0.0.0',
      source: 'cli',
      model_provider: 'openai',
      ...meta,
    },
  };
  const body = lines.map((l) => (typeof l === 'string' ? l : JSON.stringify({ timestamp: ts, ...l })));
  writeFileSync(path.join(dir, file), [JSON.stringify(head), ...body].join('\n') + '\n');
  cases.push({ file, id, name, note, ...(grow ? { grow } : {}) });
}

const user = (text) => [
  {
    type: 'response_item',
    payload: { type: 'message', role: 'user', content: [{ type: 'input_text', text }] },
  },
  { type: 'event_msg', payload: { type: 'user_message', message: text } },
];
const assistant = (text) => [
  {
    type: 'response_item',
    payload: { type: 'message', role: 'assistant', content: [{ type: 'output_text', text }] },
  },
  { type: 'event_msg', payload: { type: 'agent_message', message: text } },
];

add('git-branch-number', 'git.branch is a number', {
  meta: { git: { branch: 7, commit_hash: 7, repository_url: ['x'] } },
  lines: user('git fields of the wrong type'),
});
add('git-string', 'git is a string', { meta: { git: 'main' }, lines: user('git is a string') });
add('cwd-number', 'cwd is a number, source an array, provider an object', {
  meta: { cwd: 7, source: [], model_provider: {} },
  lines: user('cwd is a number'),
});
add('timestamp-number', 'meta timestamp is a number, originator null', {
  meta: { timestamp: 7, originator: null, cli_version: 5 },
  lines: user('timestamp is a number'),
});
add('null-payloads', 'payload null on items, events and turn contexts', {
  lines: [
    ...user('null payloads follow'),
    { type: 'response_item', payload: null },
    { type: 'event_msg', payload: null },
    { type: 'turn_context', payload: null },
    { type: 'compacted', payload: null },
  ],
});
add('nulls-in-arrays', 'null and numbers inside content, summary and output arrays', {
  lines: [
    ...user('nulls inside arrays'),
    {
      type: 'response_item',
      payload: {
        type: 'message',
        role: 'assistant',
        content: [null, 5, { type: 'output_text', text: 7 }, { type: 'output_text' }],
      },
    },
    {
      type: 'response_item',
      payload: { type: 'reasoning', summary: [null, { type: 'summary_text', text: null }], content: null },
    },
    {
      type: 'response_item',
      payload: { type: 'function_call', name: 7, arguments: { not: 'a string' }, call_id: null },
    },
    {
      type: 'response_item',
      payload: { type: 'function_call_output', call_id: 7, output: [null, { type: 'input_text', text: 3 }] },
    },
    {
      type: 'response_item',
      payload: { type: 'function_call_output', call_id: 'c', output: { content: 7 } },
    },
    { type: 'response_item', payload: { type: 'message', role: 7, content: 'a string, not parts' } },
    { type: 'event_msg', payload: { type: 'user_message', message: 7, images: 'not an array' } },
    { type: 'event_msg', payload: 'a string payload' },
  ],
});
add('control-characters', 'escape sequences and control characters in every text', {
  meta: { cwd: '/work/\u001b[31mred\u001b[0m', git: { branch: 'main\u001b]52;c;ZXZpbA==\u0007' } },
  lines: [
    ...user(
      'clipboard \u001b]52;c;aGVsbG8=\u0007 clear \u001b[2J bell \u0007 C1 \u009b31m NUL \u0000 CR \rfake',
    ),
    ...assistant('title \u001b]0;pwned\u0007 and \u001b[?1049h alternate screen'),
    {
      type: 'response_item',
      payload: {
        type: 'function_call',
        name: 'shell\u001b[2J',
        arguments: '{"command":["printf","\\u001b[2J"]}',
        call_id: 'c1',
      },
    },
    {
      type: 'response_item',
      payload: { type: 'function_call_output', call_id: 'c1', output: '\u001b[2J\u001b[H cleared' },
    },
  ],
});
add('bidi', 'RTL text and bidi overrides', {
  lines: [
    ...user('שלום עולם مرحبا بالعالم'),
    ...assistant('access\u202e gnp.exe \u202c and \u2066isolate\u2069'),
  ],
});
add('cjk', 'CJK text wider than its length', {
  lines: [...user('漢字のプレビューはターミナルで二倍の幅を取ります。'.repeat(4)), ...assistant('好的')],
});
add('emoji-zwj', 'emoji, ZWJ sequences, flags, combining accents', {
  lines: [...user('👩‍👩‍👧‍👦 family 🇫🇷🇯🇵 flags e\u0301e\u0301 accents 🏳️‍🌈'.repeat(3)), ...assistant('🙂')],
});
add('newlines-everywhere', 'newlines and tabs in the first message and the name-like fields', {
  lines: [...user('line one\nline two\r\n\tindented\u2028separator'), ...assistant('ok')],
});
add('empty-strings', 'empty strings everywhere', {
  meta: { cwd: '', originator: '', source: '', model_provider: '' },
  lines: [...user(''), ...user('the real prompt')],
});
add('unknown-types', 'unknown line and payload types', {
  lines: [
    ...user('unknown types follow'),
    { type: 'world_state', payload: { anything: [1, 2] } },
    { type: 'response_item', payload: { type: 'future_item', x: 1 } },
    { type: 'event_msg', payload: { type: 'future_event' } },
  ],
});
add('huge-meta', 'session_meta over 1 MiB (long base instructions)', {
  grow: { kind: 'meta-instructions', bytes: 2 * 1024 * 1024 },
  lines: user('after a huge head'),
});
add('huge-first-message', 'a first user message of 3 MiB', {
  grow: { kind: 'first-message', bytes: 3 * 1024 * 1024 },
});
add('huge-output', 'a tool output line of 20 MiB', {
  grow: { kind: 'tool-output', bytes: 20 * 1024 * 1024 },
  lines: user('a huge output follows'),
});
add('many-lines-message', 'an assistant message of 150,000 lines', {
  grow: { kind: 'many-lines', lines: 150_000 },
  lines: user('a very long answer follows'),
});

writeFileSync(
  path.join(dir, 'cases.json'),
  `${JSON.stringify({ note: 'Written by scripts/odd-corpus.mjs; see there.', cases }, null, 2)}\n`,
);
console.log(`${cases.length} cases in ${path.relative(process.cwd(), dir)}`);
