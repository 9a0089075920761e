/**
 * The invariant of the session index: after any sequence of what happens to a home (our recorder
 * creating and resuming sessions, a foreign writer appending under the writer lock as the Codex CLI
 * does, archive, unarchive, delete, rename, a file damaged, the index deleted), every listing the
 * index answers equals the file walk's answer, for every sort, filter and a search. (With pauses
 * that take every file out of its racy tick: `test/stress/search-index.test.ts`.)
 */
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { walkCounters } from '../../src/search-index/reconcile.js';
import { watchTuning } from '../../src/search-index/watch.js';
import { checkOps, op } from '../helpers/index-ops.js';

const saved = { ...watchTuning };
afterEach(() => {
  Object.assign(watchTuning, saved);
});

// Folders found changed by stat on every listing, or (after the first) by the folder watch.
describe.each([
  ['checked by stat', { enabled: false, minFolders: 64 }],
  ['watched', { enabled: true, minFolders: 0 }],
])('the index-backed listing equals the file walk, folders %s', (_name, tuning) => {
  it('after every step of random interleavings of operations', async () => {
    Object.assign(watchTuning, tuning);
    const marked = walkCounters.marked;
    await fc.assert(
      fc.asyncProperty(fc.array(op, { minLength: 1, maxLength: 8 }), (ops) => checkOps(ops)),
      { numRuns: 12 },
    );
    if (tuning.enabled) expect(walkCounters.marked, 'the watch was used').toBeGreaterThan(marked);
  });
});
