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
  DAY_MS,
  LOCAL_TIME_SLACK_MS,
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

/** The thread id and the rollout's own id a rollout name holds (lower case), from the raw name. */
function idsInName(name: string): [thread: string, rollout: string] {
  const base = name.endsWith('.zst') ? name.slice(0, -4) : name;
  // The session id ends the name, or comes before `_<rollout id>` in a reverted thread's name.
  const end = base.length - '.jsonl'.length;
  if (base[end - 37] === '_') {
    return [base.slice(end - 73, end - 37).toLowerCase(), base.slice(end - 36, end).toLowerCase()];
  }
  const id = base.slice(end - 36, end).toLowerCase();
  return [id, id];
}

/**
 * The rollout files of the sessions matching a query, live ones first: every file of each thread
 * (a Codex CLI 0.171 reverted thread has several, `rollout-<ts>-<thread>_<rollout>.jsonl`), found
 * by the thread's id or by any of its rollouts' ids. A full UUIDv7 id is looked up in the date
 * folders its instant allows (±14 h) and the newer ones (a thread's later rollouts are filed on
 * the day they were made) before falling back to a walk of every folder.
 */
export async function locateSessions(
  home: string,
  idOrPrefix: string,
  options: { archived?: boolean | undefined; signal?: AbortSignal | undefined },
): Promise<{ query: Query; matches: Candidate[] }> {
  const query = parseQuery(idOrPrefix);
  const hit = (id: string): boolean =>
    'full' in query ? id === query.full : hexOf(id).startsWith(query.hex);
  // Checked on the raw name before it is parsed: a walk of a large home parses only the matches.
  const accept = (name: string): boolean => {
    const [thread, rollout] = idsInName(name);
    return hit(thread) || hit(rollout);
  };
  const found = await locateByName(home, accept, query, options);
  // A query naming one rollout of a thread names the thread: every file of it is a match.
  const threads = new Set(found.filter((c) => !hit(c.id.toLowerCase())).map((c) => c.id.toLowerCase()));
  if (threads.size > 0) {
    for (const thread of threads) {
      const more = await locateByName(
        home,
        (name) => idsInName(name)[0] === thread,
        { full: thread },
        options,
      );
      for (const c of more) if (!found.some((f) => f.path === c.path)) found.push(c);
    }
  }
  return { query, matches: found };
}

async function locateByName(
  home: string,
  accept: (name: string) => boolean,
  query: Query,
  options: { archived?: boolean | undefined; signal?: AbortSignal | undefined },
): Promise<Candidate[]> {
  const ctx = new ScanContext(Infinity, undefined, options.signal);
  const found: Candidate[] = [];
  if (options.archived !== true) {
    const time = 'full' in query ? uuidV7Time(query.full) : undefined;
    if (time !== undefined) {
      for (const day of dayFoldersAround(time)) {
        const dir = dayFolderPath(homePaths.sessions(home), day);
        found.push(...(await readRolloutFolder(dir, ctx, { archived: false, quietIfMissing: true, accept })));
      }
      // Later rollouts of the same thread: the folders after those (names only, newest first).
      if (found.length > 0) {
        const after = dayFoldersAround(time).at(-1)!;
        const lastDay = Date.UTC(after[0], after[1] - 1, after[2]);
        found.push(
          ...(await listAllLive(homePaths.sessions(home), ctx, {
            since: lastDay + DAY_MS + LOCAL_TIME_SLACK_MS,
            accept,
          })),
        );
      }
    }
    if (found.length === 0) found.push(...(await listAllLive(homePaths.sessions(home), ctx, { accept })));
  }
  if (options.archived !== false && (found.length === 0 || !('full' in query))) {
    const archived = await readRolloutFolder(homePaths.archived(home), ctx, {
      archived: true,
      quietIfMissing: true,
      accept,
    });
    // A live session wins over an archived copy of itself.
    const live = new Set(found.map((c) => c.id.toLowerCase()));
    found.push(...archived.filter((c) => !live.has(c.id.toLowerCase())));
  }
  return found;
}

/**
 * The head of a thread among its files: the newest rollout (by its UUIDv7 time, else its name's
 * time), which is the one the Codex CLI appends to and lists; a plain file before its `.zst`.
 */
export function threadHead<C extends Candidate>(files: readonly C[]): C | undefined {
  let best: C | undefined;
  for (const c of files) {
    if (best === undefined) {
      best = c;
      continue;
    }
    // compareKeys is negative when its first key is the newer.
    const order = compareKeys(c.key, best.key);
    const a = c.rolloutId.toLowerCase();
    const b = best.rolloutId.toLowerCase();
    if (order < 0 || (order === 0 && a > b)) best = c;
    else if (order === 0 && a === b && best.compressed && !c.compressed) best = c;
  }
  return best;
}

/** The single match (the head of its thread), or the error saying why there is none. */
export function pickOne(query: string, home: string, matches: Candidate[]): Candidate {
  const ids = new Map<string, Candidate[]>();
  for (const c of matches) {
    const key = c.id.toLowerCase();
    const list = ids.get(key);
    if (list === undefined) ids.set(key, [c]);
    else list.push(c);
  }
  const distinct = [...ids.values()].map((files) => threadHead(files)!);
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
 * The file of one rollout (not its thread's head): the rollout whose own id is `rolloutId`, live
 * or archived, plain before `.zst`; `undefined` when there is none. This is how a segment
 * reference (`history_base.thread_id`) is followed.
 */
export async function locateRolloutById(
  home: string,
  rolloutId: string,
  signal?: AbortSignal,
): Promise<Candidate | undefined> {
  const id = rolloutId.toLowerCase();
  if (!isUuid(id)) return undefined;
  const accept = (name: string): boolean => idsInName(name)[1] === id;
  const found = await locateByName(home, accept, { full: id }, { signal });
  const live = found.filter((c) => !c.archived);
  const pool = live.length > 0 ? live : found;
  return pool.find((c) => !c.compressed) ?? pool[0];
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
