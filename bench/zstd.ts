/**
 * `npm run bench -- zstd [--mb N]`: decoding a `.jsonl.zst` rollout (a generated file of about 50 MB,
 * compressed with `zstd -3` as the Codex CLI does) with each candidate decoder, against a baseline
 * of reading the same data uncompressed. Then the line engine end to end: `streamRollout` on the
 * `.zst` against `streamRollout` on the plain file.
 *
 * Candidates: `node:zlib` (Node.js 22.15+ only), `fzstd` (pure JavaScript, streaming),
 * `zstd-napi` (native, an optional dependency built from the sources it ships), `@mongodb-js/zstd`
 * (native, prebuilt in its registry package, whole-buffer only; no dependency: `npm install
 * --no-save @mongodb-js/zstd@1` to compare, its 7.x fetches binaries from outside the registry).
 * Those not present are reported as such.
 *
 * Each measurement runs in a fresh child process: time is the best of 3 after a warm-up; memory is
 * the peak RSS above the child's idle RSS during one run.
 */
import { execFileSync } from 'node:child_process';
import { createReadStream, existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { streamRollout } from '../src/index.js';
import { fzstdDecoder, napiDecoder, zlibDecoder, type ZstdDecoder } from '../src/reader/zstd.js';
import { benchMetaLine, bestOf, mib, peakRssDuring, prng, table } from './_util.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);

/**
 * A rollout of about `mb` megabytes whose text compresses like a real one (about 4–6× with
 * `zstd -3`, not 100×): words from a Zipf-like vocabulary of 4000 made-up words, hashes, paths and
 * numbers, in user messages, tool calls, 1–4 KB tool outputs and assistant messages.
 */
function generate(mb: number): string {
  const dir = path.join(here, '.data');
  mkdirSync(dir, { recursive: true });
  const id = '019aa3c4-5b6d-7e8f-9a0b-1c2d3e4f5a6b';
  const file = path.join(dir, `zstd-rollout-${id}-${mb}mb.jsonl`);
  if (existsSync(file)) return file;
  const rand = prng(42);
  const letters = 'etaoinshrdlcumwfgypbvkjxqz';
  const vocab = Array.from({ length: 4000 }, () => {
    let w = '';
    const n = 2 + Math.floor(rand() * 9);
    for (let i = 0; i < n; i++) w += letters[Math.floor(rand() ** 1.5 * letters.length)];
    return w;
  });
  const hex = (n: number): string => {
    let s = '';
    for (let i = 0; i < n; i++) s += '0123456789abcdef'[Math.floor(rand() * 16)];
    return s;
  };
  const text = (n: number): string => {
    let s = '';
    while (s.length < n) {
      const r = rand();
      if (r < 0.01) s += `${hex(40)} `;
      else if (r < 0.06)
        s += `src/${vocab[Math.floor(rand() * 500)]}/${vocab[Math.floor(rand() * 2000)]}.ts:${Math.floor(rand() * 900)} `;
      else if (r < 0.08) s += `${Math.floor(rand() * 1e6)} `;
      else s += `${vocab[Math.floor(vocab.length * rand() ** 4)]}${rand() < 0.1 ? '.\n' : ' '}`;
    }
    return s;
  };
  const ts = '2026-11-21T05:24:14.877Z';
  const lines: string[] = [benchMetaLine(id, ts)];
  let bytes = 0;
  for (let i = 0; bytes < mb * 1024 * 1024; i++) {
    const kind = i % 4;
    const payload =
      kind === 0
        ? { type: 'user_message', message: text(200) }
        : kind === 1
          ? {
              type: 'function_call',
              name: 'shell',
              arguments: JSON.stringify({ command: ['rg', text(40)] }),
              call_id: `c${i}`,
            }
          : kind === 2
            ? {
                type: 'function_call_output',
                call_id: `c${i - 1}`,
                output: text(1024 + Math.floor(rand() * 3072)),
              }
            : { type: 'message', role: 'assistant', content: [{ type: 'output_text', text: text(600) }] };
    const line = JSON.stringify({ timestamp: ts, type: kind === 0 ? 'event_msg' : 'response_item', payload });
    lines.push(line);
    bytes += line.length + 1;
  }
  writeFileSync(file, lines.join('\n') + '\n');
  return file;
}

/** @mongodb-js/zstd: whole buffer in, whole buffer out (no streaming API). */
function mongoDecoder(): ZstdDecoder | undefined {
  let mod: { decompress(b: Buffer): Promise<Buffer> };
  try {
    mod = require('@mongodb-js/zstd') as typeof mod;
  } catch {
    return undefined;
  }
  return async function* (input) {
    const parts: Buffer[] = [];
    for await (const chunk of input) parts.push(chunk);
    yield await mod.decompress(Buffer.concat(parts));
  };
}

const decoders: Record<string, () => ZstdDecoder | undefined> = {
  'node:zlib': () => zlibDecoder,
  fzstd: () => fzstdDecoder,
  'zstd-napi': () => napiDecoder,
  '@mongodb-js/zstd': mongoDecoder,
};

/** Counts the newlines of a byte stream: the cost of getting the bytes, nothing more. */
async function countLines(chunks: AsyncIterable<Buffer>): Promise<number> {
  let n = 0;
  for await (const chunk of chunks) {
    for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, i + 1)) n++;
  }
  return n;
}

const fileChunks = (file: string): AsyncIterable<Buffer> =>
  createReadStream(file, { highWaterMark: 64 * 1024 }) as AsyncIterable<Buffer>;

async function viaStream(file: string): Promise<number> {
  let n = 0;
  for await (const _ of streamRollout(file)) n++;
  return n;
}

/** What one child measures, by name. `plain` and `engine:*` take the plain and the .zst file. */
function task(which: string, plain: string, zst: string): () => Promise<unknown> {
  if (which === 'baseline') return () => countLines(fileChunks(plain));
  if (which === 'engine:plain') return () => viaStream(plain);
  if (which === 'engine:zst') return () => viaStream(zst);
  const decoder = decoders[which]!()!;
  return () => countLines(decoder(fileChunks(zst)));
}

async function child(mode: string, which: string, plain: string, zst: string): Promise<void> {
  const run = task(which, plain, zst);
  if (mode === 'time') {
    process.stdout.write(JSON.stringify({ ms: await bestOf(3, run) }));
    return;
  }
  global.gc?.();
  await new Promise((r) => setTimeout(r, 50));
  const { peakAboveStart } = await peakRssDuring(run);
  process.stdout.write(JSON.stringify({ peak: peakAboveStart }));
}

function inChild(mode: 'time' | 'rss', which: string, plain: string, zst: string): number {
  const out = execFileSync(
    process.execPath,
    ['--expose-gc', '--import', 'tsx', path.join(here, 'run.ts'), 'zstd', '--child', mode, which, plain, zst],
    { encoding: 'utf8', maxBuffer: 1024 * 1024 },
  );
  const r = JSON.parse(out) as { ms?: number; peak?: number };
  return mode === 'time' ? r.ms! : r.peak!;
}

export default async function run(args: string[]): Promise<void> {
  if (args[0] === '--child') return child(args[1]!, args[2]!, args[3]!, args[4]!);
  const mbArg = args.indexOf('--mb');
  const mb = mbArg >= 0 ? Number(args[mbArg + 1]) : 50;
  const plain = generate(mb);
  const zst = `${plain}.zst`;
  if (!existsSync(zst)) execFileSync('zstd', ['-3', '-q', '-f', '-k', plain, '-o', zst]);
  const size = statSync(plain).size;
  const lines = await countLines(fileChunks(plain));
  // Every candidate must give back the very bytes of the plain file before it is timed.
  const expected = await readFile(plain);
  const available = Object.keys(decoders).filter((k) => decoders[k]!() !== undefined);
  for (const k of available) {
    const parts: Buffer[] = [];
    for await (const c of decoders[k]!()!(fileChunks(zst))) parts.push(Buffer.from(c));
    if (!Buffer.concat(parts).equals(expected)) throw new Error(`${k} decoded different bytes`);
  }
  console.log(
    `zstd: ${mib(size)} (${mib(statSync(zst).size)} as zstd -3), ${lines} lines, Node.js ${process.version} ` +
      `(each in a fresh process, best of 3 after a warm-up)`,
  );

  const mbps = (ms: number): string => `${(size / 1024 / 1024 / (ms / 1000)).toFixed(0)} MiB/s`;
  const tBase = inChild('time', 'baseline', plain, zst);
  const rows: string[][] = [
    ['decoding (drain, count lines)', 'ms', 'throughput', 'vs baseline', 'peak RSS above idle'],
    [
      'baseline: the plain file',
      tBase.toFixed(0),
      mbps(tBase),
      '1.00',
      mib(inChild('rss', 'baseline', plain, zst)),
    ],
  ];
  for (const k of Object.keys(decoders)) {
    if (!available.includes(k)) {
      rows.push([k, '-', '-', '-', k === 'node:zlib' ? 'not in this Node.js' : 'not installed']);
      continue;
    }
    const t = inChild('time', k, plain, zst);
    rows.push([k, t.toFixed(0), mbps(t), (tBase / t).toFixed(2), mib(inChild('rss', k, plain, zst))]);
  }
  table(rows);
  console.log('');
  const tPlain = inChild('time', 'engine:plain', plain, zst);
  const tZst = inChild('time', 'engine:zst', plain, zst);
  table([
    ['line engine (streamRollout)', 'ms', 'throughput', 'vs plain', 'peak RSS above idle'],
    [
      'plain .jsonl (baseline)',
      tPlain.toFixed(0),
      mbps(tPlain),
      '1.00',
      mib(inChild('rss', 'engine:plain', plain, zst)),
    ],
    [
      '.jsonl.zst',
      tZst.toFixed(0),
      mbps(tZst),
      (tPlain / tZst).toFixed(2),
      mib(inChild('rss', 'engine:zst', plain, zst)),
    ],
  ]);
}
