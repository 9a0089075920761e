import type { IndexStore } from './store.js';

export { queryCounters } from './store.js';
import type { IndexQuery, IndexRow } from './types.js';

/** Terms shorter than this (in code points) cannot use the trigram index and are scanned. */
const TRIGRAM = 3;

interface Built {
  where: string[];
  params: unknown[];
}

/** Length in code points: what the trigram tokenizer counts (it does not segment graphemes). */
const codePoints = (s: string): number => Array.from(s).length;

const placeholders = (n: number): string => Array.from({ length: n }, () => '?').join(', ');

/** An FTS5 phrase for `term`: literal, quotes doubled. */
export function ftsPhrase(term: string): string {
  return `"${term.replace(/"/g, '""')}"`;
}

/** The sub-select of the files holding a message that contains the (case-folded) term. */
function matchingFiles(term: string): { sql: string; params: unknown[] } {
  if (codePoints(term) < TRIGRAM) {
    return { sql: 'SELECT fid FROM msgs WHERE rl_contains(text, ?)', params: [term] };
  }
  return {
    sql:
      'SELECT m.fid FROM msg_fts JOIN msgs m ON m.mid = msg_fts.rowid ' +
      'WHERE msg_fts MATCH ? AND rl_contains(m.text, ?)',
    params: [ftsPhrase(term), term],
  };
}

/**
 * The ids whose thread name matches, as one parameter (a JSON array): a home may name thousands
 * of sessions, and one placeholder each would make a new statement for every count, bind each id
 * on every query, and fail past SQLite's limit of variables.
 */
const NAMED = '(SELECT value FROM json_each(?))';

/**
 * The rollouts that are their thread in a listing: none of the same thread and archive state comes
 * before it in the listing's order within the creation range (`bounds`: the listing's own, never
 * narrowed by a cursor). As the walk of the files lists a thread (a Codex CLI 0.171 reverted thread
 * has several rollouts), by the first rollout it meets, before any filter: a thread whose first
 * rollout is damaged or filtered out is not listed by an older one. Rollouts tied in that order are
 * kept both; the page is then the walk's to answer ({@link threadTies}).
 */
function firstOfThread(q: IndexQuery, bounds: ClaimBounds): Built {
  const col = q.order === 'updated' ? 'updated' : 'created';
  const where = ['g.kid = f.kid', 'g.archived = f.archived', `g.${col} > f.${col}`];
  const params: unknown[] = [];
  if (bounds.since !== undefined) {
    where.push('g.created >= ?');
    params.push(bounds.since);
  }
  if (bounds.until !== undefined) {
    where.push('g.created <= ?');
    params.push(bounds.until);
  }
  return { where: [`NOT EXISTS (SELECT 1 FROM files g WHERE ${where.join(' AND ')})`], params };
}

/** The creation range of a listing, as asked (before a cursor narrows it). */
type ClaimBounds = Pick<IndexQuery, 'since' | 'until'>;

function filters(
  q: IndexQuery,
  {
    withSources,
    withSearch = true,
    bounds = q,
  }: { withSources: boolean; withSearch?: boolean; bounds?: ClaimBounds },
): Built {
  const where = ["f.status = 'ok'", 'f.archived = ?'];
  const params: unknown[] = [q.archived ? 1 : 0];
  if (!q.includeEmpty) where.push('f.has_user = 1');
  if (q.since !== undefined) {
    where.push('f.created >= ?');
    params.push(q.since);
  }
  if (q.until !== undefined) {
    where.push('f.created <= ?');
    params.push(q.until);
  }
  if (q.cwd !== undefined) {
    where.push(`f.cwd IN (${placeholders(q.cwd.length)})`);
    params.push(...q.cwd);
  }
  if (withSources && q.sources !== undefined) {
    where.push(`f.source IN (${placeholders(q.sources.length)})`);
    params.push(...q.sources);
  }
  if (q.providers !== undefined) {
    const named = `f.provider IN (${placeholders(q.providers.length)})`;
    where.push(q.providers.includes(q.defaultProvider) ? `(${named} OR f.provider IS NULL)` : named);
    params.push(...q.providers);
  }
  if (q.search !== undefined && withSearch) {
    const m = matchingFiles(q.search);
    const names = q.nameIds ?? [];
    where.push(names.length > 0 ? `(f.fid IN (${m.sql}) OR f.kid IN ${NAMED})` : `f.fid IN (${m.sql})`);
    params.push(...m.params, ...(names.length > 0 ? [JSON.stringify(names)] : []));
  }
  // Last: a probe of the thread's other rollouts, once a row has passed every cheaper test.
  const claim = firstOfThread(q, bounds);
  where.push(...claim.where);
  params.push(...claim.params);
  return { where, params };
}

const COLUMNS =
  'f.fid, f.path, f.id, f.kid, f.created, f.updated, f.mtime, f.ctime, f.size, f.archived, f.compressed, f.source';

interface RawRow {
  fid: number;
  path: string;
  id: string;
  kid: string;
  created: number;
  updated: number;
  mtime: number;
  ctime: number;
  size: number;
  archived: number;
  compressed: number;
  source: string | null;
}

const toRow = (r: RawRow): IndexRow => ({ ...r, archived: r.archived === 1, compressed: r.compressed === 1 });

const orderColumn = (q: IndexQuery): string => (q.order === 'updated' ? 'f.updated' : 'f.created');

/**
 * The part of the listing's order a query covers: strictly after the cursor (`q.after`) and, with
 * `through`, up to and including that key, as row-value comparisons on (order column, id). Each
 * end is also a plain bound the planner can range over; in created order it is merged into
 * `since`/`until` (the returned query), so the walked index gets one lower and one upper bound:
 * given two, the planner may range over the wider one.
 */
function keyRange(
  q: IndexQuery,
  through: { time: number; id: string } | undefined,
): { q: IndexQuery; where: string[]; params: unknown[] } {
  const col = orderColumn(q);
  const created = q.order === 'created';
  const where: string[] = [];
  const params: unknown[] = [];
  let { since, until } = q;
  if (q.after !== undefined) {
    const t = q.after.time;
    if (created) until = until === undefined ? t : Math.min(until, t);
    else {
      where.push(`${col} <= ?`);
      params.push(t);
    }
    where.push(`(${col}, f.kid) < (?, ?)`);
    params.push(t, q.after.id);
  }
  if (through !== undefined) {
    const t = through.time;
    if (created) since = since === undefined ? t : Math.max(since, t);
    else {
      where.push(`${col} >= ?`);
      params.push(t);
    }
    where.push(`(${col}, f.kid) >= (?, ?)`);
    params.push(t, through.id);
  }
  return { q: { ...q, since, until }, where, params };
}

/**
 * `files` read through the index of the listing's order when no filter has an index of its own: a
 * page is then the first rows of that index within the range, and each row's thread probe is made
 * for those rows only. Left to itself, the planner may take a narrow creation range through
 * another index (a skip-scan of the few cwd values) and sort every row of the range, probing each.
 */
function filesInOrder(q: IndexQuery, { searched }: { searched: boolean }): string {
  // The hits of a search drive the query from their ids: they are not read through any order.
  if (searched || q.cwd !== undefined || q.sources !== undefined || q.providers !== undefined) {
    return 'files f';
  }
  return q.order === 'updated' ? 'files f INDEXED BY files_updated' : 'files f INDEXED BY files_created';
}

/** The sessions of one listing query, in its order, at most `limit`. */
export function queryIndex(store: IndexStore, q: IndexQuery): IndexRow[] {
  if (q.order === 'relevance' && q.search !== undefined) return ranked(store, q);
  if (q.search !== undefined) {
    const rows = firstInOrder(store, q);
    if (rows !== undefined) return rows;
  }
  const range = keyRange(q, undefined);
  const { where, params } = filters(range.q, { withSources: true, bounds: q });
  where.push(...range.where);
  params.push(...range.params);
  const col = orderColumn(q);
  const sql = `SELECT ${COLUMNS} FROM ${filesInOrder(q, { searched: q.search !== undefined })} WHERE ${where.join(' AND ')} ORDER BY ${col} DESC, f.kid DESC LIMIT ?`;
  return (store.stmt(sql).all(...params, q.limit) as RawRow[]).map(toRow);
}

/**
 * A relevance page: each file ranked by its best message (bm25), the files named by the term after
 * every file whose messages hold it, then created order. The candidates are the hits and the named
 * files only, collected once: bm25() cannot feed an aggregate directly, so each message is ranked
 * first (materialized, so the planner does not fold it into the aggregate).
 *
 * The full-text index's matches are nearly always literal ones, and checking each one's text costs
 * as much again as ranking it. So the files are first ranked by their best match as it is, and only
 * the best messages of the files up to the page's end are checked literally: when every one holds
 * the term, that is the exact ranking (any other file's best literal match ranks no better than
 * its best match, which is behind the page). Otherwise the ranking is made again from literal
 * matches only.
 */
function ranked(store: IndexStore, q: IndexQuery): IndexRow[] {
  const term = q.search!;
  const offset = q.offset ?? 0;
  if (codePoints(term) >= TRIGRAM) {
    const rows = rankedRows(store, q, { literal: false, offset: 0, limit: offset + q.limit });
    const check = store.stmt('SELECT rl_contains(text, ?) AS ok FROM msgs WHERE mid = ?');
    const exact = rows.every(
      (r) => r.best === null || (check.get(term, r.best) as { ok: number } | undefined)?.ok === 1,
    );
    if (exact) return rows.slice(offset).map(toRow);
  }
  return rankedRows(store, q, { literal: true, offset, limit: q.limit }).map(toRow);
}

/**
 * The relevance query, `limit` rows from `offset`: files ranked by their best match, checked
 * literally by `rl_contains` or (`literal: false`) as the full-text index matched it, each row with
 * that best message (`best`, the message of the least score, which min() names as SQLite's bare
 * column; null for a named file and for a term too short for the full-text index).
 */
function rankedRows(
  store: IndexStore,
  q: IndexQuery,
  { literal, offset, limit }: { literal: boolean; offset: number; limit: number },
): (RawRow & { best: number | null })[] {
  const { where, params } = filters(q, { withSources: true, withSearch: false });
  const term = q.search!;
  const short = codePoints(term) < TRIGRAM;
  const hits = short
    ? 'hits AS MATERIALIZED (SELECT fid, 0 AS score, NULL AS best FROM msgs WHERE rl_contains(text, ?) GROUP BY fid)'
    : 'ranked AS MATERIALIZED (SELECT rowid AS mid, bm25(msg_fts) AS score FROM msg_fts WHERE msg_fts MATCH ?), ' +
      'hits AS MATERIALIZED (SELECT m.fid AS fid, min(r.score) AS score, r.mid AS best FROM ranked r JOIN msgs m ' +
      `ON m.mid = r.mid${literal ? ' WHERE rl_contains(m.text, ?)' : ''} GROUP BY m.fid)`;
  const hitParams = short ? [term] : literal ? [ftsPhrase(term), term] : [ftsPhrase(term)];
  const names = q.nameIds ?? [];
  const candidates =
    names.length > 0
      ? `, cand AS (SELECT fid, score, best FROM hits UNION ALL SELECT f.fid, 0, NULL FROM files f ` +
        `WHERE f.kid IN ${NAMED} AND f.fid NOT IN (SELECT fid FROM hits))`
      : ', cand AS (SELECT fid, score, best FROM hits)';
  const sql =
    `WITH ${hits}${candidates} SELECT ${COLUMNS}, c.best AS best FROM cand c JOIN files f ON f.fid = c.fid ` +
    `WHERE ${where.join(' AND ')} ORDER BY c.score ASC, f.created DESC, f.kid DESC LIMIT ? OFFSET ?`;
  return store
    .stmt(sql)
    .all(
      ...hitParams,
      ...(names.length > 0 ? [JSON.stringify(names)] : []),
      ...params,
      limit,
      offset,
    ) as (RawRow & { best: number | null })[];
}

/** Sessions a search walks in order, per row of the page, before it asks the full-text index. */
const WALK_PER_ROW = 8;

/**
 * A search page found by walking the sessions in the listing's order (the filters' index) and
 * checking each one's messages, up to {@link WALK_PER_ROW} sessions a row: a common term fills
 * the page at once, where collecting every message that holds it first (the full-text path) costs
 * in proportion to the whole home. Undefined when the walk did not settle the page (the term is
 * rarer than that); the full-text path answers then.
 */
function firstInOrder(store: IndexStore, q: IndexQuery): IndexRow[] | undefined {
  const range = keyRange(q, undefined);
  const { where, params } = filters(range.q, { withSources: true, withSearch: false, bounds: q });
  where.push(...range.where);
  params.push(...range.params);
  const col = orderColumn(q);
  const budget = q.limit * WALK_PER_ROW;
  // Ids only while walking (a whole row costs ten times more to make), whole rows for the hits.
  const sql = `SELECT f.fid, f.kid FROM ${filesInOrder(q, { searched: false })} WHERE ${where.join(' AND ')} ORDER BY ${col} DESC, f.kid DESC LIMIT ?`;
  const walked = store.stmt(sql).all(...params, budget) as { fid: number; kid: string }[];
  const named = new Set(q.nameIds ?? []);
  const row = store.stmt(`SELECT ${COLUMNS} FROM files f WHERE f.fid = ?`);
  const out: IndexRow[] = [];
  for (const [i, r] of walked.entries()) {
    // Hits so far too sparse to fill the page within the budget: the term is rare, ask the index.
    if (i >= q.limit && (out.length + 1) * budget < q.limit * i) return undefined;
    const hit = firstMatch(store, r.fid, q.search!);
    if (hit === undefined && !named.has(r.kid)) continue;
    out.push({ ...toRow(row.get(r.fid) as RawRow), hit });
    if (out.length === q.limit) return out;
  }
  // Settled only when the walk reached the end of the listing.
  return walked.length < budget ? out : undefined;
}

/**
 * Sessions the `sources` filter alone leaves out, by source label (`''` for none usable), among
 * those after `q.after` and, when `through` is given, up to and including that key.
 */
export function countHiddenBySource(
  store: IndexStore,
  q: IndexQuery,
  through: { time: number; id: string } | undefined,
): Record<string, number> {
  if (q.sources === undefined) return {};
  // Within a page's range, each session is checked (a few); past the last page, the full-text
  // index says which sessions hold the term (the range may be the whole home).
  const bounded = q.search !== undefined && q.order !== 'relevance' && through !== undefined;
  const range = q.order === 'relevance' ? { q, where: [], params: [] } : keyRange(q, through);
  const { where, params } = filters(range.q, { withSources: false, withSearch: !bounded, bounds: q });
  where.push(`(f.source IS NULL OR f.source NOT IN (${placeholders(q.sources.length)}))`);
  params.push(...q.sources);
  where.push(...range.where);
  params.push(...range.params);
  const out: Record<string, number> = {};
  const add = (label: string, n: number): void => {
    Object.defineProperty(out, label, {
      value: (Object.hasOwn(out, label) ? out[label]! : 0) + n,
      enumerable: true,
      writable: true,
      configurable: true,
    });
  };
  if (bounded) {
    // The sessions of the page's range, each checked here: a named one counts without a look at
    // its messages (the names are a set here, not a list SQLite would build for every count).
    const named = new Set(q.nameIds ?? []);
    const sql =
      `SELECT coalesce(f.source, '') AS label, f.kid AS kid, ` +
      `EXISTS (SELECT 1 FROM msgs m WHERE m.fid = f.fid AND rl_contains(m.text, ?)) AS hit ` +
      `FROM files f WHERE ${where.join(' AND ')}`;
    for (const r of store.stmt(sql).all(q.search, ...params) as {
      label: string;
      kid: string;
      hit: number;
    }[]) {
      if (r.hit === 1 || named.has(r.kid)) add(r.label, 1);
    }
    return out;
  }
  const sql = `SELECT coalesce(f.source, '') AS label, count(*) AS n FROM files f WHERE ${where.join(' AND ')} GROUP BY label`;
  for (const r of store.stmt(sql).all(...params) as { label: string; n: number }[]) add(r.label, r.n);
  return out;
}

/**
 * The first message of one file that contains the (case-folded) term, in the order of its thread
 * as it was filed (a later rollout of a Codex CLI 0.171 thread holds the older rollouts' messages
 * first, with their own line numbers): where a hit's excerpt comes from.
 */
export function firstMatch(
  store: IndexStore,
  fid: number,
  term: string,
): { line: number; text: string } | undefined {
  return store
    .stmt('SELECT line, text FROM msgs WHERE fid = ? AND rl_contains(text, ?) ORDER BY mid LIMIT 1')
    .get(fid, term) as { line: number; text: string } | undefined;
}

/** A rollout of one of a page's threads, with what says whether it changed and where it sorts. */
export interface ThreadFile {
  fid: number;
  kid: string;
  path: string;
  created: number;
  updated: number;
  archived: boolean;
  mtime: number;
  ctime: number;
  size: number;
}

/**
 * Every rollout the index holds of these threads (lower-cased ids): a page checks the other
 * rollouts of its threads (their history is in the older ones) and their ties.
 */
export function threadFiles(store: IndexStore, kids: readonly string[]): ThreadFile[] {
  if (kids.length === 0) return [];
  const rows = store
    .stmt(
      'SELECT fid, kid, path, created, updated, archived, mtime, ctime, size FROM files ' +
        'WHERE kid IN (SELECT value FROM json_each(?))',
    )
    .all(JSON.stringify(kids)) as (Omit<ThreadFile, 'archived'> & { archived: number })[];
  return rows.map((r) => ({ ...r, archived: r.archived === 1 }));
}

/**
 * Whether a row of the page has another rollout of its thread at the same place in the listing's
 * order (within the creation range): the walk lists one of the two as the thread, and which one
 * is its to say, so such a page is the walk's to answer.
 */
export function threadTies(q: IndexQuery, page: readonly IndexRow[], family: readonly ThreadFile[]): boolean {
  const col = q.order === 'updated' ? 'updated' : 'created';
  return page.some((r) =>
    family.some(
      (g) =>
        g.kid === r.kid &&
        g.fid !== r.fid &&
        g.archived === r.archived &&
        g[col] === r[col] &&
        (q.since === undefined || g.created >= q.since) &&
        (q.until === undefined || g.created <= q.until),
    ),
  );
}
