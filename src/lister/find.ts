import { AmbiguousSessionIdError, InvalidRolloutError, SessionNotFoundError } from '../errors.js';
import { compareKeys } from '../format/cursor.js';
import { isUuid, uuidV7Time } from '../format/ids.js';
import { homePaths, resolveHome } from '../home.js';
import { readHead } from './head.js';
import { LazyThreadNames } from './names.js';
import { DEFAULT_HEAD_RECORDS, DEFAULT_MAX_HEAD_BYTES } from './options.js';
import { toSummary } from './summary.js';
import {
  ScanContext,
  dayFolderPath,
  dayFoldersAround,
  listAllLive,
  readRolloutFolder,
  type Candidate,
} from './traverse.js';
import type { FindSessionOptions, SessionSummary } from './types.js';

const PREFIX_RE = /^[0-9a-f-]+$/;
const MIN_PREFIX_HEX = 8;

/** A checked query: a full id, or the hex digits of a prefix. */
type Query = { full: string } | { hex: string };

function parseQuery(idOrPrefix: string): Query {
  if (typeof idOrPrefix !== 'string') throw new TypeError('findSession: the id must be a string');
  const q = idOrPrefix.trim().toLowerCase();
  if (isUuid(q)) return { full: q };
  const hex = q.replace(/-/g, '');
  if (!PREFIX_RE.test(q) || hex.length < MIN_PREFIX_HEX) {
    throw new TypeError(
      `findSession: "${idOrPrefix}" is neither a session id nor a prefix of at least ${MIN_PREFIX_HEX} hex digits`,
    );
  }
  return { hex };
}

const hexOf = (id: string): string => id.toLowerCase().replace(/-/g, '');

/**
 * The rollout files of the sessions matching a query, live ones first. A full UUIDv7 id is looked
 * up in the two or three date folders its instant allows (±14 h) before falling back to a walk.
 */
export async function locateSessions(
  home: string,
  idOrPrefix: string,
  options: { archived?: boolean | undefined; signal?: AbortSignal | undefined },
): Promise<{ query: Query; matches: Candidate[] }> {
  const query = parseQuery(idOrPrefix);
  const ctx = new ScanContext(Infinity, undefined, options.signal);
  const matches = (list: Candidate[]): Candidate[] =>
    list.filter((c) =>
      'full' in query ? c.id.toLowerCase() === query.full : hexOf(c.id).startsWith(query.hex),
    );
  // Checked on the raw name before it is parsed: a walk of a large home parses only the matches.
  const accept = (name: string): boolean => {
    const base = name.endsWith('.zst') ? name.slice(0, -4) : name;
    const id = base.slice(-'.jsonl'.length - 36, -'.jsonl'.length).toLowerCase();
    return 'full' in query ? id === query.full : hexOf(id).startsWith(query.hex);
  };
  const found: Candidate[] = [];
  if (options.archived !== true) {
    const time = 'full' in query ? uuidV7Time(query.full) : undefined;
    if (time !== undefined) {
      for (const day of dayFoldersAround(time)) {
        const dir = dayFolderPath(homePaths.sessions(home), day);
        found.push(
          ...matches(await readRolloutFolder(dir, ctx, { archived: false, quietIfMissing: true, accept })),
        );
      }
    }
    if (found.length === 0)
      found.push(...matches(await listAllLive(homePaths.sessions(home), ctx, { accept })));
  }
  if (options.archived !== false && (found.length === 0 || !('full' in query))) {
    const archived = matches(
      await readRolloutFolder(homePaths.archived(home), ctx, {
        archived: true,
        quietIfMissing: true,
        accept,
      }),
    );
    // A live session wins over an archived copy of itself.
    const live = new Set(found.map((c) => c.id.toLowerCase()));
    found.push(...archived.filter((c) => !live.has(c.id.toLowerCase())));
  }
  return { query, matches: found };
}

/**
 * The one session whose id is `idOrPrefix` (any case), or starts with it.
 *
 * @remarks
 * A prefix needs at least 8 hex digits; hyphens may be given or left out. A full UUIDv7 id is
 * cheap to find (its date folder is known to ±14 h); a prefix or another UUID version walks the
 * file names of the home (no file is read but the one found). The session is returned whether or
 * not it has a user message.
 * @throws `SessionNotFoundError` when nothing matches; `AmbiguousSessionIdError` (with the
 * candidates, newest first) when a prefix matches several sessions; `InvalidRolloutError` when
 * the file found cannot be read as a rollout; `TypeError` when `idOrPrefix` is neither.
 * @public
 */
export async function findSession(
  idOrPrefix: string,
  options: FindSessionOptions = {},
): Promise<SessionSummary> {
  const home = resolveHome(options.home);
  const { matches } = await locateSessions(home, idOrPrefix, options);
  const one = pickOne(idOrPrefix, home, matches);
  const result = await readHead(one.path, one.compressed, {
    headRecords: options.headRecords ?? DEFAULT_HEAD_RECORDS,
    maxHeadBytes: DEFAULT_MAX_HEAD_BYTES,
  });
  if (result.kind !== 'head') {
    const reason = result.kind === 'skip' ? result.reason : 'filtered';
    throw new InvalidRolloutError(one.path, `cannot be read as a rollout (${reason})`, {
      cause: result.kind === 'skip' ? result.error : undefined,
    });
  }
  const name = await new LazyThreadNames(home).get(one.id);
  return toSummary(one, result.head, name);
}

/** The single match, or the error saying why there is none. */
export function pickOne(query: string, home: string, matches: Candidate[]): Candidate {
  const ids = new Map<string, Candidate>();
  for (const c of matches) if (!ids.has(c.id.toLowerCase())) ids.set(c.id.toLowerCase(), c);
  const distinct = [...ids.values()];
  if (distinct.length === 0) throw new SessionNotFoundError(query, home);
  if (distinct.length > 1) {
    distinct.sort((a, b) => compareKeys(a.key, b.key));
    throw new AmbiguousSessionIdError(
      query,
      distinct.map((c) => c.id),
    );
  }
  return distinct[0]!;
}
