import { readFileSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { tempDir } from './temp.js';

/**
 * fixtures/odd: valid rollouts with odd content (see scripts/odd-corpus.mjs). Huge cases are
 * described by `grow` and built here, at test time, so the repository stays small.
 */
export interface OddCase {
  file: string;
  id: string;
  name: string;
  note: string;
  grow?:
    | { kind: 'meta-instructions' | 'first-message' | 'tool-output'; bytes: number }
    | { kind: 'many-lines'; lines: number };
}

export const oddDir = path.resolve(import.meta.dirname, '../../fixtures/odd');
export const oddCases = (
  JSON.parse(readFileSync(path.join(oddDir, 'cases.json'), 'utf8')) as { cases: OddCase[] }
).cases;

const line = (ts: string, type: string, payload: unknown): string =>
  JSON.stringify({ timestamp: ts, type, payload });

/** The text of a case as it goes on disk, grown when it is a huge one. */
export async function oddCaseText(c: OddCase): Promise<string> {
  const text = await readFile(path.join(oddDir, c.file), 'utf8');
  if (c.grow === undefined) return text;
  const [first, ...rest] = text.trimEnd().split('\n');
  const head = JSON.parse(first!) as { timestamp: string; payload: Record<string, unknown> };
  const ts = head.timestamp;
  const g = c.grow;
  if (g.kind === 'meta-instructions') {
    head.payload['base_instructions'] = { text: 'i'.repeat(g.bytes) };
    return [JSON.stringify(head), ...rest].join('\n') + '\n';
  }
  const extra: string[] = [];
  if (g.kind === 'first-message') {
    const big = 'm'.repeat(g.bytes);
    extra.push(
      line(ts, 'response_item', {
        type: 'message',
        role: 'user',
        content: [{ type: 'input_text', text: big }],
      }),
      line(ts, 'event_msg', { type: 'user_message', message: big }),
    );
  } else if (g.kind === 'tool-output') {
    extra.push(
      line(ts, 'response_item', {
        type: 'function_call',
        name: 'shell',
        arguments: '{"command":["cat","big"]}',
        call_id: 'big',
      }),
      line(ts, 'response_item', {
        type: 'function_call_output',
        call_id: 'big',
        output: 'o'.repeat(g.bytes),
      }),
    );
  } else if (g.kind === 'many-lines') {
    const answer = Array.from({ length: g.lines }, (_, i) => `line ${i}`).join('\n');
    extra.push(
      line(ts, 'response_item', {
        type: 'message',
        role: 'assistant',
        content: [{ type: 'output_text', text: answer }],
      }),
      line(ts, 'event_msg', { type: 'agent_message', message: answer }),
    );
  }
  return [first, ...rest, ...extra].join('\n') + '\n';
}

/** A new home holding every odd case (or the given ones) in its date folder. */
export async function homeWithOddCases(cases: readonly OddCase[] = oddCases): Promise<string> {
  const home = await tempDir();
  const dir = path.join(home, 'sessions', '2026', '10', '01');
  await mkdir(dir, { recursive: true });
  for (const c of cases) await writeFile(path.join(dir, c.file), await oddCaseText(c));
  return home;
}
