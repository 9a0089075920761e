import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { validateRollout } from '../../src/index.js';
import { tempDir } from '../helpers/temp.js';

const ID = '019aa3c4-5b6d-7e8f-9a0b-1c2d3e4f5a6b';
const TS = '2026-11-21T05:24:14.877Z';
const line = (type: string, payload: unknown, extra: Record<string, unknown> = {}) =>
  JSON.stringify({ timestamp: TS, type, payload, ...extra });
const meta = (id = ID) => line('session_meta', { id, timestamp: TS, cwd: '/w', source: 'cli' });

async function file(lines: string[], name = `rollout-2026-11-21T05-24-14-${ID}.jsonl`): Promise<string> {
  const p = path.join(await tempDir(), name);
  await writeFile(p, lines.join('\n') + '\n');
  return p;
}

describe('validateRollout', () => {
  it('finds nothing in a valid file', async () => {
    const p = await file([
      meta(),
      line('response_item', { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'hi' }] }),
      line('event_msg', { type: 'user_message', message: 'hi', images: null }),
      line('response_item', {
        type: 'function_call',
        name: 'shell',
        arguments: '{"cmd":["ls"]}',
        call_id: 'c1',
      }),
      line('response_item', { type: 'function_call_output', call_id: 'c1', output: 'ok' }),
      line('workspace_snapshot', {
        message_id: 'm',
        commit: 'a'.repeat(40),
        tree: 'b'.repeat(40),
        workspace: '/w',
        store: '/s',
      }),
      line('something_new', { anything: 1 }),
    ]);
    expect(await validateRollout(p)).toEqual([]);
  });

  it('reports schema problems with line numbers', async () => {
    const p = await file([
      meta(),
      line('response_item', { type: 'message', role: 'user', content: [{ type: 'input_text' }] }),
      line('event_msg', { type: 'user_message' }),
      line('response_item', {
        type: 'function_call',
        name: 'shell',
        arguments: { not: 'a string' },
        call_id: 'c',
      }),
      line('workspace_snapshot', {
        message_id: 'm',
        commit: 'nothex',
        tree: 'b'.repeat(40),
        workspace: '/w',
        store: '/s',
      }),
      JSON.stringify({ timestamp: 'yesterday', type: 'event_msg', payload: { type: 'x' } }),
    ]);
    const problems = await validateRollout(p);
    expect(problems.map((x) => x.line)).toEqual([2, 3, 4, 5, 6]);
    expect(problems[0]!.message).toBe('response_item payload/content/0: missing "text"');
    expect(problems[1]!.message).toBe('event_msg payload: missing "message"');
    expect(problems[2]!.message).toMatch(/^response_item payload\/arguments: must be string/);
    expect(problems[3]!.message).toMatch(/^workspace_snapshot payload\/commit: must match pattern/);
    expect(problems[4]!.message).toMatch(/^line\/timestamp: must match pattern/);
  });

  it('reports an id that differs from the file name, and session_meta not first', async () => {
    const other = '019aa3c4-0000-7000-8000-000000000000';
    const p = await file(['not json', meta(other)]);
    const problems = await validateRollout(p);
    expect(problems).toEqual([
      { line: 1, kind: 'invalid-json', message: expect.stringMatching(/^invalid JSON/) },
      { line: 2, kind: 'meta-not-first', message: 'session_meta is not on the first line' },
      {
        line: 2,
        kind: 'id-mismatch',
        message: `session_meta id ${other} differs from the id in the file name (${ID})`,
      },
    ]);
  });

  it('turns an unreadable file into one problem on line 0', async () => {
    const p = path.join(await tempDir(), 'x.jsonl');
    await writeFile(p, '');
    expect(await validateRollout(p)).toEqual([{ line: 0, kind: 'empty', message: 'empty file' }]);
  });
});
