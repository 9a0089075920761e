import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Step } from '../helpers/timeline-model.js';
import { runTimeline, timelineArb, timelineCounts } from '../helpers/timeline-model.js';

/**
 * Found by the large run: a folder emptied after a snapshot stays through a rewind to it (a Git
 * tree holds no empty folder), and the undo after it must still bring back the exact state.
 */
const EMPTIED_FOLDER: Step[] = [
  { kind: 'record', role: 'user', edits: [{ file: 1, op: 'write', text: '#!/bin/sh\n' }] },
  { kind: 'snapshot' },
  {
    kind: 'record',
    role: 'assistant',
    edits: [
      { file: 2, op: 'write', text: 'c' },
      { file: 1, op: 'chmod', text: '' },
    ],
  },
  { kind: 'snapshot' },
  { kind: 'record', role: 'user', edits: [{ file: 2, op: 'delete', text: '' }] },
  { kind: 'rewind', pick: 0 },
  { kind: 'snapshot' },
  { kind: 'record', role: 'user', edits: [] },
  { kind: 'undo' },
  { kind: 'snapshot' },
  { kind: 'record', role: 'user', edits: [] },
  { kind: 'snapshot' },
  { kind: 'rewind', pick: 0 },
  { kind: 'record', role: 'user', edits: [] },
];

// A small run of the timeline property; test/stress/timeline.test.ts runs many more, longer.
describe('record, snapshot, rewind, undo and fork on one timeline (property)', () => {
  it('every message of the head keeps the workspace state linked to it', async () => {
    await fc.assert(
      fc.asyncProperty(timelineArb(3, 8), (steps) => runTimeline(steps)),
      { numRuns: 6, seed: 13, examples: [[EMPTIED_FOLDER]] },
    );
    // The runs did exercise every operation (fixed seed keeps this stable).
    expect(timelineCounts.rewind).toBeGreaterThan(0);
    expect(timelineCounts.undo).toBeGreaterThan(0);
    expect(timelineCounts.fork).toBeGreaterThan(0);
  }, 600_000);
});
