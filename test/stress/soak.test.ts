import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { compareKeys, decodeCursor, type CursorKey } from '../../src/format/cursor.js';
import { newSessionId } from '../../src/format/ids.js';
import { RolloutRecorder } from '../../src/recorder/recorder.js';
import { readRollout } from '../../src/reader/read.js';
import { reapSoakChildren, startSoakChild, type SoakChild } from '../helpers/soak-runner.js';
import { tempDir } from '../helpers/temp.js';

/** How long the children run side by side. */
const ACTIVITY_MS = 30_000;
/** Bounds each child holds to by itself, whatever the parent does. */
const RECORDER_MAX_BATCHES = 50_000;
const RECORDER_MAX_BYTES = 16 * 1024 * 1024;
const LISTER_MAX_TRAVERSALS = 20_000;
const ARCHIVER_MAX_MOVES = 500_000;

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;
/** Just before midnight UTC, so the sessions straddle two date folders. */
const T = Date.UTC(2026, 5, 15, 23, 59, 59, 990);

/** Creation instants: pairs share a millisecond (ties broken by id), some cross midnight. */
const ACTIVE_TIMES = [T, T, T + 5, T + 5, T + 20, T + 20, T - HOUR, T - 2 * DAY];
/** Sessions the archiver moves: several share a millisecond with an active one. */
const IDLE_TIMES = [
  T,
  T + 5,
  T + 20,
  T + 20,
  T - 1,
  T - 40 * MIN,
  T - 80 * MIN,
  T - 3 * HOUR,
  T - DAY,
  T - 2 * DAY,
  T - 2 * DAY - 1,
  T - 5 * DAY,
];
/** Sessions nobody touches: present in every traversal like the active ones. */
const STILL_TIMES = [T + 1, T - 1, T + 20, T - 3 * DAY];

interface PageReport {
  sessions: [string, string][];
  next: string | null;
  /** [reason, file, error code] of each file the page left out. */
  skips: [string, string, string][];
}
interface TraversalReport {
  pageSize: number;
  pages: PageReport[];
}

/** Writes a closed session with one user message, as a harness would have left it. */
async function seed(home: string, createdAt: number, text: string): Promise<string> {
  const id = newSessionId(new Date(createdAt));
  const rec = await RolloutRecorder.create({
    cwd: home,
    home,
    id,
    createdAt: new Date(createdAt),
    git: false,
  });
  await rec.recordUserMessage(text);
  await rec.close();
  return id;
}

const keyOf = ([id, createdAt]: [string, string]): CursorKey => ({
  time: Date.parse(createdAt),
  id: id.toLowerCase(),
});
const show = (k: CursorKey): string => `${new Date(k.time).toISOString()}|${k.id}`;

/**
 * Checks one full traversal against the listing contract; returns the problems found (empty when
 * it holds). `always` are the sessions that existed, unmoved, for the whole traversal.
 */
function traversalProblems(
  t: TraversalReport,
  always: ReadonlySet<string>,
  known: ReadonlySet<string>,
): string[] {
  const problems: string[] = [];
  const seen = new Map<string, number>();
  let previous: CursorKey | undefined;
  let cursor: CursorKey | undefined;
  t.pages.forEach((page, p) => {
    const last = p === t.pages.length - 1;
    if (page.sessions.length > t.pageSize)
      problems.push(`page ${p} holds ${page.sessions.length} > ${t.pageSize}`);
    if (!last && page.sessions.length !== t.pageSize)
      problems.push(`page ${p} is short but has a next cursor`);
    if (last !== (page.next === null))
      problems.push(`page ${p}: next cursor ${String(page.next)} on page ${p + 1} of ${t.pages.length}`);
    for (const s of page.sessions) {
      const key = keyOf(s);
      if (!known.has(key.id)) problems.push(`page ${p}: unknown session ${key.id}`);
      seen.set(key.id, (seen.get(key.id) ?? 0) + 1);
      // Newest first by creation instant, then id descending, strictly: also no repeat.
      if (previous !== undefined && compareKeys(previous, key) >= 0)
        problems.push(`page ${p}: ${show(key)} does not come after ${show(previous)}`);
      if (cursor !== undefined && compareKeys(cursor, key) >= 0)
        problems.push(`page ${p}: ${show(key)} is not after the cursor ${show(cursor)}`);
      previous = key;
    }
    if (page.next !== null) {
      const next = decodeCursor(page.next);
      const lastKey = page.sessions.length > 0 ? keyOf(page.sessions.at(-1)!) : undefined;
      if (lastKey === undefined || compareKeys(lastKey, next) !== 0)
        problems.push(`page ${p}: cursor ${page.next} is not its last session`);
      if (cursor !== undefined && compareKeys(cursor, next) >= 0)
        problems.push(`page ${p}: cursor ${page.next} does not advance past ${show(cursor)}`);
      cursor = next;
    }
  });
  for (const [id, n] of seen) if (n > 1) problems.push(`${id} listed ${n} times`);
  for (const id of always) if (!seen.has(id)) problems.push(`${id} missing`);
  return problems;
}

async function rolloutFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true }).catch(() => []);
  return entries
    .filter((e) => e.isFile() && e.name.endsWith('.jsonl'))
    .map((e) => path.join(e.parentPath, e.name));
}

describe('concurrency soak', () => {
  it(`8 writers, 2 pagers and an archiver for ${ACTIVITY_MS / 1000} s: no error, no torn line, consistent pages, complete sessions`, async () => {
    const home = await tempDir('ar-soak-');
    const idle: string[] = [];
    for (const [i, t] of IDLE_TIMES.entries()) idle.push(await seed(home, t, `idle ${i}`));
    const still: string[] = [];
    for (const [i, t] of STILL_TIMES.entries()) still.push(await seed(home, t, `still ${i}`));
    const active = ACTIVE_TIMES.map((t) => ({ id: newSessionId(new Date(t)), createdAt: t }));
    const known = new Set([...idle, ...still, ...active.map((a) => a.id)]);

    const children: SoakChild[] = [];
    try {
      const recorders = active.map((a, i) =>
        startSoakChild('recorder', `recorder ${i}`, {
          home,
          id: a.id,
          createdAt: a.createdAt,
          seed: 1 + i,
          maxBatches: RECORDER_MAX_BATCHES,
          maxBytes: RECORDER_MAX_BYTES,
        }),
      );
      children.push(...recorders);
      // Every traversal starts after every active session's file exists: the pagers start later.
      const paths = (await Promise.all(recorders.map((r) => r.waitFor((m) => m['ready'] === true)))).map(
        (m) => m['path'] as string,
      );
      const listers = [
        [1, 2, 3],
        [2, 5, 1, 4],
      ].map((pageSizes, i) =>
        startSoakChild('lister', `lister ${i}`, {
          home,
          pageSizes,
          maxTraversals: LISTER_MAX_TRAVERSALS,
          maxPagesPerTraversal: 10 * known.size,
        }),
      );
      const archiver = startSoakChild('archiver', 'archiver', {
        home,
        idle,
        active: active.map((a, i) => ({ id: a.id, path: paths[i]! })),
        seed: 99,
        maxMoves: ARCHIVER_MAX_MOVES,
        lockedEvery: 5,
      });
      children.push(...listers, archiver);

      // The activity window; a child that exits before the stop is a failure, reported at once.
      const early = await Promise.race([
        new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), ACTIVITY_MS)),
        ...children.map((c) => c.exited.then(() => c)),
      ]);
      if (early !== undefined) {
        throw new Error(
          `${early.name} exited during the soak: ${JSON.stringify(early.messages.slice(-2))}\n${early.stderr()}`,
        );
      }
      // The archiver and the pagers stop first: once a writer closes, its session may be archived.
      const others = [...listers, archiver];
      for (const c of others) c.send('stop');
      await Promise.all(others.map((c) => c.exited));
      for (const r of recorders) r.send('stop');
      const exits = await Promise.all(children.map((c) => c.exited));
      for (const [i, c] of children.entries()) {
        const errors = c.messages.filter((m) => m['error'] !== undefined);
        expect(errors, `${c.name}: ${c.stderr()}`).toEqual([]);
        expect(exits[i], `${c.name}: ${c.stderr()}`).toEqual({ code: 0, signal: null });
        expect(c.messages.at(-1)?.['done'], c.name).toBe(true);
      }

      // Every page of every traversal holds to the listing contract.
      const always = new Set([...still, ...active.map((a) => a.id)]);
      let pages = 0;
      let traversals = 0;
      const problems: string[] = [];
      for (const lister of listers) {
        for (const m of lister.messages) {
          const t = m['traversal'] as TraversalReport | undefined;
          if (t === undefined) continue;
          traversals++;
          pages += t.pages.length;
          for (const problem of traversalProblems(t, always, known))
            problems.push(`${lister.name} #${traversals}: ${problem}`);
        }
      }
      expect(problems.slice(0, 20)).toEqual([]);
      expect(traversals).toBeGreaterThan(0);

      // Only files the archiver moved may be left out of a page, and only as 'vanished': a file moved
      // away between the folder read and the open, whether or not it is back by now.
      const idleSet = new Set(idle);
      const skips = listers.flatMap((l) =>
        l.messages.flatMap((m) =>
          ((m['traversal'] as TraversalReport | undefined)?.pages ?? []).flatMap((p) => p.skips),
        ),
      );
      const idOfFile = (file: string): string => path.basename(file, '.jsonl').slice(-36);
      expect(skips.filter(([, file]) => !idleSet.has(idOfFile(file)))).toEqual([]);
      expect
        .soft(
          skips.filter(([reason]) => reason !== 'vanished').slice(0, 5),
          'a moved file reported as another skip reason',
        )
        .toEqual([]);

      // Every active session reads back complete: the user turn, then every acknowledged item in order.
      let records = 0;
      for (const [i, r] of recorders.entries()) {
        const acked = r.messages.flatMap((m) => (Array.isArray(m['acked']) ? (m['acked'] as string[]) : []));
        records += acked.length;
        const s = await readRollout(paths[i]!);
        expect(s.errors, r.name).toEqual([]);
        expect(s.meta.id).toBe(active[i]!.id);
        const names = s.items
          .map((item) => item.payload as { type?: string; name?: string })
          .filter((p) => p.type === 'soak_probe')
          .map((p) => p.name);
        expect(names, r.name).toEqual(acked);
        expect(s.items.slice(0, 2).map((item) => item.type)).toEqual(['response_item', 'event_msg']);
      }

      // No torn line anywhere, and every seeded session is in exactly one place, where the archiver says.
      const live = await rolloutFiles(path.join(home, 'sessions'));
      const archivedFiles = await rolloutFiles(path.join(home, 'archived_sessions'));
      for (const file of [...live, ...archivedFiles])
        expect((await readRollout(file)).errors, file).toEqual([]);
      const archivedIds = (archiver.messages.at(-1)!['archived'] as string[]).sort();
      expect(archivedFiles.map(idOfFile).sort()).toEqual(archivedIds);
      expect([...live, ...archivedFiles].map(idOfFile).sort()).toEqual([...known].sort());
      for (const p of paths) expect(live).toContain(p);

      const moves = archiver.messages.at(-1)!['moves'] as number;
      const refusals = archiver.messages.at(-1)!['refusals'] as number;
      expect(moves).toBeGreaterThan(0);
      expect(refusals).toBeGreaterThan(0);
      const flushes = recorders.reduce((n, r) => n + (r.messages.at(-1)!['flushes'] as number), 0);
      const bounded = recorders.filter((r) => r.messages.at(-1)!['bounded'] === true).length;
      console.info(
        `soak: ${skips.length} files left out of pages as moved meanwhile (` +
          `${skips.filter(([reason]) => reason !== 'vanished').length} misreported); ${records} records in ${flushes} flushes by 8 writers (${bounded} stopped at their own bound); ${pages} pages in ${traversals} ` +
          `full traversals by 2 pagers; ${moves} archive moves and ${refusals} refused moves of active sessions`,
      );
    } finally {
      await reapSoakChildren(children);
    }
  }, 240_000);
});
