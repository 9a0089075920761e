import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseRolloutFileName } from '../../src/files/layout.js';
import { locateSessions } from '../../src/files/locate.js';
import { tempDir } from '../helpers/temp.js';

const THREAD = '01a1fca4-bae3-7302-8aa2-92f8ac31aa3a';
const ROLLOUT = '01a1fca5-0000-7000-8000-000000000001';

describe('rollout file names', () => {
  it('reads the Codex 0.171 name of a reverted thread: the thread id, and the rollout id apart', () => {
    for (const ext of ['.jsonl', '.jsonl.zst']) {
      expect(parseRolloutFileName(`rollout-2026-11-21T05-24-14-${THREAD}_${ROLLOUT}${ext}`)).toEqual({
        id: THREAD,
        rolloutId: ROLLOUT,
        nameTime: Date.UTC(2026, 10, 21, 5, 24, 14),
        compressed: ext.endsWith('.zst'),
      });
    }
    expect(parseRolloutFileName(`rollout-2026-11-21T05-24-14-${THREAD}.jsonl`)).toEqual({
      id: THREAD,
      nameTime: Date.UTC(2026, 10, 21, 5, 24, 14),
      compressed: false,
    });
    expect(parseRolloutFileName(`rollout-2026-11-21T05-24-14-${THREAD}_not-a-uuid.jsonl`)).toBeUndefined();
  });

  it('locates a reverted thread by its thread id and by a prefix of it', async () => {
    const home = await tempDir();
    const dir = path.join(home, 'sessions', '2026', '11', '21');
    mkdirSync(dir, { recursive: true });
    const file = path.join(dir, `rollout-2026-11-21T05-24-14-${THREAD}_${ROLLOUT}.jsonl`);
    writeFileSync(file, '');
    for (const q of [THREAD, THREAD.slice(0, 13)]) {
      const { matches } = await locateSessions(home, q, {});
      expect(matches.map((m) => [m.id, m.path])).toEqual([[THREAD, file]]);
    }
  });
});
