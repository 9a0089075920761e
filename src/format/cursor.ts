import { InvalidCursorError } from '../errors.js';
import { isUuid } from './ids.js';

/**
 * A position in a listing's order: an instant (milliseconds since the epoch) and a session id.
 * Sessions are ordered newest first by instant, then by id descending (compared lower-cased).
 */
export interface CursorKey {
  /** Milliseconds since the epoch (creation instant, or modification time for `sortKey: 'updated'`). */
  time: number;
  /** The session id, lower-cased. */
  id: string;
  /**
   * For the relevance order only: which engine ranked the hits the cursor continues, the session
   * index (bm25) or the file walk (created order). Their orders differ, so a cursor is continued
   * by the engine that made it.
   */
  ranker?: 'index' | 'files';
  /**
   * For a relevance cursor of the session index: which index ranked it, the first 8 hex digits of
   * the SHA-256 of its epoch (`meta.epoch`, new each time its tables are made anew). Absent in
   * cursors of earlier versions.
   */
  ranking?: string;
}

const CURSOR_RE =
  /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z)\|([^|]+?)(\|updated|\|relevance(?:-files|:[0-9a-f]{8})?)?$/;

/** The orders a cursor can belong to. */
export type CursorOrder = 'created' | 'updated' | 'relevance';

/**
 * The cursor for "strictly after `key`": `<RFC 3339 UTC with milliseconds>|<id>`, the shape the
 * Codex app-server uses, for the created order; the updated order's cursors end in `|updated`, so
 * a cursor given to the other order is refused instead of silently skipping sessions. The
 * relevance order's end in `|relevance:<ranking>` (ranked by the session index, see
 * {@link CursorKey.ranking}; `|relevance` in earlier versions) or `|relevance-files` (by the file
 * walk, see {@link CursorKey.ranker}), and their time is the count of hits already given
 * (milliseconds after the epoch), the ranking having no instant.
 */
export function encodeCursor(key: CursorKey, order: CursorOrder = 'created'): string {
  const tag =
    order === 'created'
      ? ''
      : order === 'relevance' && key.ranker === 'files'
        ? '|relevance-files'
        : order === 'relevance' && key.ranking !== undefined
          ? `|relevance:${key.ranking}`
          : `|${order}`;
  return `${new Date(key.time).toISOString()}|${key.id.toLowerCase()}${tag}`;
}

/**
 * Reads a cursor made by {@link encodeCursor} for `order`; anything else (another order's cursor
 * included) is an {@link InvalidCursorError}.
 */
export function decodeCursor(cursor: string, order: CursorOrder = 'created'): CursorKey {
  if (typeof cursor !== 'string') throw new InvalidCursorError(String(cursor), 'not a string');
  const m = CURSOR_RE.exec(cursor);
  if (!m)
    throw new InvalidCursorError(cursor, 'expected "<RFC 3339 UTC time with milliseconds>|<session id>"');
  const [, iso, id, tag] = m as unknown as [string, string, string, string | undefined];
  const made: CursorOrder = tag === undefined ? 'created' : tag === '|updated' ? 'updated' : 'relevance';
  if (made !== order) {
    throw new InvalidCursorError(
      cursor,
      `it belongs to the '${made}' order, not the '${order}' one; list with sortKey '${made}', or start without a cursor`,
    );
  }
  const time = Date.parse(iso);
  // Date.parse rolls impossible dates over (Feb 30 → Mar 2); the round trip catches that.
  if (!Number.isFinite(time) || new Date(time).toISOString() !== iso) {
    throw new InvalidCursorError(cursor, `"${iso}" is not a real instant`);
  }
  if (!isUuid(id)) throw new InvalidCursorError(cursor, `"${id}" is not a session id`);
  const key: CursorKey = { time, id: id.toLowerCase() };
  if (made === 'relevance') key.ranker = tag === '|relevance-files' ? 'files' : 'index';
  if (tag?.startsWith('|relevance:') === true) key.ranking = tag.slice('|relevance:'.length);
  return key;
}

/**
 * Compares two keys in listing order: negative when `a` comes first (is newer), positive when `b`
 * does, 0 when equal.
 */
export function compareKeys(a: CursorKey, b: CursorKey): number {
  if (a.time !== b.time) return b.time - a.time;
  return a.id < b.id ? 1 : a.id > b.id ? -1 : 0;
}
