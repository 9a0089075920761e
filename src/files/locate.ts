import { statSync } from 'node:fs';
import path from 'node:path';
import {
  AmbiguousSessionIdError,
  InvalidRolloutError,
  RolloutIOError,
  SessionNotFoundError,
  hasErrno,
} from '../errors.js';
import { invalidArgument } from '../errors.js';
import { compareKeys } from '../format/cursor.js';
import { isUuid, uuidV7Time } from '../format/ids.js';
import { homePaths } from './layout.js';
import {
  ScanContext,
  dayFolderPath,
  dayFoldersAround,
  listAllLive,
  readRolloutFolder,
  type Candidate,
} from './traverse.js';

/**
 * Locating a session's file: an id, an id prefix or a path to the one rollout file, live or
 * archived, plain or compressed, with the ambiguity error. Reads file names only, never a file.
 */

const PREFIX_RE = /^[0-9a-f-]+$/;
const MIN_PREFIX_HEX = 8;

/** A checked query: a full id, or the hex digits of a prefix. */
type Query = { full: string } | { hex: string };

function parseQuery(idOrPrefix: string): Query {
  if (typeof idOrPrefix !== 'string') throw invalidArgument('findSession: the id must be a string');
  const q = idOrPrefix.trim().toLowerCase();
  if (isUuid(q)) return { full: q };
  const hex = q.replace(/-/g, '');
  if (!PREFIX_RE.test(q) || hex.length < MIN_PREFIX_HEX) {
    throw invalidArgument(
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
    // The session id ends the name, or comes before `_<rollout id>` in a reverted thread's name.
    const end = base.length - '.jsonl'.length;
    const at = base[end - 37] === '_' ? end - 37 : end;
    const id = base.slice(at - 36, at).toLowerCase();
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

/**
 * The rollout file named by a path or a session id (a full id or a unique prefix). A path is taken
 * as it is (it must exist and not be a folder); an id is looked up in `home`.
 */
export async function locateRollout(
  pathOrId: string,
  home: string,
  signal: AbortSignal | undefined,
): Promise<string> {
  if (typeof pathOrId !== 'string' || pathOrId === '') {
    throw invalidArgument('resume() takes a rollout path or a session id');
  }
  if (isUuid(pathOrId)) {
    const { matches } = await locateSessions(home, pathOrId, { signal });
    return pickOne(pathOrId, home, matches).path;
  }
  const file = path.resolve(pathOrId);
  let isDir: boolean;
  try {
    isDir = statSync(file).isDirectory();
  } catch (cause) {
    if (hasErrno(cause, 'ENOENT', 'ENOTDIR')) throw new SessionNotFoundError(pathOrId, undefined, { cause });
    throw new RolloutIOError('stat', file, cause);
  }
  if (isDir) throw new InvalidRolloutError(file, 'is a folder, not a rollout file');
  return file;
}

/** The home a rollout path lies in, when it follows the layout. */
export function homeOfRollout(file: string): string | undefined {
  const dir = path.dirname(file);
  if (path.basename(dir) === 'archived_sessions') return path.dirname(dir);
  const sessions = path.dirname(path.dirname(path.dirname(dir)));
  return path.basename(sessions) === 'sessions' ? path.dirname(sessions) : undefined;
}
