/**
 * The session-index property (see `test/search-index/index-equals-files.test.ts`) with a pause
 * before every step, so that every file and folder has left its racy tick: each change must be
 * found by the reconcile's stat comparisons (date folders, the writer-lock folder, the recorder's
 * notes), not by the re-check of recently changed files.
 */
import fc from 'fast-check';
import { describe, it } from 'vitest';
import { checkOps, op } from '../helpers/index-ops.js';

describe('the index-backed listing equals the file walk, changes found by stats alone', () => {
  it('after every step of random interleavings, each step 2.5 s after the last', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(op, { minLength: 2, maxLength: 7 }), (ops) => checkOps(ops, 2500)),
      { numRuns: 6 },
    );
  }, 1_800_000);

  it("a fork whose parent file then goes, is archived or is damaged (the fork's history is in it)", async () => {
    const record = { kind: 'record' as const, text: 1, cwd: 0, source: 0, provider: 0 };
    for (const last of ['delete', 'archive', 'damage'] as const) {
      // A session recorded between: its listings come after the fork's racy tick, and store the
      // fork as settled.
      await checkOps([record, { kind: 'fork', target: 0, text: 4 }, record, { kind: last, target: 0 }], 2500);
    }
  }, 600_000);
});
