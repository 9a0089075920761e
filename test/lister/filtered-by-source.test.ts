import { readFile, writeFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { listSessions } from '../../src/index.js';
import { writeRollout, type RolloutSpec } from '../helpers/rollout-files.js';
import { tempDir } from '../helpers/temp.js';

const T = Date.UTC(2026, 3, 1, 8);
const M = 60_000;

/** Writes a rollout, then rewrites its `session_meta` with `edit` (to drop or mistype fields). */
async function writeWithMeta(
  home: string,
  spec: RolloutSpec,
  edit: (meta: Record<string, unknown>) => void,
): Promise<string> {
  const w = await writeRollout(home, spec);
  const [first, ...rest] = (await readFile(w.path, 'utf8')).split('\n');
  const line = JSON.parse(first!) as { payload: Record<string, unknown> };
  edit(line.payload);
  await writeFile(w.path, [JSON.stringify(line), ...rest].join('\n'));
  return w.id;
}

describe('sources and what they hide', () => {
  it('a session_meta without source counts as vscode, as the Codex CLI reads it', async () => {
    const home = await tempDir();
    const id = await writeWithMeta(home, { createdAt: T, userMessage: 'no source' }, (m) => {
      delete m['source'];
    });
    const page = await listSessions({ home, sources: ['cli', 'vscode'] });
    expect(page.sessions.map((s) => s.id)).toEqual([id]);
    // The summary keeps the file as written.
    expect(page.sessions[0]!.source).toBeNull();
    expect((await listSessions({ home, sources: ['vscode'] })).sessions).toHaveLength(1);
    expect((await listSessions({ home, sources: ['cli'] })).sessions).toHaveLength(0);
  });

  it('a source of another type matches no source filter (an array is not a sub-agent object)', async () => {
    const home = await tempDir();
    for (const [i, source] of [[], ['cli'], 7, null, {}].entries()) {
      await writeWithMeta(home, { createdAt: T + i * M, userMessage: `odd ${i}` }, (m) => {
        m['source'] = source;
      });
    }
    expect((await listSessions({ home, sources: ['0', 'cli', 'vscode', '7'] })).sessions).toEqual([]);
    const all = await listSessions({ home, sources: ['cli'] });
    expect(all.filteredBySource).toEqual({ '': 5 });
    expect((await listSessions({ home })).sessions).toHaveLength(5);
  });

  it('filteredBySource counts, by source, the sessions only the sources filter left out', async () => {
    const home = await tempDir();
    const specs: Partial<RolloutSpec>[] = [
      { source: 'exec' },
      { source: 'cli' },
      { source: 'mcp' },
      { source: 'exec' },
      { source: { subagent: 'review' } },
      // Not counted: each would stay hidden with every source.
      { source: 'exec', cwd: '/elsewhere' },
      { source: 'exec', userMessage: null },
      { source: 'exec', userMessage: 'does not match' },
    ];
    for (const [i, s] of specs.entries()) {
      await writeRollout(home, { createdAt: T + i * M, userMessage: `task ${i}`, cwd: '/work/p', ...s });
    }
    const page = await listSessions({
      home,
      sources: ['cli'],
      cwd: '/work/p',
      search: 'task',
    });
    expect(page.sessions.map((s) => s.preview)).toEqual(['task 1']);
    expect(page.filteredBySource).toEqual({ exec: 2, mcp: 1, subagent: 1 });
    // Without a sources filter nothing is left out by it.
    expect((await listSessions({ home, cwd: '/work/p', search: 'task' })).filteredBySource).toEqual({});
  });

  it('paging counts each hidden session on exactly one page', async () => {
    const home = await tempDir();
    // Newest first: c0 e e c1 e c2 e e e c3 e
    const order = ['c', 'e', 'e', 'c', 'e', 'c', 'e', 'e', 'e', 'c', 'e'];
    for (const [i, kind] of order.entries()) {
      await writeRollout(home, {
        createdAt: T - i * M,
        userMessage: `s${i}`,
        source: kind === 'c' ? 'cli' : 'exec',
      });
    }
    const counts: number[] = [];
    const shown: string[] = [];
    let cursor: string | null = null;
    do {
      const page = await listSessions({ home, sources: ['cli'], pageSize: 2, cursor });
      shown.push(...page.sessions.map((s) => s.preview!));
      counts.push(page.filteredBySource['exec'] ?? 0);
      cursor = page.nextCursor;
    } while (cursor !== null);
    expect(shown).toEqual(['s0', 's3', 's5', 's9']);
    // Page 1 covers s0..s3, page 2 s4..s10 (the rest).
    expect(counts).toEqual([2, 5]);
    expect(counts.reduce((a, b) => a + b)).toBe(order.filter((k) => k === 'e').length);
  });

  it('a key such as __proto__ is an ordinary own key', async () => {
    const home = await tempDir();
    await writeRollout(home, { createdAt: T, userMessage: 'x', source: '__proto__' });
    const page = await listSessions({ home, sources: ['cli'] });
    expect(Object.keys(page.filteredBySource)).toEqual(['__proto__']);
    expect(JSON.parse(JSON.stringify(page.filteredBySource))).toEqual(page.filteredBySource);
  });
});
