/** Shared helpers for the benchmarks: timing, memory and a fixed-width report. */
import { performance } from 'node:perf_hooks';

/** Runs `fn` and returns its result and the elapsed milliseconds. */
export async function timed<T>(fn: () => Promise<T> | T): Promise<{ value: T; ms: number }> {
  const t0 = performance.now();
  const value = await fn();
  return { value, ms: performance.now() - t0 };
}

/** The best (lowest) of `runs` timings of `fn`, after one warm-up run. */
export async function bestOf(runs: number, fn: () => Promise<unknown> | unknown): Promise<number> {
  await fn();
  let best = Infinity;
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    await fn();
    best = Math.min(best, performance.now() - t0);
  }
  return best;
}

/** Samples RSS every few milliseconds while `fn` runs; returns the peak above the RSS at start. */
export async function peakRssDuring<T>(fn: () => Promise<T>): Promise<{ value: T; peakAboveStart: number }> {
  const start = process.memoryUsage.rss();
  let peak = start;
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage.rss());
  }, 5);
  try {
    const value = await fn();
    peak = Math.max(peak, process.memoryUsage.rss());
    return { value, peakAboveStart: peak - start };
  } finally {
    clearInterval(timer);
  }
}

export const mib = (bytes: number): string => `${(bytes / 1024 / 1024).toFixed(1)} MiB`;

/** Prints rows as an aligned table. */
export function table(rows: (string | number)[][]): void {
  const cells = rows.map((r) => r.map(String));
  const widths = cells[0]!.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? '').length)));
  for (const r of cells) console.log(r.map((c, i) => c.padEnd(widths[i]!)).join('  '));
}

/** A small deterministic PRNG (mulberry32), so every run generates the same data. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The `session_meta` line the generated bench rollouts start with. */
export function benchMetaLine(id: string, ts: string): string {
  return JSON.stringify({
    timestamp: ts,
    type: 'session_meta',
    payload: {
      id,
      session_id: id,
      timestamp: ts,
      cwd: '/work/project',
      originator: 'bench',
      cli_version: '0.1.0',
    },
  });
}
