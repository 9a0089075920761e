import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InvalidCursorError } from '../../src/errors.js';
import { parseRolloutFileName } from '../../src/files/layout.js';
import { uuidV7Time } from '../../src/format/ids.js';
import {
  iterateSessions,
  listSessions,
  type ListSessionsOptions,
  type SessionSummary,
} from '../../src/index.js';
import { placement, writeRollout, type RolloutSpec } from '../helpers/rollout-files.js';
import { tempDir } from '../helpers/temp.js';

const H = 3_600_000;
const BASE = Date.UTC(2026, 0, 10, 12, 0, 0, 0);

/** The order the lister promises: creation instant (id time, else name as UTC) desc, then id desc. */
function keyOf(s: { id: string; path: string }): [number, string] {
  return [uuidV7Time(s.id) ?? parseRolloutFileName(s.path)!.nameTime, s.id.toLowerCase()];
}
function expectedOrder<T extends { id: string; path: string }>(list: T[]): string[] {
  return [...list]
    .sort((a, b) => {
      const [ta, ia] = keyOf(a);
      const [tb, ib] = keyOf(b);
      return tb - ta || (ia < ib ? 1 : ia > ib ? -1 : 0);
    })
    .map((s) => s.id);
}

async function collect(
  options: ListSessionsOptions,
  between?: () => Promise<void>,
): Promise<SessionSummary[]> {
  const all: SessionSummary[] = [];
  let cursor: string | null = null;
  for (let guard = 0; guard < 10_000; guard++) {
    const page = await listSessions({ ...options, cursor });
    all.push(...page.sessions);
    if (page.nextCursor === null) return all;
    cursor = page.nextCursor;
    await between?.();
  }
  throw new Error('paging did not end');
}

const msg = (i: number): Partial<RolloutSpec> => ({ userMessage: `message ${i}` });

describe('order', () => {
  it('is newest first, ties in the same millisecond broken by id descending', async () => {
    const home = await tempDir();
    const written = [];
    for (let i = 0; i < 12; i++) {
      // Four sessions per millisecond, three milliseconds in one second.
      written.push(await writeRollout(home, { createdAt: BASE + (i % 3), ...msg(i) }));
    }
    const page = await listSessions({ home, pageSize: 100 });
    expect(page.sessions.map((s) => s.id)).toEqual(expectedOrder(written));
    expect(page.nextCursor).toBeNull();
  });

  it.each([1, 2, 3, 5, 11, 12, 13])('pages of %i return every session once, in order', async (pageSize) => {
    const home = await tempDir();
    const written = [];
    for (let i = 0; i < 12; i++)
      written.push(await writeRollout(home, { createdAt: BASE + (i % 2) * 1000, ...msg(i) }));
    const all = await collect({ home, pageSize });
    expect(all.map((s) => s.id)).toEqual(expectedOrder(written));
  });

  it('says null at the end even when the last page is full', async () => {
    const home = await tempDir();
    for (let i = 0; i < 4; i++) await writeRollout(home, { createdAt: BASE + i, ...msg(i) });
    const p1 = await listSessions({ home, pageSize: 2 });
    expect(p1.nextCursor).not.toBeNull();
    const p2 = await listSessions({ home, pageSize: 2, cursor: p1.nextCursor });
    expect(p2.sessions).toHaveLength(2);
    expect(p2.nextCursor).toBeNull();
  });

  it('rejects a malformed cursor instead of returning an empty page', async () => {
    const home = await tempDir();
    await expect(listSessions({ home, cursor: 'nope' })).rejects.toBeInstanceOf(InvalidCursorError);
  });

  it('returns an empty page for a home without sessions', async () => {
    const home = await tempDir();
    expect(await listSessions({ home })).toMatchObject({
      sessions: [],
      nextCursor: null,
      reachedScanCap: false,
    });
  });

  it('rejects on an aborted signal', async () => {
    const home = await tempDir();
    await writeRollout(home, { createdAt: BASE, ...msg(0) });
    await expect(listSessions({ home, signal: AbortSignal.abort() })).rejects.toThrow();
  });
});

describe('files written in local time (Codex CLI under a non-UTC zone)', () => {
  it('returns the exact order although folders disagree with it (+13 h and -11 h writers)', async () => {
    const home = await tempDir();
    // B is older but a +13 h writer files it on the next day; A, from a -11 h writer, is newest.
    const a = await writeRollout(home, {
      createdAt: Date.UTC(2026, 0, 10, 12),
      offsetMinutes: -11 * 60,
      ...msg(1),
    });
    const b = await writeRollout(home, {
      createdAt: Date.UTC(2026, 0, 10, 11),
      offsetMinutes: 13 * 60,
      ...msg(2),
    });
    const c = await writeRollout(home, { createdAt: Date.UTC(2026, 0, 10, 10), ...msg(3) });
    expect(placement(b.createdAt, b.id, 13 * 60)[0]).toBe('2026/01/11');
    expect(placement(a.createdAt, a.id, -11 * 60)[0]).toBe('2026/01/10');
    const ids = (await collect({ home, pageSize: 1 })).map((s) => s.id);
    expect(ids).toEqual([a.id, b.id, c.id]);
  });

  it('keeps reading folders up to 14 h back before ending a page', async () => {
    const home = await tempDir();
    // Newest session in a folder two days before the one a +14 h writer filed.
    const newest = await writeRollout(home, {
      createdAt: Date.UTC(2026, 2, 3, 9, 59),
      offsetMinutes: -12 * 60,
      ...msg(1),
    });
    const ahead = await writeRollout(home, {
      createdAt: Date.UTC(2026, 2, 3, 9, 58),
      offsetMinutes: 14 * 60,
      ...msg(2),
    });
    expect(placement(newest.createdAt, newest.id, -12 * 60)[0]).toBe('2026/03/02');
    expect(placement(ahead.createdAt, ahead.id, 14 * 60)[0]).toBe('2026/03/03');
    const page = await listSessions({ home, pageSize: 1 });
    expect(page.sessions.map((s) => s.id)).toEqual([newest.id]);
  });

  it('orders a non-v7 id by its file name read as UTC', async () => {
    const home = await tempDir();
    const v4 = await writeRollout(home, {
      createdAt: Date.UTC(2026, 0, 10, 6),
      offsetMinutes: 13 * 60,
      idVersion: 4,
      ...msg(1),
    });
    const v7 = await writeRollout(home, { createdAt: Date.UTC(2026, 0, 10, 12), ...msg(2) });
    // The v4 file is named 19:00 local, so it sorts before the v7 session made at 12:00 UTC.
    const page = await listSessions({ home });
    expect(page.sessions.map((s) => s.id)).toEqual([v4.id, v7.id]);
    expect(page.sessions[0]!.createdAt).toBe(new Date(v4.createdAt).toISOString());
  });
});

describe('paging property', () => {
  const offsets = [0, 0, -11 * 60, -12 * 60, 13 * 60, 14 * 60, 5 * 60 + 30];
  const sessionArb = fc.record({
    // Few distinct seconds and milliseconds over three days: many ties, many folder crossings.
    hour: fc.integer({ min: 0, max: 72 }),
    second: fc.integer({ min: 0, max: 2 }),
    ms: fc.constantFrom(0, 1, 999),
    offset: fc.constantFrom(...offsets),
    v4: fc.boolean(),
  });
  type S = { hour: number; second: number; ms: number; offset: number; v4: boolean };
  const spec = (s: S, i: number): RolloutSpec => ({
    createdAt: BASE + s.hour * H + s.second * 1000 + s.ms,
    offsetMinutes: s.offset,
    idVersion: s.v4 ? 4 : 7,
    userMessage: `m${i}`,
  });

  it('collects every session exactly once, in order, for any home, page size and scan cap', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(sessionArb, { maxLength: 30 }),
        fc.integer({ min: 1, max: 8 }),
        fc.option(fc.integer({ min: 1, max: 12 }), { nil: undefined }),
        async (sessions, pageSize, scanCap) => {
          const home = await tempDir();
          const written = [];
          for (const [i, s] of sessions.entries()) written.push(await writeRollout(home, spec(s, i)));
          const all = await collect({ home, pageSize, scanCap });
          expect(all.map((s) => s.id)).toEqual(expectedOrder(written));
        },
      ),
      { numRuns: 40 },
    );
  });

  it('never repeats nor misses a pre-existing session when sessions are added between pages', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(sessionArb, { minLength: 1, maxLength: 25 }),
        fc.array(fc.array(sessionArb, { maxLength: 3 }), { maxLength: 10 }),
        fc.integer({ min: 1, max: 6 }),
        async (sessions, additions, pageSize) => {
          const home = await tempDir();
          const written = [];
          for (const [i, s] of sessions.entries()) written.push(await writeRollout(home, spec(s, i)));
          let round = 0;
          const all = await collect({ home, pageSize }, async () => {
            for (const [i, s] of (additions[round++] ?? []).entries())
              await writeRollout(home, spec(s, 1000 + i));
          });
          const ids = all.map((s) => s.id);
          expect(new Set(ids).size).toBe(ids.length);
          const seen = new Set(ids);
          for (const w of written) expect(seen.has(w.id)).toBe(true);
          // Whatever was returned is in strictly descending order.
          expect(ids).toEqual(expectedOrder(all));
        },
      ),
      { numRuns: 40 },
    );
  });
});

describe('cost follows the page', () => {
  it('opens about a page of files in a large home', async () => {
    const home = await tempDir();
    for (let day = 0; day < 40; day++) {
      for (let i = 0; i < 3; i++)
        await writeRollout(home, { createdAt: BASE - day * 24 * H + i * H, ...msg(i) });
    }
    const page = await listSessions({ home, pageSize: 4 });
    expect(page.sessions).toHaveLength(4);
    expect(page.scannedFiles).toBeLessThanOrEqual(5);
    const later = await listSessions({ home, pageSize: 4, cursor: page.nextCursor });
    expect(later.scannedFiles).toBeLessThanOrEqual(5);
  });
});

describe('scan cap', () => {
  it('stops at the cap, says so, and paging still collects everything once', async () => {
    const home = await tempDir();
    const written = [];
    for (let day = 0; day < 20; day++)
      written.push(await writeRollout(home, { createdAt: BASE - day * 24 * H, ...msg(day) }));
    const first = await listSessions({ home, pageSize: 10, scanCap: 5 });
    expect(first.reachedScanCap).toBe(true);
    expect(first.sessions.length).toBeLessThan(10);
    expect(first.nextCursor).not.toBeNull();
    const all = await collect({ home, pageSize: 10, scanCap: 5 });
    expect(all.map((s) => s.id)).toEqual(expectedOrder(written));
  });
});

describe("sortKey 'updated'", () => {
  it('orders by modification time, then id, and pages through', async () => {
    const home = await tempDir();
    const written = [];
    for (let i = 0; i < 9; i++) {
      written.push(
        await writeRollout(home, {
          createdAt: BASE + i * H,
          mtime: Date.UTC(2026, 5, 1) + ((i * 7) % 4) * 1000,
          ...msg(i),
        }),
      );
    }
    const expected = [...written]
      .map((w, i) => ({ id: w.id, m: (i * 7) % 4 }))
      .sort((a, b) => b.m - a.m || (a.id < b.id ? 1 : -1))
      .map((w) => w.id);
    const all = await collect({ home, pageSize: 2, sortKey: 'updated' });
    expect(all.map((s) => s.id)).toEqual(expected);
    expect(all[0]!.updatedAt).toBe(new Date(Date.UTC(2026, 5, 1) + 3000).toISOString());
  });
});

describe('iterateSessions', () => {
  it('yields what paging returns, and stops when the loop breaks', async () => {
    const home = await tempDir();
    for (let i = 0; i < 30; i++) await writeRollout(home, { createdAt: BASE - i * 5 * H, ...msg(i) });
    const paged = (await collect({ home, pageSize: 7 })).map((s) => s.id);
    const iterated: string[] = [];
    for await (const s of iterateSessions({ home })) iterated.push(s.id);
    expect(iterated).toEqual(paged);
    const after = await listSessions({ home, pageSize: 10 });
    const rest: string[] = [];
    for await (const s of iterateSessions({ home, cursor: after.nextCursor })) {
      rest.push(s.id);
      if (rest.length === 3) break;
    }
    expect(rest).toEqual(paged.slice(10, 13));
  });
});
