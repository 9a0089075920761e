/**
 * `npm run bench -- redact`: the secret redactor on the planted corpus (bench/_secret-corpus.ts):
 * recall per kind (target 100%), false positives on ordinary code and prose per 10k lines (target
 * ≤ 1, with the first ones shown), and throughput: redaction alone in MB/s, and an `openai` export
 * of a generated home with and without redaction (the ratio is the cost of redacting).
 */
import { createSecretRedactor, exportDataset } from '../src/index.js';
import { bestOf, mib, table, timed } from './_util.js';
import { ordinaryLines, plantedSecrets } from './_secret-corpus.js';
import { generateHome } from './gen-home.js';

export default async function main(args: string[]): Promise<void> {
  const sessions = Number(args[0] ?? 300);
  const r = createSecretRedactor();
  const { ms: loadMs } = await timed(() => r.redact('warm-up text of no secret'));
  console.log(`first call (rule set load): ${loadMs.toFixed(0)} ms`);

  // Recall.
  const planted = plantedSecrets();
  const byKind = new Map<string, { n: number; caught: number }>();
  const missed: string[] = [];
  for (const p of planted) {
    const out = await r.redact(p.text);
    const ok = !out.includes(p.secret) && out.includes(`[REDACTED:${p.kind}]`);
    const k = byKind.get(p.kind) ?? { n: 0, caught: 0 };
    k.n++;
    if (ok) k.caught++;
    else missed.push(`${p.kind}: ${JSON.stringify(out.slice(0, 120))}`);
    byKind.set(p.kind, k);
  }
  const caught = [...byKind.values()].reduce((a, k) => a + k.caught, 0);
  console.log(
    `recall: ${caught}/${planted.length} planted secrets = ${((100 * caught) / planted.length).toFixed(1)}% over ${byKind.size} kinds`,
  );
  table([['kind', 'planted', 'caught'], ...[...byKind].map(([kind, k]) => [kind, k.n, k.caught])]);
  for (const m of missed) console.log(`  missed ${m}`);

  // False positives: chunks of 40 lines, as messages and tool outputs come, one session's worth
  // (500 chunks) per batch, with a fresh redactor whose counts are the findings.
  const lines = ordinaryLines();
  const chunks: string[] = [];
  for (let i = 0; i < lines.length; i += 40) chunks.push(lines.slice(i, i + 40).join('\n'));
  const fresh = createSecretRedactor();
  const examples: string[] = [];
  const { ms: scanMs } = await timed(async () => {
    for (let i = 0; i < chunks.length; i += 500) {
      const out = await fresh.redactAll(chunks.slice(i, i + 500));
      for (const [j, o] of out.entries()) {
        if (o === chunks[i + j]) continue;
        const m = /.{0,30}\[REDACTED:[a-z0-9-]+\].{0,30}/.exec(o);
        if (m && examples.length < 10) examples.push(JSON.stringify(m[0]));
      }
    }
  });
  const fp = [...fresh.counts.values()].reduce((a, n) => a + n, 0);
  const bytes = lines.reduce((a, l) => a + l.length + 1, 0);
  console.log(
    `false positives: ${fp} in ${lines.length} lines of ordinary code and prose = ${((fp * 10_000) / lines.length).toFixed(2)} per 10k lines (target ≤ 1)`,
  );
  for (const e of examples) console.log(`  ${e}`);
  console.log(
    `redaction alone: ${mib(bytes)} in ${scanMs.toFixed(0)} ms = ${(bytes / 1024 / 1024 / (scanMs / 1000)).toFixed(2)} MiB/s`,
  );

  // Throughput against the plain export.
  const { home, bytes: homeBytes } = generateHome(sessions, console.log);
  const run = (redact: boolean) => async (): Promise<void> => {
    for await (const row of exportDataset({ home, format: 'openai', redact })) void row;
  };
  const plain = await bestOf(2, run(false));
  const redacted = await bestOf(2, run(true));
  table([
    ['export (openai)', 'sessions', 'ms', 'MiB/s'],
    ['plain', sessions, plain.toFixed(0), (homeBytes / 1024 / 1024 / (plain / 1000)).toFixed(2)],
    ['redacted', sessions, redacted.toFixed(0), (homeBytes / 1024 / 1024 / (redacted / 1000)).toFixed(2)],
  ]);
  console.log(`redacted / plain: ${(redacted / plain).toFixed(2)}× the time of the plain export`);
}
