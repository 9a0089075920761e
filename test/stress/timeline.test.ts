import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { runTimeline, timelineArb, timelineCounts } from '../helpers/timeline-model.js';

describe('record, snapshot, rewind, undo and fork on one timeline (property, large)', () => {
  it('every message of the head keeps the workspace state linked to it', async () => {
    await fc.assert(
      fc.asyncProperty(timelineArb(10, 30), (steps) => runTimeline(steps)),
      { numRuns: 25, seed: 1313 },
    );
    // The runs did exercise every operation (fixed seed keeps this stable).
    expect(timelineCounts.rewind).toBeGreaterThan(0);
    expect(timelineCounts.undo).toBeGreaterThan(0);
    expect(timelineCounts.fork).toBeGreaterThan(0);
  });
});
