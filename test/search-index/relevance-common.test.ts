/**
 * A relevance search for a term most sessions hold: the ranking needs every hit's bm25, but not
 * every hit's text. The literal check (`rl_contains`) is made for the messages that place the
 * sessions up to the page's end, not for every message the full-text index matched, and the page
 * equals the exact ranking: each session placed by its best message that holds the term
 * literally, a session whose matches are none literal left out.
 */
import { describe, expect, it } from 'vitest';
import { listSessions, type ListSessionsOptions } from '../../src/index.js';
import { queryCounters } from '../../src/search-index/query.js';
import { loadSqlite } from '../../src/search-index/sqlite.js';
import { indexPath } from '../../src/search-index/store.js';
import { tempDir } from '../helpers/temp.js';
import { appendAgentMessage, writeRollout } from '../helpers/rollout-files.js';

const HOUR = 3_600_000;
const BASE = Date.UTC(2026, 4, 1);

const say = (file: string, message: string): Promise<void> => appendAgentMessage(file, message, BASE);

/**
 * The ranking as the index defines it, computed the slow way: every message the full-text index
 * matches, kept when its text holds the term (JS lower-casing, as the walk compares), each session
 * placed by its best (lowest) bm25, then newest first.
 */
function exactRanking(home: string, term: string): string[] {
  const Database = loadSqlite();
  const db = new Database(indexPath(home), { readonly: true });
  try {
    const rows = db
      .prepare(
        'WITH r AS MATERIALIZED (SELECT rowid AS mid, bm25(msg_fts) AS score FROM msg_fts WHERE msg_fts MATCH ?) ' +
          'SELECT f.id AS id, f.created AS created, r.score AS score, m.text AS text FROM r ' +
          'JOIN msgs m ON m.mid = r.mid JOIN files f ON f.fid = m.fid',
      )
      .all(`"${term}"`) as { id: string; created: number; score: number; text: string }[];
    const best = new Map<string, { score: number; created: number }>();
    for (const r of rows) {
      if (!r.text.toLowerCase().includes(term)) continue;
      const b = best.get(r.id);
      if (b === undefined || r.score < b.score) best.set(r.id, { score: r.score, created: r.created });
    }
    return [...best]
      .sort(([a, x], [b, y]) => x.score - y.score || y.created - x.created || (a < b ? 1 : -1))
      .map(([id]) => id);
  } finally {
    db.close();
  }
}

async function ranked(options: ListSessionsOptions, pageSize: number): Promise<string[]> {
  const ids: string[] = [];
  let cursor: string | null = null;
  do {
    const p = await listSessions({ ...options, sortKey: 'relevance', pageSize, cursor });
    ids.push(...p.sessions.map((s) => s.id));
    cursor = p.nextCursor;
  } while (cursor !== null);
  return ids;
}

describe('relevance for a common term', () => {
  it('checks the text of about the messages up to the page, and ranks as the exact ranking', async () => {
    const home = await tempDir('ar-relc-');
    const N = 200;
    for (let i = 0; i < N; i++) {
      const { path } = await writeRollout(home, {
        createdAt: BASE + i * HOUR,
        userMessage: `the common word ${'and filler '.repeat(i % 13)}in session ${i}`,
      });
      await say(path, `${'common '.repeat(1 + (i % 5))}again`);
      await say(path, `nothing here ${i}`);
    }
    await listSessions({ home }); // builds the index
    const before = queryCounters.compared;
    const first = await listSessions({ home, search: 'common', sortKey: 'relevance', pageSize: 10 });
    expect(first.sessions).toHaveLength(10);
    expect(queryCounters.compared - before).toBeLessThan(N / 2);
    // The third page: the messages placing the sessions of the first three pages, not every hit.
    const second = await listSessions({
      home,
      search: 'common',
      sortKey: 'relevance',
      pageSize: 10,
      cursor: first.nextCursor,
    });
    const mid = queryCounters.compared;
    await listSessions({
      home,
      search: 'common',
      sortKey: 'relevance',
      pageSize: 10,
      cursor: second.nextCursor,
    });
    expect(queryCounters.compared - mid).toBeLessThan(N / 2);

    expect(await ranked({ home, search: 'common' }, 10)).toEqual(exactRanking(home, 'common'));
  });

  it('places a session by its best literal match when a better full-text match is not literal', async () => {
    // "ſ" (long s) folds to "s" in the full-text index, not under JS lower-casing: "reſult" is a
    // full-text match of "result" that the walk would not find.
    const home = await tempDir('ar-relc-');
    const a = await writeRollout(home, { createdAt: BASE, userMessage: 'reſult' });
    await say(a.path, `the result is in a long message ${'with many more words '.repeat(30)}`);
    const b = await writeRollout(home, { createdAt: BASE + HOUR, userMessage: 'a result, said once here' });
    const c = await writeRollout(home, { createdAt: BASE + 2 * HOUR, userMessage: 'reſult reſult' });
    for (let i = 0; i < 30; i++) {
      const { path } = await writeRollout(home, {
        createdAt: BASE + (3 + i) * HOUR,
        userMessage: `the result of step ${i} ${'and more '.repeat(i % 7)}`,
      });
      if (i % 3 === 0) await say(path, 'reſult');
    }
    await listSessions({ home });
    const exact = exactRanking(home, 'result');
    expect(exact).not.toContain(c.id);
    expect(exact).toContain(a.id);
    expect(exact.indexOf(a.id)).toBeGreaterThan(exact.indexOf(b.id));

    // Every page size, so the non-literal best match falls inside, before and after a page.
    for (const size of [1, 2, 5, 40]) {
      expect(await ranked({ home, search: 'result' }, size), `page size ${size}`).toEqual(exact);
    }
    // The hit set is the walk's.
    const walked = await listSessions({ home, search: 'result', index: false, pageSize: 100 });
    expect([...exact].sort()).toEqual(walked.sessions.map((s) => s.id).sort());
  });
});
