import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const CHILD = path.join(path.dirname(fileURLToPath(import.meta.url)), 'recorder-child.ts');

/** A running recorder child: its process and the JSON messages it printed so far. */
export interface RecorderChild {
  process: ChildProcess;
  /** Resolves with the first message for which `test` is true (rejects if the child exits first). */
  waitFor(test: (message: Record<string, unknown>) => boolean): Promise<Record<string, unknown>>;
  /** Sends a line to the child's stdin. */
  send(line: string): void;
  /** Every message printed, in order. */
  messages: Record<string, unknown>[];
  /** Resolves when the child has exited, with its signal or exit code. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  stderr(): string;
}

/** Starts `test/helpers/recorder-child.ts` in `mode` with `options` (see that file). */
export function startRecorderChild(mode: 'crash' | 'hold' | 'try' | 'exit', options: object): RecorderChild {
  const child = spawn(process.execPath, ['--import', 'tsx', CHILD, mode, JSON.stringify(options)], {
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
    for (const p of parts) if (p !== '') messages.push(JSON.parse(p) as Record<string, unknown>);
    for (const l of listeners) l();
  });
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (chunk: string) => (err += chunk));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    // 'close' (not 'exit') so every message printed before death has been read.
    child.on('close', (code, signal) => {
      done = true;
      for (const l of listeners) l();
      resolve({ code, signal });
    });
  });
  return {
    process: child,
    messages,
    exited,
    stderr: () => err,
    send: (line) => {
      child.stdin.write(`${line}\n`);
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
            reject(new Error(`child exited before the expected message; stderr:\n${err}`));
          }
        };
        listeners.add(check);
        check();
      });
    },
  };
}
