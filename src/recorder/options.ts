import { createRequire } from 'node:module';
import path from 'node:path';
import { invalidArgument } from '../errors.js';
import { isUuid, newSessionId, uuidV7Time } from '../format/ids.js';
import type { OnDiskGitInfo, SessionGitInfo, SessionSource } from '../format/types.js';
import { resolveHome } from '../files/layout.js';

/**
 * What a successful `flush()` (or `close()`) guarantees about the recorded bytes.
 *
 * - `'none'`: records are buffered in memory and written in large batches (when about 1 MiB is
 *   queued) or at `flush()`/`close()`. A crash of the process, or an exit without `close()` or
 *   `flushSync()`, loses what was recorded since the last flush. `flush()` and `close()` resolve
 *   once the bytes are in the operating system, as with `'flush'`.
 * - `'flush'`: as `'none'`, and the writer also drains on its own at every turn of the event loop
 *   (the records of one turn coalesce into one write). `flush()` and `close()` resolve once the
 *   bytes are in the operating system, which survives a crash or kill of the process but not of
 *   the machine.
 * - `'fsync'`: as `'flush'`, and `flush()`/`close()` also `fsync` the file (and, the first time, the
 *   folders created for it) before resolving, which survives power loss and an operating-system
 *   crash.
 *
 * @public
 */
export type Durability = 'none' | 'flush' | 'fsync';

/**
 * Options of {@link RolloutRecorder.create}. Field names are camelCase here and snake_case on disk.
 * @public
 */
export interface RolloutRecorderOptions {
  /** The working folder of the session (`session_meta.payload.cwd`); made absolute. */
  cwd: string;
  /**
   * The home folder holding `sessions/`.
   * @defaultValue `$CODEX_HOME`, else `~/.codex`
   */
  home?: string;
  /**
   * The session id: any UUID. Ids we generate are UUIDv7 whose time prefix is `createdAt`.
   * @defaultValue a new UUIDv7 for `createdAt`
   */
  id?: string;
  /**
   * The creation instant: `session_meta.payload.timestamp`, the file name and its date folder.
   * @defaultValue the time prefix of `id` when `id` is a UUIDv7, else now
   */
  createdAt?: Date;
  /**
   * The program writing the session (`originator`).
   * @defaultValue `"agent-rollouts"`
   */
  originator?: string;
  /**
   * Version of that program (`cli_version`).
   * @defaultValue the version of this package
   */
  cliVersion?: string;
  /**
   * Where the session came from: `"cli"`, `"vscode"`, `"exec"`, `"mcp"`, a custom string or a
   * sub-agent object.
   * @defaultValue `"cli"`
   * @remarks
   * `"cli"` is the source the Codex CLI's own session picker shows by default, so sessions recorded
   * with the defaults can be resumed there too.
   */
  source?: SessionSource;
  /** The model provider id (`model_provider`), such as `"openai"`; omitted when not given. */
  modelProvider?: string;
  /**
   * The base instructions given to the model, written as `{ text }`.
   * @defaultValue `null`
   */
  baseInstructions?: string | null;
  /**
   * `true` to collect git facts about `cwd` (HEAD commit, branch, `origin` URL), `false` for none,
   * or the facts themselves, camelCase (written as `session_meta.git`, snake_case; a null or absent
   * fact is left out).
   * @defaultValue `true`
   */
  git?: boolean | Partial<SessionGitInfo>;
  /**
   * What `flush()` guarantees; see {@link Durability}.
   * @defaultValue `'flush'`
   */
  durability?: Durability;
  /**
   * Bound, in milliseconds, on collecting git facts (the git calls run at once, each stopped at
   * this bound). A git that does not answer in time leaves the fact out.
   * @defaultValue `5000`
   */
  gitTimeoutMs?: number;
  /**
   * Bound on the bytes queued and not yet written; past it `record()` waits for the writer.
   * Counted in UTF-16 code units of the serialized lines, which is the byte count for ASCII text.
   * @defaultValue `4194304` (4 MiB)
   */
  maxQueuedBytes?: number;
  /**
   * `false` to record a session whose working folder is not on this machine (one imported from
   * elsewhere, or whose folder was removed): `cwd` is then written as given and must be absolute.
   * Not with `git: true` (there is no folder to collect facts from).
   * @defaultValue `true`: `cwd` must be an existing folder
   */
  cwdMustExist?: boolean;
  /** Stops the git calls of `create()`. */
  signal?: AbortSignal;
}

/**
 * Options of {@link RolloutRecorder.resume}.
 * @public
 */
export interface ResumeRecorderOptions {
  /**
   * The home folder searched when an id is given, and holding the lock.
   * @defaultValue `$CODEX_HOME`, else `~/.codex`
   */
  home?: string;
  /**
   * What `flush()` guarantees; see {@link Durability}.
   * @defaultValue `'flush'`
   */
  durability?: Durability;
  /**
   * Bound on the bytes queued and not yet written; see {@link RolloutRecorderOptions.maxQueuedBytes}.
   * @defaultValue `4194304` (4 MiB)
   */
  maxQueuedBytes?: number;
  /** Stops the search and the read of the session. */
  signal?: AbortSignal;
}

/** {@link RolloutRecorderOptions} with every default applied and every value checked. */
export interface NormalizedCreateOptions {
  cwd: string;
  home: string;
  id: string;
  createdAt: Date;
  originator: string;
  cliVersion: string;
  source: SessionSource;
  modelProvider: string | undefined;
  baseInstructions: { text: string } | null;
  git: boolean | OnDiskGitInfo;
  durability: Durability;
  gitTimeoutMs: number;
  maxQueuedBytes: number;
  cwdMustExist: boolean;
  signal: AbortSignal | undefined;
}

/** {@link ResumeRecorderOptions} with every default applied and every value checked. */
export interface NormalizedResumeOptions {
  home: string;
  durability: Durability;
  maxQueuedBytes: number;
  signal: AbortSignal | undefined;
}

const DEFAULTS = {
  originator: 'agent-rollouts',
  source: 'cli',
  durability: 'flush',
  gitTimeoutMs: 5000,
  maxQueuedBytes: 4 * 1024 * 1024,
} as const;

const DURABILITIES: readonly Durability[] = ['none', 'flush', 'fsync'];

let packageVersion: string | undefined;
/** This package's version, read once (the same relative path works from `src/` and `dist/`). */
export function ownVersion(): string {
  if (packageVersion === undefined) {
    const pkg = createRequire(import.meta.url)('../../package.json') as { version?: unknown };
    packageVersion = typeof pkg.version === 'string' ? pkg.version : '0.0.0';
  }
  return packageVersion;
}

function checkDurability(value: unknown): Durability {
  if (value === undefined) return DEFAULTS.durability;
  if (!DURABILITIES.includes(value as Durability)) {
    throw invalidArgument(
      `durability must be one of ${DURABILITIES.join(', ')}; got ${JSON.stringify(value)}`,
    );
  }
  return value as Durability;
}

function checkPositive(name: string, value: unknown, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw invalidArgument(`${name} must be a positive number; got ${JSON.stringify(value) ?? typeof value}`);
  }
  return value;
}

function checkOptionalString(name: string, value: unknown): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw invalidArgument(`${name} must be a string; got ${typeof value}`);
  return value;
}

const GIT_FACTS = { commitHash: 'commit_hash', branch: 'branch', repositoryUrl: 'repository_url' } as const;

/** The `git` option: a boolean, or camelCase facts mapped to their on-disk names. */
function checkGit(git: unknown): boolean | OnDiskGitInfo {
  if (typeof git === 'boolean') return git;
  if (typeof git !== 'object' || git === null || Array.isArray(git)) {
    throw invalidArgument('git must be true, false or { commitHash, branch, repositoryUrl }');
  }
  const facts = git as Record<string, unknown>;
  const out: OnDiskGitInfo = {};
  for (const key of Object.keys(facts)) {
    if (!Object.hasOwn(GIT_FACTS, key)) {
      throw invalidArgument(
        `git.${key} is not a git fact; give { commitHash, branch, repositoryUrl } (camelCase)`,
      );
    }
    const value = facts[key];
    if (value === undefined || value === null) continue;
    if (typeof value !== 'string')
      throw invalidArgument(`git.${key} must be a string or null; got ${typeof value}`);
    out[GIT_FACTS[key as keyof typeof GIT_FACTS]] = value;
  }
  return out;
}

/** Applies the defaults of {@link RolloutRecorderOptions} and rejects bad or contradictory values. */
export function normalizeCreateOptions(options: RolloutRecorderOptions): NormalizedCreateOptions {
  if (typeof options !== 'object' || options === null) {
    throw invalidArgument('RolloutRecorder.create needs an options object with at least { cwd }');
  }
  if (typeof options.cwd !== 'string' || options.cwd === '') {
    throw invalidArgument('cwd must be a non-empty string (the working folder of the session)');
  }

  const id = checkOptionalString('id', options.id);
  if (id !== undefined && !isUuid(id)) throw invalidArgument(`id must be a UUID; got ${JSON.stringify(id)}`);

  let createdAt = options.createdAt;
  if (createdAt !== undefined && (!(createdAt instanceof Date) || !Number.isFinite(createdAt.getTime()))) {
    throw invalidArgument(`createdAt must be a valid Date; got ${String(createdAt)}`);
  }
  const idTime = id === undefined ? undefined : uuidV7Time(id);
  if (createdAt !== undefined && idTime !== undefined && createdAt.getTime() !== idTime) {
    throw invalidArgument(
      `id and createdAt disagree: the UUIDv7 id ${id} encodes ${new Date(idTime).toISOString()} but ` +
        `createdAt is ${createdAt.toISOString()}. Pass one of them, or both for the same millisecond.`,
    );
  }
  createdAt = new Date(createdAt?.getTime() ?? idTime ?? Date.now());
  // File names and date folders hold a four-digit year: a session outside it could never be found.
  const year = createdAt.getUTCFullYear();
  if (year < 1970 || year > 9999) {
    throw invalidArgument(
      `createdAt ${createdAt.toISOString()} is outside the years a rollout name can hold (1970 to 9999)`,
    );
  }

  const git = checkGit(options.git ?? true);
  if (options.gitTimeoutMs !== undefined && git !== true) {
    throw invalidArgument(
      `gitTimeoutMs only applies when git facts are collected, but git is ${git === false ? 'false' : 'an object'}. ` +
        'Drop one of gitTimeoutMs and git.',
    );
  }

  const cwdMustExist = options.cwdMustExist ?? true;
  if (typeof cwdMustExist !== 'boolean') throw invalidArgument('cwdMustExist must be true or false');
  if (!cwdMustExist && git === true) {
    throw invalidArgument(
      'cwdMustExist: false needs git to be false or the facts themselves (there may be no folder to collect them from). ' +
        'Drop one of cwdMustExist and git.',
    );
  }
  if (!cwdMustExist && (typeof options.cwd !== 'string' || !path.isAbsolute(options.cwd))) {
    throw invalidArgument('cwdMustExist: false needs cwd to be an absolute path');
  }

  const source = options.source ?? DEFAULTS.source;
  if (
    typeof source !== 'string' &&
    (typeof source !== 'object' || source === null || Array.isArray(source))
  ) {
    throw invalidArgument('source must be a string or an object');
  }
  const baseInstructions = options.baseInstructions;
  if (baseInstructions !== undefined && baseInstructions !== null && typeof baseInstructions !== 'string') {
    throw invalidArgument('baseInstructions must be a string or null');
  }

  return {
    cwd: path.resolve(options.cwd),
    home: resolveHome(options.home),
    id: (id ?? newSessionId(createdAt)).toLowerCase(),
    createdAt,
    originator: checkOptionalString('originator', options.originator) ?? DEFAULTS.originator,
    cliVersion: checkOptionalString('cliVersion', options.cliVersion) ?? ownVersion(),
    source,
    modelProvider: checkOptionalString('modelProvider', options.modelProvider),
    baseInstructions: typeof baseInstructions === 'string' ? { text: baseInstructions } : null,
    git,
    durability: checkDurability(options.durability),
    gitTimeoutMs: checkPositive('gitTimeoutMs', options.gitTimeoutMs, DEFAULTS.gitTimeoutMs),
    maxQueuedBytes: checkPositive('maxQueuedBytes', options.maxQueuedBytes, DEFAULTS.maxQueuedBytes),
    cwdMustExist,
    signal: options.signal,
  };
}

/** Applies the defaults of {@link ResumeRecorderOptions}. */
export function normalizeResumeOptions(options: ResumeRecorderOptions = {}): NormalizedResumeOptions {
  return {
    home: resolveHome(options.home),
    durability: checkDurability(options.durability),
    maxQueuedBytes: checkPositive('maxQueuedBytes', options.maxQueuedBytes, DEFAULTS.maxQueuedBytes),
    signal: options.signal,
  };
}
