#!/usr/bin/env node
import { createInterface } from 'node:readline/promises';
import type { ReadStream, WriteStream } from 'node:tty';
import { main } from './main.js';

/** `isTTY` is absent, not false, on a stream that is not a terminal (whatever its type says). */
const isTerminal = (stream: { isTTY?: boolean }): boolean => stream.isTTY === true;

const io = {
  stdout: process.stdout,
  stderr: process.stderr,
  stdoutIsTTY: isTerminal(process.stdout),
  stderrIsTTY: isTerminal(process.stderr),
  stdinIsTTY: isTerminal(process.stdin),
  columns: process.stdout.columns,
  env: process.env,
  cwd: process.cwd(),
  now: () => new Date(),
  terminal() {
    if (!isTerminal(process.stdin)) return undefined;
    const output = [process.stdout, process.stderr].find(isTerminal);
    return output ? { input: process.stdin as ReadStream, output: output as WriteStream } : undefined;
  },
  untilInterrupted: () =>
    new Promise<void>((resolve) => {
      onInterrupt = resolve;
    }),
  async confirm(question: string): Promise<boolean> {
    const rl = createInterface({ input: process.stdin, output: process.stderr });
    // In a prompt the terminal is in raw mode, so Ctrl-C reaches readline, not the process.
    rl.on('SIGINT', () => {
      rl.close();
      interrupted();
    });
    try {
      return /^y(es)?$/i.test((await rl.question(`${question} [y/N] `)).trim());
    } finally {
      rl.close();
    }
  },
};

/** A command waiting for Ctrl-C to stop cleanly (`view`): the next SIGINT is its, not the exit's. */
let onInterrupt: (() => void) | undefined;

/** Ctrl-C: nothing more is done, and the exit status says so (128 + SIGINT), as shells expect. */
function interrupted(): void {
  if (onInterrupt !== undefined) {
    const stop = onInterrupt;
    onInterrupt = undefined;
    stop();
    return;
  }
  process.stderr.write('\n');
  process.exit(130);
}
process.on('SIGINT', interrupted);

// A reader that stops early (`rollouts export --out - | head`) is not an error.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw error;
  });
}

process.exitCode = await main(process.argv.slice(2), io);
