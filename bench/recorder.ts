/**
 * `npm run bench -- recorder [items]`: RolloutRecorder (durability 'flush', a flush per 20 items)
 * against a baseline writing the same lines, serialized beforehand, with fs.writeSync in 64 KiB
 * batches. A second baseline serializes each item on its way into the batch (the least any JSONL
 * writer must do), to show how much of the gap is JSON itself.
 */
import { closeSync, mkdirSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import type { RecordItem } from '../src/index.js';
import { RolloutRecorder } from '../src/index.js';
import { writerOf } from '../src/recorder/recorder.js';
import { mib, prng, table } from './_util.js';

const FLUSH_EVERY = 20;
const BATCH = 64 * 1024;
const RUNS = 5;

const WORDS = [
  'const',
  'result',
  '=',
  'await',
  'fetch(url);',
  'src/index.ts:42:7',
  'error TS2345:',
  '"quoted"',
  'return',
  '{',
  '}',
  '\n',
  '\t',
  'PASS',
  'test/recorder.test.ts',
  '✓',
  'npm',
  'run',
  'build',
  'diff --git a/x b/x',
];

function text(rand: () => number, length: number): string {
  const parts: string[] = [];
  let n = 0;
  while (n < length) {
    const w = WORDS[Math.floor(rand() * WORDS.length)]!;
    parts.push(w);
    n += w.length + 1;
  }
  return parts.join(' ').slice(0, length);
}

/** A realistic mix: user and assistant messages, function calls, and outputs of 1–4 KB. */
function makeItems(count: number): RecordItem[] {
  const rand = prng(42);
  const items: RecordItem[] = [];
  for (let i = 0; items.length < count; i++) {
    const callId = `call_${i.toString(36)}`;
    switch (i % 6) {
      case 0:
        items.push({
          type: 'response_item',
          payload: {
            type: 'message',
            role: 'user',
            content: [{ type: 'input_text', text: text(rand, 120) }],
          },
        });
        break;
      case 1:
        items.push({ type: 'event_msg', payload: { type: 'user_message', message: text(rand, 120) } });
        break;
      case 2:
      case 3:
        items.push({
          type: 'response_item',
          payload: {
            type: 'function_call',
            name: 'shell',
            arguments: JSON.stringify({ command: ['bash', '-lc', text(rand, 60)], workdir: '/work/repo' }),
            call_id: callId,
          },
        });
        items.push({
          type: 'response_item',
          payload: {
            type: 'function_call_output',
            call_id: callId,
            output: JSON.stringify({
              output: text(rand, 1024 + Math.floor(rand() * 3072)),
              metadata: { exit_code: 0, duration_seconds: 0.4 },
            }),
          },
        });
        break;
      case 4:
        items.push({
          type: 'response_item',
          payload: {
            type: 'message',
            role: 'assistant',
            content: [{ type: 'output_text', text: text(rand, 400) }],
          },
        });
        break;
      default:
        items.push({
          type: 'event_msg',
          payload: {
            type: 'token_count',
            info: { total_token_usage: { input_tokens: i, output_tokens: i >> 2 } },
          },
        });
    }
  }
  return items.slice(0, count);
}

const ts = new Date().toISOString();
function serializeOne(it: RecordItem): string {
  return `{"timestamp":"${ts}","type":${JSON.stringify(it.type)},"payload":${JSON.stringify(it.payload)}}\n`;
}

const same = (line: string): string => line;

/** Writes lines with writeSync in 64 KiB batches of whole lines; `toLine` serializes on the way. */
function writeBatched<T>(file: string, lines: readonly T[], toLine: (value: T) => string): void {
  const fd = openSync(file, 'w', 0o600);
  const buffer = Buffer.allocUnsafe(BATCH);
  let used = 0;
  for (const value of lines) {
    const line = toLine(value);
    const bytes = Buffer.byteLength(line);
    if (used + bytes > BATCH && used > 0) {
      writeSync(fd, buffer, 0, used);
      used = 0;
    }
    if (bytes > BATCH) {
      writeSync(fd, line);
      continue;
    }
    used += buffer.write(line, used);
  }
  if (used > 0) writeSync(fd, buffer, 0, used);
  closeSync(fd);
}

async function recordAll(
  home: string,
  items: readonly RecordItem[],
): Promise<{ ms: number; writes: number }> {
  mkdirSync(home, { recursive: true });
  const rec = await RolloutRecorder.create({ cwd: home, home, git: false, durability: 'flush' });
  const t0 = performance.now();
  for (let i = 0; i < items.length; i++) {
    await rec.record([items[i]!]);
    if (i % FLUSH_EVERY === FLUSH_EVERY - 1) await rec.flush();
  }
  await rec.close();
  const ms = performance.now() - t0;
  return { ms, writes: writerOf(rec).stats.writes };
}

export default async function bench(args: string[]): Promise<void> {
  const count = Number(args[0] ?? 200_000);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'ar-bench-recorder-'));
  try {
    const items = makeItems(count);
    const lines = items.map(serializeOne);
    const bytes = lines.reduce((n, l) => n + Buffer.byteLength(l), 0);
    console.log(`${count} items, ${mib(bytes)}, a flush per ${FLUSH_EVERY} items, best of ${RUNS}`);

    let base = Infinity;
    let baseWithJson = Infinity;
    let jsonOnly = Infinity;
    let recorder = Infinity;
    let writes = 0;
    // Interleaved, after a warm-up of each, so page cache and JIT state favour none of them.
    for (let run = 0; run <= RUNS; run++) {
      const h = path.join(dir, `home-${run}`);
      let t0 = performance.now();
      writeBatched(path.join(dir, 'baseline.jsonl'), lines, same);
      const b = performance.now() - t0;
      t0 = performance.now();
      writeBatched(path.join(dir, 'baseline-json.jsonl'), items, serializeOne);
      const bj = performance.now() - t0;
      t0 = performance.now();
      let sink = 0;
      for (const it of items) sink += serializeOne(it).length;
      const j = performance.now() - t0;
      if (sink === 0) throw new Error('nothing serialized');
      const r = await recordAll(h, items);
      rmSync(h, { recursive: true, force: true });
      if (run === 0) continue;
      base = Math.min(base, b);
      baseWithJson = Math.min(baseWithJson, bj);
      jsonOnly = Math.min(jsonOnly, j);
      if (r.ms < recorder) {
        recorder = r.ms;
        writes = r.writes;
      }
    }
    const rate = (ms: number): string => `${Math.round((count / ms) * 1000).toLocaleString('en-US')} items/s`;
    table([
      ['', 'time', 'rate', 'ratio to baseline'],
      ['baseline: writeSync 64 KiB, pre-serialized', `${base.toFixed(0)} ms`, rate(base), '1.00'],
      [
        'baseline serializing each item on the way',
        `${baseWithJson.toFixed(0)} ms`,
        rate(baseWithJson),
        (base / baseWithJson).toFixed(2),
      ],
      [
        'JSON.stringify of the items alone, no I/O (a bound for any recorder)',
        `${jsonOnly.toFixed(0)} ms`,
        rate(jsonOnly),
        (base / jsonOnly).toFixed(2),
      ],
      [
        `RolloutRecorder ('flush', ${writes} writes)`,
        `${recorder.toFixed(0)} ms`,
        rate(recorder),
        (base / recorder).toFixed(2),
      ],
    ]);
    console.log(
      `ratio recorder / pre-serialized baseline: ${(base / recorder).toFixed(2)} (target ≥ 0.8); ` +
        `recorder / serializing baseline: ${(baseWithJson / recorder).toFixed(2)}`,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
