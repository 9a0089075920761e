/**
 * A writer in a child process, for the crash and two-writer tests. Run with
 * `node --import tsx test/helpers/recorder-child.ts <mode> <json options>`; it reports on stdout, one
 * JSON object per line.
 *
 * - `crash`: prints `{"loaded": true}` and waits for a line on stdin (so the parent can start the
 *   next child while the current one runs), then resumes session `id` (or creates it when it has
 *   no file yet), prints `{"ready": true}` and records batches of `crash_probe` events in a loop,
 *   printing `{"acked": [...]}` after each `flush()` resolves, until killed.
 * - `hold`: creates session `id`, prints `{"locked": true}` and keeps the lock until killed.
 * - `try`: tries to create session `id` and prints `{"ok": true}` or `{"error": "<code>"}`.
 * - `exit`: creates session `id` with durability `'none'`, records three items without flushing,
 *   prints `{"path": …}` and exits at once; only its `process.on('exit')` hook's `flushSync()` can
 *   save them.
 */
import { createInterface } from 'node:readline';
// Direct imports, not the barrel: each crash round starts a child, so start-up time matters.
import { isRolloutError, SessionNotFoundError } from '../../src/errors.js';
import type { Durability } from '../../src/recorder/options.js';
import { RolloutRecorder } from '../../src/recorder/recorder.js';

interface ChildOptions {
  home: string;
  id: string;
  createdAt: number;
  durability?: Durability;
  /** A prefix for the probe names, unique per child. */
  tag?: string;
  seed?: number;
}

const [mode, json] = process.argv.slice(2);
// A child must never outlive its test: when the parent goes away, its end of stdin closes.
const stdin = createInterface({ input: process.stdin });
stdin.on('close', () => process.exit(0));
/** Past this, the crash loop stops recording and waits to be killed, so it can never fill a disk. */
const MAX_BYTES = 32 * 1024 * 1024;
const opts = JSON.parse(json ?? '{}') as ChildOptions;
const say = (value: unknown): void => {
  process.stdout.write(`${JSON.stringify(value)}\n`);
};

async function open(): Promise<RolloutRecorder> {
  try {
    return (await RolloutRecorder.resume(opts.id, { home: opts.home, durability: opts.durability })).recorder;
  } catch (error) {
    if (!(error instanceof SessionNotFoundError)) throw error;
    return RolloutRecorder.create({
      cwd: opts.home,
      home: opts.home,
      id: opts.id,
      createdAt: new Date(opts.createdAt),
      git: false,
      durability: opts.durability,
    });
  }
}

async function crash(): Promise<void> {
  let seed = opts.seed ?? 1;
  const rand = (): number => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed / 2147483648;
  };
  say({ loaded: true });
  await new Promise<void>((resolve) =>
    createInterface({ input: process.stdin }).once('line', () => resolve()),
  );
  const rec = await open();
  say({ ready: true, path: rec.path });
  let bytes = 0;
  for (let i = 0; bytes < MAX_BYTES; i++) {
    const names: string[] = [];
    const count = 1 + Math.floor(rand() * 8);
    for (let k = 0; k < count; k++) {
      const name = `${opts.tag ?? 'p'}-${i}-${k}`;
      names.push(name);
      // Sizes from a few bytes to ~8 KB, multi-byte text included, so kills land inside writes.
      const text = 'é✓ lorem ipsum '.repeat(1 + Math.floor(rand() * rand() * 500));
      bytes += text.length;
      await rec.record([{ type: 'event_msg', payload: { type: 'crash_probe', name, text } }]);
    }
    await rec.flush();
    say({ acked: names });
  }
  setInterval(() => {}, 60_000);
}

async function hold(): Promise<void> {
  await RolloutRecorder.create({ cwd: opts.home, home: opts.home, id: opts.id, git: false });
  say({ locked: true });
  setInterval(() => {}, 60_000);
}

async function attempt(): Promise<void> {
  try {
    const rec = await RolloutRecorder.create({ cwd: opts.home, home: opts.home, id: opts.id, git: false });
    await rec.close();
    say({ ok: true });
  } catch (error) {
    say({ error: isRolloutError(error) ? error.code : String(error) });
  }
}

async function exitNow(): Promise<void> {
  const rec = await RolloutRecorder.create({
    cwd: opts.home,
    home: opts.home,
    id: opts.id,
    git: false,
    durability: 'none',
  });
  process.on('exit', () => rec.flushSync());
  for (let n = 0; n < 3; n++) void rec.record([{ type: 'event_msg', payload: { type: 'probe', n } }]);
  say({ path: rec.path });
  process.exit(0);
}

const run = { crash, hold, try: attempt, exit: exitNow }[mode as 'crash' | 'hold' | 'try' | 'exit'];
if (run === undefined) throw new Error(`unknown mode ${String(mode)}`);
await run();
if (mode === 'try') stdin.close();
