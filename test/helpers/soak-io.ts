/**
 * What every soak child shares: one JSON argument in, one JSON object per stdout line out, a
 * `stop` line on stdin to end the loop, and exit when the parent goes away (its end of stdin
 * closes), so no child can outlive its test.
 */
import { createInterface } from 'node:readline';
import { isRolloutError } from '../../src/errors.js';

export interface SoakIo<T> {
  options: T;
  /** True once the parent asked the loop to end. */
  stopping(): boolean;
  /** Resolves once the parent asks the loop to end (for a child that reached its own bound). */
  untilStopped(): Promise<void>;
  say(value: unknown): void;
  /** Prints the error (its code when it is a library error) and exits with status 1. */
  fail(error: unknown): never;
}

export function soakIo<T>(): SoakIo<T> {
  const options = JSON.parse(process.argv[2] ?? '{}') as T;
  let stop = false;
  const lines = createInterface({ input: process.stdin });
  lines.on('line', (line) => {
    if (line.trim() === 'stop') stop = true;
  });
  lines.on('close', () => process.exit(0));
  const say = (value: unknown): void => {
    process.stdout.write(`${JSON.stringify(value)}\n`);
  };
  return {
    options,
    stopping: () => stop,
    async untilStopped() {
      while (!stop) await new Promise((resolve) => setTimeout(resolve, 20));
    },
    say,
    fail(error) {
      say({ error: errorCode(error), message: error instanceof Error ? error.message : String(error) });
      process.exit(1);
    },
  };
}

/** A library error's `code`, else the errno code, else the message. */
export function errorCode(error: unknown): string {
  if (isRolloutError(error)) return error.code;
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : String(error);
}

/** Lets the event loop turn (so stdin's `stop` and `close` get through a busy loop). */
export const turn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** Waits `ms` milliseconds. */
export const pause = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** A deterministic random source for a child, from its seed. */
export function seededRandom(start: number): () => number {
  let seed = start;
  return () => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed / 2147483648;
  };
}
