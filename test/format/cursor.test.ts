import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InvalidCursorError } from '../../src/errors.js';
import { compareKeys, decodeCursor, encodeCursor } from '../../src/format/cursor.js';

const ID = '0192f0a1-2b3c-7d4e-8f60-718293a4b5c6';

describe('cursor', () => {
  it('has the app-server shape', () => {
    expect(encodeCursor({ time: Date.UTC(2026, 10, 21, 5, 24, 14, 877), id: ID })).toBe(
      `2026-11-21T05:24:14.877Z|${ID}`,
    );
  });

  it('round-trips any instant and id, lower-casing the id', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 253402300799999 }),
        fc.uuid(),
        fc.boolean(),
        (time, id, upper) => {
          const given = upper ? id.toUpperCase() : id;
          expect(decodeCursor(encodeCursor({ time, id: given }))).toEqual({ time, id: id.toLowerCase() });
        },
      ),
    );
  });

  it.each([
    ['', 'empty'],
    ['garbage', 'no separator'],
    [`2026-11-21T05:24:14Z|${ID}`, 'no milliseconds'],
    [`2026-11-21T05:24:14.877+01:00|${ID}`, 'not UTC'],
    [`2026-02-30T05:24:14.877Z|${ID}`, 'impossible date'],
    ['2026-11-21T05:24:14.877Z|not-an-id', 'bad id'],
    [`2026-11-21T05:24:14.877Z|${ID}|x`, 'extra field'],
    [`2026-11-21T05:24:14.877Z`, 'no id'],
  ])('rejects %j (%s)', (cursor) => {
    expect(() => decodeCursor(cursor)).toThrow(InvalidCursorError);
  });

  it('orders newest first, then by id descending', () => {
    const a = { time: 2, id: 'a' };
    const b = { time: 1, id: 'b' };
    const c = { time: 1, id: 'c' };
    expect([b, a, c].sort(compareKeys)).toEqual([a, c, b]);
    expect(compareKeys(a, { ...a })).toBe(0);
  });
});
