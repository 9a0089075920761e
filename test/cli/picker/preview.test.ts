import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import fg from 'fast-glob';
import { describe, expect, it } from 'vitest';
import { readPreview } from '../../../src/cli/picker/preview.js';
import { writeRollout } from '../../helpers/rollout-files.js';
import { tempDir } from '../../helpers/temp.js';

const fixtures = path.resolve(import.meta.dirname, '../../../fixtures/codex-0.169/sessions');
const env = (type: string, payload: unknown): string =>
  JSON.stringify({ timestamp: '2026-11-20T10:00:00.000Z', type, payload });
const message = (role: string, text: string): string =>
  env('response_item', {
    type: 'message',
    role,
    content: [{ type: role === 'user' ? 'input_text' : 'output_text', text }],
  });
const meta = (instructions = 'be brief'): string =>
  env('session_meta', {
    id: '01a1f866-f760-7000-8000-000000000001',
    timestamp: '2026-11-20T10:00:00.000Z',
    cwd: '/w',
    base_instructions: { text: instructions },
  });

describe('readPreview', () => {
  it('gives the first messages of a real Codex session: user turns, answers, tool calls and outputs', async () => {
    const [file] = await fg(`${fixtures}/**/*01a1fcaa-8418-*.jsonl`);
    const messages = await readPreview(file!);
    expect(messages.map((m) => m.role)).toEqual(['user', 'call', 'output', 'assistant']);
    expect(messages[0]!.text).toBe('Run `echo fixture-tool-output` and tell me what it printed.');
    expect(messages[1]!.text).toBe('exec_command {"cmd":"echo fixture-tool-output"}');
    expect(messages[3]!.text).toBe('The command printed: fixture-tool-output');
  });

  it('leaves out the harness wrappers (environment context) and the base instructions', async () => {
    const home = await tempDir();
    const w = await writeRollout(home, { createdAt: Date.UTC(2026, 10, 20), userMessage: 'fix the build' });
    expect(await readPreview(w.path)).toEqual([
      { role: 'user', text: 'fix the build' },
      { role: 'assistant', text: 'Sure.' },
    ]);
  });

  it('stops at the message count', async () => {
    const dir = await tempDir();
    const file = path.join(dir, 'r.jsonl');
    const lines = [
      meta(),
      ...Array.from({ length: 50 }, (_, i) => message(i % 2 ? 'assistant' : 'user', `m${i}`)),
    ];
    await writeFile(file, lines.join('\n') + '\n');
    const messages = await readPreview(file, { messages: 3 });
    expect(messages.map((m) => m.text)).toEqual(['m0', 'm1', 'm2']);
  });

  it('reads no further than its byte budget after session_meta: a message past it is never seen', async () => {
    const dir = await tempDir();
    const file = path.join(dir, 'big.jsonl');
    // A 2 MiB base instructions line (read whole), a first message, 4 MiB of tool output, then a late message.
    const filler = Array.from({ length: 64 }, (_, i) =>
      env('response_item', { type: 'function_call_output', call_id: `c${i}`, output: 'x'.repeat(64 * 1024) }),
    );
    const lines = [
      meta('i'.repeat(2 * 1024 * 1024)),
      message('user', 'first'),
      ...filler,
      message('assistant', 'LATE'),
    ];
    await writeFile(file, lines.join('\n') + '\n');
    const messages = await readPreview(file, { messages: 100, maxBytes: 256 * 1024 });
    expect(messages[0]).toEqual({ role: 'user', text: 'first' });
    expect(messages.some((m) => m.text === 'LATE')).toBe(false);
    expect(messages.at(-1)).toEqual({ role: 'note', text: '… (a long record follows)' });
    expect(messages.length).toBeLessThan(10);
    // The whole file gives the late message: it was the budget that stopped the read.
    const all = await readPreview(file, { messages: 100, maxBytes: 64 * 1024 * 1024 });
    expect(all.at(-1)).toEqual({ role: 'assistant', text: 'LATE' });
  });

  it('keeps a message to a few thousand characters', async () => {
    const dir = await tempDir();
    const file = path.join(dir, 'long.jsonl');
    await writeFile(file, [meta(), message('user', 'y'.repeat(100_000))].join('\n') + '\n');
    const [m] = await readPreview(file);
    expect(m!.text.length).toBeLessThanOrEqual(4001);
  });

  it('throws for a file that is not there', async () => {
    const dir = await tempDir();
    await expect(readPreview(path.join(dir, 'gone.jsonl'))).rejects.toThrow(/no such file/);
  });
});
