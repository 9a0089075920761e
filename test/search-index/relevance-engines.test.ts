/**
 * The relevance order has two engines: the session index ranks by bm25, the file walk (no index)
 * gives the hits in created order. A cursor names the engine that made it, so a search paged across
 * an engine switch (the index locked by another process, the index turned off) neither repeats nor
 * misses a hit.
 */
import { readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { listSessions, type ListSessionsOptions, type SessionSummary } from '../../src/index.js';
import { indexCounters } from '../../src/lister/indexed.js';
import { loadSqlite } from '../../src/search-index/sqlite.js';
import { IndexStore, indexPath } from '../../src/search-index/store.js';
import { tempDir } from '../helpers/temp.js';
import { writeRollout } from '../helpers/rollout-files.js';

const DAY = 86_400_000;
const BASE = Date.UTC(2026, 3, 1);
const PAGE = 3;

/** Hits whose bm25 rank is far from their created order (more mentions in older sessions). */
async function home(): Promise<string> {
  const h = await tempDir('ar-rank-');
  for (let i = 0; i < 10; i++) {
    await writeRollout(h, {
      createdAt: BASE + i * DAY,
      userMessage: `${'parser '.repeat(10 - i)}session ${i} ${'filler words '.repeat(i * 3)}`,
    });
  }
  await writeRollout(h, { createdAt: BASE + 20 * DAY, userMessage: 'nothing to find here' });
  return h;
}

/** Pages a relevance search, each page with the options `page(n)` gives (n from 0). */
async function traverse(
  h: string,
  page: (n: number) => Partial<ListSessionsOptions>,
): Promise<{ ids: string[]; engines: string }> {
  const ids: string[] = [];
  let engines = '';
  let cursor: string | null = null;
  for (let n = 0; n < 20; n++) {
    const answered = indexCounters.answered;
    const p = await listSessions({
      home: h,
      search: 'parser',
      sortKey: 'relevance',
      pageSize: PAGE,
      cursor,
      ...page(n),
    });
    engines += indexCounters.answered > answered ? 'i' : 'f';
    ids.push(...p.sessions.map((s: SessionSummary) => s.id));
    cursor = p.nextCursor;
    if (cursor === null) break;
  }
  return { ids, engines };
}

async function hits(h: string): Promise<string[]> {
  const p = await listSessions({ home: h, search: 'parser', index: false, pageSize: 100 });
  return p.sessions.map((s) => s.id).sort();
}

describe('relevance paging across the two engines', () => {
  it('a cursor the file walk made is continued by the file walk, even where the index could answer', async () => {
    const h = await home();
    const got = await traverse(h, (n) => (n === 0 ? { index: false } : {}));
    expect(got.engines).toBe('ffff');
    expect([...got.ids].sort()).toEqual(await hits(h));
    expect(new Set(got.ids).size).toBe(got.ids.length);
  });

  it('a cursor the index made is continued by the index while another process holds its write lock', async () => {
    const h = await home();
    const first = await listSessions({ home: h, search: 'parser', sortKey: 'relevance', pageSize: PAGE });
    // bm25 puts the oldest session (ten mentions, no filler) first, where created order puts it last.
    expect(first.sessions[0]!.preview).toMatch(/^(parser ){10}/);
    const Database = loadSqlite();
    const locker = new Database(indexPath(h));
    locker.exec('BEGIN IMMEDIATE');
    try {
      // Something new for the index to read, so a listing needs the (held) write lock to catch up.
      await writeRollout(h, { createdAt: BASE + 30 * DAY, userMessage: 'still nothing here' });
      const ids = first.sessions.map((s) => s.id);
      const fellBack = indexCounters.fellBack;
      let cursor = first.nextCursor;
      while (cursor !== null) {
        const p = await listSessions({
          home: h,
          search: 'parser',
          sortKey: 'relevance',
          pageSize: PAGE,
          cursor,
        });
        ids.push(...p.sessions.map((s) => s.id));
        cursor = p.nextCursor;
      }
      // The up-to-date index could not answer (locked), its ranking as it stood did.
      expect(indexCounters.fellBack).toBeGreaterThan(fellBack);
      expect([...ids].sort()).toEqual(await hits(h));
      expect(new Set(ids).size).toBe(ids.length);
    } finally {
      locker.exec('ROLLBACK');
      locker.close();
    }
  }, 60_000);

  it('a cursor the index made is refused, not paged from half-built tables, when that index was emptied since and is locked', async () => {
    const h = await home();
    const first = await listSessions({ home: h, search: 'parser', sortKey: 'relevance', pageSize: PAGE });
    expect(first.nextCursor).toMatch(/\|relevance:[0-9a-f]{8}$/);
    // Another process starts a rebuild: the tables made anew, empty, and its write lock held.
    const theirs = IndexStore.open(h, { create: false });
    theirs.reset();
    theirs.close();
    const Database = loadSqlite();
    const locker = new Database(indexPath(h));
    locker.exec('BEGIN IMMEDIATE');
    const next = {
      home: h,
      search: 'parser',
      sortKey: 'relevance' as const,
      pageSize: PAGE,
      cursor: first.nextCursor,
    };
    try {
      await expect(listSessions(next)).rejects.toMatchObject({
        code: 'E_BAD_CURSOR',
        message: expect.stringMatching(/emptied since .*start the search again/),
      });
    } finally {
      locker.exec('ROLLBACK');
      locker.close();
    }
    // Once the index can be brought up to date, the same cursor pages on (the files are the same).
    const ids = [
      ...first.sessions.map((s) => s.id),
      ...(await traverse(h, (n) => (n === 0 ? { cursor: first.nextCursor } : {}))).ids,
    ];
    expect([...ids].sort()).toEqual(await hits(h));
  }, 60_000);

  it('a cursor the index made, given with the index turned off, is refused with a clear error', async () => {
    const h = await home();
    const first = await listSessions({ home: h, search: 'parser', sortKey: 'relevance', pageSize: PAGE });
    await expect(
      listSessions({
        home: h,
        search: 'parser',
        sortKey: 'relevance',
        pageSize: PAGE,
        cursor: first.nextCursor,
        index: false,
      }),
    ).rejects.toMatchObject({ code: 'E_BAD_CURSOR', message: expect.stringMatching(/session index/) });
  });

  it('a ranked page read from a locked index re-reads a hit whose file changed', async () => {
    const h = await home();
    const first = await listSessions({ home: h, search: 'parser', sortKey: 'relevance', pageSize: PAGE });
    const Database = loadSqlite();
    const locker = new Database(indexPath(h));
    locker.exec('BEGIN IMMEDIATE');
    try {
      // The best hit of page 2 loses its term: the files say it is no hit any more.
      const p2 = await listSessions({
        home: h,
        search: 'parser',
        sortKey: 'relevance',
        pageSize: PAGE,
        cursor: first.nextCursor,
        index: true,
      });
      expect(p2.sessions.length).toBe(PAGE);
      const gone = p2.sessions[0]!;
      await writeFile(gone.path, readFileSync(gone.path, 'utf8').replace(/parser/g, 'lexer'));
      const again = await listSessions({
        home: h,
        search: 'parser',
        sortKey: 'relevance',
        pageSize: PAGE,
        cursor: first.nextCursor,
      });
      expect(again.sessions.map((s) => s.id)).not.toContain(gone.id);
      expect(again.sessions.map((s) => s.id)).toEqual(p2.sessions.slice(1).map((s) => s.id));
    } finally {
      locker.exec('ROLLBACK');
      locker.close();
    }
  }, 60_000);
});
