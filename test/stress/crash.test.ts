import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { dateFolder, rolloutFileName } from '../../src/files/layout.js';
import { newSessionId } from '../../src/format/ids.js';
import type { Durability } from '../../src/recorder/options.js';
import { RolloutRecorder } from '../../src/recorder/recorder.js';
import { readRollout } from '../../src/reader/read.js';
import type { RecorderChild } from '../helpers/recorder-child-runner.js';
import { startRecorderChild } from '../helpers/recorder-child-runner.js';

/** Kills per durability mode (210 in all), in chains of kills and resumes of one session each. */
const KILLS = 70;
const KILLS_PER_CHAIN = 10;
const CHAINS = KILLS / KILLS_PER_CHAIN;

/** Names of the crash probes in a rollout, in file order, and the number of damaged lines. */
async function probes(file: string): Promise<{ names: string[]; errors: number }> {
  const s = await readRollout(file);
  const names = s.items
    .map((i) => i.payload as { type?: string; name?: string })
    .filter((p) => p.type === 'crash_probe')
    .map((p) => p.name!);
  return { names, errors: s.errors.length };
}

describe('SIGKILL while recording', () => {
  // The modes run side by side to keep the wall time down, so each makes and removes its own temp
  // home (tempDir() cleans up after each test, which concurrent tests would share).
  it.concurrent.each<Durability>(['none', 'flush', 'fsync'])(
    `%s: keeps every flushed item through ${KILLS} kills, and resumes clean after each`,
    async (durability) => {
      const home = await mkdtemp(path.join(os.tmpdir(), `ar-crash-${durability}-`));
      const children: RecorderChild[] = [];
      try {
        // Each chain of kills works on a session of its own, so no file grows long enough for
        // re-reading it after every kill to dominate the run.
        const base = Date.now();
        const chains = Array.from({ length: CHAINS }, (_, c) => {
          const createdAt = new Date(base + c);
          const id = newSessionId(createdAt);
          const file = path.join(home, 'sessions', dateFolder(createdAt), rolloutFileName(createdAt, id));
          return { createdAt, id, file, acked: [] as string[] };
        });
        const chainOf = (round: number) => chains[Math.floor(round / KILLS_PER_CHAIN)]!;
        const start = (round: number): RecorderChild => {
          const chain = chainOf(round);
          const child = startRecorderChild('crash', {
            home,
            id: chain.id,
            createdAt: chain.createdAt.getTime(),
            durability,
            tag: `r${round}`,
            seed: round + 1,
          });
          children.push(child);
          return child;
        };
        let seed = durability.length * 7919;
        const rand = (): number => {
          seed = (seed * 1103515245 + 12345) % 2147483648;
          return seed / 2147483648;
        };

        // Every round but a chain's first resumes the session the previous round's kill left behind.
        let next = start(0);
        for (let round = 0; round < KILLS; round++) {
          const { file, acked } = chainOf(round);
          const child = next;
          // The next child loads its modules while this one runs; it opens the session only on "go".
          if (round + 1 < KILLS) next = start(round + 1);
          await child.waitFor((m) => m['loaded'] === true);
          child.send('go');
          await child.waitFor((m) => m['ready'] === true);
          // A chain's last round waits for one acknowledged batch if none came yet (a loaded machine
          // with slow fsyncs can kill every round before its first flush), so the resume checked
          // below always has acknowledged items to keep.
          if (round % KILLS_PER_CHAIN === KILLS_PER_CHAIN - 1 && acked.length === 0)
            await child.waitFor((m) => Array.isArray(m['acked']));
          // From right at the session's first write to well into the loop.
          await new Promise((resolve) => setTimeout(resolve, Math.floor(rand() * rand() * 80)));
          child.process.kill('SIGKILL');
          const { signal } = await child.exited;
          expect(signal, child.stderr()).toBe('SIGKILL');
          for (const m of child.messages)
            if (Array.isArray(m['acked'])) acked.push(...(m['acked'] as string[]));

          if (!existsSync(file)) {
            expect(acked).toEqual([]);
            continue;
          }
          const { names, errors } = await probes(file);
          const present = new Set(names);
          expect(acked.filter((a) => !present.has(a))).toEqual([]);
          expect(present.size).toBe(names.length);
          // In the order they were acknowledged, across every earlier kill and resume.
          const ackedSet = new Set(acked);
          expect(names.filter((n) => ackedSet.has(n))).toEqual(acked);
          // At most one torn line per kill; every line after one parses.
          expect(errors).toBeLessThanOrEqual((round % KILLS_PER_CHAIN) + 1);
        }

        // The kill ending each chain is followed by a resume here.
        for (const { id, file, acked } of chains) {
          expect(acked.length).toBeGreaterThan(0);
          const { recorder, session } = await RolloutRecorder.resume(id, { home, durability });
          expect(session.meta.id).toBe(id);
          await recorder.record([{ type: 'event_msg', payload: { type: 'crash_probe', name: 'final' } }]);
          await recorder.close();
          const { names } = await probes(file);
          expect(names.at(-1)).toBe('final');
          expect(acked.filter((a) => !names.includes(a))).toEqual([]);
        }
      } finally {
        for (const c of children)
          if (c.process.exitCode === null && c.process.signalCode === null) c.process.kill('SIGKILL');
        await Promise.all(children.map((c) => c.exited));
        await rm(home, { recursive: true, force: true });
      }
    },
    // 210 process start-ups; generous for a loaded machine.
    600_000,
  );
});
