import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { runTimeline, timelineArb, timelineCounts } from '../helpers/timeline-model.js';

// A small run of the timeline property; test/stress/timeline.test.ts runs many more, longer.
describe('record, snapshot, rewind, undo and fork on one timeline (property)', () => {
  it('every message of the head keeps the workspace state linked to it', async () => {
    await fc.assert(
      fc.asyncProperty(timelineArb(3, 8), (steps) => runTimeline(steps)),
      { numRuns: 6, seed: 13 },
    );
    // The runs did exercise every operation (fixed seed keeps this stable).
    expect(timelineCounts.rewind).toBeGreaterThan(0);
    expect(timelineCounts.undo).toBeGreaterThan(0);
    expect(timelineCounts.fork).toBeGreaterThan(0);
  }, 600_000);
});
