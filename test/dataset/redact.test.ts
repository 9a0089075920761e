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
