/**
 * A search for a common term: the first page is found by walking the sessions in the listing's
 * order and checking each one's messages, stopping when the page is full, rather than by
 * collecting every message that holds the term first. Every page still equals the file walk's,
 * for a common term, a rare one, and one found only far back.
 */
import { allPages } from '../helpers/index-ops.js';
import { describe, expect, it } from 'vitest';
import { listSessions, type ListSessionsOptions, type SessionSummary } from '../../src/index.js';
import { queryCounters } from '../../src/search-index/query.js';
import { tempDir } from '../helpers/temp.js';
import { writeRollout } from '../helpers/rollout-files.js';

const HOUR = 3_600_000;
const BASE = Date.UTC(2026, 2, 1);
const N = 240;

const all = (options: ListSessionsOptions): Promise<SessionSummary[]> => allPages(options, 7);

describe('searching for a common term', () => {
  it('compares the messages of about a page of sessions, and pages as the walk does', async () => {
    const home = await tempDir();
    for (let i = 0; i < N; i++) {
      await writeRollout(home, {
        createdAt: BASE + i * HOUR,
        // "common" in every session, "rare" in one of 40, "old" only in the first ten.
        userMessage: `a common word, task ${i}${i % 40 === 3 ? ' and a RARE one' : ''}${i < 10 ? ' (old)' : ''}`,
        cwd: `/work/p${i % 4}`,
        source: i % 5 === 0 ? 'exec' : 'cli',
        mtime: BASE + (N - i) * HOUR,
      });
    }
    await listSessions({ home }); // builds the index
    const before = queryCounters.compared;
    const page = await listSessions({ home, search: 'common', pageSize: 7 });
    expect(page.sessions).toHaveLength(7);
    expect(queryCounters.compared - before).toBeLessThan(N / 2);
    expect(page.sessions).toEqual(
      (await listSessions({ home, search: 'common', pageSize: 7, index: false })).sessions,
    );

    // With a sources filter: how many the filter left out among the page's range is counted the
    // same bounded way.
    const mid = queryCounters.compared;
    const filtered = await listSessions({ home, search: 'common', sources: ['cli'], pageSize: 7 });
    expect(queryCounters.compared - mid).toBeLessThan(N / 2);
    const walked = await listSessions({
      home,
      search: 'common',
      sources: ['cli'],
      pageSize: 7,
      index: false,
    });
    expect(filtered).toEqual({ ...walked, scannedFiles: filtered.scannedFiles });

    for (const c of [
      { search: 'common', sources: ['exec'] },
      { search: 'common' },
      { search: 'COMMON', sortKey: 'updated' as const },
      { search: 'common', cwd: '/work/p2' },
      { search: 'rare' },
      { search: 'old' },
      { search: 'old', sortKey: 'updated' as const },
      { search: 'task 1' },
    ]) {
      expect(await all({ home, ...c }), JSON.stringify(c)).toEqual(await all({ home, ...c, index: false }));
    }
  });
});
