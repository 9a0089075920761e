/**
 * A session-index soak reader: `node --import tsx soak-index-lister.ts <json options>`. Again and
 * again it picks a listing shape (an order, a filter, a search) and a small page size, and checks
 * one full traversal, paged with cursors through the index, against two file walks of the same
 * filters (`index: false`, in created order) taken just before and just after it, while writers run:
 *
 * - no session twice, and every key strictly after the one before it (and after the cursor);
 * - every session returned is in the walk after, with the same path, preview, first message,
 *   folder, source, provider, name and match, and an update time between the two walks';
 * - every session of the walk before is found, in updated order every one whose update time did
 *   not move meanwhile (cursor paging over a moving order cannot promise more, nor does the walk).
 *
 * After each traversal it asks `sessionIndexStatus`, and now and then it forces index writes (`updateSessionIndex`, sometimes `rebuildSessionIndex`).
 * It prints `{"traversal": {…, "problems": […]}}` per traversal, `{"indexError": {…}}` for each
 * `E_INDEX` those two calls throw (allowed only while the parent holds the index's lock), and on
 * `stop` (or after `maxTraversals`) `{"done": true, …counts}`. Any other error, and any error at
 * all from `listSessions`, is printed and ends it.
 */
import { compareKeys, type CursorKey } from '../../src/format/cursor.js';
import { indexCounters } from '../../src/lister/indexed.js';
import { listSessions } from '../../src/lister/list.js';
import {
  rebuildSessionIndex,
  sessionIndexStatus,
  updateSessionIndex,
} from '../../src/lister/session-index.js';
import type { ListSessionsOptions, SessionSummary } from '../../src/lister/types.js';
import { errorCode, seededRandom, soakIo, turn } from './soak-io.js';

type Shape = Pick<ListSessionsOptions, 'sortKey' | 'search' | 'cwd' | 'sources' | 'modelProviders' | 'since'>;

interface Options {
  home: string;
  seed: number;
  shapes: Shape[];
  pageSizes: number[];
  maxTraversals: number;
  /** Chance, after a traversal, of an `updateSessionIndex` call, and of a `rebuildSessionIndex` one. */
  updateChance: number;
  rebuildChance: number;
}

const io = soakIo<Options>();
const o = io.options;
const rand = seededRandom(o.seed);
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;

/** What must not change while writers only append: everything but the update time and the head. */
function stable(s: SessionSummary): unknown {
  return [
    s.path,
    s.createdAt,
    s.cwd,
    s.source,
    s.modelProvider,
    s.preview,
    s.firstUserMessage,
    s.name,
    s.archived,
    s.match ?? null,
  ];
}

/**
 * The sessions of a shape by the file walk, by id. Always walked in created order, whose keys do not
 * move: a walk in updated order can itself miss a session appended to while it pages.
 */
async function walk(shape: Shape): Promise<Map<string, SessionSummary>> {
  const out = new Map<string, SessionSummary>();
  let cursor: string | null = null;
  do {
    const page = await listSessions({
      home: o.home,
      ...shape,
      sortKey: 'created',
      index: false,
      pageSize: 50,
      cursor,
    });
    for (const s of page.sessions) out.set(s.id, s);
    cursor = page.nextCursor;
  } while (cursor !== null);
  return out;
}

const keyOf = (shape: Shape, s: SessionSummary): CursorKey => ({
  time: Date.parse(shape.sortKey === 'updated' ? s.updatedAt : s.createdAt),
  id: s.id.toLowerCase(),
});

let traversals = 0;
let pagesTotal = 0;
let checked = 0;
let updates = 0;
let rebuilds = 0;
let statuses = 0;
let maxPageMs = 0;
try {
  for (; traversals < o.maxTraversals && !io.stopping(); traversals++) {
    const shape = pick(o.shapes);
    const pageSize = pick(o.pageSizes);
    const counters = { ...indexCounters };
    const before = await walk(shape);
    const got: SessionSummary[] = [];
    let pages = 0;
    let cursor: string | null = null;
    const problems: string[] = [];
    // Which engine answered each page: i (the index) or f (the files).
    const engines: string[] = [];
    const trace: string[] = [];
    do {
      const started = performance.now();
      const answeredBefore = indexCounters.answered;
      const page = await listSessions({ home: o.home, ...shape, pageSize, cursor });
      engines.push(indexCounters.answered > answeredBefore ? 'i' : 'f');
      // Each page's engine and keys (id tail @ time), for the report of a miss.
      trace.push(
        `${engines.at(-1)}:${page.sessions.map((s) => `${s.id.slice(-4)}@${keyOf(shape, s).time}`).join(',')}`,
      );
      maxPageMs = Math.max(maxPageMs, performance.now() - started);
      pages++;
      if (page.sessions.length > pageSize) problems.push(`page ${pages} holds ${page.sessions.length}`);
      if (page.nextCursor !== null && page.sessions.length === 0)
        problems.push(`page ${pages} empty, cursor`);
      got.push(...page.sessions);
      cursor = page.nextCursor;
      if (pages > 10_000) {
        problems.push('more than 10000 pages');
        break;
      }
    } while (cursor !== null);
    const after = await walk(shape);

    const seen = new Set<string>();
    let previous: CursorKey | undefined;
    for (const s of got) {
      const key = keyOf(shape, s);
      if (seen.has(s.id)) problems.push(`${s.id} listed twice`);
      seen.add(s.id);
      if (previous !== undefined && compareKeys(previous, key) >= 0)
        problems.push(
          `${s.id} (${s.createdAt}, ${s.updatedAt}) does not come after the one before (pages ${engines.join('')})`,
        );
      previous = key;
      const then = after.get(s.id);
      if (then === undefined) {
        problems.push(`${s.id} returned but not in the file walk after`);
        continue;
      }
      if (JSON.stringify(stable(s)) !== JSON.stringify(stable(then)))
        problems.push(
          `${s.id}: ${JSON.stringify(stable(s))} but the files say ${JSON.stringify(stable(then))}`,
        );
      const first = before.get(s.id);
      if (s.updatedAt > then.updatedAt || (first !== undefined && s.updatedAt < first.updatedAt))
        problems.push(
          `${s.id}: updated ${s.updatedAt}, not between ${first?.updatedAt} and ${then.updatedAt}`,
        );
    }
    for (const [id, s] of before) {
      if (seen.has(id)) continue;
      const then = after.get(id);
      if (then === undefined) continue;
      if (shape.sortKey === 'updated' && then.updatedAt !== s.updatedAt) continue;
      problems.push(
        `${id} (${s.createdAt}, updated ${s.updatedAt}) existed before and after, but was not found (pages ${engines.join('')})`,
      );
      if (new Set(engines).size > 1)
        problems.push(`trace of the miss of ${id.slice(-4)}@${keyOf(shape, s).time}: ${trace.join(' | ')}`);
    }
    checked += got.length;
    pagesTotal += pages;
    io.say({
      traversal: {
        shape,
        pageSize,
        pages,
        sessions: got.length,
        answered: indexCounters.answered - counters.answered,
        fellBack: indexCounters.fellBack - counters.fellBack,
        problems: problems.slice(0, 10),
      },
    });

    // The state, as `rollouts index` shows it: never throws for a busy or rebuilt index.
    await sessionIndexStatus({ home: o.home });
    statuses++;
    const r = rand();
    if (r < o.rebuildChance + o.updateChance) {
      const rebuild = r < o.rebuildChance;
      const start = Date.now();
      try {
        if (rebuild) await rebuildSessionIndex({ home: o.home });
        else await updateSessionIndex({ home: o.home });
        if (rebuild) rebuilds++;
        else updates++;
      } catch (error) {
        const code = errorCode(error);
        if (code !== 'E_INDEX') throw error;
        io.say({
          indexError: {
            call: rebuild ? 'rebuild' : 'update',
            start,
            end: Date.now(),
            message: (error as Error).message,
          },
        });
      }
    }
    await turn();
  }
  await io.untilStopped();
  io.say({
    done: true,
    traversals,
    pages: pagesTotal,
    checked,
    updates,
    rebuilds,
    statuses,
    answered: indexCounters.answered,
    fellBack: indexCounters.fellBack,
    maxPageMs: Math.round(maxPageMs),
  });
  process.exit(0);
} catch (error) {
  io.fail(error);
}
