import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach } from 'vitest';

/**
 * A real terminal for tests: a program runs in a tmux pane (a pseudo-terminal of the given size),
 * keys are typed with send-keys and the screen is read with capture-pane. Each terminal has its own
 * tmux server on a private socket, so tests never see each other's panes, and every server is
 * killed after its test.
 */
export interface Terminal {
  /** The screen as text, one line per row, trailing blanks trimmed. */
  screen(): string;
  /** Types keys (tmux key names such as `Enter`, `C-c`, `Up`, or literal text with `literal`). */
  send(keys: string, options?: { literal?: boolean }): void;
  /** Waits until the screen satisfies `test`; throws with the screen after `timeoutMs`. */
  waitFor(test: (screen: string) => boolean, timeoutMs?: number): Promise<string>;
  /** The exit status of the program, once it has exited (the pane stays to be read). */
  exitStatus(): number | undefined;
  /** Waits for the program to exit and returns its status. */
  waitForExit(timeoutMs?: number): Promise<number>;
  /** Resizes the terminal (the program gets SIGWINCH). */
  resize(columns: number, rows: number): void;
  /** The process id of the program the terminal started (the pane's first process). */
  pid(): number;
  /**
   * Appends everything the program writes to the terminal from now on, escapes included, to `file`
   * (tmux pipe-pane): what was drawn and then cleared, which the screen no longer shows.
   */
  record(file: string): void;
  /** Stops the terminal's tmux server (also done after every test). */
  kill(): void;
}

const servers: (() => void)[] = [];
afterEach(() => {
  for (const kill of servers.splice(0)) kill();
});

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Starts `argv` in a new terminal of `columns` × `rows`, in `cwd`, with `env` added. */
export function openTerminal(
  argv: readonly string[],
  options: { columns: number; rows: number; cwd?: string; env?: Record<string, string> },
): Terminal {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'ar-tmux-'));
  const socket = path.join(dir, 'sock');
  const tmux = (...args: string[]): string =>
    execFileSync('tmux', ['-S', socket, '-f', '/dev/null', ...args], { encoding: 'utf8' });
  const quoted = argv.map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
  const envArgs = Object.entries({ TERM: 'xterm-256color', ...options.env }).flatMap(([k, v]) => [
    '-e',
    `${k}=${v}`,
  ]);
  tmux(
    'new-session',
    '-d',
    '-s',
    't',
    '-x',
    String(options.columns),
    '-y',
    String(options.rows),
    ...(options.cwd ? ['-c', options.cwd] : []),
    ...envArgs,
    quoted,
  );
  tmux('set-option', '-t', 't', 'remain-on-exit', 'on');
  let killed = false;
  const kill = (): void => {
    if (killed) return;
    killed = true;
    try {
      tmux('kill-server');
    } catch {
      // already gone
    }
    rmSync(dir, { recursive: true, force: true });
  };
  servers.push(kill);
  const term: Terminal = {
    screen: () =>
      tmux('capture-pane', '-p', '-t', 't')
        .split('\n')
        .map((l) => l.trimEnd())
        .join('\n')
        .trimEnd(),
    send(keys, o = {}) {
      tmux('send-keys', '-t', 't', ...(o.literal ? ['-l'] : []), keys);
    },
    async waitFor(test, timeoutMs = 20_000) {
      const end = Date.now() + timeoutMs;
      for (;;) {
        const s = term.screen();
        if (test(s)) return s;
        if (Date.now() > end) throw new Error(`the terminal never showed what was expected:\n${s}`);
        await sleep(50);
      }
    },
    exitStatus() {
      const out = tmux('display-message', '-p', '-t', 't', '#{pane_dead}:#{pane_dead_status}').trim();
      const [dead, status] = out.split(':');
      return dead === '1' ? Number(status) : undefined;
    },
    async waitForExit(timeoutMs = 20_000) {
      const end = Date.now() + timeoutMs;
      for (;;) {
        const status = term.exitStatus();
        if (status !== undefined) return status;
        if (Date.now() > end) throw new Error(`the program did not exit; screen:\n${term.screen()}`);
        await sleep(50);
      }
    },
    resize(columns, rows) {
      tmux('resize-window', '-t', 't', '-x', String(columns), '-y', String(rows));
    },
    pid() {
      return Number(tmux('display-message', '-p', '-t', 't', '#{pane_pid}').trim());
    },
    record(file) {
      tmux('pipe-pane', '-o', '-t', 't', `cat >> '${file.replace(/'/g, `'\\''`)}'`);
    },
    kill,
  };
  return term;
}
