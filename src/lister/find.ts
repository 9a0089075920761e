import { InvalidRolloutError } from '../errors.js';
import { locateSessions, pickOne } from '../files/locate.js';
import { resolveHome } from '../files/layout.js';
import { readHead } from './head.js';
import { LazyThreadNames } from './names.js';
import { DEFAULT_HEAD_RECORDS, DEFAULT_MAX_HEAD_BYTES } from './options.js';
import { toSummary } from './summary.js';
import type { FindSessionOptions, SessionSummary } from './types.js';

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
  const name = await new LazyThreadNames(home, options.signal).get(one.id);
  return toSummary(one, result.head, name);
}
