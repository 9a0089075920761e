import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/temp.js';
import { cli } from './helpers.js';

const ID = '019aa3c4-5b6d-7e8f-9a0b-1c2d3e4f5a6b';
const TS = '2026-11-21T05:24:14.877Z';
const NAME = `rollout-2026-11-21T05-24-14-${ID}.jsonl`;
// eslint-disable-next-line no-control-regex -- finding control characters is the point
const RAW_CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;
const line = (type: string, payload: unknown): string => JSON.stringify({ timestamp: TS, type, payload });
const meta = (extra: Record<string, unknown> = {}): string =>
  line('session_meta', { id: ID, timestamp: TS, cwd: '/w', source: 'cli', ...extra });
const item = (payload: unknown): string => line('response_item', payload);

async function file(lines: string[], dir?: string): Promise<string> {
  const d = dir ?? (await tempDir());
  await mkdir(d, { recursive: true });
  const p = path.join(d, NAME);
  await writeFile(p, lines.join('\n') + '\n');
  return p;
}

describe('show makes every string from a session or a file name safe', () => {
  it('escapes in problems quoting file content and in the file name', async () => {
    const dir = path.join(await tempDir(), 'a\u001b]0;title\u0007b');
    const p = await file([meta(), '{"type":"\\u001b[2J","timestamp":"x"}'], dir);
    const r = await cli(['show', p]);
    expect(r.code, r.err).toBe(0);
    expect(r.out).not.toMatch(RAW_CONTROL);
    expect(r.err).not.toMatch(RAW_CONTROL);
    expect(r.out).toContain('a\\x1b]0;title\\x07b');
    expect(r.err).toContain(':2: "\\x1b[2J" line has no "payload"');
  });

  it('--json escapes C1 and bidi controls as \\u, one typed record per line', async () => {
    const p = await file([meta(), item({ type: 'message', role: 'user', content: 'x\u009b2J\u202e' })]);
    const r = await cli(['show', p, '--json']);
    expect(r.code, r.err).toBe(0);
    expect(r.out).not.toMatch(RAW_CONTROL);
    const rows = r.out
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l) as { type: string });
    expect(rows.map((x) => x.type)).toEqual(['session_meta', 'response_item']);
    expect(r.out).toContain('\\u009b2J\\u202e');
  });

  it('--json with --raw is a usage error naming both', async () => {
    const p = await file([meta()]);
    const r = await cli(['show', p, '--json', '--raw']);
    expect(r.code).toBe(2);
    expect(r.out).toBe('');
    expect(r.err).toMatch(/--json.*--raw|--raw.*--json/);
  });
});

describe('show on type-confused but valid JSON', () => {
  it('shows a bad field as best it can, or skips it with one warning naming the line and field', async () => {
    const p = await file([
      meta({ cwd: 7, git: { commit_hash: 7, branch: 8 }, timestamp: 9, originator: null }),
      line('response_item', null),
      item({ type: 'message', role: 7, content: [{ type: 'output_text', text: 'hidden' }] }),
      item({ type: 'message', role: 'user', content: [null, 5, { type: 'input_text', text: 'hi' }] }),
      item({ type: 'reasoning', summary: [null, { type: 'summary_text', text: 'think' }] }),
      item({ type: 'function_call', name: 7, arguments: { command: ['ls'] }, call_id: null }),
      item({
        type: 'function_call_output',
        call_id: 'c',
        output: [null, { type: 'input_text', text: 'out' }],
      }),
      item({ type: 'message', role: 'assistant', content: { odd: true } }),
    ]);
    const r = await cli(['show', p]);
    expect(r.code, r.err).toBe(0);
    expect(r.out).toContain('cwd      7');
    expect(r.out).toContain('hi');
    expect(r.out).toContain('think');
    expect(r.out).toContain('{"command":["ls"]}');
    expect(r.out).toContain('out');
    expect(r.out).toContain('{"odd":true}');
    expect(r.out).not.toContain('hidden');
    expect(r.err).toContain(':2: "response_item" line\'s payload is null, not a JSON object');
    expect(r.err).toContain(':3: message "role" is 7, not a string (message skipped)');
  });
});

describe('show on big content', () => {
  it('prints a message of 150,000 lines', async () => {
    const text = Array.from({ length: 150_000 }, (_, i) => `line ${i}`).join('\n');
    const p = await file([meta(), item({ type: 'message', role: 'assistant', content: text })]);
    const r = await cli(['show', p]);
    expect(r.code, r.err).toBe(0);
    expect(r.out).toContain('  line 149999\n');
  });

  it('shows 12 lines of a tool output and counts the rest; a 13th and last line is shown, not lost', async () => {
    const out = (n: number): string => Array.from({ length: n }, (_, i) => `out ${i + 1}`).join('\n');
    const p13 = await file([meta(), item({ type: 'function_call_output', call_id: 'c', output: out(13) })]);
    const r13 = await cli(['show', p13]);
    expect(r13.code, r13.err).toBe(0);
    expect(r13.out).toContain('out 13\n');
    expect(r13.out).not.toContain('more lines');
    const p14 = await file([meta(), item({ type: 'function_call_output', call_id: 'c', output: out(14) })]);
    const r14 = await cli(['show', p14]);
    expect(r14.out).toContain('out 12\n');
    expect(r14.out).not.toContain('out 13');
    expect(r14.out).toContain('… 2 more lines (--full shows them)');
  });

  it('cuts a 20 MiB tool output by default, saying what was cut; --full shows it all', async () => {
    const big = 'o'.repeat(20 * 1024 * 1024);
    const p = await file([meta(), item({ type: 'function_call_output', call_id: 'c', output: big })]);
    const r = await cli(['show', p]);
    expect(r.code, r.err).toBe(0);
    expect(r.out.length).toBeLessThan(10_000);
    expect(r.out).toMatch(/… \d+ more characters \(--full shows them\)/);
    const full = await cli(['show', p, '--full']);
    expect(full.out).toContain(big);
  });
});
