/**
 * `npm run bench -- transcript [--mb N]`: renders a generated rollout of about N MB (default 100)
 * as Markdown and as HTML with streamTranscript, against a baseline of streamRollout reading the
 * same file (the line engine alone), and measures the viewer's session page on it: time to the
 * first byte (the page streams, so a big session opens at once) and to the last. Each measure runs
 * in a fresh process; peak RSS is above that process's idle RSS.
 */
import { execFileSync } from 'node:child_process';
import { linkSync, mkdirSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { streamRollout, streamTranscript } from '../src/index.js';
import { startViewer } from '../src/viewer/server.js';
import { generate } from './reader.js';
import { mib, peakRssDuring, table, timed } from './_util.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const ID = '019aa3c4-5b6d-7e8f-9a0b-1c2d3e4f5a6b';

async function drain(it: AsyncIterable<unknown>): Promise<number> {
  let n = 0;
  for await (const _ of it) n++;
  return n;
}

/** A home holding the generated file under its proper name (a hard link, no copy). */
function homeFor(file: string): string {
  const home = path.join(here, '.data', 'transcript-home');
  rmSync(home, { recursive: true, force: true });
  const dir = path.join(home, 'sessions', '2026', '11', '21');
  mkdirSync(dir, { recursive: true });
  linkSync(file, path.join(dir, `rollout-2026-11-21T05-24-14-${ID}.jsonl`));
  return home;
}

async function viewerPage(home: string): Promise<{ first: number; total: number; bytes: number }> {
  const viewer = await startViewer({ home, port: 0 });
  try {
    const start = performance.now();
    const res = await fetch(`${viewer.url}s/${ID}`);
    const reader = res.body!.getReader();
    let first = -1;
    let bytes = 0;
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      if (first < 0) first = performance.now() - start;
      bytes += value.byteLength;
    }
    return { first, total: performance.now() - start, bytes };
  } finally {
    await viewer.close();
  }
}

const jobs: Record<string, (file: string) => Promise<unknown>> = {
  baseline: (file) => drain(streamRollout(file)),
  markdown: (file) => drain(streamTranscript(file, { format: 'markdown', snapshots: false })),
  html: (file) => drain(streamTranscript(file, { format: 'html', snapshots: false })),
};

async function child(mode: string, which: string, file: string): Promise<void> {
  if (which === 'viewer') {
    process.stdout.write(JSON.stringify(await viewerPage(homeFor(file))));
    return;
  }
  const job = jobs[which]!;
  if (mode === 'time') {
    process.stdout.write(JSON.stringify({ ms: (await timed(() => job(file))).ms }));
    return;
  }
  global.gc?.();
  await new Promise((r) => setTimeout(r, 50));
  const { peakAboveStart } = await peakRssDuring(() => job(file));
  process.stdout.write(JSON.stringify({ peak: peakAboveStart }));
}

function inChild(mode: string, which: string, file: string): Record<string, number> {
  const out = execFileSync(
    process.execPath,
    ['--expose-gc', '--import', 'tsx', path.join(here, 'run.ts'), 'transcript', '--child', mode, which, file],
    { encoding: 'utf8', maxBuffer: 1024 * 1024 },
  );
  return JSON.parse(out) as Record<string, number>;
}

export default async function run(args: string[]): Promise<void> {
  if (args[0] === '--child') return child(args[1]!, args[2]!, args[3]!);
  const mbArg = args.indexOf('--mb');
  const mb = mbArg >= 0 ? Number(args[mbArg + 1]) : 100;
  const file = generate(mb);
  const size = statSync(file).size;
  console.log(`transcript: ${mib(size)} rollout (each measure in a fresh process, one run each)`);
  const t = Object.fromEntries(Object.keys(jobs).map((k) => [k, inChild('time', k, file)['ms']!]));
  const rss = Object.fromEntries(Object.keys(jobs).map((k) => [k, inChild('rss', k, file)['peak']!]));
  const v = inChild('time', 'viewer', file);
  const mbps = (ms: number): string => `${(size / 1024 / 1024 / (ms / 1000)).toFixed(0)} MiB/s`;
  const base = t['baseline']!;
  table([
    ['job', 'ms', 'throughput', 'vs streamRollout', 'peak RSS above idle'],
    ['baseline: streamRollout', base.toFixed(0), mbps(base), '1.00', mib(rss['baseline']!)],
    [
      'streamTranscript markdown',
      t['markdown']!.toFixed(0),
      mbps(t['markdown']!),
      (base / t['markdown']!).toFixed(2),
      mib(rss['markdown']!),
    ],
    [
      'streamTranscript html',
      t['html']!.toFixed(0),
      mbps(t['html']!),
      (base / t['html']!).toFixed(2),
      mib(rss['html']!),
    ],
  ]);
  console.log(
    `viewer session page: first byte after ${v['first']!.toFixed(0)} ms, all ${mib(v['bytes']!)} after ${v['total']!.toFixed(0)} ms (${(base / v['total']!).toFixed(2)} of streamRollout's speed)`,
  );
}
