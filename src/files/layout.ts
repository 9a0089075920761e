import { mkdirSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { RolloutIOError, hasErrno } from '../errors.js';

/**
 * The layout of a home on disk: where it is, the paths inside it, and the names and date folders
 * of rollout files. Everything that knows where a file lives asks here.
 */

/**
 * The home folder: `options.home` when given, else `$CODEX_HOME`, else `~/.codex`, so the library
 * works on a Codex CLI user's real sessions out of the box.
 * @public
 */
export function resolveHome(home?: string): string {
  if (home !== undefined && home !== '') return path.resolve(home);
  const env = process.env['CODEX_HOME'];
  if (env !== undefined && env !== '') return path.resolve(env);
  return path.join(os.homedir(), '.codex');
}

/** Paths inside a home, in one place. */
export const homePaths = {
  sessions: (home: string): string => path.join(home, 'sessions'),
  archived: (home: string): string => path.join(home, 'archived_sessions'),
  sessionIndex: (home: string): string => path.join(home, 'session_index.jsonl'),
  locks: (home: string): string => path.join(home, 'thread-writer-locks'),
  lock: (home: string, id: string): string => path.join(home, 'thread-writer-locks', `${id}.lock`),
  snapshots: (home: string): string => path.join(home, 'snapshots'),
  archiveRemotes: (home: string): string => path.join(home, 'archive_remotes.json'),
  archiveRemotesLock: (home: string): string => path.join(home, 'archive_remotes.lock'),
};

/** Mode of every folder we create: transcripts hold secrets. */
export const DIR_MODE = 0o700;
/** Mode of every file we create. */
export const FILE_MODE = 0o600;

const NAME_RE =
  /^rollout-(\d{4})-(\d{2})-(\d{2})T(\d{2})-(\d{2})-(\d{2})-([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})(?:_([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}))?\.jsonl(\.zst)?$/;

/**
 * What a rollout file name says.
 * @public
 */
export interface RolloutFileName {
  /** The session id as written in the name (case kept). */
  id: string;
  /**
   * The instant in the name read as UTC, in milliseconds. Names written by the Codex CLI hold local
   * time, so this can be up to ±14 h from the true creation instant.
   */
  nameTime: number;
  /** True for `.jsonl.zst`. */
  compressed: boolean;
  /**
   * The rollout's own id when the name is the Codex CLI 0.171 form of a reverted thread,
   * `rollout-<ts>-<thread-uuid>_<rollout-uuid>.jsonl`; `id` is then the thread's id.
   */
  rolloutId?: string;
}

const pad = (n: number, w = 2): string => String(n).padStart(w, '0');

/**
 * The file name we write for a session created at `createdAt` (UTC):
 * `rollout-YYYY-MM-DDThh-mm-ss-<id>.jsonl`.
 * @public
 */
export function rolloutFileName(createdAt: Date, id: string): string {
  const d = createdAt;
  return (
    `rollout-${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}` +
    `T${pad(d.getUTCHours())}-${pad(d.getUTCMinutes())}-${pad(d.getUTCSeconds())}-${id}.jsonl`
  );
}

/**
 * The date folder, relative to `sessions/`, for an instant: `YYYY/MM/DD` in UTC.
 * @public
 */
export function dateFolder(createdAt: Date): string {
  const d = createdAt;
  return path.join(pad(d.getUTCFullYear(), 4), pad(d.getUTCMonth() + 1), pad(d.getUTCDate()));
}

/**
 * Parses a rollout file name (the base name, or a path whose base name is taken).
 * Accepts any UUID version and case, `.jsonl` and `.jsonl.zst`. Returns `undefined` for a name that
 * is not a rollout's, or whose date is not a real one.
 * @public
 */
export function parseRolloutFileName(name: string): RolloutFileName | undefined {
  const m = NAME_RE.exec(path.basename(name));
  if (!m) return undefined;
  const [y, mo, d, h, mi, s] = m.slice(1, 7).map(Number) as [number, number, number, number, number, number];
  const t = Date.UTC(y, mo - 1, d, h, mi, s);
  const check = new Date(t);
  if (
    check.getUTCFullYear() !== y ||
    check.getUTCMonth() !== mo - 1 ||
    check.getUTCDate() !== d ||
    h > 23 ||
    mi > 59 ||
    s > 59
  ) {
    return undefined;
  }
  return {
    id: m[7]!,
    ...(m[8] === undefined ? {} : { rolloutId: m[8] }),
    nameTime: t,
    compressed: m[9] !== undefined,
  };
}

/**
 * Throws a {@link RolloutIOError} (`ENOENT`, `ENOTDIR`, …) when `home` is not an existing folder:
 * a mistyped home must not look like a home with no sessions.
 */
export function assertHomeFolder(home: string, operation: string): void {
  let cause: unknown;
  try {
    if (statSync(home).isDirectory()) return;
    cause = Object.assign(new Error('the home is not a folder'), { code: 'ENOTDIR' });
  } catch (error) {
    cause = hasErrno(error, 'ENOENT')
      ? Object.assign(new Error('the home does not exist (pass the right home, or set CODEX_HOME)'), {
          code: 'ENOENT',
        })
      : error;
  }
  throw new RolloutIOError(operation, home, cause);
}

/**
 * `mkdir -p` with mode {@link DIR_MODE}, reporting the real reason of a failure: Node's recursive
 * mkdir says ENOENT where the file system is read-only (EROFS) or a parent cannot be written, so on
 * ENOENT the first missing folder is made on its own, which fails with the true errno. Returns the
 * first folder created, as `mkdirSync` does.
 */
export function mkdirPrivateSync(dir: string): string | undefined {
  try {
    return mkdirSync(dir, { recursive: true, mode: DIR_MODE });
  } catch (error) {
    if (!hasErrno(error, 'ENOENT')) throw error;
    let missing = dir;
    while (statSync(path.dirname(missing), { throwIfNoEntry: false }) === undefined) {
      if (path.dirname(missing) === missing) throw error;
      missing = path.dirname(missing);
    }
    mkdirSync(missing, { mode: DIR_MODE });
    mkdirSync(dir, { recursive: true, mode: DIR_MODE });
    return missing;
  }
}
