/**
 * An update or rebuild asked for explicitly (`updateSessionIndex`, `rebuildSessionIndex`,
 * `rollouts index [--rebuild]`) waits for another process's hold on the index's write lock (a
 * merge of its segments takes seconds at 100k) up to a bound, rather than refusing after the 2 s
 * busy timeout of one statement. Listings never wait: they answer from the files.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createRequire } from 'node:module';
import { afterEach, describe, expect, it } from 'vitest';
import { listSessions, rebuildSessionIndex, updateSessionIndex } from '../../src/index.js';
import { sessionIndexTuning } from '../../src/lister/session-index.js';
import { indexPath } from '../../src/search-index/store.js';
import { tempDir } from '../helpers/temp.js';
import { writeRollout } from '../helpers/rollout-files.js';

const BASE = Date.UTC(2026, 6, 1);
const addon = createRequire(import.meta.url).resolve('better-sqlite3');
const saved = { ...sessionIndexTuning };
const holders: ChildProcess[] = [];

afterEach(() => {
  Object.assign(sessionIndexTuning, saved);
  for (const c of holders.splice(0)) if (c.exitCode === null && c.pid !== undefined) process.kill(c.pid);
});

/** Another process that takes the index's write lock, says so, and lets it go after `ms`. */
async function holdLock(home: string, ms: number): Promise<ChildProcess> {
  const code =
    `const D = require(${JSON.stringify(addon)}); const db = new D(${JSON.stringify(indexPath(home))});` +
    `db.exec('BEGIN IMMEDIATE'); process.stdout.write('held\\n');` +
    `setTimeout(() => { db.exec('ROLLBACK'); db.close(); }, ${ms});`;
  const child = spawn(process.execPath, ['-e', code], { stdio: ['ignore', 'pipe', 'inherit'] });
  holders.push(child);
  const [chunk] = (await once(child.stdout!, 'data')) as [Buffer];
  expect(chunk.toString()).toBe('held\n');
  return child;
}

async function home(n: number): Promise<string> {
  const h = await tempDir('ar-lockwait-');
  for (let i = 0; i < n; i++) {
    await writeRollout(h, { createdAt: BASE + i * 3_600_000, userMessage: `session ${i}` });
  }
  await listSessions({ home: h });
  return h;
}

describe('an explicit update or rebuild and a held write lock', () => {
  it('a rebuild waits for the lock to be let go, then rebuilds', async () => {
    const h = await home(5);
    const holder = await holdLock(h, 4500);
    const status = await rebuildSessionIndex({ home: h });
    expect(holder.exitCode ?? (await once(holder, 'exit'))[0]).toBe(0);
    expect(status.sessions).toBe(5);
    expect(status.stale).toBe(0);
  });

  it('an update waits for the lock to be let go, then reads what changed', async () => {
    const h = await home(3);
    await writeRollout(h, { createdAt: BASE + 10 * 3_600_000, userMessage: 'written while locked' });
    await holdLock(h, 4500);
    const status = await updateSessionIndex({ home: h });
    expect(status.sessions).toBe(4);
    expect(status.stale).toBe(0);
  });

  it('past the bound, refuses with E_INDEX and says how long it waited; listings answer meanwhile', async () => {
    sessionIndexTuning.lockWaitMs = 3000;
    const h = await home(2);
    await holdLock(h, 60_000);
    await expect(rebuildSessionIndex({ home: h })).rejects.toMatchObject({
      code: 'E_INDEX',
      message: expect.stringMatching(/holds its write lock \(waited [3-9] s\)/),
    });
    expect((await listSessions({ home: h })).sessions).toHaveLength(2);
  });
});
