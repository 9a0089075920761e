/**
 * The updated order while another process appends: the file walk stats every file to order them,
 * then reads the heads of a page's sessions. A file appended to between the two must not be
 * returned at the place its older time gave it with its newer time (out of order, and a cursor
 * that disagrees with the session's `updatedAt`); the page is asked again instead, as the index
 * does for a row whose file changed.
 */
import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { compareKeys, type CursorKey } from '../../src/format/cursor.js';
import { listSessions, type SessionSummary } from '../../src/index.js';
import { writeRollout } from '../helpers/rollout-files.js';
import { tempDir } from '../helpers/temp.js';

const DAY = 86_400_000;
/** A session's place in the updated order: its update time, ties by id descending. */
const keyOf = (s: SessionSummary): CursorKey => ({ time: Date.parse(s.updatedAt), id: s.id.toLowerCase() });
const BASE = Date.UTC(2026, 1, 1);

/** A process appending one line to one of `files` after another, as fast as it can, until killed. */
function appender(files: string[]) {
  const script = `
    const fs = require('node:fs');
    const files = JSON.parse(process.argv[1]);
    const line = JSON.stringify({ timestamp: new Date().toISOString(), type: 'event_msg',
      payload: { type: 'token_count', info: null } }) + '\\n';
    for (let i = 0; ; i++) fs.appendFileSync(files[i % files.length], line);
  `;
  return spawn(process.execPath, ['-e', script, JSON.stringify(files)], { stdio: 'ignore' });
}

describe('updated order while files are appended to', () => {
  it('every page of the file walk is in the order of the update times it returns', async () => {
    const h = await tempDir('ar-updated-race-');
    const files: string[] = [];
    for (let i = 0; i < 24; i++) {
      const w = await writeRollout(h, { createdAt: BASE + i * DAY, userMessage: `session ${i}` });
      files.push(w.path);
    }
    const child = appender(files.filter((_, i) => i % 2 === 0));
    const problems: string[] = [];
    try {
      for (let round = 0; round < 150; round++) {
        let cursor: string | null = null;
        let previous: SessionSummary | undefined;
        do {
          const page = await listSessions({ home: h, sortKey: 'updated', index: false, pageSize: 4, cursor });
          for (const s of page.sessions) {
            if (previous !== undefined && compareKeys(keyOf(previous), keyOf(s)) >= 0)
              problems.push(`${s.id} (${s.updatedAt}) after ${previous.id} (${previous.updatedAt})`);
            previous = s;
          }
          // The cursor is the last session's own place: its time is the update time returned.
          if (page.nextCursor !== null)
            expect(page.nextCursor.split('|')[0]).toBe(page.sessions.at(-1)!.updatedAt);
          cursor = page.nextCursor;
        } while (cursor !== null);
      }
    } finally {
      child.kill();
    }
    expect(problems.slice(0, 5)).toEqual([]);
  }, 300_000);
});
