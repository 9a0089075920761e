/**
 * Threads of several rollouts (a Codex CLI 0.171 reverted thread: `rollout-<ts>-<T>.jsonl`, then
 * `rollout-<ts>-<T>_<R>.jsonl` continuing it) answered by the session index: each thread listed
 * once, by the rollout that comes first in the listing's order, as one walk of the files lists it;
 * and a change to any rollout of a thread (its history lives in the older ones) seen at once.
 */
import {
  mkdirSync,
  readFileSync,
  readdirSync,
  renameSync,
  rmSync,
  statSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { listSessions, type ListSessionsOptions, type SessionSummary } from '../../src/index.js';
import { indexCounters } from '../../src/lister/indexed.js';
import { RACY_MS } from '../../src/search-index/reconcile.js';
import { copyFixtureHome171, fixture171 } from '../helpers/codex-171.js';
import { allPages } from '../helpers/index-ops.js';
import { writeRollout } from '../helpers/rollout-files.js';
import { tempDir } from '../helpers/temp.js';

const MINUTE = 60_000;

/** Every rollout under a folder, recursively. */
function rollouts(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...rollouts(full));
    else if (e.name.startsWith('rollout-')) out.push(full);
  }
  return out;
}

/**
 * The 0.171 fixture home with sessions of ours between the two rollouts of the reverted thread,
 * every file's modification time set apart (an hour ago plus its place in the name order), so the
 * updated order has no ties and no file is recent.
 */
async function threadHome(): Promise<{ home: string; base: string; revert: string }> {
  const home = await tempDir();
  copyFixtureHome171(home);
  const f = fixture171('reverted');
  // Created between the base (00:10:08) and the revert (00:10:15): the two rollouts are pages apart.
  for (let i = 0; i < 5; i++) {
    await writeRollout(home, {
      createdAt: Date.UTC(2026, 11, 2, 0, 10, 9 + i),
      userMessage: `between the rollouts ${i}, a turn of ours`,
      cwd: '/workspace',
      source: 'exec',
    });
  }
  const files = [...rollouts(path.join(home, 'sessions')), ...rollouts(path.join(home, 'archived_sessions'))];
  files.sort();
  const start = Date.now() - 60 * MINUTE;
  files.forEach((p, i) => {
    const t = new Date(start + i * MINUTE);
    utimesSync(p, t, t);
  });
  return { home, base: path.join(home, f.files![0]!), revert: path.join(home, f.files![1]!) };
}

const view = (s: SessionSummary): unknown => ({
  id: s.id,
  path: s.path,
  preview: s.preview,
  updatedAt: s.updatedAt,
  match: s.match,
});

/** The listing as one walk of the files gives it: the whole listing in one page. */
async function walked(o: ListSessionsOptions): Promise<unknown[]> {
  const page = await listSessions({ ...o, index: false, pageSize: 1000 });
  expect(page.nextCursor).toBeNull();
  return page.sessions.map(view);
}

/** The listing through the index at a page size, asserting that the index answered every page. */
async function indexed(o: ListSessionsOptions, pageSize: number): Promise<unknown[]> {
  const before = indexCounters.fellBack;
  const answered = indexCounters.answered;
  const out = (await allPages(o, pageSize)).map(view);
  expect(indexCounters.fellBack, `the index answered ${JSON.stringify(o)}`).toBe(before);
  expect(indexCounters.answered).toBeGreaterThan(answered);
  return out;
}

const byId = (a: unknown[]): unknown[] =>
  [...a].sort((x, y) => String((x as { path: string }).path).localeCompare((y as { path: string }).path));

describe('a thread of several rollouts, answered by the session index', () => {
  it('every listing equals one walk of the files at every page size, the thread listed once', async () => {
    const { home, revert } = await threadHome();
    const thread = fixture171('reverted').id;
    const cases: ListSessionsOptions[] = [
      {},
      { sortKey: 'updated' },
      { archived: true },
      { search: 'turn' },
      { search: 'kept by the revert' },
      { search: 'turn', sortKey: 'updated' },
      { sources: ['exec'] },
      { cwd: '/workspace' },
      { includeEmpty: true },
      // Only the older rollout is in the range: it is the thread there.
      { until: new Date(Date.UTC(2026, 11, 2, 0, 10, 12)) },
      { since: new Date(Date.UTC(2026, 11, 2, 0, 10, 12)), search: 'turn' },
    ];
    for (const c of cases) {
      const o = { home, ...c };
      const want = await walked(o);
      for (const size of [1, 2, 3])
        expect(await indexed(o, size), `${JSON.stringify(c)} by ${size}`).toEqual(want);
    }
    // Ranked: the same hits as the walk, each once.
    for (const search of ['turn', 'first turn']) {
      const want = byId(await walked({ home, search, sortKey: 'relevance' }));
      for (const size of [1, 2]) {
        expect(byId(await indexed({ home, search, sortKey: 'relevance' }, size))).toEqual(want);
      }
    }
    const all = await indexed({ home }, 1);
    expect(all.filter((s) => (s as { id: string }).id === thread)).toEqual([
      expect.objectContaining({ path: revert, preview: fixture171('reverted').prompts[0] }),
    ]);
  });

  it('in updated order the rollout modified last is the thread', async () => {
    const { home, base } = await threadHome();
    const t = new Date();
    utimesSync(base, t, t);
    const want = await walked({ home, sortKey: 'updated' });
    expect(want[0]).toEqual(expect.objectContaining({ path: base }));
    for (const size of [1, 3]) expect(await indexed({ home, sortKey: 'updated' }, size)).toEqual(want);
  });

  /** Indexed, then listed again once every file is past its racy tick: what follows is unchanged by stat. */
  async function settled(home: string): Promise<void> {
    await indexed({ home }, 100);
    await new Promise((r) => setTimeout(r, RACY_MS + 200));
    await indexed({ home }, 100);
  }

  it('a change in place to the older rollout is seen at once on a page the newer one is on', async () => {
    const { home, base } = await threadHome();
    await settled(home);
    // Rewritten in place (its folder unchanged) by a writer that says nothing: the first turn,
    // which the newer rollout's history, first hit and preview come from.
    const folderBefore = statSync(path.dirname(base)).mtimeMs;
    writeFileSync(base, readFileSync(base, 'utf8').replaceAll('kept by the revert', 'edited in place'));
    expect(statSync(path.dirname(base)).mtimeMs).toBe(folderBefore);
    const want = await walked({ home, search: 'turn' });
    expect(want).toContainEqual(
      expect.objectContaining({
        preview: 'First turn, edited in place.',
        match: { snippet: 'First turn, edited in place.', line: 8 },
      }),
    );
    expect(await indexed({ home, search: 'turn' }, 2)).toEqual(want);
  });

  it('the older rollout deleted: the newer one no longer holds the history it kept', async () => {
    const { home, base } = await threadHome();
    await settled(home);
    expect(await indexed({ home, search: 'kept by the revert' }, 2)).toHaveLength(1);
    rmSync(base);
    const gone = await walked({ home, search: 'kept by the revert' });
    expect(gone).toEqual([]);
    expect(await indexed({ home, search: 'kept by the revert' }, 2)).toEqual(gone);
    expect(await indexed({ home }, 2)).toEqual(await walked({ home }));
  });

  it('the folder of the older rollout deleted: the newer one no longer holds the history it kept', async () => {
    const { home, base } = await threadHome();
    // The older rollout alone in the folder of the day before (within the ±14 h a name may be off).
    const day = path.join(home, 'sessions', '2026', '12', '01');
    mkdirSync(day, { recursive: true });
    renameSync(base, path.join(day, path.basename(base)));
    expect(await walked({ home, search: 'kept by the revert' })).toHaveLength(1);
    await settled(home);
    expect(await indexed({ home, search: 'kept by the revert' }, 2)).toHaveLength(1);
    rmSync(day, { recursive: true });
    expect(await walked({ home, search: 'kept by the revert' })).toEqual([]);
    expect(await indexed({ home, search: 'kept by the revert' }, 2)).toEqual([]);
    expect(await indexed({ home }, 2)).toEqual(await walked({ home }));
  });
});
