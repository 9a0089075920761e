import { listSessions } from '../lister/list.js';
import type { ListSessionsOptions, SessionSummary } from '../lister/types.js';
import { attr, html } from '../transcript/text.js';
import { pageEnd, pageStart } from './page.js';

/** Sessions on one page of the list. */
export const LIST_PAGE_SIZE = 50;

/** The list page's query, as the form sends it. */
export interface ListQuery {
  cursor: string | undefined;
  sort: 'created' | 'updated';
  cwd: string;
  source: string;
  since: string;
  until: string;
  q: string;
}

export function listQuery(params: URLSearchParams): ListQuery {
  const get = (k: string): string => (params.get(k) ?? '').trim();
  return {
    cursor: get('cursor') || undefined,
    sort: get('sort') === 'updated' ? 'updated' : 'created',
    cwd: get('cwd'),
    source: get('source'),
    since: get('since'),
    until: get('until'),
    q: get('q'),
  };
}

/** What the other helper's index adds to a summary when a search matched its text. */
type Match = { snippet: string; line: number };
const matchOf = (s: SessionSummary): Match | undefined => {
  const m = (s as { match?: unknown }).match;
  return typeof m === 'object' && m !== null && typeof (m as Match).snippet === 'string'
    ? (m as Match)
    : undefined;
};

/** `text` escaped, every occurrence of `q` (any case) marked. */
export function marked(text: string, q: string): string {
  if (!q) return html(text);
  const lower = text.toLowerCase();
  const needle = q.toLowerCase();
  let out = '';
  let at = 0;
  for (let i = lower.indexOf(needle); i !== -1 && needle; i = lower.indexOf(needle, at)) {
    out += `${html(text.slice(at, i))}<mark>${html(text.slice(i, i + needle.length))}</mark>`;
    at = i + needle.length;
  }
  return out + html(text.slice(at));
}

/** The text around the first occurrence of `q` in `text`, for a snippet. */
function around(text: string, q: string, width = 80): string {
  const i = text.toLowerCase().indexOf(q.toLowerCase());
  if (i === -1) return text.slice(0, width * 2);
  const start = Math.max(0, i - width);
  return `${start > 0 ? '…' : ''}${text.slice(start, i + q.length + width)}${i + q.length + width < text.length ? '…' : ''}`;
}

const dayStart = (d: string): Date | undefined =>
  /^\d{4}-\d{2}-\d{2}$/.test(d) ? new Date(`${d}T00:00:00Z`) : undefined;
const dayEnd = (d: string): Date | undefined =>
  /^\d{4}-\d{2}-\d{2}$/.test(d) ? new Date(`${d}T23:59:59.999Z`) : undefined;

/** The list options a query asks for. */
export function listOptions(home: string, q: ListQuery, signal: AbortSignal): ListSessionsOptions {
  const since = dayStart(q.since);
  const until = dayEnd(q.until);
  return {
    home,
    pageSize: LIST_PAGE_SIZE,
    cursor: q.cursor ?? null,
    sortKey: q.sort,
    ...(q.cwd ? { cwd: q.cwd } : {}),
    ...(q.source ? { sources: [q.source] } : {}),
    ...(since ? { since } : {}),
    ...(until ? { until } : {}),
    ...(q.q ? { search: q.q } : {}),
    signal,
  };
}

const link = (base: string, q: ListQuery, cursor?: string): string => {
  const p = new URLSearchParams();
  if (q.sort !== 'created') p.set('sort', q.sort);
  for (const k of ['cwd', 'source', 'since', 'until', 'q'] as const) if (q[k]) p.set(k, q[k]);
  if (cursor) p.set('cursor', cursor);
  const s = p.toString();
  return `${base}${s ? `?${s}` : ''}`;
};

const SOURCES = ['', 'cli', 'vscode', 'exec', 'mcp', 'subagent'];

/** The session list: a filter form, a page of sessions, and the link to the next page. */
export async function listPage(
  home: string,
  base: string,
  q: ListQuery,
  signal: AbortSignal,
): Promise<string> {
  const page = await listSessions(listOptions(home, q, signal));
  const opt = (v: string, label: string, current: string): string =>
    `<option value="${attr(v)}"${v === current ? ' selected' : ''}>${html(label)}</option>`;
  const form =
    `<form class="filters" method="get" action="${attr(base)}">` +
    `<label>search<input type="search" name="q" value="${attr(q.q)}" placeholder="text in a session"></label>` +
    `<label>sort<select name="sort">${opt('created', 'created', q.sort)}${opt('updated', 'updated', q.sort)}</select></label>` +
    `<label>cwd<input name="cwd" value="${attr(q.cwd)}" placeholder="/path/to/project"></label>` +
    `<label>source<select name="source">${SOURCES.map((s) => opt(s, s || 'any', q.source)).join('')}</select></label>` +
    `<label>since<input type="date" name="since" value="${attr(q.since)}"></label>` +
    `<label>until<input type="date" name="until" value="${attr(q.until)}"></label>` +
    '<button type="submit">show</button></form>\n';
  const rows = page.sessions
    .map((s) => {
      const title = s.name ?? s.preview ?? s.firstUserMessage ?? '(no message)';
      const match = matchOf(s);
      const snippet = match
        ? `<div class="snippet">line ${match.line}: ${marked(match.snippet, q.q)}</div>`
        : q.q
          ? `<div class="snippet">${marked(around(s.firstUserMessage ?? s.preview ?? s.name ?? '', q.q), q.q)}</div>`
          : '';
      const when = q.sort === 'updated' ? s.updatedAt : s.createdAt;
      const source =
        s.source === null ? '' : typeof s.source === 'string' ? s.source : JSON.stringify(s.source);
      return (
        `<tr class="session"><td class="when">${html(when.replace('T', ' ').replace(/\.\d+Z$/, 'Z'))}</td>` +
        `<td><a class="preview" href="${attr(`${base}s/${encodeURIComponent(s.id)}`)}">${marked(title, q.q)}</a>${snippet}` +
        `<div class="dim">${html(s.id)}</div></td><td>${html(s.cwd ?? '')}</td><td>${html(source)}</td></tr>`
      );
    })
    .join('\n');
  const next = page.nextCursor
    ? `<a class="next" href="${attr(link(base, q, page.nextCursor))}">next page →</a>`
    : '<span class="dim">end of the list</span>';
  const first = q.cursor ? `<a class="first" href="${attr(link(base, q))}">← first page</a>` : '';
  return (
    pageStart('Sessions', base) +
    `<main><h1>Sessions</h1>\n${form}` +
    (page.sessions.length === 0
      ? '<p class="note">no sessions match</p>'
      : `<table class="list"><thead><tr><th>${q.sort}</th><th>session</th><th>cwd</th><th>source</th></tr></thead><tbody>\n${rows}\n</tbody></table>`) +
    `\n<nav class="pages">${first}${next}</nav></main>\n` +
    pageEnd
  );
}
