/**
 * A soak writer: `node --import tsx soak-recorder.ts <json options>`. Creates session `id`,
 * records its first user message and flushes (printing `{"ready": true, "path": …}`), then records
 * batches of `soak_probe` events, printing `{"acked": [names]}` after each `flush()` resolves.
 * At `maxBatches` / `maxBytes` it stops recording and idles; on `stop` it closes the session and
 * prints `{"done": true, "records": n, "flushes": n, "bytes": n, "bounded": boolean}`. Any error is
 * printed and ends it.
 */
import type { RecordItem } from '../../src/format/types.js';
import { RolloutRecorder } from '../../src/recorder/recorder.js';
import { pause, seededRandom, soakIo } from './soak-io.js';

interface Options {
  home: string;
  id: string;
  createdAt: number;
  seed: number;
  /** Bounds that end the loop even when no `stop` comes. */
  maxBatches: number;
  maxBytes: number;
}

const io = soakIo<Options>();
const o = io.options;
const rand = seededRandom(o.seed);

try {
  const rec = await RolloutRecorder.create({
    cwd: o.home,
    home: o.home,
    id: o.id,
    createdAt: new Date(o.createdAt),
    git: false,
    durability: rand() < 0.5 ? 'flush' : 'none',
  });
  await rec.recordUserMessage(`soak session ${o.id}`);
  await rec.flush();
  io.say({ ready: true, path: rec.path });
  let records = 0;
  let flushes = 0;
  let bytes = 0;
  for (let batch = 0; batch < o.maxBatches && bytes < o.maxBytes && !io.stopping(); batch++) {
    const names: string[] = [];
    const items: RecordItem[] = [];
    const count = 1 + Math.floor(rand() * 6);
    for (let k = 0; k < count; k++) {
      const name = `${batch}-${k}`;
      names.push(name);
      // From a few bytes to ~800 characters, multi-byte text and newlines inside the JSON string included.
      const text = 'ü✓ soak\n'.repeat(1 + Math.floor(rand() * rand() * 100));
      bytes += text.length;
      items.push({ type: 'event_msg', payload: { type: 'soak_probe', name, text } });
    }
    // A batch goes in as one call or as one call per item, to mix record() shapes.
    if (rand() < 0.5) await rec.record(items);
    else for (const item of items) await rec.record([item]);
    await rec.flush();
    records += count;
    flushes++;
    io.say({ acked: names });
    // A pause between turns, as a harness has, and a chance for stdin's `stop` to get through.
    await pause(1);
  }
  const bounded = !io.stopping();
  // At its own bound a child idles until told to stop, so the parent sees no early exit.
  await io.untilStopped();
  await rec.close();
  io.say({ done: true, records, flushes, bytes, bounded });
  process.exit(0);
} catch (error) {
  io.fail(error);
}
