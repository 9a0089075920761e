/**
 * The invariant of the session index: after any sequence of what happens to a home (our recorder
 * creating and resuming sessions, a foreign writer appending under the writer lock as the Codex CLI
 * does, archive, unarchive, delete, rename, a file damaged, the index deleted), every listing the
 * index answers equals the file walk's answer, for every sort, filter and a search. (With pauses
 * that take every file out of its racy tick: `test/stress/search-index.test.ts`.)
 */
import fc from 'fast-check';
import { describe, it } from 'vitest';
import { checkOps, op } from '../helpers/index-ops.js';

describe('the index-backed listing equals the file walk', () => {
  it('after every step of random interleavings of operations', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(op, { minLength: 1, maxLength: 8 }), (ops) => checkOps(ops)),
      { numRuns: 12 },
    );
  });
});
