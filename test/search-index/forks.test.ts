/**
 * A Codex CLI 0.171 fork of a paginated thread keeps its parent's history in the parent's file
 * (`history_base`): it is found by what the parent says. The session index files that text under
 * the fork, so a change to the parent's file (gone, or there at last) is a change to the fork: the
 * catch-up reads the fork again, and every listing still equals the file walk's.
 */
import { copyFileSync, mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { listSessions, type ListSessionsOptions, type SessionSummary } from '../../src/index.js';
import { indexCounters } from '../../src/lister/indexed.js';
import { RACY_MS } from '../../src/search-index/reconcile.js';
import { codex171Dir, copyFixtureHome171, fixture171 } from '../helpers/codex-171.js';
import { allPages } from '../helpers/index-ops.js';
import { tempDir } from '../helpers/temp.js';

const all = (options: ListSessionsOptions): Promise<SessionSummary[]> => allPages(options, 2);

/** The index answers every listing, and as the files do. */
async function expectSameAsFiles(home: string): Promise<void> {
  for (const c of [
    { search: 'say hello' },
    { search: 'hello', sortKey: 'relevance' as const },
    { search: 'hello', sortKey: 'updated' as const },
    {},
  ]) {
    const fellBack = indexCounters.fellBack;
    const indexed = await all({ home, ...c });
    expect(indexCounters.fellBack, JSON.stringify(c)).toBe(fellBack);
    const walked = await all({ home, ...c, index: false });
    if (c.sortKey === 'relevance') {
      expect(indexed.map((s) => s.id).sort(), JSON.stringify(c)).toEqual(walked.map((s) => s.id).sort());
    } else expect(indexed, JSON.stringify(c)).toEqual(walked);
  }
}

/** Past the racy tick, so the index trusts the stats it takes (a recent file is read every time). */
const settle = (): Promise<void> => sleep(RACY_MS + 200);

const ids = async (home: string, search: string): Promise<string[]> =>
  (await listSessions({ home, search })).sessions.map((s) => s.id).sort();

describe('a fork whose history is in its parent file', () => {
  const parent = fixture171('plain');
  const fork = fixture171('forked');

  it('is no longer found by its parent’s words once the parent file is gone', async () => {
    const home = await tempDir('ar-fork-');
    copyFixtureHome171(home);
    await settle();
    expect(await ids(home, 'say hello')).toEqual([parent.id, fork.id].sort());
    rmSync(path.join(home, parent.file));
    expect(await ids(home, 'say hello')).toEqual([]);
    await expectSameAsFiles(home);
  });

  it('is found by them once the parent file arrives after it (copied later)', async () => {
    const home = await tempDir('ar-fork-');
    const dir = path.join(home, path.dirname(fork.file));
    mkdirSync(dir, { recursive: true });
    copyFileSync(path.join(codex171Dir, fork.file), path.join(home, fork.file));
    await settle();
    expect(await ids(home, 'say hello')).toEqual([]);
    copyFileSync(path.join(codex171Dir, parent.file), path.join(home, parent.file));
    expect(await ids(home, 'say hello')).toEqual([parent.id, fork.id].sort());
    await expectSameAsFiles(home);
  });
});
