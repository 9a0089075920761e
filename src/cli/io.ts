import type { PickerTerminal } from './picker/terminal.js';

/**
 * Everything the CLI touches of the outside world, passed in so tests call `main(argv, io)` directly.
 */
export interface CliIO {
  stdout: { write(text: string): unknown };
  stderr: { write(text: string): unknown };
  /** Standard output is a terminal (tables cut to width, colour allowed). */
  stdoutIsTTY: boolean;
  /** Standard error is a terminal (progress shown). */
  stderrIsTTY: boolean;
  /** Standard input is a terminal (confirmation prompts allowed). */
  stdinIsTTY: boolean;
  /** Terminal width, when known. */
  columns: number | undefined;
  env: Record<string, string | undefined>;
  cwd: string;
  /** Asks a yes/no question on the terminal. */
  confirm(question: string): Promise<boolean>;
  now(): Date;
  /**
   * The terminal for full-screen commands (`rollouts pick`): keys from stdin, the screen on stdout,
   * else on stderr. Absent, or `undefined` when stdin or both outputs are no terminal.
   */
  terminal?: () => PickerTerminal | undefined;
  /**
   * Resolves at the next Ctrl-C (SIGINT) instead of the process exiting at once, for a command
   * that runs until stopped (`view`) and cleans up first. A second Ctrl-C exits at once.
   * Absent where there is no such signal (a test's IO): the command then runs until its own end.
   */
  untilInterrupted?: () => Promise<void>;
}

/** A test or script IO: collects output in strings, no terminal. */
export function bufferIO(overrides: Partial<CliIO> = {}): CliIO & { out: () => string; err: () => string } {
  let out = '';
  let err = '';
  return {
    stdout: { write: (t: string) => (out += t) },
    stderr: { write: (t: string) => (err += t) },
    stdoutIsTTY: false,
    stderrIsTTY: false,
    stdinIsTTY: false,
    columns: undefined,
    env: {},
    cwd: process.cwd(),
    confirm: () => Promise.resolve(false),
    now: () => new Date(),
    ...overrides,
    out: () => out,
    err: () => err,
  };
}

/** Styling that is a no-op unless colour is allowed. */
export interface Style {
  bold(s: string): string;
  dim(s: string): string;
  red(s: string): string;
  green(s: string): string;
  yellow(s: string): string;
  cyan(s: string): string;
}

export function makeStyle(enabled: boolean): Style {
  const wrap = (open: number, close: number) => (s: string) =>
    enabled ? `\u001b[${open}m${s}\u001b[${close}m` : s;
  return {
    bold: wrap(1, 22),
    dim: wrap(2, 22),
    red: wrap(31, 39),
    green: wrap(32, 39),
    yellow: wrap(33, 39),
    cyan: wrap(36, 39),
  };
}

/** Colour only on a terminal and when NO_COLOR is unset (https://no-color.org). */
export function colourEnabled(io: CliIO): boolean {
  return io.stdoutIsTTY && (io.env['NO_COLOR'] === undefined || io.env['NO_COLOR'] === '');
}

/** Progress on stderr when it is a terminal; nothing otherwise. */
export function progress(io: CliIO): { update(text: string): void; done(): void } {
  if (!io.stderrIsTTY) return { update: () => {}, done: () => {} };
  let shown = false;
  return {
    update(text) {
      shown = true;
      io.stderr.write(`\r\u001b[2K${text}`);
    },
    done() {
      if (shown) io.stderr.write('\r\u001b[2K');
    },
  };
}
