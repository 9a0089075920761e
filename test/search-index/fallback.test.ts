import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { allPages } from '../helpers/index-ops.js';
import { describe, expect, it } from 'vitest';
import {
  listSessions,
  rebuildSessionIndex,
  sessionIndexStatus,
  type ListSessionsOptions,
  type SessionSummary,
} from '../../src/index.js';
import { loadSqlite } from '../../src/search-index/sqlite.js';
import { indexCounters, indexHooks, reconcileOptions } from '../../src/lister/indexed.js';
import { RACY_MS, reconcile } from '../../src/search-index/reconcile.js';
import { IndexStore, indexPath } from '../../src/search-index/store.js';
import { tempDir } from '../helpers/temp.js';
import { appendAgentMessage, writeRollout } from '../helpers/rollout-files.js';

const DAY = 86_400_000;
const BASE = Date.UTC(2026, 2, 1);

/** Every session of a listing, paging to the end. */
const all = (options: ListSessionsOptions): Promise<SessionSummary[]> => allPages(options, 3);

async function home(n = 7): Promise<string> {
  const h = await tempDir();
  for (let i = 0; i < n; i++) {
    await writeRollout(h, {
      createdAt: BASE + i * DAY,
      userMessage: `task number ${i} for the parser`,
      cwd: `/work/p${i % 3}`,
      source: i % 4 === 0 ? 'exec' : 'cli',
      mtime: BASE + (n - i) * DAY,
    });
  }
  return h;
}

/** The index answers and the file walk answers the same, for the listings that matter. */
async function expectSameAsFiles(h: string): Promise<void> {
  const cases: ListSessionsOptions[] = [
    {},
    { sortKey: 'updated' },
    { cwd: '/work/p1' },
    { sources: ['cli'] },
    { search: 'NUMBER 3' },
    { search: 'parser', sortKey: 'updated' },
    { search: 'sure.' },
  ];
  for (const c of cases) {
    expect(await all({ home: h, ...c }), JSON.stringify(c)).toEqual(
      await all({ home: h, ...c, index: false }),
    );
  }
}

describe('the session index is a cache', () => {
  it('is built by the first listing, and answers as the files do', async () => {
    const h = await home();
    expect(existsSync(indexPath(h))).toBe(false);
    const page = await listSessions({ home: h, search: 'number 3' });
    expect(existsSync(indexPath(h))).toBe(true);
    expect(statSync(indexPath(h)).mode & 0o777).toBe(0o600);
    expect(statSync(path.dirname(indexPath(h))).mode & 0o777).toBe(0o700);
    expect(page.sessions).toHaveLength(1);
    expect(page.sessions[0]!.match).toEqual({ snippet: 'task number 3 for the parser', line: 4 });
    await expectSameAsFiles(h);
  });

  it('deleted: rebuilt by the next listing', async () => {
    const h = await home();
    await listSessions({ home: h });
    await rebuildSessionIndex({ home: h });
    const { rmSync } = await import('node:fs');
    rmSync(path.dirname(indexPath(h)), { recursive: true });
    await expectSameAsFiles(h);
    expect((await sessionIndexStatus({ home: h })).sessions).toBe(7);
  });

  it('rebuilt in place: the same file, and a connection another process holds open sees the new index', async () => {
    const h = await home();
    await listSessions({ home: h });
    const before = statSync(indexPath(h)).ino;
    const Database = loadSqlite();
    const other = new Database(indexPath(h));
    const epoch = (): unknown => other.prepare("SELECT v FROM meta WHERE k = 'epoch'").pluck().get();
    const was = epoch();
    try {
      await writeRollout(h, { createdAt: BASE + 40 * DAY, userMessage: 'written before the rebuild' });
      const status = await rebuildSessionIndex({ home: h });
      expect(status.sessions).toBe(8);
      // Never deleted under a reader: the same inode, read by the connection opened before.
      expect(statSync(indexPath(h)).ino).toBe(before);
      expect(epoch()).not.toBe(was);
      expect(other.prepare('SELECT count(*) FROM files').pluck().get()).toBe(8);
    } finally {
      other.close();
    }
    await expectSameAsFiles(h);
  });

  it('a catch-up that read its files before another process emptied the index leaves nothing out', async () => {
    const h = await home();
    await listSessions({ home: h });
    // Folders old enough to be trusted as unchanged (not racy), and stored so.
    const old = new Date(BASE);
    const root = path.join(h, 'sessions');
    const dirs = [root, path.join(root, '2026'), path.join(root, '2026', '03')];
    for (const d of readdirSync(dirs[2]!)) dirs.push(path.join(dirs[2]!, d));
    for (const d of dirs) utimesSync(d, old, old);
    await new Promise((r) => setTimeout(r, RACY_MS + 200));
    await listSessions({ home: h });
    // A session in a new day folder of the same month: a catch-up lists the month again and reads
    // only the new day; the other days are known to the index, so they are not read.
    await writeRollout(h, { createdAt: BASE + 19 * DAY, userMessage: 'the new day', mtime: BASE });
    await new Promise((r) => setTimeout(r, RACY_MS + 200));
    const mine = IndexStore.open(h, { create: false });
    const theirs = IndexStore.open(h, { create: false });
    let emptied = false;
    try {
      await reconcile(mine, {
        ...reconcileOptions({}),
        onProgress: () => {
          // While it reads: another process empties the index for a rebuild.
          if (!emptied) theirs.reset();
          emptied = true;
        },
      });
    } finally {
      mine.close();
      theirs.close();
    }
    expect(emptied).toBe(true);
    const listed = await all({ home: h });
    expect(listed).toHaveLength(8);
    await expectSameAsFiles(h);
  });

  it("an index emptied between a listing's catch-up and its query: the listing catches up and asks again", async () => {
    const h = await home();
    await listSessions({ home: h });
    const theirs = IndexStore.open(h, { create: false });
    let emptied = 0;
    indexHooks.beforeQuery = () => {
      // Another process starts a rebuild: the tables are made anew, empty, with a new epoch.
      if (emptied++ === 0) theirs.reset();
    };
    const answered = indexCounters.answered;
    try {
      const page = await listSessions({ home: h, pageSize: 100 });
      expect(page.sessions).toEqual((await listSessions({ home: h, pageSize: 100, index: false })).sessions);
      expect(page.sessions).toHaveLength(7);
      // Asked twice: the first query saw another epoch than its catch-up wrote to.
      expect(emptied).toBe(2);
      expect(indexCounters.answered).toBe(answered + 1);
    } finally {
      indexHooks.beforeQuery = undefined;
      theirs.close();
    }
    await expectSameAsFiles(h);
  });

  it('corrupt: the listing answers from the files, and the index is made again', async () => {
    const h = await home();
    await listSessions({ home: h });
    const { rmSync } = await import('node:fs');
    rmSync(`${indexPath(h)}-wal`, { force: true });
    rmSync(`${indexPath(h)}-shm`, { force: true });
    writeFileSync(indexPath(h), 'this is not a database'.repeat(300));
    await expectSameAsFiles(h);
    const status = await sessionIndexStatus({ home: h });
    expect(status.usable).toBe(true);
    expect(status.sessions).toBe(7);
  });

  it('read-only and behind the files: the listing answers from the files', async () => {
    const h = await home();
    await listSessions({ home: h });
    await writeRollout(h, { createdAt: BASE + 20 * DAY, userMessage: 'a late number 3' });
    // The suite runs as root (file modes do not stop root): a read-only bind mount does.
    const dir = path.dirname(indexPath(h));
    execFileSync('mount', ['--bind', dir, dir]);
    execFileSync('mount', ['-o', 'remount,ro,bind', dir]);
    try {
      const hits = await all({ home: h, search: 'number 3' });
      expect(hits.map((s) => s.preview)).toEqual(['a late number 3', 'task number 3 for the parser']);
      await expectSameAsFiles(h);
      expect((await sessionIndexStatus({ home: h })).stale).toBeGreaterThanOrEqual(0);
    } finally {
      execFileSync('umount', [dir]);
    }
  });

  it('locked by another writer: no SQLITE_BUSY reaches the caller, the files answer', async () => {
    const h = await home();
    await listSessions({ home: h });
    await writeRollout(h, { createdAt: BASE + 30 * DAY, userMessage: 'written while locked' });
    const Database = loadSqlite();
    const other = new Database(indexPath(h));
    other.exec('BEGIN IMMEDIATE');
    try {
      const page = await listSessions({ home: h, search: 'while locked' });
      expect(page.sessions.map((s) => s.preview)).toEqual(['written while locked']);
    } finally {
      other.exec('ROLLBACK');
      other.close();
    }
    await expectSameAsFiles(h);
  });

  it('a file changed in place since it was indexed is read again before it is returned', async () => {
    const h = await home(3);
    const first = await listSessions({ home: h });
    const s = first.sessions[0]!;
    // Appended by a writer that takes no lock, the folder unchanged, the time set back.
    await appendAgentMessage(s.path, 'late words', BASE);
    const { utimesSync } = await import('node:fs');
    utimesSync(s.path, new Date(BASE - DAY), new Date(BASE - DAY));
    const again = await listSessions({ home: h });
    expect(again).toEqual(await listSessions({ home: h, index: false }));
    expect(again.sessions[0]!.updatedAt).toBe(new Date(BASE - DAY).toISOString());
  });

  it('the SQLite addon missing is E_NATIVE, which listings never see', () => {
    expect(() => loadSqlite('better-sqlite3-not-installed')).toThrow(
      expect.objectContaining({ code: 'E_NATIVE' }),
    );
    expect(createRequire(import.meta.url).resolve('better-sqlite3')).toContain('better-sqlite3');
  });
});
