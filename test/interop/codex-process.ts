import { spawn, type ChildProcess } from 'node:child_process';

/** How a Codex run ended, and what it printed. */
export interface CodexRun {
  /** The exit code, or `null` when a signal ended it. */
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** True when the run was stopped for taking longer than `timeoutMs`. */
  timedOut: boolean;
}

export interface CodexProcessOptions {
  /** The `CODEX_HOME` to run with. */
  home: string;
  /** The working folder (`codex exec resume` has no `-C` and runs where it is started). */
  cwd: string;
  /** Stops the run (SIGKILL, by PID) after this long. */
  timeoutMs?: number;
  env?: NodeJS.ProcessEnv;
  /**
   * `'ignore'` (the default) closes stdin: `codex exec` otherwise waits for more prompt text on an
   * open pipe. The app-server needs `'pipe'`: it reads JSON-RPC there.
   */
  stdin?: 'ignore' | 'pipe';
}

/** A started Codex process. */
export interface CodexProcess {
  child: ChildProcess;
  /** Resolves when the process has exited. */
  done: Promise<CodexRun>;
  /** Output so far. */
  output(): { stdout: string; stderr: string };
  /** Signals the process (by its PID) unless it has exited already. */
  kill(signal?: NodeJS.Signals): void;
}

/**
 * The environment Codex runs with: the caller's, minus anything that could point it at a real
 * account or server, plus the temporary home.
 */
function codexEnv(options: CodexProcessOptions): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const key of Object.keys(env)) {
    if (/^(OPENAI_|CODEX_|AZURE_OPENAI)/.test(key)) delete env[key];
  }
  return { ...env, RUST_LOG: 'warn', NO_COLOR: '1', ...options.env, CODEX_HOME: options.home };
}

/**
 * Starts Codex. Asynchronous on purpose: the model stand-in runs in this process and must keep
 * answering while Codex runs.
 */
export function startCodex(bin: string, args: readonly string[], options: CodexProcessOptions): CodexProcess {
  const child = spawn(bin, args, {
    cwd: options.cwd,
    env: codexEnv(options),
    stdio: [options.stdin ?? 'ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  let timedOut = false;
  child.stdout?.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr?.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const kill = (signal: NodeJS.Signals = 'SIGTERM'): void => {
    if (child.exitCode === null && child.signalCode === null && child.pid !== undefined) {
      try {
        process.kill(child.pid, signal);
      } catch {
        // Exited between the check and the signal.
      }
    }
  };
  const timer =
    options.timeoutMs === undefined
      ? undefined
      : setTimeout(() => {
          timedOut = true;
          kill('SIGKILL');
        }, options.timeoutMs);
  const done = new Promise<CodexRun>((resolve, reject) => {
    child.once('error', (error) => {
      if (timer) clearTimeout(timer);
      reject(error);
    });
    child.once('close', (code, signal) => {
      if (timer) clearTimeout(timer);
      resolve({ code, signal, stdout, stderr, timedOut });
    });
  });
  return { child, done, output: () => ({ stdout, stderr }), kill };
}

/** Runs Codex to the end. */
export function runCodex(
  bin: string,
  args: readonly string[],
  options: CodexProcessOptions,
): Promise<CodexRun> {
  return startCodex(bin, args, { timeoutMs: 90_000, ...options }).done;
}

/** A one-line summary of a run, for assertion messages. */
export function describeRun(run: CodexRun): string {
  const tail = (s: string): string => s.slice(-2000);
  return `exit ${run.code ?? run.signal}${run.timedOut ? ' (timed out)' : ''}\n--- stdout\n${tail(run.stdout)}\n--- stderr\n${tail(run.stderr)}`;
}
