import { realpath } from 'node:fs/promises';
import path from 'node:path';
import {
  ArchiveStateError,
  RolloutIOError,
  SessionNotFoundError,
  hasErrno,
  invalidArgument,
} from '../errors.js';
import { homePaths, parseRolloutFileName } from '../files/layout.js';
import { locateSessions, pickOne } from '../files/locate.js';
import type { Candidate } from '../files/traverse.js';
import { isUuid } from '../format/ids.js';

/**
 * Finding the files an operation acts on, by their names alone (never by reading them, so a
 * damaged, empty or compressed rollout is found like any other). Each operation looks once to
 * learn the session id, takes the session's writer lock, and looks again under the lock: what it
 * then acts on cannot move while it runs.
 */

/** Every file of the session with this full id, live ones first, plain before `.zst`. */
export async function filesOf(home: string, id: string, signal?: AbortSignal): Promise<Candidate[]> {
  const live = (await locateSessions(home, id, { archived: false, signal })).matches;
  const archived = (await locateSessions(home, id, { archived: true, signal })).matches;
  return [...live, ...archived].filter((c) => c.id.toLowerCase() === id.toLowerCase());
}

/**
 * The one session an id or unique prefix names, live or archived (`scope` `'any'`), or only among
 * live or archived ones, where finding it in the other place is an {@link ArchiveStateError}.
 */
export async function pickSession(
  home: string,
  query: string,
  scope: 'any' | 'live' | 'archived',
  signal?: AbortSignal,
): Promise<Candidate> {
  if (scope === 'any') return pickOne(query, home, (await locateSessions(home, query, { signal })).matches);
  const wanted = (await locateSessions(home, query, { archived: scope === 'archived', signal })).matches;
  if (wanted.length > 0) return pickOne(query, home, wanted);
  const other = (await locateSessions(home, query, { archived: scope === 'live', signal })).matches;
  if (other.length === 0) throw new SessionNotFoundError(query, home);
  const one = pickOne(query, home, other);
  throw new ArchiveStateError(one.id, one.path, scope === 'live');
}

/**
 * The session id a path to a rollout names, for a path that is one: named like a rollout and
 * inside `<home>/sessions/` or `<home>/archived_sessions/` (links resolved).
 */
export async function idOfPath(home: string, file: string, where: string): Promise<string> {
  const parsed = parseRolloutFileName(file);
  if (parsed === undefined) throw invalidArgument(`${where}: ${file} is not named like a rollout file`);
  let dir: string;
  try {
    dir = await realpath(path.dirname(path.resolve(file)));
  } catch (cause) {
    if (hasErrno(cause, 'ENOENT', 'ENOTDIR')) throw new SessionNotFoundError(file, undefined, { cause });
    throw new RolloutIOError('open', path.dirname(file), cause);
  }
  const roots = await Promise.all(
    [homePaths.sessions(home), homePaths.archived(home)].map((r) => realpath(r).catch(() => r)),
  );
  const inside = roots.some((r) => dir === r || dir.startsWith(r + path.sep));
  if (!inside) throw invalidArgument(`${where}: ${file} is not a rollout of the home ${home}`);
  return parsed.id;
}

/** True when `arg` is to be read as a path rather than an id or a prefix. */
export function looksLikePath(arg: string): boolean {
  return (
    !isUuid(arg.trim()) &&
    (arg.includes('/') || arg.includes(path.sep) || arg.endsWith('.jsonl') || arg.endsWith('.zst'))
  );
}
