import { allPages } from '../helpers/index-ops.js';
/**
 * The folder watch: once a process has checked every folder of a home by stat, its later listings
 * check only the folders something happened in (inotify), and still see every change made by
 * anyone meanwhile: a file appended to without a writer lock, a file copied into an old folder
 * with an old time, a folder removed, the sessions folder replaced, a write by another process.
 */
import { execFileSync } from 'node:child_process';
import { appendFileSync, copyFileSync, mkdirSync, rmSync, utimesSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type ListSessionsOptions, type SessionSummary } from '../../src/index.js';
import { indexCounters } from '../../src/lister/indexed.js';
import { RACY_MS, walkCounters } from '../../src/search-index/reconcile.js';
import { canWatch, watchTuning } from '../../src/search-index/watch.js';
import { tempDir } from '../helpers/temp.js';
import { writeRollout } from '../helpers/rollout-files.js';

const DAY = 86_400_000;
const BASE = Date.UTC(2026, 2, 1);
const saved = { ...watchTuning };
beforeEach(() => {
  watchTuning.minFolders = 0;
});
afterEach(() => {
  Object.assign(watchTuning, saved);
});

const all = (options: ListSessionsOptions): Promise<SessionSummary[]> => allPages(options, 3);

/** Lists through the index with the watch, and expects the file walk's answer. */
async function expectWatchedSameAsFiles(
  home: string,
  c: ListSessionsOptions = {},
): Promise<SessionSummary[]> {
  const marked = walkCounters.marked;
  const fellBack = indexCounters.fellBack;
  const indexed = await all({ home, ...c });
  expect(walkCounters.marked, 'the watch answered which folders changed').toBeGreaterThan(marked);
  expect(indexCounters.fellBack, 'the index answered').toBe(fellBack);
  expect(indexed).toEqual(await all({ home, ...c, index: false }));
  return indexed;
}

const line = (message: string): string =>
  JSON.stringify({
    timestamp: new Date(BASE).toISOString(),
    type: 'event_msg',
    payload: { type: 'agent_message', message },
  }) + '\n';

describe.runIf(canWatch('/tmp'))('listings with the folder watch', () => {
  it('see every change made since the last listing', async () => {
    const home = await tempDir();
    const files = [];
    for (let i = 0; i < 6; i++) {
      files.push(
        await writeRollout(home, {
          createdAt: BASE + i * DAY,
          userMessage: `task number ${i} for the parser`,
          mtime: BASE + i * DAY,
        }),
      );
    }
    // Past the racy tick, so that only the watch (not a re-check of recent files) finds changes.
    await new Promise((r) => setTimeout(r, RACY_MS + 100));
    await all({ home }); // builds the index and sets up the watch
    await expectWatchedSameAsFiles(home);

    // Appended in place with no writer lock and no note: only the folder's watcher tells.
    appendFileSync(files[1]!.path, line('a quiet wombat'));
    expect((await expectWatchedSameAsFiles(home, { search: 'wombat' })).map((s) => s.id)).toEqual([
      files[1]!.id,
    ]);
    await expectWatchedSameAsFiles(home, { sortKey: 'updated' });

    // A copy into an old folder, keeping an old time (as cp -p or rsync do).
    const copy = path.join(
      path.dirname(files[0]!.path),
      path.basename(files[0]!.path).replace(/.{12}\.jsonl$/, '000000000000.jsonl'),
    );
    copyFileSync(files[0]!.path, copy);
    utimesSync(copy, new Date(BASE), new Date(BASE));
    await expectWatchedSameAsFiles(home);

    // Written by another process.
    execFileSync('sh', ['-c', 'printf "%s" "$1" >> "$2"', 'sh', line('a numbat from afar'), files[2]!.path]);
    expect((await expectWatchedSameAsFiles(home, { search: 'numbat' })).map((s) => s.id)).toEqual([
      files[2]!.id,
    ]);

    // A day folder removed, then the whole sessions folder replaced by another.
    rmSync(path.dirname(files[3]!.path), { recursive: true });
    await expectWatchedSameAsFiles(home);
    const sessions = path.join(home, 'sessions');
    rmSync(sessions, { recursive: true });
    mkdirSync(sessions);
    const fresh = await writeRollout(home, { createdAt: BASE + 9 * DAY, userMessage: 'a new start' });
    expect((await all({ home })).map((s) => s.id)).toEqual([fresh.id]);
    expect(await all({ home })).toEqual(await all({ home, index: false }));
    await expectWatchedSameAsFiles(home, { search: 'new start' });
  });
});
