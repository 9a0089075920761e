import { SessionNotFoundError, invalidArgument } from '../errors.js';
import { resolveHome } from '../files/layout.js';
import { appendRolloutLine } from './append.js';
import { withSessionLock } from './lock.js';
import { appendIndexEntry } from './session-index.js';
import { filesOf, pickSession } from './target.js';
import type { SetSessionNameOptions, SetSessionNameResult } from './types.js';

/**
 * Names a session the way the Codex CLI's `thread/name/set` does, so `codex resume`, the Codex
 * app and {@link listSessions} all show the name.
 *
 * @param idOrPrefix - a full session id or a unique prefix of one (8+ hex digits); the session may
 * be live or archived.
 * @param name - the name; white space around it is trimmed, and an empty result is refused.
 *
 * @remarks
 * Holding the session's writer lock, appends an `event_msg` `thread_name_updated` line
 * (`thread_id`, `thread_name`) to the rollout, then the line `{"id","thread_name","updated_at"}`
 * to `<home>/session_index.jsonl`, where the newest line of an id wins. A compressed, legacy or
 * unreadable rollout gets no event (the Codex CLI would decompress it first); the index line is
 * written all the same. A torn last line (of the rollout or the index) is ended with `\n` first;
 * a paginated rollout's event continues its `ordinal`s.
 *
 * @throws `TypeError` for a name that is not a string, is empty once trimmed, or holds an unpaired
 * UTF-16 surrogate (JSON readers such as the Codex CLI's refuse the escape); `SessionLockedError`
 * while a writer holds the session; `SessionNotFoundError` / `AmbiguousSessionIdError` as
 * {@link findSession}; `RolloutIOError` when a write fails.
 * @public
 */
export async function setSessionName(
  idOrPrefix: string,
  name: string,
  options: SetSessionNameOptions = {},
): Promise<SetSessionNameResult> {
  const trimmed = checkName(name);
  const home = resolveHome(options.home);
  const { signal } = options;
  const { id } = await pickSession(home, idOrPrefix, 'any', signal);
  return withSessionLock(home, id, 'name', async () => {
    const file = (await filesOf(home, id, signal))[0];
    if (file === undefined) throw new SessionNotFoundError(idOrPrefix, home);
    const threadId = id.toLowerCase();
    const event = !file.compressed && (await appendNameEvent(file.path, threadId, trimmed, signal));
    const updatedAt = rfc3339Now();
    await appendIndexEntry(home, { id: threadId, thread_name: trimmed, updated_at: updatedAt });
    return { id: threadId, name: trimmed, updatedAt, path: file.path, event };
  });
}

function checkName(name: unknown): string {
  if (typeof name !== 'string') throw invalidArgument('setSessionName: the name must be a string');
  const trimmed = name.trim();
  if (trimmed === '')
    throw invalidArgument('setSessionName: the name must not be empty (after trimming white space)');
  if (/\p{Surrogate}/u.test(trimmed))
    throw invalidArgument(
      'setSessionName: the name holds an unpaired UTF-16 surrogate; names must be well-formed Unicode',
    );
  return trimmed;
}

/** Appends the `thread_name_updated` event; false when the file is not one it can go in. */
function appendNameEvent(
  file: string,
  threadId: string,
  name: string,
  signal: AbortSignal | undefined,
): Promise<boolean> {
  const payload = { type: 'thread_name_updated', thread_id: threadId, thread_name: name };
  return appendRolloutLine(file, 'event_msg', payload, signal);
}

/**
 * Now as the Codex CLI's `time` crate formats RFC 3339 in UTC: seconds, then the fraction without
 * trailing zeros (none when it is zero), then `Z`.
 */
function rfc3339Now(): string {
  const iso = new Date().toISOString();
  const [head, fraction] = iso.slice(0, -1).split('.');
  const digits = (fraction ?? '').replace(/0+$/, '');
  return digits === '' ? `${head}Z` : `${head}.${digits}Z`;
}
