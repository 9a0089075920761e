import { randomUUID } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { readRollout } from '../../src/reader/read.js';
import { streamThread } from '../../src/reader/thread.js';
import { tempDir } from '../helpers/temp.js';

/** One segment of a generated thread: lines it adds, where it cuts the previous one, revert or fork. */
interface SegmentPlan {
  added: number;
  /** Fraction of the previous segment's lines kept (the cut). */
  keep: number;
  fork: boolean;
}

const line = (ordinal: number, type: string, payload: unknown): string =>
  JSON.stringify({ timestamp: '2026-01-01T00:00:00.000Z', ordinal, type, payload });

describe('reading a thread whole (generated Codex 0.171 segment chains)', () => {
  it("gives each segment its lines below the next one's cut, oldest first, then the last file's own", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: 6 }),
        fc.array(
          fc.record({
            added: fc.integer({ min: 0, max: 6 }),
            keep: fc.double({ min: 0, max: 1, noNaN: true }),
            fork: fc.boolean(),
          }),
          { minLength: 0, maxLength: 5 },
        ),
        async (rootLines, plans: SegmentPlan[]) => {
          const home = await tempDir();
          const dir = path.join(home, 'sessions', '2026', '01', '01');
          mkdirSync(dir, { recursive: true });
          let thread = randomUUID();
          let rollout = thread;
          // The history as a reader of the last file must see it: [thread ordinal, probe number].
          let history: [number, number][] = [];
          let probe = 0;
          const write = (
            name: string,
            meta: object,
            metaOrdinal: number,
            count: number,
          ): [number, number][] => {
            const lines = [line(metaOrdinal, 'session_meta', meta)];
            const own: [number, number][] = [];
            for (let i = 1; i <= count; i++) {
              own.push([metaOrdinal + i, probe]);
              lines.push(line(metaOrdinal + i, 'event_msg', { type: 'probe', n: probe++ }));
            }
            writeFileSync(path.join(dir, name), lines.join('\n') + '\n');
            return own;
          };
          const base = { timestamp: '2026-01-01T00:00:00.000Z', cwd: '/w', history_mode: 'paginated' };
          history = write(
            `rollout-2026-01-01T00-00-00-${thread}.jsonl`,
            { ...base, id: thread },
            0,
            rootLines,
          );
          let last = rootLines; // the last ordinal of the previous segment
          let file = '';
          for (const [k, plan] of plans.entries()) {
            const cut = 1 + Math.floor(plan.keep * last); // ordinals 1..cut-1 kept
            const previous = rollout;
            history = history.filter(([ordinal]) => ordinal < cut);
            let name: string;
            if (plan.fork) {
              thread = randomUUID();
              rollout = thread;
              name = `rollout-2026-01-01T00-00-0${k + 1}-${thread}.jsonl`;
            } else {
              rollout = randomUUID();
              name = `rollout-2026-01-01T00-00-0${k + 1}-${thread}_${rollout}.jsonl`;
            }
            const meta = {
              ...base,
              id: thread,
              history_base: { thread_id: previous, end_ordinal_exclusive: cut },
              ...(plan.fork ? { forked_from_id: previous } : {}),
            };
            history = [...history, ...write(name, meta, cut, plan.added)];
            file = path.join(dir, name);
            last = cut + plan.added;
          }
          if (file === '') file = path.join(dir, `rollout-2026-01-01T00-00-00-${thread}.jsonl`);
          const r = await readRollout(file);
          expect(r.errors).toEqual([]);
          expect(r.meta.id).toBe(thread);
          expect(r.segments).toHaveLength(plans.length + 1);
          const probes = history.map(([, n]) => n);
          expect(r.items.map((i) => (i.payload as { n: number }).n)).toEqual(probes);
          // Each item's ordinal is the one it has in the thread, ascending.
          expect(r.items.map((i, k) => r.lines[k + 1]!.ordinal)).toEqual(history.map(([o]) => o));
          const streamed: number[] = [];
          for await (const l of streamThread(file))
            if (l.value.type === 'event_msg') streamed.push((l.value.payload as unknown as { n: number }).n);
          expect(streamed).toEqual(probes);
        },
      ),
      { numRuns: 40 },
    );
  });
});
