/**
 * A session-index soak writer: `node --import tsx soak-index-recorder.ts <json options>`. Again and
 * again it either creates a session (a user and an assistant message, with words the listers
 * search for, one of a few working folders, sources and providers) and keeps it open for a few
 * turns, or resumes one of its own closed sessions and appends a turn; every session is closed
 * before the next is touched; past `maxSessions` created it only resumes. Each session it creates is printed as `{"created": id}` once its
 * first turn is flushed. While it runs it measures how long its event loop was held up (the
 * recorder tells the index of each write from a timer in this process). On `stop` it prints `{"done": true, "created": n, "resumed": n, "turns": n,
 * "maxStallMs": n}` and exits; any error is printed and ends it.
 */
import { RolloutRecorder } from '../../src/recorder/recorder.js';
import { pause, seededRandom, soakIo } from './soak-io.js';

interface Options {
  home: string;
  seed: number;
  /** Creation instants are spread over this many days before `base`, so many date folders exist. */
  days: number;
  base: number;
  cwds: string[];
  sources: string[];
  providers: string[];
  words: string[];
  maxSessions: number;
}

const io = soakIo<Options>();
const o = io.options;
const rand = seededRandom(o.seed);
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;

// Event-loop lag: the largest gap between ticks of a 10 ms timer, beyond its period.
let maxStallMs = 0;
let lastTick = performance.now();
const ticker = setInterval(() => {
  const now = performance.now();
  maxStallMs = Math.max(maxStallMs, now - lastTick - 10);
  lastTick = now;
}, 10);

const text = (): string =>
  Array.from({ length: 1 + Math.floor(rand() * 4) }, () => pick(o.words)).join(' ') +
  ` ${Math.floor(rand() * 1e6)}`;

async function turn(rec: RolloutRecorder): Promise<void> {
  await rec.recordUserMessage(`question ${text()}`);
  await rec.recordAssistantMessage(`answer ${text()}`);
  await rec.flush();
}

try {
  const mine: string[] = [];
  let resumed = 0;
  let turns = 0;
  while (!io.stopping()) {
    let rec: RolloutRecorder;
    if (mine.length >= o.maxSessions || (mine.length > 0 && rand() < 0.4)) {
      rec = (await RolloutRecorder.resume(pick(mine), { home: o.home })).recorder;
      resumed++;
    } else {
      const createdAt = new Date(o.base - Math.floor(rand() * o.days * 86_400_000));
      rec = await RolloutRecorder.create({
        home: o.home,
        cwd: pick(o.cwds),
        cwdMustExist: false,
        git: false,
        createdAt,
        source: pick(o.sources),
        modelProvider: pick(o.providers),
        durability: rand() < 0.5 ? 'flush' : 'none',
      });
      await turn(rec);
      turns++;
      mine.push(rec.id);
      io.say({ created: rec.id });
    }
    const more = Math.floor(rand() * 3);
    for (let k = 0; k < more && !io.stopping(); k++) {
      await pause(Math.floor(rand() * 40));
      await turn(rec);
      turns++;
    }
    await rec.close();
    await pause(50 + Math.floor(rand() * 200));
  }
  clearInterval(ticker);
  io.say({ done: true, created: mine.length, resumed, turns, maxStallMs: Math.round(maxStallMs) });
  process.exit(0);
} catch (error) {
  io.fail(error);
}
