import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { runTimeline, timelineArb, timelineCounts } from '../helpers/timeline-model.js';

// Five seeds of five long sequences each: every test stays well inside the stress suite's bound.
describe('record, snapshot, rewind, undo and fork on one timeline (property, large)', () => {
  it.each([1313, 2626, 3939, 5252, 6565])(
    'every message of the head keeps the workspace state linked to it (seed %i)',
    async (seed) => {
      const before = { ...timelineCounts };
      await fc.assert(
        fc.asyncProperty(timelineArb(10, 24), (steps) => runTimeline(steps)),
        { numRuns: 5, seed },
      );
      expect(timelineCounts.rewind).toBeGreaterThan(before.rewind);
    },
  );
});
