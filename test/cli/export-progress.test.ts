import { describe, expect, it } from 'vitest';
import { progressText } from '../../src/cli/commands/export.js';

describe('export progress on a terminal', () => {
  it.each([
    // count, total, exact, elapsed ms, text
    [3, undefined, true, 1000, 'exported 3 sessions'],
    [0, 10, true, 0, 'exported 0/10 sessions'],
    [3, 10, true, 3000, 'exported 3/10 sessions, about 7s left'],
    [10, 1000, true, 20_000, 'exported 10/1000 sessions, about 33 min left'],
    [10, 10, true, 5000, 'exported 10/10 sessions'],
    [3, 10, false, 3000, 'exported 3 of at most 10 sessions'],
  ] as const)('%i of %s (exact: %s) after %i ms: %s', (count, total, exact, elapsed, text) => {
    expect(progressText(count, total, exact, 1_000_000, 1_000_000 + elapsed)).toBe(text);
  });
});
