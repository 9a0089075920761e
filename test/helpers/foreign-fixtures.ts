import { appendFile, mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';

/**
 * Other agents' stored sessions, written in the formats those agents write (neither CLI can run
 * here offline):
 *
 * - Claude Code 2.0.x: `<source>/projects/<slug>/<session-uuid>.jsonl`, the line shapes its 2.0
 *   releases write (`type` user/assistant with `uuid`, `parentUuid`, `sessionId`, `cwd`,
 *   `gitBranch`, `version`, `timestamp`, `message.content` blocks text/thinking/tool_use/tool_result;
 *   plus `summary`, `file-history-snapshot` and meta lines).
 * - OpenCode JSON storage: `<source>/storage/{session/<project>,message/<session>,part/<message>}/…json`,
 *   as OpenCode's `Storage` module writes it (the layout its `storage/json-migration.ts` reads;
 *   part shapes of `session/message-v2.ts`, anomalyco/opencode formerly sst/opencode).
 */

export const CLAUDE_SESSION = '5f0c2b8e-3a51-4d0e-9b1c-7e2f4a6d8c10';

const base = (cwd: string, uuid: string, parent: string | null, timestamp: string) => ({
  parentUuid: parent,
  isSidechain: false,
  userType: 'external',
  cwd,
  sessionId: CLAUDE_SESSION,
  version: '2.0.61',
  gitBranch: 'main',
  uuid,
  timestamp,
});

/** The lines of a short Claude Code session: a prompt, a tool call and its result, a reply. */
export function claudeLines(cwd: string): unknown[] {
  return [
    { type: 'summary', summary: 'Parser fix session', leafUuid: 'u-5' },
    {
      type: 'file-history-snapshot',
      messageId: 'u-1',
      snapshot: { messageId: 'u-1', trackedFileBackups: {}, timestamp: '2026-10-01T09:00:00.000Z' },
      isSnapshotUpdate: false,
    },
    {
      ...base(cwd, 'u-0', null, '2026-10-01T09:00:00.000Z'),
      type: 'user',
      isMeta: true,
      message: { role: 'user', content: '<local-command-caveat>Caveat: …</local-command-caveat>' },
    },
    {
      ...base(cwd, 'u-1', null, '2026-10-01T09:00:01.000Z'),
      type: 'user',
      message: { role: 'user', content: 'Please fix the tokenizer bug in parser.ts' },
    },
    {
      ...base(cwd, 'a-1', 'u-1', '2026-10-01T09:00:03.000Z'),
      type: 'assistant',
      requestId: 'req_011',
      message: {
        id: 'msg_01A',
        type: 'message',
        role: 'assistant',
        model: 'claude-sonnet-4-5',
        content: [{ type: 'thinking', thinking: 'Look at the tests first.', signature: 'sig' }],
        stop_reason: null,
        usage: { input_tokens: 10, output_tokens: 5 },
      },
    },
    {
      ...base(cwd, 'a-2', 'a-1', '2026-10-01T09:00:04.000Z'),
      type: 'assistant',
      requestId: 'req_011',
      message: {
        id: 'msg_01A',
        type: 'message',
        role: 'assistant',
        model: 'claude-sonnet-4-5',
        content: [
          {
            type: 'tool_use',
            id: 'toolu_01X',
            name: 'Bash',
            input: { command: 'npm test', description: 'Run tests' },
          },
        ],
        stop_reason: 'tool_use',
        usage: { input_tokens: 10, output_tokens: 5 },
      },
    },
    {
      ...base(cwd, 'u-2', 'a-2', '2026-10-01T09:00:09.000Z'),
      type: 'user',
      message: {
        role: 'user',
        content: [
          {
            tool_use_id: 'toolu_01X',
            type: 'tool_result',
            content: 'FAIL parser.test.ts\n1 failed',
            is_error: false,
          },
        ],
      },
      toolUseResult: { stdout: 'FAIL parser.test.ts\n1 failed', stderr: '', interrupted: false },
    },
    {
      ...base(cwd, 'a-3', 'u-2', '2026-10-01T09:00:12.000Z'),
      type: 'assistant',
      requestId: 'req_012',
      message: {
        id: 'msg_01B',
        type: 'message',
        role: 'assistant',
        model: 'claude-sonnet-4-5',
        content: [{ type: 'text', text: 'The tokenizer dropped the last token; fixed it.' }],
        stop_reason: 'end_turn',
        usage: { input_tokens: 10, output_tokens: 5 },
      },
    },
  ];
}

/** Lines a later turn adds to the Claude Code session. */
export function claudeMoreLines(cwd: string): unknown[] {
  return [
    {
      ...base(cwd, 'u-3', 'a-3', '2026-10-01T09:05:00.000Z'),
      type: 'user',
      message: { role: 'user', content: [{ type: 'text', text: 'Now add a regression test' }] },
    },
    {
      ...base(cwd, 'a-4', 'u-3', '2026-10-01T09:05:04.000Z'),
      type: 'assistant',
      message: {
        id: 'msg_01C',
        type: 'message',
        role: 'assistant',
        model: 'claude-sonnet-4-5',
        content: [{ type: 'text', text: 'Added test/parser.test.ts.' }],
        stop_reason: 'end_turn',
      },
    },
  ];
}

const jsonl = (lines: unknown[]): string => lines.map((l) => `${JSON.stringify(l)}\n`).join('');

/** A Claude Code data folder (`~/.claude`) with the session (and a sub-agent file, left out). */
export async function writeClaudeSource(source: string, cwd: string): Promise<string> {
  const dir = path.join(source, 'projects', cwd.replace(/[^A-Za-z0-9]/g, '-'));
  await mkdir(dir, { recursive: true });
  const file = path.join(dir, `${CLAUDE_SESSION}.jsonl`);
  await writeFile(file, jsonl(claudeLines(cwd)));
  await writeFile(
    path.join(dir, 'agent-1a2b3c4d.jsonl'),
    jsonl([{ ...claudeLines(cwd)[3]!, isSidechain: true }]),
  );
  return file;
}

export async function growClaudeSource(file: string, cwd: string): Promise<void> {
  await appendFile(file, jsonl(claudeMoreLines(cwd)));
}

export const OPENCODE_SESSION = 'ses_4a1b2c3d4ffeABCDEFGHIJKLMN';
export const OPENCODE_CREATED = Date.UTC(2026, 9, 2, 14, 30, 0);

async function writeJson(file: string, value: unknown): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, JSON.stringify(value, null, 2));
}

/** An OpenCode data folder (`~/.local/share/opencode`) with one session of two messages. */
export async function writeOpenCodeSource(source: string, cwd: string): Promise<void> {
  const storage = path.join(source, 'storage');
  const s = OPENCODE_SESSION;
  const t = OPENCODE_CREATED;
  await writeJson(path.join(storage, 'project', 'prj_1a.json'), {
    id: 'prj_1a',
    worktree: cwd,
    vcs: 'git',
    time: { created: t },
  });
  await writeJson(path.join(storage, 'session', 'prj_1a', `${s}.json`), {
    id: s,
    slug: 'calm-river',
    version: '1.0.150',
    projectID: 'prj_1a',
    directory: cwd,
    title: 'Rename the config loader',
    time: { created: t, updated: t + 20_000 },
  });
  await writeJson(path.join(storage, 'message', s, 'msg_b0000000001aaaa.json'), {
    id: 'msg_b0000000001aaaa',
    sessionID: s,
    role: 'user',
    time: { created: t + 1000 },
    agent: 'build',
    model: { providerID: 'anthropic', modelID: 'claude-sonnet-4-5' },
  });
  await writeJson(path.join(storage, 'part', 'msg_b0000000001aaaa', 'prt_b0000000001aaab.json'), {
    id: 'prt_b0000000001aaab',
    sessionID: s,
    messageID: 'msg_b0000000001aaaa',
    type: 'text',
    text: 'Rename loadConfig to readConfig everywhere',
  });
  await writeJson(path.join(storage, 'message', s, 'msg_b0000000002aaaa.json'), {
    id: 'msg_b0000000002aaaa',
    sessionID: s,
    role: 'assistant',
    time: { created: t + 2000, completed: t + 9000 },
    parentID: 'msg_b0000000001aaaa',
    modelID: 'claude-sonnet-4-5',
    providerID: 'anthropic',
    mode: 'build',
    path: { cwd, root: cwd },
    cost: 0,
    tokens: { input: 1, output: 1, reasoning: 0, cache: { read: 0, write: 0 } },
  });
  const part = (id: string, value: Record<string, unknown>) =>
    writeJson(path.join(storage, 'part', 'msg_b0000000002aaaa', `${id}.json`), {
      id,
      sessionID: s,
      messageID: 'msg_b0000000002aaaa',
      ...value,
    });
  await part('prt_b0000000002aaa1', { type: 'step-start', snapshot: 'abc' });
  await part('prt_b0000000002aaa2', {
    type: 'reasoning',
    text: 'Find every call site.',
    time: { start: t, end: t },
  });
  await part('prt_b0000000002aaa3', {
    type: 'tool',
    callID: 'toolu_OC1',
    tool: 'grep',
    state: {
      status: 'completed',
      input: { pattern: 'loadConfig' },
      output: 'src/a.ts:3\nsrc/b.ts:9',
      title: 'loadConfig',
      metadata: {},
      time: { start: t + 3000, end: t + 4000 },
    },
  });
  await part('prt_b0000000002aaa4', { type: 'text', text: 'Renamed in src/a.ts and src/b.ts.' });
  await part('prt_b0000000002aaa5', {
    type: 'step-finish',
    reason: 'stop',
    cost: 0,
    tokens: { input: 1, output: 1, reasoning: 0, cache: { read: 0, write: 0 } },
  });
}

/** A later turn: a user message, then an assistant message still running (`completed` absent). */
export async function growOpenCodeSource(source: string, done: boolean): Promise<void> {
  const storage = path.join(source, 'storage');
  const s = OPENCODE_SESSION;
  const t = OPENCODE_CREATED + 60_000;
  await writeJson(path.join(storage, 'message', s, 'msg_b0000000003aaaa.json'), {
    id: 'msg_b0000000003aaaa',
    sessionID: s,
    role: 'user',
    time: { created: t },
  });
  await writeJson(path.join(storage, 'part', 'msg_b0000000003aaaa', 'prt_b0000000003aaab.json'), {
    id: 'prt_b0000000003aaab',
    sessionID: s,
    messageID: 'msg_b0000000003aaaa',
    type: 'text',
    text: 'Also update the docs',
  });
  await writeJson(path.join(storage, 'message', s, 'msg_b0000000004aaaa.json'), {
    id: 'msg_b0000000004aaaa',
    sessionID: s,
    role: 'assistant',
    time: done ? { created: t + 1000, completed: t + 5000 } : { created: t + 1000 },
  });
  await writeJson(path.join(storage, 'part', 'msg_b0000000004aaaa', 'prt_b0000000004aaa1.json'), {
    id: 'prt_b0000000004aaa1',
    sessionID: s,
    messageID: 'msg_b0000000004aaaa',
    type: 'tool',
    callID: 'toolu_OC2',
    tool: 'edit',
    state: done
      ? {
          status: 'error',
          input: { file: 'README.md' },
          error: 'file is read-only',
          time: { start: t, end: t },
        }
      : { status: 'running', input: { file: 'README.md' }, time: { start: t } },
  });
}
