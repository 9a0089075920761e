import { appendFileSync } from 'node:fs';
import path from 'node:path';
import { v7 as uuidv7 } from 'uuid';
import { describe, expect, it } from 'vitest';
import { listSessions, type ListSessionsOptions } from '../../src/index.js';
import { indexCounters } from '../../src/lister/indexed.js';
import { allPages } from '../helpers/index-ops.js';
import { nameSession, writeRollout } from '../helpers/rollout-files.js';
import { tempDir } from '../helpers/temp.js';

const DAY = 86_400_000;
const BASE = Date.UTC(2026, 4, 1);
/** More than SQLite's limit of variables in one statement (32,766). */
const NAMES = 40_000;

describe('a search whose term is in thousands of thread names', () => {
  it('is answered by the index, as the files answer it, whatever the number of names', async () => {
    const h = await tempDir();
    const ids: string[] = [];
    for (let i = 0; i < 6; i++) {
      const w = await writeRollout(h, {
        createdAt: BASE + i * DAY,
        userMessage: i % 2 === 0 ? `fix the parser ${i}` : `write the docs ${i}`,
        source: i === 4 ? 'exec' : i === 5 ? '__proto__' : 'cli',
      });
      ids.push(w.id);
    }
    await nameSession(h, ids[1]!, 'parser cleanup');
    // Names of sessions this home does not hold (copied from elsewhere, or deleted since).
    const lines: string[] = [];
    for (let i = 0; i < NAMES; i++) {
      lines.push(
        JSON.stringify({ id: uuidv7(), thread_name: `parser work ${i}`, updated_at: '2026-05-01T00:00:00Z' }),
      );
    }
    appendFileSync(path.join(h, 'session_index.jsonl'), lines.join('\n') + '\n');
    await nameSession(h, ids[3]!, 'more parser');
    // Found by its name only, from a source whose label is an object's special key.
    await nameSession(h, ids[5]!, 'the parser notes');

    const cases: ListSessionsOptions[] = [
      { search: 'parser' },
      { search: 'parser', sortKey: 'updated' },
      { search: 'parser', sortKey: 'relevance' },
      { search: 'parser', sources: ['cli'] },
    ];
    for (const c of cases) {
      const before = indexCounters.fellBack;
      const fromIndex = await allPages({ home: h, ...c }, 2);
      expect(indexCounters.fellBack, `${JSON.stringify(c)}: the index answered`).toBe(before);
      const fromFiles = await allPages({ home: h, ...c, index: false }, 2);
      // Relevance is bm25's order in the index and created order in the files: the same sessions.
      const order =
        c.sortKey === 'relevance'
          ? (l: typeof fromIndex) => [...l].sort((a, b) => a.id.localeCompare(b.id))
          : (l: typeof fromIndex) => l;
      expect(order(fromIndex), JSON.stringify(c)).toEqual(order(fromFiles));
    }
    const page = await listSessions({ home: h, search: 'parser', sources: ['cli'], pageSize: 10 });
    expect(page.sessions.map((s) => s.id).sort()).toEqual([ids[0], ids[1], ids[2], ids[3]].sort());
    // The exec session holds the term, the other is named by it: both are hidden by the filter.
    expect(page.filteredBySource).toEqual(JSON.parse('{"exec": 1, "__proto__": 1}'));
    expect(Object.getPrototypeOf(page.filteredBySource)).toBe(Object.prototype);
  }, 60_000);
});
