import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';

/** At most this much stderr is kept per child, so a child stuck printing cannot exhaust memory. */
const MAX_STDERR = 64 * 1024;

/** A running child that prints one JSON object per line: its process and the messages so far. */
export interface JsonChild {
  readonly name: string;
  process: ChildProcess;
  /** Every message printed, in order. */
  messages: Record<string, unknown>[];
  /** Resolves with the first message for which `test` is true (rejects if the child exits first). */
  waitFor(test: (message: Record<string, unknown>) => boolean): Promise<Record<string, unknown>>;
  /** Sends a line to the child's stdin (ignored once the child is gone). */
  send(line: string): void;
  /** Resolves when the child has exited and its output is read, with its exit code or signal. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  stderr(): string;
}

/** Starts `node --import tsx <script> ...args` and reads its JSON-lines output. */
export function startJsonChild(script: string, args: readonly string[], name = script): JsonChild {
  const child = spawn(process.execPath, ['--import', 'tsx', script, ...args], {
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const messages: Record<string, unknown>[] = [];
  const listeners = new Set<() => void>();
  let err = '';
  let rest = '';
  let done = false;
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (chunk: string) => {
    const parts = (rest + chunk).split('\n');
    rest = parts.pop()!;
    for (const p of parts) {
      if (p === '') continue;
      try {
        messages.push(JSON.parse(p) as Record<string, unknown>);
      } catch {
        messages.push({ error: `unparsable output line: ${p.slice(0, 200)}` });
      }
    }
    for (const l of listeners) l();
  });
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (chunk: string) => {
    if (err.length < MAX_STDERR) err += chunk.slice(0, MAX_STDERR - err.length);
  });
  // A child that died already must not crash the parent with EPIPE on a late `send`.
  child.stdin.on('error', () => undefined);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    // 'close' (not 'exit') so every message printed before death has been read.
    child.on('close', (code, signal) => {
      done = true;
      for (const l of listeners) l();
      resolve({ code, signal });
    });
  });
  return {
    name,
    process: child,
    messages,
    exited,
    stderr: () => err,
    send(line) {
      if (!done && child.stdin.writable) child.stdin.write(`${line}\n`);
    },
    waitFor(test) {
      return new Promise((resolve, reject) => {
        const check = (): void => {
          const found = messages.find(test);
          if (found !== undefined) {
            listeners.delete(check);
            resolve(found);
          } else if (done) {
            listeners.delete(check);
            reject(
              new Error(
                `${name} exited before the expected message; last output: ` +
                  `${JSON.stringify(messages.slice(-3))}; stderr:\n${err}`,
              ),
            );
          }
        };
        listeners.add(check);
        check();
      });
    },
  };
}
