/**
 * `npm run bench -- reader [--mb N]`: reads a generated rollout of about 100 MB with readRollout and
 * streamRollout, against a baseline of readFile + split + JSON.parse, and against ndjson on the
 * streaming path. Peak RSS of each streaming reader is measured in a fresh child process, above that
 * process's idle RSS.
 */
import { createReadStream, existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ndjson from 'ndjson';
import { readRollout, streamRollout } from '../src/index.js';
import { benchMetaLine, bestOf, mib, peakRssDuring, table } from './_util.js';

const here = path.dirname(fileURLToPath(import.meta.url));

/** A realistic rollout of about `mb` megabytes: messages, function calls with 1–4 KB outputs. */
export function generate(mb: number): string {
  const dir = path.join(here, '.data');
  mkdirSync(dir, { recursive: true });
  const id = '019aa3c4-5b6d-7e8f-9a0b-1c2d3e4f5a6b';
  const file = path.join(dir, `rollout-2026-11-21T05-24-14-${id}-${mb}mb.jsonl`);
  if (existsSync(file)) return file;
  const ts = '2026-11-21T05:24:14.877Z';
  const lines: string[] = [benchMetaLine(id, ts)];
  let bytes = 0;
  let seed = 7;
  const rand = (): number => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
  const text = (n: number): string => {
    const words = [
      'the',
      'file',
      'función',
      'résumé',
      'build',
      'test',
      '日本語',
      'error',
      'ok',
      'path/to/x.ts',
    ];
    let s = '';
    while (s.length < n) s += words[Math.floor(rand() * words.length)] + ' ';
    return s;
  };
  for (let i = 0; bytes < mb * 1024 * 1024; i++) {
    const kind = i % 4;
    let line: string;
    if (kind === 0) {
      line = JSON.stringify({
        timestamp: ts,
        type: 'event_msg',
        payload: { type: 'user_message', message: text(200) },
      });
    } else if (kind === 1) {
      line = JSON.stringify({
        timestamp: ts,
        type: 'response_item',
        payload: {
          type: 'function_call',
          name: 'shell',
          arguments: JSON.stringify({ command: ['rg', text(40)] }),
          call_id: `c${i}`,
        },
      });
    } else if (kind === 2) {
      line = JSON.stringify({
        timestamp: ts,
        type: 'response_item',
        payload: {
          type: 'function_call_output',
          call_id: `c${i - 1}`,
          output: text(1024 + Math.floor(rand() * 3072)),
        },
      });
    } else {
      line = JSON.stringify({
        timestamp: ts,
        type: 'response_item',
        payload: { type: 'message', role: 'assistant', content: [{ type: 'output_text', text: text(600) }] },
      });
    }
    lines.push(line);
    bytes += line.length + 1;
  }
  writeFileSync(file, lines.join('\n') + '\n');
  return file;
}

async function baseline(file: string): Promise<number> {
  const text = await readFile(file, 'utf8');
  let n = 0;
  for (const line of text.split('\n')) {
    if (line === '') continue;
    JSON.parse(line);
    n++;
  }
  return n;
}

async function viaStream(file: string): Promise<number> {
  let n = 0;
  for await (const _ of streamRollout(file)) n++;
  return n;
}

async function viaNdjson(file: string): Promise<number> {
  let n = 0;
  for await (const _ of createReadStream(file).pipe(ndjson.parse())) n++;
  return n;
}

const readers: Record<string, (file: string) => Promise<unknown>> = {
  baseline,
  readRollout: (file) => readRollout(file),
  streamRollout: viaStream,
  ndjson: viaNdjson,
};

/**
 * Child mode, one reader per fresh process so no reader pays for another's garbage: `time` prints
 * the best of 3 runs after a warm-up; `rss` the peak RSS above the process's idle RSS in one run.
 */
async function child(mode: string, which: string, file: string): Promise<void> {
  const read = readers[which]!;
  if (mode === 'time') {
    process.stdout.write(JSON.stringify({ ms: await bestOf(3, () => read(file)) }));
    return;
  }
  global.gc?.();
  await new Promise((r) => setTimeout(r, 50));
  const { peakAboveStart } = await peakRssDuring(() => read(file));
  process.stdout.write(JSON.stringify({ peak: peakAboveStart }));
}

function inChild(mode: 'time' | 'rss', which: string, file: string): number {
  const out = execFileSync(
    process.execPath,
    ['--expose-gc', '--import', 'tsx', path.join(here, 'run.ts'), 'reader', '--child', mode, which, file],
    { encoding: 'utf8', maxBuffer: 1024 * 1024 },
  );
  const r = JSON.parse(out) as { ms?: number; peak?: number };
  return mode === 'time' ? r.ms! : r.peak!;
}

export default async function run(args: string[]): Promise<void> {
  if (args[0] === '--child') return child(args[1]!, args[2]!, args[3]!);
  const mbArg = args.indexOf('--mb');
  const mb = mbArg >= 0 ? Number(args[mbArg + 1]) : 100;
  const file = generate(mb);
  const size = statSync(file).size;
  const lines = await baseline(file);
  console.log(
    `reader: ${mib(size)}, ${lines} lines (each reader in a fresh process, best of 3 after a warm-up)`,
  );

  const t = Object.fromEntries(Object.keys(readers).map((k) => [k, inChild('time', k, file)]));
  const rss = Object.fromEntries(['streamRollout', 'ndjson'].map((k) => [k, inChild('rss', k, file)]));
  const tBase = t['baseline']!;
  const mbps = (ms: number): string => `${(size / 1024 / 1024 / (ms / 1000)).toFixed(0)} MiB/s`;
  const row = (label: string, k: string, mem: string): string[] => [
    label,
    t[k]!.toFixed(0),
    mbps(t[k]!),
    (tBase / t[k]!).toFixed(2),
    mem,
  ];
  table([
    ['reader', 'ms', 'throughput', 'vs baseline (≥0.80)', 'peak RSS above idle (<64 MiB)'],
    row('baseline readFile+split+JSON.parse', 'baseline', '(holds the file)'),
    row('readRollout', 'readRollout', '(holds the lines)'),
    row('streamRollout', 'streamRollout', mib(rss['streamRollout']!)),
    row('ndjson (split2 + JSON.parse)', 'ndjson', mib(rss['ndjson']!)),
  ]);
}
