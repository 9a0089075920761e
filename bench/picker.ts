/**
 * `npm run bench -- picker [--mb N]`: the picker's per-session costs. The preview of a session of
 * about N MB (default 600: its first messages, then large tool outputs) against the preview of a
 * 4 KB session (the baseline, measured in the same run): bounded reading makes the ratio about 1,
 * whatever N. For scale, one streamRollout pass over the big file (what an unbounded preview
 * would cost). And one frame of the 80 × 20 screen with 50 sessions loaded (drawn on every key).
 */
import { createWriteStream, existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { once } from 'node:events';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { readPreview } from '../src/cli/picker/preview.js';
import { frame, layout } from '../src/cli/picker/screen.js';
import type { PickerRow } from '../src/cli/picker/state.js';
import { initialState, update } from '../src/cli/picker/state.js';
import { streamRollout } from '../src/index.js';
import { bestOf, mib, table, timed } from './_util.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const id = '019aa3c4-5b6d-7e8f-9a0b-1c2d3e4f5a6c';
const ts = '2026-11-21T05:24:14.877Z';
const line = (type: string, payload: unknown): string =>
  `${JSON.stringify({ timestamp: ts, type, payload })}\n`;
const head = (): string =>
  line('session_meta', { id, session_id: id, timestamp: ts, cwd: '/work/project', originator: 'bench' }) +
  line('response_item', {
    type: 'message',
    role: 'user',
    content: [{ type: 'input_text', text: 'make the build green' }],
  }) +
  line('response_item', {
    type: 'function_call',
    name: 'shell',
    arguments: '{"command":["npm","test"]}',
    call_id: 'c0',
  });

async function generate(mb: number): Promise<{ small: string; big: string }> {
  const dir = path.join(here, '.data');
  mkdirSync(dir, { recursive: true });
  const small = path.join(dir, `rollout-2026-11-21T05-24-14-${id}-small.jsonl`);
  const big = path.join(dir, `rollout-2026-11-21T05-24-14-${id}-${mb}mb.jsonl`);
  if (!existsSync(small)) {
    writeFileSync(
      small,
      head() +
        line('response_item', { type: 'function_call_output', call_id: 'c0', output: 'ok '.repeat(1000) }),
    );
  }
  if (!existsSync(big)) {
    const out = createWriteStream(big);
    out.write(head());
    const output = line('response_item', {
      type: 'function_call_output',
      call_id: 'c0',
      output: 'log line\n'.repeat(7000),
    });
    for (let bytes = 0; bytes < mb * 1024 * 1024; bytes += output.length) {
      if (!out.write(output)) await once(out, 'drain');
    }
    out.end();
    await once(out, 'finish');
  }
  return { small, big };
}

export default async function run(args: string[]): Promise<void> {
  const mbArg = args.indexOf('--mb');
  const mb = mbArg >= 0 ? Number(args[mbArg + 1]) : 600;
  const { small, big } = await generate(mb);
  const baseline = await bestOf(5, () => readPreview(small));
  const bounded = await bestOf(5, () => readPreview(big));
  const whole = await timed(async () => {
    let n = 0;
    for await (const _ of streamRollout(big)) n++;
    return n;
  });
  const rows: PickerRow[] = Array.from({ length: 50 }, (_, i) => ({
    id: `019aa3c4-5b6d-7e8f-9a0b-1c2d3e4f5a${String(i).padStart(2, '0')}`,
    path: small,
    createdAt: ts,
    updatedAt: ts,
    cwd: '/work/project',
    branch: 'main',
    name: null,
    preview: `task number ${i}: make the build green, then write the release notes for 日本語 users`,
  }));
  let state = initialState({ cwd: '/work/project', listHeight: 9 });
  state = update(state, { type: 'page', generation: 1, rows, nextCursor: null, fresh: true }).state;
  const size = layout(80, 20);
  const now = new Date();
  const frameMs =
    (await bestOf(5, () => {
      for (let i = 0; i < 100; i++) frame(state, size, { now });
    })) / 100;
  table([
    ['measure', 'file', 'ms', 'ratio'],
    ['preview, 4 KB session (baseline)', mib(statSync(small).size), baseline.toFixed(2), '1.00'],
    [
      `preview, ${mb} MB session`,
      mib(statSync(big).size),
      bounded.toFixed(2),
      (bounded / baseline).toFixed(2),
    ],
    [
      'streamRollout, whole big file (scale)',
      mib(statSync(big).size),
      whole.ms.toFixed(0),
      (whole.ms / baseline).toFixed(0),
    ],
    ['one 80x20 frame, 50 sessions loaded', '', frameMs.toFixed(3), ''],
  ]);
}
