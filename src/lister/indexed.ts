import { createHash } from 'node:crypto';
import { basename } from 'node:path';
import { InvalidCursorError } from '../errors.js';
import { encodeCursor, type CursorKey } from '../format/cursor.js';
import { foldCase, snippetOf } from '../format/search-text.js';
import { parseRolloutFileName } from '../files/layout.js';
import type { Candidate } from '../files/traverse.js';
import { acquireIndex, discardCorrupt, noteFailure, release } from '../search-index/handle.js';
import {
  countHiddenBySource,
  firstMatch,
  queryIndex,
  threadFiles,
  threadTies,
  type ThreadFile,
} from '../search-index/query.js';
import {
  EpochChangedError,
  reconcile,
  refreshFile,
  untilEpochHolds,
  type ReconcileOptions,
} from '../search-index/reconcile.js';
import { isBusy } from '../search-index/sqlite.js';
import { statHolds, type IndexStore } from '../search-index/store.js';
import type { IndexQuery, IndexRow } from '../search-index/types.js';
import { readHead } from './head.js';
import { readThreadNames } from './names.js';
import type { NormalizedListOptions } from './options.js';
import { toSummary } from './summary.js';
import { findTextMatch, inspectFile, nameMatch } from './texts.js';
import type { SearchMatch, SessionPage, SessionSummary } from './types.js';

/** How listings were answered in this process (read by tests to see that the index answered). */
export const indexCounters = { answered: 0, fellBack: 0 };

/**
 * For tests only: `beforeQuery` runs after a listing's catch-up and before its query, where another
 * process may empty the index (a rebuild) under it.
 */
export const indexHooks: { beforeQuery?: (() => void) | undefined } = {};

/** Times a page is asked again after finding a file that changed under it, before the files answer. */
const MAX_ATTEMPTS = 4;

/** Options of the reconcile every index-backed listing runs first. */
export function reconcileOptions(o: {
  signal?: AbortSignal | undefined;
  onIndexProgress?: ((p: { done: number; total: number }) => void) | undefined;
}): ReconcileOptions {
  return { inspect: inspectFile, signal: o.signal, onProgress: o.onIndexProgress };
}

/** Whether an error from SQLite means the file is damaged (so it is deleted and rebuilt). */
function isCorrupt(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === 'SQLITE_CORRUPT' || code === 'SQLITE_NOTADB' || code === 'SQLITE_CORRUPT_VTAB';
}

/**
 * Handles a failure of the index during a listing: a corrupt index is deleted (rebuilt next time),
 * any other is remembered for `sessionIndexStatus`; the caller then walks the files.
 */
export function indexFailed(home: string, error: unknown): void {
  noteFailure(home, error);
  if (isCorrupt(error)) discardCorrupt(home);
  else if (!isBusy(error)) release(home);
}

const changed = (row: Pick<IndexRow, 'path' | 'mtime' | 'ctime' | 'size'>): boolean =>
  !statHolds(row.path, row);

const keyOf = (o: NormalizedListOptions, r: IndexRow): CursorKey => ({
  time: o.sortKey === 'updated' ? r.updated : r.created,
  id: r.kid,
});

function toCandidate(o: NormalizedListOptions, r: IndexRow): Candidate {
  return {
    path: r.path,
    id: r.id,
    rolloutId: parseRolloutFileName(basename(r.path))?.rolloutId ?? r.id,
    key: keyOf(o, r),
    created: r.created,
    compressed: r.compressed,
    archived: r.archived,
  };
}

/**
 * One page from the session index, or undefined when the index cannot answer (the caller then
 * walks the files). The index is reconciled with the files first; every session of the page is
 * stat'ed, and one whose file changed since it was indexed is read again and the page asked again,
 * so nothing stale is returned. Summaries are built from each file's head, as the walk builds them.
 */
export async function listFromIndex(o: NormalizedListOptions): Promise<SessionPage | undefined> {
  if (!o.index || o.walkOptions) return undefined;
  const store = acquireIndex(o.home, { create: true });
  let page: SessionPage | undefined;
  if (store !== undefined) {
    try {
      // Caught up, then asked: when another process empties the index (a rebuild) in between,
      // the page would come from its half-built tables, so both are done again.
      page = await untilEpochHolds(async () => {
        const { epoch } = await reconcile(store, reconcileOptions(o));
        return pageFromIndex(store, o, { epoch });
      });
    } catch (error) {
      if (o.signal?.aborted) throw error;
      indexFailed(o.home, error);
    }
  }
  if (page === undefined) indexCounters.fellBack++;
  else indexCounters.answered++;
  return page;
}

/**
 * A relevance page continuing a ranking the index made, when the index cannot be brought up to
 * date (another process holds its write lock): the index's ranking as it stands, each row checked
 * against its file (a row whose file changed is matched against the file itself, and left out if it
 * no longer holds the term or is gone). Undefined when the index cannot be read at all.
 */
export async function rankedFromIndexAsIs(o: NormalizedListOptions): Promise<SessionPage | undefined> {
  const store = acquireIndex(o.home, { create: false });
  if (store === undefined) return undefined;
  try {
    return await pageFromIndex(store, o, { asIs: true });
  } catch (error) {
    if (o.signal?.aborted) throw error;
    if (error instanceof RankingGoneError) {
      throw new InvalidCursorError(
        encodeCursor(o.cursor!, 'relevance'),
        'it continues a ranking of the session index, which was emptied since (a rebuild) and cannot be brought up to date now; start the search again without a cursor',
      );
    }
    noteFailure(o.home, error);
    return undefined;
  }
}

/** The ids whose name holds a term, per names read (reused while the names file is unchanged). */
const namedCache = new WeakMap<Map<string, string>, Map<string, string[]>>();
/** Terms remembered per names read: a picker's typed search asks for one after another. */
const NAMED_TERMS = 16;

/** The lower-cased ids whose thread name holds the (case-folded) term. */
function namedBy(names: Map<string, string>, term: string): string[] {
  let terms = namedCache.get(names);
  if (terms === undefined) {
    terms = new Map();
    namedCache.set(names, terms);
  }
  let ids = terms.get(term);
  if (ids === undefined) {
    ids = [];
    for (const [id, name] of names) if (foldCase(name).includes(term)) ids.push(id);
    if (terms.size >= NAMED_TERMS) terms.delete(terms.keys().next().value!);
    terms.set(term, ids);
  }
  return ids;
}

/**
 * The query in one read transaction (one snapshot of the index), refused when the index is no
 * longer the one the catch-up brought up to date (`epoch`).
 */
function querySnapshot(
  store: IndexStore,
  q: IndexQuery,
  epoch: string | undefined,
): { rows: IndexRow[]; epoch: string } {
  return store.db.transaction(() => {
    const seen = store.epoch();
    if (epoch !== undefined && seen !== epoch) {
      throw new EpochChangedError('the session index was emptied since it was brought up to date');
    }
    return { rows: queryIndex(store, q), epoch: seen };
  })();
}

/** The ranking a relevance cursor names: the first 8 hex digits of the SHA-256 of the index's epoch. */
const rankingOf = (epoch: string): string => createHash('sha256').update(epoch).digest('hex').slice(0, 8);

/** An as-is relevance page asked to continue the ranking of an index that was emptied since. */
class RankingGoneError extends Error {}

async function pageFromIndex(
  store: IndexStore,
  o: NormalizedListOptions,
  { asIs = false, epoch }: { asIs?: boolean; epoch?: string } = {},
): Promise<SessionPage | undefined> {
  const names = await readThreadNames(o.home, o.signal);
  const term = o.search;
  const nameIds = term === undefined ? [] : namedBy(names, term);
  const q: IndexQuery = {
    archived: o.archived,
    order: o.sortKey,
    after: o.sortKey === 'relevance' ? undefined : o.cursor,
    offset: o.sortKey === 'relevance' ? (o.cursor?.time ?? 0) : undefined,
    since: o.since,
    until: o.until,
    cwd: o.cwd === undefined ? undefined : [...o.cwd],
    sources: o.sources === undefined ? undefined : [...o.sources],
    providers: o.modelProviders === undefined ? undefined : [...o.modelProviders],
    defaultProvider: o.defaultProvider,
    includeEmpty: o.includeEmpty,
    search: term,
    nameIds,
    limit: o.pageSize + 1,
  };
  const headOptions = { headRecords: o.headRecords, maxHeadBytes: o.maxHeadBytes };
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    o.signal?.throwIfAborted();
    indexHooks.beforeQuery?.();
    const snapshot = querySnapshot(store, q, epoch);
    const { rows } = snapshot;
    const ranking = o.sortKey === 'relevance' ? rankingOf(snapshot.epoch) : undefined;
    if (asIs) {
      // The tables the cursor's ranking was made from were emptied (a rebuild, maybe half done):
      // its offset means nothing in what they hold now.
      if (o.cursor?.ranking !== undefined && o.cursor.ranking !== ranking) throw new RankingGoneError();
      return asIsPage(store, o, q, rows, names, ranking);
    }
    const family = threadFiles(
      store,
      rows.map((r) => r.kid),
    );
    const stale = staleFiles(rows, family);
    if (stale.length > 0) {
      for (const p of stale) await refreshFile(store, p, reconcileOptions(o));
      continue;
    }
    const more = rows.length > o.pageSize;
    const page = rows.slice(0, o.pageSize);
    if (threadTies(q, page, family)) return undefined;
    const heads = await Promise.all(page.map((r) => readHead(r.path, r.compressed, headOptions)));
    const sessions: SessionSummary[] = [];
    let retry = false;
    for (let i = 0; i < page.length; i++) {
      const r = page[i]!;
      const h = heads[i]!;
      if (h.kind !== 'head' || h.head.mtimeMs !== r.mtime) {
        // Changed between the stat and the read: read it into the index again and ask again.
        await refreshFile(store, r.path, reconcileOptions(o));
        retry = true;
        break;
      }
      const name = names.get(r.kid) ?? null;
      const summary = toSummary(toCandidate(o, r), h.head, name);
      if (term !== undefined) {
        const match = matchOf(store, r, term, name);
        if (match === undefined) {
          await refreshFile(store, r.path, reconcileOptions(o));
          retry = true;
          break;
        }
        summary.match = match;
      }
      sessions.push(summary);
    }
    if (retry) continue;
    const last = page.at(-1);
    let nextCursor: string | null = null;
    if (more && last !== undefined) {
      const key =
        o.sortKey === 'relevance'
          ? { time: (q.offset ?? 0) + page.length, id: last.kid, ranking }
          : keyOf(o, last);
      nextCursor = encodeCursor(key, o.sortKey);
    }
    return {
      sessions,
      nextCursor,
      // What was examined: the page and the one after it (stat'ed, to know there is a next page).
      scannedFiles: rows.length,
      skippedFiles: 0,
      reachedScanCap: false,
      filteredBySource: countHiddenBySource(
        store,
        q,
        more && last !== undefined ? keyOf(o, last) : undefined,
      ),
    };
  }
  return undefined;
}

/**
 * The files to read again before the page is given: each row's whose stat changed, and every
 * rollout of a thread one of whose rollouts changed (a later rollout's history and preview come
 * from the older ones, and the rollout that is the thread may be another now).
 */
function staleFiles(rows: readonly IndexRow[], family: readonly ThreadFile[]): string[] {
  const threads = new Set<string>();
  const onPage = new Set<number>();
  for (const r of rows) {
    onPage.add(r.fid);
    if (changed(r)) threads.add(r.kid);
  }
  for (const g of family) if (!onPage.has(g.fid) && !threads.has(g.kid) && changed(g)) threads.add(g.kid);
  if (threads.size === 0) return [];
  const paths = new Set<string>();
  for (const r of rows) if (threads.has(r.kid)) paths.add(r.path);
  for (const g of family) if (threads.has(g.kid)) paths.add(g.path);
  return [...paths];
}

function matchOf(store: IndexStore, r: IndexRow, term: string, name: string | null): SearchMatch | undefined {
  const hit = r.hit ?? firstMatch(store, r.fid, term);
  if (hit !== undefined) return { snippet: snippetOf(hit.text, term) ?? hit.text, line: hit.line };
  return nameMatch(name, term);
}

/** The relevance page of {@link rankedFromIndexAsIs}: the index's rows, each checked against its file. */
async function asIsPage(
  store: IndexStore,
  o: NormalizedListOptions,
  q: IndexQuery,
  rows: IndexRow[],
  names: ReadonlyMap<string, string>,
  ranking: string | undefined,
): Promise<SessionPage | undefined> {
  const term = o.search;
  const more = rows.length > o.pageSize;
  const page = rows.slice(0, o.pageSize);
  if (
    term === undefined ||
    threadTies(
      q,
      page,
      threadFiles(
        store,
        page.map((r) => r.kid),
      ),
    )
  )
    return undefined;
  const headOptions = { headRecords: o.headRecords, maxHeadBytes: o.maxHeadBytes };
  const heads = await Promise.all(page.map((r) => readHead(r.path, r.compressed, headOptions)));
  const sessions: SessionSummary[] = [];
  for (let i = 0; i < page.length; i++) {
    const r = page[i]!;
    const h = heads[i]!;
    if (h.kind !== 'head') continue;
    if (h.head.userMessage === undefined && !o.includeEmpty) continue;
    const name = names.get(r.kid) ?? null;
    const moved = h.head.mtimeMs !== r.mtime || changed(r);
    const match = moved
      ? ((await findTextMatch(r.path, r.compressed, term, o.signal)) ?? nameMatch(name, term))
      : matchOf(store, r, term, name);
    if (match === undefined) continue;
    const summary = toSummary(toCandidate(o, r), h.head, name);
    summary.match = match;
    sessions.push(summary);
  }
  const last = page.at(-1);
  return {
    sessions,
    // Rows given or left out alike are behind the cursor: the ranking is the index's, as it stood.
    nextCursor:
      more && last !== undefined
        ? encodeCursor(
            { time: (q.offset ?? 0) + page.length, id: last.kid, ranker: 'index', ranking },
            'relevance',
          )
        : null,
    scannedFiles: rows.length,
    skippedFiles: 0,
    reachedScanCap: false,
    filteredBySource: countHiddenBySource(store, q, undefined),
  };
}
