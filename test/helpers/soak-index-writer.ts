/**
 * A session-index soak index writer: `node --import tsx soak-index-writer.ts <json options>`.
 * Every `gapMs` (up to twice that) it brings the index up to date (`updateSessionIndex`), or
 * with `rebuildChance` empties and rebuilds it (`rebuildSessionIndex`), and reads its state
 * (`sessionIndexStatus`), while recorders write and listers list. Each `E_INDEX` the first two
 * throw is printed as `{"indexError": {call, start, end, message}}` (the parent allows them only
 * while it holds the index's lock); on `stop` it prints `{"done": true, "updates": n, "rebuilds":
 * n, "statuses": n}`. Any other error is printed and ends it.
 */
import {
  rebuildSessionIndex,
  sessionIndexStatus,
  updateSessionIndex,
} from '../../src/lister/session-index.js';
import { errorCode, pause, seededRandom, soakIo } from './soak-io.js';

interface Options {
  home: string;
  seed: number;
  gapMs: number;
  rebuildChance: number;
}

const io = soakIo<Options>();
const o = io.options;
const rand = seededRandom(o.seed);
let updates = 0;
let rebuilds = 0;
let statuses = 0;
try {
  while (!io.stopping()) {
    await pause(o.gapMs * (1 + rand()));
    const rebuild = rand() < o.rebuildChance;
    const start = Date.now();
    try {
      if (rebuild) await rebuildSessionIndex({ home: o.home });
      else await updateSessionIndex({ home: o.home });
      if (rebuild) rebuilds++;
      else updates++;
    } catch (error) {
      if (errorCode(error) !== 'E_INDEX') throw error;
      io.say({
        indexError: {
          call: rebuild ? 'rebuild' : 'update',
          start,
          end: Date.now(),
          message: (error as Error).message,
        },
      });
    }
    await sessionIndexStatus({ home: o.home });
    statuses++;
  }
  io.say({ done: true, updates, rebuilds, statuses });
  process.exit(0);
} catch (error) {
  io.fail(error);
}
