import { lstatSync, statSync } from 'node:fs';
import { InvalidCursorError, hasErrno } from '../errors.js';
import { compareKeys, encodeCursor, type CursorKey } from '../format/cursor.js';
import { assertHomeFolder, homePaths } from '../files/layout.js';
import { metaFilterOf, sourceLabel, sourceMatches } from './filters.js';
import { listFromIndex, rankedFromIndexAsIs } from './indexed.js';
import { findTextMatch, nameMatch } from './texts.js';
import { readHead } from './head.js';
import { Heap } from './heap.js';
import { LazyThreadNames } from './names.js';
import { DEFAULT_SCAN_CAP, normalizeListOptions, type NormalizedListOptions } from './options.js';
import { toSummary } from './summary.js';
import {
  DateTreeWalker,
  ScanContext,
  listAllLive,
  readRolloutFolder,
  type Candidate,
} from '../files/traverse.js';
import type {
  IterateSessionsOptions,
  ListSessionsOptions,
  SearchMatch,
  SessionPage,
  SessionSummary,
} from './types.js';

/** Heads read at once: hides file latency without reading far past what a page needs. */
const HEAD_CONCURRENCY = 8;
/** `stat` calls between two turns of the event loop, for `sortKey: 'updated'`. */
const STAT_CHUNK = 256;

interface Run {
  o: NormalizedListOptions;
  ctx: ScanContext;
  /** The last candidate handed to the caller's filters, accepted or not. */
  lastProcessed: CursorKey | undefined;
  /**
   * The source label (`''` for none usable) of each session only the `sources` filter left out, in
   * order; undefined when nobody counts them (iteration).
   */
  hiddenBySource: string[] | undefined;
}

function inCreatedRange(o: NormalizedListOptions, c: Candidate): boolean {
  return (o.since === undefined || c.created >= o.since) && (o.until === undefined || c.created <= o.until);
}

function inRange(o: NormalizedListOptions, c: Candidate): boolean {
  return (o.cursor === undefined || compareKeys(c.key, o.cursor) > 0) && inCreatedRange(o, c);
}

/**
 * Sets each candidate's key to its modification time; drops the files that cannot be stat'ed.
 *
 * Synchronous `stat` in chunks, yielding to the event loop between chunks: on a warm cache it is
 * about five times faster than promise-based `stat` (which queues on the libuv thread pool), and a
 * chunk blocks the loop for a few milliseconds only.
 */
async function keyByMtime(list: Candidate[], ctx: ScanContext): Promise<Candidate[]> {
  const out: Candidate[] = [];
  for (let i = 0; i < list.length; i += STAT_CHUNK) {
    ctx.checkAbort();
    for (const c of list.slice(i, i + STAT_CHUNK)) {
      try {
        c.key = { time: Math.floor(statSync(c.path).mtimeMs), id: c.key.id };
        out.push(c);
      } catch (error) {
        const vanished = hasErrno(error, 'ENOENT') && !existsAsLink(c.path);
        ctx.skip(c.path, vanished ? 'vanished' : 'unreadable', error);
      }
    }
    await new Promise((resolve) => setImmediate(resolve));
  }
  return out;
}

function existsAsLink(file: string): boolean {
  try {
    lstatSync(file);
    return true;
  } catch {
    return false;
  }
}

/** Every candidate of the listing, strictly after the cursor, in order. */
async function* candidates(run: Run): AsyncGenerator<Candidate> {
  const { o, ctx } = run;
  const root = o.archived ? homePaths.archived(o.home) : homePaths.sessions(o.home);
  if (o.archived || o.sortKey === 'updated') {
    let list = o.archived
      ? await readRolloutFolder(root, ctx, { archived: true, quietIfMissing: true })
      : await listAllLive(root, ctx, { since: o.since, until: o.until });
    // Only files in the creation range are stat'ed; the cursor can only be applied after.
    list = list.filter((c) => inCreatedRange(o, c));
    if (o.sortKey === 'updated') list = await keyByMtime(list, ctx);
    list = list.filter((c) => inRange(o, c)).sort((a, b) => compareKeys(a.key, b.key));
    for (const c of list) {
      ctx.progressed = true;
      yield c;
    }
    return;
  }
  const walker = new DateTreeWalker(root, ctx, { newerThan: o.cursor?.time, since: o.since, until: o.until });
  const heap = new Heap<Candidate>((a, b) => compareKeys(a.key, b.key) < 0);
  for (;;) {
    ctx.checkAbort();
    const top = heap.peek();
    // Safe to hand out: no folder still unlisted can hold a session at or above its instant.
    if (top !== undefined && top.key.time >= walker.upperBound) {
      heap.pop();
      ctx.progressed = true;
      yield top;
      continue;
    }
    if (walker.done) return;
    if (ctx.capReached) {
      ctx.reachedScanCap = true;
      return;
    }
    for (const c of await walker.expand()) if (inRange(o, c)) heap.push(c);
  }
}

/** Summaries of the sessions that pass every filter, in order; `want` says how many more are wanted. */
async function* summaries(
  run: Run,
  want: () => number,
): AsyncGenerator<{ summary: SessionSummary; key: CursorKey }> {
  const { o, ctx } = run;
  const names = new LazyThreadNames(o.home, o.signal);
  // The sources filter is applied last, so that what it alone hides can be counted.
  const headOptions = {
    headRecords: o.headRecords,
    maxHeadBytes: o.maxHeadBytes,
    metaFilter: metaFilterOf(o, { withSources: false }),
  };
  const source = candidates(run);
  let previous: CursorKey | undefined;
  // A thread with several rollouts (a Codex CLI 0.171 reverted thread) is listed once, by its
  // newest rollout, which comes first in newest-first order; its older rollouts are not sessions.
  const threads = new Set<string>();
  try {
    for (;;) {
      const batch: Candidate[] = [];
      const n = Math.max(1, Math.min(HEAD_CONCURRENCY, want()));
      while (batch.length < n) {
        const r = await source.next();
        if (r.done) break;
        // The same session filed twice (two folders, or live and compressed) sorts to one place.
        if (previous !== undefined && compareKeys(previous, r.value.key) === 0) {
          ctx.skip(r.value.path, 'duplicate');
          continue;
        }
        previous = r.value.key;
        const thread = r.value.id.toLowerCase();
        if (threads.has(thread)) {
          ctx.skip(r.value.path, 'duplicate');
          continue;
        }
        threads.add(thread);
        batch.push(r.value);
      }
      if (batch.length === 0) return;
      ctx.opened += batch.length;
      const heads = await Promise.all(batch.map((c) => readHead(c.path, c.compressed, headOptions)));
      ctx.checkAbort();
      for (let i = 0; i < batch.length; i++) {
        const c = batch[i]!;
        const result = heads[i]!;
        run.lastProcessed = c.key;
        if (result.kind === 'skip') {
          ctx.skip(c.path, result.reason, result.error);
          continue;
        }
        if (result.kind === 'filtered') continue;
        const { head } = result;
        if (head.userMessage === undefined && !o.includeEmpty) continue;
        const name = await names.get(c.id);
        let match: SearchMatch | undefined;
        if (o.search !== undefined) {
          match =
            (await findTextMatch(c.path, c.compressed, o.search, o.signal)) ?? nameMatch(name, o.search);
          if (match === undefined) continue;
        }
        if (!sourceMatches(o.sources, head.meta.source)) {
          run.hiddenBySource?.push(sourceLabel(head.meta.source) ?? '');
          continue;
        }
        const summary = toSummary(c, head, name);
        if (match !== undefined) summary.match = match;
        yield { summary, key: c.key };
      }
    }
  } finally {
    await source.return(undefined);
  }
}

/**
 * One page of sessions, newest first.
 *
 * @remarks
 * Order: by creation instant (the UUIDv7 time of the id, else the file name read as UTC), ties by
 * id descending; or by modification time with `sortKey: 'updated'`. `nextCursor` means "strictly
 * after the last session of this page": paging returns every session exactly once, whatever the
 * page size and however many sessions share a millisecond, and sessions created while paging never
 * cause a repeat or a gap among the others. `nextCursor` is `null` once nothing follows.
 *
 * Cost, in `'created'` order: the date folders that can hold the page (a file's name and folder
 * may be ±14 h from its true instant, so a page reads up to a day and a half of folders past its
 * oldest session), plus one head read per session examined; not the size of the home. In
 * `'updated'` order every rollout is stat'ed on every call.
 *
 * Files that cannot be listed (empty, torn, unreadable, not UTF-8, not a file, deleted meanwhile,
 * junk names) are skipped, counted in `skippedFiles` and reported to `onSkip`; the page goes on.
 *
 * The `sources` filter is applied after the others, so that `filteredBySource` can say how many
 * sessions it alone left out: the head of a session from another source is read up to its first
 * user message, as a listed one's is.
 * @throws `InvalidCursorError` for a cursor this library did not make; `TypeError` for bad or
 * contradictory options; the signal's reason when aborted.
 * @public
 */
export async function listSessions(options: ListSessionsOptions = {}): Promise<SessionPage> {
  const o = normalizeListOptions(options, { scanCap: searchScanCap(options) });
  assertHomeFolder(o.home, 'list the sessions of');
  // A ranked search is continued by the engine that ranked its first page (their orders differ).
  if (o.sortKey === 'relevance' && o.cursor?.ranker === 'files') return walkRanked(o);
  const indexed = await listFromIndex(o);
  if (indexed !== undefined) return indexed;
  if (o.sortKey !== 'relevance') return walkPage(o);
  if (o.cursor?.ranker !== 'index') return walkRanked(o);
  const ranked = o.index && !o.walkOptions ? await rankedFromIndexAsIs(o) : undefined;
  if (ranked !== undefined) return ranked;
  throw new InvalidCursorError(
    encodeCursor(o.cursor, 'relevance'),
    o.index && !o.walkOptions
      ? 'it continues a ranking of the session index, which cannot be read now; start the search again without a cursor'
      : 'it continues a ranking of the session index, and this listing does not use the index (index: false, scanCap, maxHeadBytes or onSkip); list as the first page did, or start again without a cursor',
  );
}

/** A search reads every file without the index, so no default cap may cut it short. */
function searchScanCap(options: ListSessionsOptions): number {
  return options.search !== undefined && options.search !== '' ? Infinity : DEFAULT_SCAN_CAP;
}

/**
 * The relevance order without the index: the hits in created order, its cursor counting the hits
 * already given.
 */
async function walkRanked(o: NormalizedListOptions): Promise<SessionPage> {
  const skip = o.cursor?.time ?? 0;
  const run = newRun({ ...o, sortKey: 'created', cursor: undefined }, undefined);
  const sessions: SessionSummary[] = [];
  let seen = 0;
  let more = false;
  for await (const { summary } of summaries(run, () => HEAD_CONCURRENCY)) {
    if (seen++ < skip) continue;
    if (sessions.length === o.pageSize) {
      more = true;
      break;
    }
    sessions.push(summary);
  }
  const last = sessions.at(-1);
  return {
    sessions,
    nextCursor:
      more && last !== undefined
        ? encodeCursor(
            { time: skip + sessions.length, id: last.id.toLowerCase(), ranker: 'files' },
            'relevance',
          )
        : null,
    scannedFiles: run.ctx.opened,
    skippedFiles: run.ctx.skipped,
    reachedScanCap: run.ctx.reachedScanCap,
    filteredBySource: {},
  };
}

/** One page by walking the files (no index, or the index could not answer). */
async function walkPage(o: NormalizedListOptions): Promise<SessionPage> {
  const hidden: string[] = [];
  const run = newRun(o, hidden);
  const sessions: SessionSummary[] = [];
  let lastKey: CursorKey | undefined;
  let more = false;
  // Sessions hidden by source up to the last one of the page: those after it belong to the next page.
  let hiddenBeforeLast = 0;
  // One more than a page is looked for, so that the last page says so with a null cursor.
  for await (const found of summaries(run, () => o.pageSize + 1 - sessions.length)) {
    const { summary } = found;
    let { key } = found;
    if (o.sortKey === 'updated') {
      // Ordered by a stat taken before the head was read: a file appended to in between has moved
      // up to its newer time, which `updatedAt` gives. It is placed by that time (the candidates
      // come in stat order, and a time only grows), or left out when that is before the cursor.
      key = { time: Date.parse(summary.updatedAt), id: key.id };
      if (o.cursor !== undefined && compareKeys(key, o.cursor) <= 0) continue;
    }
    if (sessions.length === o.pageSize) {
      if (compareKeys(key, lastKey!) > 0) {
        more = true;
        break;
      }
      // Moved up into the page: it takes its place; the page's last session is the one past it.
      sessions.splice(placeOf(sessions, key, o), 0, summary);
      sessions.pop();
      lastKey = keyOfSummary(sessions.at(-1)!, o);
      more = true;
      continue;
    }
    const at =
      lastKey !== undefined && compareKeys(key, lastKey) < 0 ? placeOf(sessions, key, o) : sessions.length;
    sessions.splice(at, 0, summary);
    if (at === sessions.length - 1) lastKey = key;
    hiddenBeforeLast = hidden.length;
  }
  let next: CursorKey | undefined;
  if (more) next = lastKey;
  else if (run.ctx.reachedScanCap) next = run.lastProcessed ?? lastKey;
  return {
    sessions,
    nextCursor: next === undefined ? null : encodeCursor(next, o.sortKey),
    scannedFiles: run.ctx.opened,
    skippedFiles: run.ctx.skipped,
    reachedScanCap: run.ctx.reachedScanCap,
    filteredBySource: countLabels(more ? hidden.slice(0, hiddenBeforeLast) : hidden),
  };
}

/** A summary's place in the listing's order (the walk's cursor keys are built the same way). */
function keyOfSummary(s: SessionSummary, o: NormalizedListOptions): CursorKey {
  return { time: Date.parse(o.sortKey === 'updated' ? s.updatedAt : s.createdAt), id: s.id.toLowerCase() };
}

/** Where a session with `key` goes among `sessions` (in order) to keep them in order. */
function placeOf(sessions: readonly SessionSummary[], key: CursorKey, o: NormalizedListOptions): number {
  const i = sessions.findIndex((s) => compareKeys(key, keyOfSummary(s, o)) < 0);
  return i === -1 ? sessions.length : i;
}

function newRun(o: NormalizedListOptions, hiddenBySource: string[] | undefined): Run {
  return { o, ctx: new ScanContext(o.scanCap, o.onSkip, o.signal), lastProcessed: undefined, hiddenBySource };
}

/** How many times each label occurs, as a plain object (own keys only, so even `__proto__` is data). */
function countLabels(labels: readonly string[]): Record<string, number> {
  const counts = new Map<string, number>();
  for (const l of labels) counts.set(l, (counts.get(l) ?? 0) + 1);
  return Object.fromEntries(counts);
}

/**
 * Every session, newest first, as an async iterator: the engine of {@link listSessions} without
 * pages. Breaking out of the loop stops the traversal.
 *
 * @remarks
 * Reads heads a few at a time ahead of the consumer. `scanCap` defaults to no bound here; with one,
 * the iteration ends quietly where the cap stopped it.
 * @public
 */
export async function* iterateSessions(options: IterateSessionsOptions = {}): AsyncGenerator<SessionSummary> {
  const o = normalizeListOptions(options, { scanCap: Infinity });
  assertHomeFolder(o.home, 'list the sessions of');
  if (o.sortKey === 'relevance' || (o.index && !o.walkOptions)) {
    // Through the index (or its fallback) page by page: the same engine as listSessions.
    let cursor: string | null = options.cursor ?? null;
    for (;;) {
      const page: SessionPage = await listSessions({ ...options, pageSize: ITERATE_PAGE, cursor });
      for (const s of page.sessions) yield s;
      if (page.nextCursor === null) return;
      cursor = page.nextCursor;
    }
  }
  const run = newRun(o, undefined);
  for await (const { summary } of summaries(run, () => HEAD_CONCURRENCY)) yield summary;
}

/** Sessions per page when iterating through the index. */
const ITERATE_PAGE = 100;
