import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { InvalidRolloutError, readRollout, streamRollout, validateRollout } from '../../src/index.js';
import { tempDir } from '../helpers/temp.js';
import type { BadCase } from '../helpers/bad-corpus.js';
import { corpus, corpusDir, homeWithCase } from '../helpers/bad-corpus.js';

/** The case placed under a real rollout name. */
const place = async (c: BadCase): Promise<string> => (await homeWithCase(c)).file;

describe('the damaged-input corpus', () => {
  it('has at least 24 static cases', () => {
    expect(corpus.cases.length).toBeGreaterThanOrEqual(24);
  });

  describe.each(corpus.cases)('$file ($note)', (c) => {
    it(`readRollout: ${c.reader}`, async () => {
      const file = await place(c);
      const result = await readRollout(file).catch((e: unknown) => e);
      if (c.reader === 'refused') {
        expect(result).toBeInstanceOf(InvalidRolloutError);
        expect((result as InvalidRolloutError).path).toBe(file);
        return;
      }
      expect(result).not.toBeInstanceOf(Error);
      const read = result as Awaited<ReturnType<typeof readRollout>>;
      if (c.reader === 'ok') expect(read.errors).toEqual([]);
      else {
        expect(read.errors.length).toBeGreaterThan(0);
        for (const e of read.errors) expect(e.line).toBeGreaterThanOrEqual(1);
      }
      // Streaming gives the same lines (compared by type and order: a deep equality check would
      // itself overflow the stack on the deep-nesting case).
      const streamed = [];
      for await (const line of streamRollout(file)) streamed.push(line);
      expect(streamed.map((l) => l.type)).toEqual(read.lines.map((l) => l.type));
    });

    it('validateRollout returns problems and never throws', async () => {
      const file = await place(c);
      const problems = await validateRollout(file);
      if (c.reader !== 'ok') expect(problems.length).toBeGreaterThan(0);
      for (const p of problems) {
        expect(p.line).toBeGreaterThanOrEqual(0);
        expect(p.message).not.toBe('');
      }
    });
  });

  it('reads a 20 MB single line', async () => {
    const dir = await tempDir();
    const file = path.join(dir, `rollout-2026-11-21T05-24-14-${corpus.id}.jsonl`);
    const big = 'é'.repeat(10 * 1024 * 1024);
    const { writeFile } = await import('node:fs/promises');
    await writeFile(
      file,
      readFileSync(path.join(corpusDir, 'meta-only.jsonl'), 'utf8') +
        JSON.stringify({
          timestamp: '2026-11-21T05:24:14.877Z',
          type: 'event_msg',
          payload: { type: 'agent_message', message: big },
        }) +
        '\n',
    );
    const read = await readRollout(file);
    expect(read.errors).toEqual([]);
    expect((read.items[0]!.payload as { message: string }).message.length).toBe(big.length);
    expect(await validateRollout(file)).toEqual([]);
  });
});
