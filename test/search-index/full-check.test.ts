/**
 * The periodic stat of every indexed file: a file changed in place by a writer that takes no
 * writer lock and leaves no note (its folder's mtime unchanged, no watcher in this process) is
 * not seen by a catch-up until that check is due (once a minute), and then it is: by its size, or
 * by its ctime when its size and mtime were put back.
 */
import { readFileSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { listSessions } from '../../src/index.js';
import { RACY_MS } from '../../src/search-index/reconcile.js';
import { loadSqlite } from '../../src/search-index/sqlite.js';
import { indexPath } from '../../src/search-index/store.js';
import { tempDir } from '../helpers/temp.js';
import { appendAgentMessage, writeRollout } from '../helpers/rollout-files.js';

const DAY = 86_400_000;
const BASE = Date.UTC(2026, 5, 1);

/** The last full check, as the index stores it, moved back by `ms` (as if that long had passed). */
function ageFullCheck(home: string, ms: number): void {
  const Database = loadSqlite();
  const db = new Database(indexPath(home));
  try {
    const last = Number((db.prepare("SELECT v FROM meta WHERE k = 'full_check'").get() as { v: string }).v);
    expect(last).toBeGreaterThan(0);
    db.prepare("UPDATE meta SET v = ? WHERE k = 'full_check'").run(String(last - ms));
  } finally {
    db.close();
  }
}

const ids = async (home: string, search: string): Promise<string[]> =>
  (await listSessions({ home, search })).sessions.map((s) => s.id);

describe('the periodic stat of every indexed file', () => {
  it('finds what was changed in place without a lock or a note once it is due, not before', async () => {
    const home = await tempDir('ar-full-');
    const a = await writeRollout(home, { createdAt: BASE, userMessage: 'first session' });
    const b = await writeRollout(home, { createdAt: BASE + DAY, userMessage: 'second session, kept short' });
    await writeRollout(home, { createdAt: BASE + 2 * DAY, userMessage: 'third session' });
    // Past the racy tick, so the index trusts the stats it takes now.
    await sleep(RACY_MS + 200);
    expect(await ids(home, 'session')).toHaveLength(3);
    const folders = [a.path, b.path].map((p) => statSync(path.dirname(p)).mtimeMs);

    await appendAgentMessage(a.path, 'appended by hand: zanzibar', BASE);
    // The same size and mtime, another word: only the ctime says it changed.
    const st = statSync(b.path);
    writeFileSync(b.path, readFileSync(b.path, 'utf8').replaceAll('kept short', 'kept brief'));
    utimesSync(b.path, st.atime, st.mtime);
    expect(statSync(b.path).size).toBe(st.size);
    expect([a.path, b.path].map((p) => statSync(path.dirname(p)).mtimeMs)).toEqual(folders);
    await sleep(RACY_MS + 200);

    // Not due: what was added is not found yet.
    expect(await ids(home, 'zanzibar')).toEqual([]);
    expect(await ids(home, 'kept brief')).toEqual([]);

    ageFullCheck(home, 61_000);
    expect(await ids(home, 'kept brief')).toEqual([b.id]);
    const found = await listSessions({ home, search: 'zanzibar' });
    expect(found.sessions.map((s) => s.id)).toEqual([a.id]);
    expect(found.sessions[0]!.match).toEqual({ snippet: 'appended by hand: zanzibar', line: 8 });
    expect(await ids(home, 'kept short')).toEqual([]);
  });

  it('never shows a hit the file no longer holds, due or not', async () => {
    const home = await tempDir('ar-full-');
    const a = await writeRollout(home, { createdAt: BASE, userMessage: 'a word kept short' });
    await sleep(RACY_MS + 200);
    expect(await ids(home, 'kept short')).toEqual([a.id]);
    const st = statSync(a.path);
    writeFileSync(a.path, readFileSync(a.path, 'utf8').replaceAll('kept short', 'kept brief'));
    utimesSync(a.path, st.atime, st.mtime);
    await sleep(RACY_MS + 200);
    // The index still holds the old text; the hit is stat'ed before it is given, and read again.
    expect(await ids(home, 'kept short')).toEqual([]);
    expect(await ids(home, 'kept brief')).toEqual([a.id]);
  });
});
