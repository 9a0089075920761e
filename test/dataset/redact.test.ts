import { performance } from 'node:perf_hooks';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createSecretRedactor } from '../../src/index.js';
import { ordinaryLines, plantedSecrets } from '../../bench/_secret-corpus.js';

describe('createSecretRedactor', () => {
  const r = createSecretRedactor();

  it('catches every planted secret of the corpus (15+ kinds) with its stable marker', async () => {
    const planted = plantedSecrets();
    expect(new Set(planted.map((p) => p.kind)).size).toBeGreaterThanOrEqual(15);
    const out = await r.redactAll(planted.map((p) => p.text));
    const missed = planted.filter(
      (p, i) => out[i]!.includes(p.secret) || !out[i]!.includes(`[REDACTED:${p.kind}]`),
    );
    expect(missed.map((p) => p.kind)).toEqual([]);
  });

  it('redacting again changes nothing more, and batches agree with one text at a time', async () => {
    const planted = plantedSecrets();
    const once = await r.redactAll(planted.map((p) => p.text));
    expect(await r.redactAll(once)).toEqual(once);
    for (const [i, p] of planted.slice(0, 8).entries()) expect(await r.redact(p.text)).toBe(once[i]);
  });

  it('leaves no performance entries behind, however many texts it scans', async () => {
    // secretlint marks every call on the process-wide performance timeline and keeps each entry in
    // a list it searches on every mark: without clearing, a long export slows down call by call and
    // its memory grows with every session.
    const own = (): number =>
      performance.getEntries().filter((e) => e.name.includes('@core>') || e.name.includes('||')).length;
    performance.mark('user-mark');
    for (let i = 0; i < 300; i++) await r.redact(`call ${i}: AKIAQWERTYUIOPASDFGH and more text`);
    await new Promise((resolve) => setImmediate(resolve));
    expect(own()).toBe(0);
    // Marks of the caller's own are left alone.
    expect(performance.getEntriesByName('user-mark')).toHaveLength(1);
    performance.clearMarks('user-mark');
  });

  it('keeps the rest of the text byte for byte', async () => {
    const key = 'AKIAQWERTYUIOPASDFGH';
    expect(await r.redact(`before ${key} after\n`)).toBe('before [REDACTED:aws-access-key-id] after\n');
    expect(await r.redact(`DB_PASSWORD=hunter2hunter\nPORT=1\n`)).toBe(
      'DB_PASSWORD=[REDACTED:env-secret]\nPORT=1\n',
    );
  });

  it('leaves text without secrets as it is (property)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.constantFrom(...'abc def =:/\n{}"'.split('')), { maxLength: 200 }),
        async (chars) => {
          const text = chars.join('');
          expect(await r.redact(text)).toBe(text);
        },
      ),
      { numRuns: 50 },
    );
  });

  it('finds at most 1 false positive per 10k lines of ordinary code and prose', async () => {
    const lines = ordinaryLines(20_000);
    const chunks: string[] = [];
    for (let i = 0; i < lines.length; i += 40) chunks.push(lines.slice(i, i + 40).join('\n'));
    const fresh = createSecretRedactor();
    await fresh.redactAll(chunks);
    const found = [...fresh.counts.values()].reduce((a, n) => a + n, 0);
    expect((found * 10_000) / lines.length).toBeLessThanOrEqual(1);
  });
});
