/**
 * After a big update (a rebuild, or a catch-up that read many files) the full-text index's
 * segments are merged into one and the space they held is given back, so the index does not stay
 * fragmented; small updates leave merging to SQLite's own automerge.
 */
import { appendFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { listSessions, rebuildSessionIndex } from '../../src/index.js';
import { acquireSessionLock } from '../../src/files/session-lock.js';
import { acquireIndex } from '../../src/search-index/handle.js';
import { RACY_MS, indexTuning } from '../../src/search-index/reconcile.js';
import { tempDir } from '../helpers/temp.js';
import { writeRollout } from '../helpers/rollout-files.js';

const BASE = Date.UTC(2026, 2, 1);
const saved = { ...indexTuning };
afterEach(() => Object.assign(indexTuning, saved));

/** How many FTS5 segments the index holds (each has its own `segid` in the `%_idx` table). */
function segments(home: string): number {
  const store = acquireIndex(home, { create: false })!;
  return store.db.prepare('SELECT count(DISTINCT segid) FROM msg_fts_idx').pluck().get() as number;
}

function freePages(home: string): number {
  const store = acquireIndex(home, { create: false })!;
  return Number(store.db.pragma('freelist_count', { simple: true }));
}

describe('merging the full-text segments', () => {
  it('merges after an update that read many files, not after small ones', async () => {
    indexTuning.mergeAfter = 10;
    const home = await tempDir();
    const files: { id: string; path: string }[] = [];
    for (let i = 0; i < 14; i++) {
      const written = await writeRollout(home, {
        createdAt: BASE + i * 3_600_000,
        userMessage: `task number ${i} for the parser`,
      });
      files.push(written);
    }
    // Past the racy tick, so a catch-up reads only the files changed since.
    await new Promise((r) => setTimeout(r, RACY_MS + 100));
    await rebuildSessionIndex({ home });
    expect(segments(home)).toBe(1);
    // Small catch-ups, one file each: a segment (of new text and of deletions) each.
    for (const [i, f] of files.slice(0, 6).entries()) {
      append(home, f, `more words ${i}`);
      await rebuildOne(home);
    }
    expect(segments(home)).toBeGreaterThan(1);
    // One catch-up reading every file: merged into one segment, the freed pages given back.
    for (const f of files) append(home, f, 'the last words');
    expect((await listSessions({ home, search: 'the last words' })).sessions).toHaveLength(14);
    expect(segments(home)).toBe(1);
    expect(freePages(home)).toBe(0);
  });
});

/** Appends an assistant message in place, under the session's writer lock (as the Codex CLI does). */
function append(home: string, f: { id: string; path: string }, message: string): void {
  const lock = acquireSessionLock(home, f.id);
  try {
    const line = {
      timestamp: new Date(BASE).toISOString(),
      type: 'event_msg',
      payload: { type: 'agent_message', message },
    };
    appendFileSync(f.path, JSON.stringify(line) + '\n');
  } finally {
    lock.release();
  }
}

/** A listing, which reads the changed file into the index (a catch-up of one file). */
async function rebuildOne(home: string): Promise<void> {
  await listSessions({ home, search: 'more words' });
}
