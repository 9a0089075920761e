import path from 'node:path';
import { execa } from 'execa';
import { GitError } from '../errors.js';

/**
 * The one place that spawns git. Every call runs with one hardened environment:
 *
 * - every inherited `GIT_*` variable removed, then only the ones we set on purpose;
 * - system and global config ignored (`GIT_CONFIG_NOSYSTEM`, `GIT_CONFIG_GLOBAL=/dev/null`);
 * - a private identity, no signing, no hooks (`core.hooksPath=/dev/null`: no path another user
 *   could create first), no fsmonitor, no external diff or textconv, no credential helpers, no
 *   autocrlf, optional locks off, no prompts;
 * - bounded: every call is killed after `timeout` (60 s unless the caller says otherwise) and once
 *   its stdout passes `maxOutput` bytes, so a FIFO, a device or a huge file in a repository git
 *   reads can cost neither forever nor unbounded memory;
 * - no descriptor beyond stdio is inherited unless the caller names it (`inheritFds`).
 *
 * Callers put `--end-of-options` / `--` around revisions and paths themselves, and never hand git a
 * remote that is not a checked URL or an absolute path (see snapshot/push.ts).
 */

/** Default bound on a call's stdout: far above any answer outside a store, far below memory. */
export const DEFAULT_MAX_OUTPUT = 32 * 1024 * 1024;

/** Default time bound of a call. */
export const DEFAULT_TIMEOUT = 60_000;

/** Options of one git call. */
export interface GitRunOptions {
  /** Working folder of the process. */
  cwd?: string;
  /** `GIT_DIR`, set explicitly (the only way a repository is chosen besides `cwd`). */
  gitDir?: string;
  /** `GIT_WORK_TREE`. */
  workTree?: string;
  /** `GIT_INDEX_FILE`. */
  indexFile?: string;
  /** `GIT_OBJECT_DIRECTORY`. */
  objectDirectory?: string;
  /** `GIT_ALTERNATE_OBJECT_DIRECTORIES`. */
  alternates?: string[];
  /** Extra environment (non-`GIT_` names, or `GIT_` names we set on purpose). */
  env?: Record<string, string>;
  /** Standard input. */
  input?: string | Buffer;
  /** Milliseconds before the process is killed; default {@link DEFAULT_TIMEOUT} (60 s). */
  timeout?: number;
  /**
   * Bytes of stdout after which the process is killed and the call fails; default
   * {@link DEFAULT_MAX_OUTPUT}. Calls whose answer grows with a workspace ask for more.
   */
  maxOutput?: number;
  /** Stops the process. */
  signal?: AbortSignal;
  /** Exit codes that are answers, not failures (e.g. 1 for `diff --quiet`). Default `[0]`. */
  okExitCodes?: number[];
  /** Return stdout as a Buffer instead of a string. */
  binary?: boolean;
  /** Strip the final newline of stdout (default true for text). */
  stripFinalNewline?: boolean;
  /** Extra `-c` settings for this call, after (so over) the hardened ones. */
  config?: Record<string, string>;
  /**
   * Open file descriptors the child inherits (as fd 3, 4, …). The snapshot store passes its lock
   * file this way so the kernel lock stays held while any git process it started is still running,
   * even when the parent itself was killed. Never pass one to a call that talks to a remote: the
   * remote end (a transport helper, ssh, a `fd::` transport) could read or write it.
   */
  inheritFds?: number[];
}

/** The answer of one git call. */
export interface GitResult<T extends string | Buffer = string> {
  stdout: T;
  stderr: string;
  exitCode: number;
}

/** Subcommands that may run external diff drivers or textconv filters unless told not to. */
const DIFF_COMMANDS = new Set(['diff', 'diff-tree', 'diff-index', 'diff-files', 'log', 'show']);

/** `-c` settings every call carries (they override the repository's own config). */
function hardenedConfig(): string[] {
  const settings: Record<string, string> = {
    'user.name': 'agent-rollouts',
    'user.email': 'agent-rollouts@localhost',
    'commit.gpgSign': 'false',
    'tag.gpgSign': 'false',
    'tag.forceSignAnnotated': 'false',
    'push.gpgSign': 'false',
    // Git looks for `<hooksPath>/<hook>`; under /dev/null nothing can ever exist, for anyone.
    'core.hooksPath': '/dev/null',
    // The default attributes and excludes files live under $XDG_CONFIG_HOME, read even when global
    // config is isolated; they would change captured bytes or what counts as ignored.
    'core.attributesFile': '/dev/null',
    'core.excludesFile': '/dev/null',
    'core.fsmonitor': 'false',
    'core.untrackedCache': 'false',
    'core.autocrlf': 'false',
    'core.safecrlf': 'false',
    'core.eol': 'lf',
    'core.symlinks': 'true',
    'core.filemode': 'true',
    'core.quotePath': 'false',
    'core.pager': 'cat',
    'core.askPass': '',
    'core.sshCommand': 'ssh -o BatchMode=yes',
    'credential.helper': '',
    'diff.external': '',
    'diff.noprefix': 'false',
    'diff.mnemonicPrefix': 'false',
    'diff.relative': 'false',
    'color.ui': 'false',
    'core.splitIndex': 'false',
    'core.sparseCheckout': 'false',
    'index.sparse': 'false',
    'core.logAllRefUpdates': 'false',
    'submodule.recurse': 'false',
    'fetch.recurseSubmodules': 'false',
    'push.recurseSubmodules': 'no',
    'fetch.writeCommitGraph': 'false',
    'transfer.fsckObjects': 'true',
    // `ext::` URLs run arbitrary commands; a remote URL is data, never a command.
    'protocol.ext.allow': 'never',
    'gc.autoDetach': 'false',
    'gc.auto': '0',
    'maintenance.auto': 'false',
    'advice.detachedHead': 'false',
    'init.defaultBranch': 'main',
  };
  return Object.entries(settings).flatMap(([k, v]) => ['-c', `${k}=${v}`]);
}

/** The environment of every call: the parent's, minus every `GIT_*`, plus our fixed settings. */
export function hardenedEnv(options: GitRunOptions = {}): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (v !== undefined && !k.toUpperCase().startsWith('GIT_')) env[k] = v;
  }
  Object.assign(env, {
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_CONFIG_GLOBAL: '/dev/null',
    GIT_OPTIONAL_LOCKS: '0',
    GIT_TERMINAL_PROMPT: '0',
    GIT_NO_REPLACE_OBJECTS: '1',
    GIT_ATTR_NOSYSTEM: '1',
    GIT_AUTHOR_NAME: 'agent-rollouts',
    GIT_AUTHOR_EMAIL: 'agent-rollouts@localhost',
    GIT_COMMITTER_NAME: 'agent-rollouts',
    GIT_COMMITTER_EMAIL: 'agent-rollouts@localhost',
    LC_ALL: 'C',
    LANG: 'C',
  });
  if (options.gitDir !== undefined) env['GIT_DIR'] = options.gitDir;
  if (options.workTree !== undefined) env['GIT_WORK_TREE'] = options.workTree;
  if (options.indexFile !== undefined) env['GIT_INDEX_FILE'] = options.indexFile;
  if (options.objectDirectory !== undefined) env['GIT_OBJECT_DIRECTORY'] = options.objectDirectory;
  if (options.alternates !== undefined && options.alternates.length > 0) {
    env['GIT_ALTERNATE_OBJECT_DIRECTORIES'] = options.alternates.join(path.delimiter);
  }
  if (options.env) Object.assign(env, options.env);
  return env;
}

/**
 * Runs git with the hardened environment. Rejects with a {@link GitError} (args, exit code, stderr,
 * timedOut) unless the exit code is in `okExitCodes`.
 */
export async function runGit(
  args: readonly string[],
  options: GitRunOptions & { binary: true },
): Promise<GitResult<Buffer>>;
export async function runGit(args: readonly string[], options?: GitRunOptions): Promise<GitResult>;
export async function runGit(
  args: readonly string[],
  options: GitRunOptions = {},
): Promise<GitResult | GitResult<Buffer>> {
  const [sub, ...rest] = args;
  const guarded =
    sub !== undefined && DIFF_COMMANDS.has(sub) ? [sub, '--no-ext-diff', '--no-textconv', ...rest] : args;
  const extra = Object.entries(options.config ?? {}).flatMap(([k, v]) => ['-c', `${k}=${v}`]);
  const fullArgs = [...hardenedConfig(), ...extra, ...guarded];
  const ok = options.okExitCodes ?? [0];
  let result;
  try {
    result = await execa('git', fullArgs, {
      cwd: options.cwd,
      env: hardenedEnv(options),
      extendEnv: false,
      input: options.input,
      timeout: options.timeout ?? DEFAULT_TIMEOUT,
      cancelSignal: options.signal,
      reject: false,
      stripFinalNewline: options.stripFinalNewline ?? !options.binary,
      encoding: options.binary ? 'buffer' : 'utf8',
      maxBuffer: options.maxOutput ?? DEFAULT_MAX_OUTPUT,
      // execa passes extra descriptors through at run time; its types only model fds 0-2 here.
      stdio: [
        options.input === undefined ? 'ignore' : 'pipe',
        'pipe',
        'pipe',
        ...(options.inheritFds ?? []),
      ] as unknown as ['pipe', 'pipe', 'pipe'],
    });
  } catch (cause) {
    throw new GitError(`git ${args[0] ?? ''} could not be started: ${(cause as Error).message}`, {
      args,
      cause,
    });
  }
  const stderr =
    typeof result.stderr === 'string' ? result.stderr : Buffer.from(result.stderr).toString('utf8');
  if (result.timedOut) {
    throw new GitError(`git ${args[0] ?? ''} timed out after ${options.timeout ?? DEFAULT_TIMEOUT} ms`, {
      args,
      stderr,
      timedOut: true,
      cause: result,
    });
  }
  if (result.isMaxBuffer) {
    const limit = options.maxOutput ?? DEFAULT_MAX_OUTPUT;
    throw new GitError(`git ${args[0] ?? ''} was stopped: its output passed ${limit} bytes`, {
      args,
      stderr,
      cause: result,
    });
  }
  if (result.isCanceled) {
    throw new GitError(`git ${args[0] ?? ''} was aborted`, { args, stderr, cause: options.signal?.reason });
  }
  const exitCode = result.exitCode ?? -1;
  if (!ok.includes(exitCode)) {
    const first = stderr.trim().split('\n').slice(-3).join(' / ');
    throw new GitError(`git ${args[0] ?? ''} failed (exit ${exitCode})${first ? `: ${first}` : ''}`, {
      args,
      exitCode,
      stderr,
    });
  }
  if (options.binary) {
    return { stdout: Buffer.from(result.stdout as Uint8Array), stderr, exitCode };
  }
  return { stdout: result.stdout as string, stderr, exitCode };
}
