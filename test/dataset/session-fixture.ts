import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { RolloutRecorder } from '../../src/index.js';
import { runGit } from '../../src/files/git.js';

/** What the workspace held, file by file, right after an assistant turn. */
export type WorkspaceBytes = Record<string, Buffer>;

export interface RecordedSession {
  id: string;
  path: string;
  /** The assistant message ids that got a snapshot, with the workspace's bytes at that moment. */
  states: Map<string, WorkspaceBytes>;
}

async function put(ws: string, files: WorkspaceBytes, rel: string, content: string | Buffer): Promise<void> {
  const abs = path.join(ws, rel);
  await mkdir(path.dirname(abs), { recursive: true });
  const bytes = Buffer.isBuffer(content) ? content : Buffer.from(content);
  await writeFile(abs, bytes);
  files[rel] = bytes;
}

/**
 * Records a coding session like an agent's: instructions, a user turn, a shell call whose output
 * comes after assistant commentary, a custom tool (free-form input), a call never answered (the
 * session was cut), file edits between turns, and a snapshot after each final assistant message.
 */
export async function recordCodingSession(
  home: string,
  ws: string,
  /** `secret` goes in the messages and tool calls; `fileSecret` in a file of the second snapshot. */
  opts: { secret?: string; fileSecret?: string } = {},
): Promise<RecordedSession> {
  const files: WorkspaceBytes = { 'README.md': Buffer.from('# hello\n') };
  const rec = await RolloutRecorder.create({ cwd: ws, home, baseInstructions: 'You are a coding agent.' });
  const states = new Map<string, WorkspaceBytes>();
  await rec.recordUserMessage(`Add a greeting module.${opts.secret ? ` My key is ${opts.secret}` : ''}`);
  await rec.record([
    {
      type: 'response_item',
      payload: {
        type: 'function_call',
        name: 'shell',
        arguments: JSON.stringify({ command: ['ls', '-la'], workdir: ws, timeout_ms: 1000 }),
        call_id: 'call_1',
      },
    },
    {
      type: 'response_item',
      payload: {
        type: 'message',
        role: 'assistant',
        content: [{ type: 'output_text', text: 'Listing first.' }],
      },
    },
    {
      type: 'response_item',
      payload: { type: 'function_call_output', call_id: 'call_1', output: 'README.md\n' },
    },
  ]);
  await put(ws, files, 'src/greet.ts', 'export const greet = (n: string) => `hi ${n}`;\n');
  await put(ws, files, 'bin/data.bin', Buffer.from([0, 1, 2, 255, 254, 10, 13]));
  const a1 = await rec.recordAssistantMessage('Added src/greet.ts.');
  await rec.snapshot(a1);
  states.set(a1, { ...files });

  await rec.recordUserMessage('Rename it to hello.');
  await rec.record([
    {
      type: 'response_item',
      payload: {
        type: 'custom_tool_call',
        name: 'apply_patch',
        input: '*** Begin Patch\n*** Update File: src/greet.ts\n-hi\n+hello\n*** End Patch',
        call_id: 'call_2',
      },
    },
    {
      type: 'response_item',
      payload: { type: 'custom_tool_call_output', call_id: 'call_2', output: 'Done!' },
    },
    {
      type: 'response_item',
      payload: {
        type: 'function_call',
        name: 'shell',
        arguments: JSON.stringify({
          command: ['npm', 'test'],
          ...(opts.secret ? { env: { AWS_ACCESS_KEY_ID: opts.secret } } : {}),
        }),
        call_id: 'call_3',
      },
    },
    {
      type: 'response_item',
      payload: {
        type: 'function_call_output',
        call_id: 'call_3',
        output: { content: `ok 1 passed${opts.secret ? ` (key ${opts.secret})` : ''}` },
      },
    },
  ]);
  await put(ws, files, 'src/greet.ts', 'export const greet = (n: string) => `hello ${n}`;\n');
  if (opts.fileSecret) await put(ws, files, 'src/config.ts', `export const token = '${opts.fileSecret}';\n`);
  const a2 = await rec.recordAssistantMessage('Renamed; tests pass.');
  await rec.snapshot(a2);
  states.set(a2, { ...files });

  await rec.recordUserMessage('One more thing.');
  await rec.record([
    {
      type: 'response_item',
      payload: {
        type: 'function_call',
        name: 'shell',
        arguments: '{"command":["sleep","100"]}',
        call_id: 'call_4',
      },
    },
  ]);
  await rec.close();
  return { id: rec.id, path: rec.path, states };
}

/** Every file of a commit in a store, with its exact bytes. */
export async function commitBytes(store: string, commit: string): Promise<WorkspaceBytes> {
  const list = (
    await runGit(['ls-tree', '-r', '-z', '--end-of-options', commit], { cwd: store, gitDir: store })
  ).stdout;
  const out: WorkspaceBytes = {};
  for (const entry of list.split('\0')) {
    if (entry === '') continue;
    const [info, name] = entry.split('\t') as [string, string];
    const sha = info.split(' ')[2]!;
    out[name] = (await runGit(['cat-file', 'blob', sha], { cwd: store, gitDir: store, binary: true })).stdout;
  }
  return out;
}
