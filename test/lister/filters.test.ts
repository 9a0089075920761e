import { describe, expect, it } from 'vitest';
import { listSessions, type ListSessionsOptions } from '../../src/index.js';
import { nameSession, writeRollout, type RolloutSpec } from '../helpers/rollout-files.js';
import { tempDir } from '../helpers/temp.js';

const T = Date.UTC(2026, 3, 1, 8);
const H = 3_600_000;

/** One home with one session per row; returns the home and the ids by label. */
async function home(
  rows: Record<string, Partial<RolloutSpec>>,
): Promise<{ home: string; ids: Record<string, string> }> {
  const dir = await tempDir();
  const ids: Record<string, string> = {};
  let i = 0;
  for (const [label, spec] of Object.entries(rows)) {
    ids[label] = (
      await writeRollout(dir, { createdAt: T + i++ * H, userMessage: `msg ${label}`, ...spec })
    ).id;
  }
  return { home: dir, ids };
}

async function labels(
  h: { home: string; ids: Record<string, string> },
  options: ListSessionsOptions,
): Promise<string[]> {
  const byId = Object.fromEntries(Object.entries(h.ids).map(([k, v]) => [v, k]));
  const page = await listSessions({ home: h.home, pageSize: 100, ...options });
  return page.sessions.map((s) => byId[s.id]!).sort();
}

describe('filters', () => {
  it('sources: exact, sub-agent objects by their key', async () => {
    const h = await home({
      cli: { source: 'cli' },
      vscode: { source: 'vscode' },
      exec: { source: 'exec' },
      sub: { source: { subagent: { thread_spawn: { parent_thread_id: 'x' } } } },
      custom: { source: 'CLI' },
    });
    expect(await labels(h, { sources: ['cli', 'vscode'] })).toEqual(['cli', 'vscode']);
    expect(await labels(h, { sources: ['subagent'] })).toEqual(['sub']);
    expect(await labels(h, { sources: [] })).toEqual([]);
  });

  it('modelProviders: a session without one matches through defaultProvider', async () => {
    const h = await home({
      openai: { modelProvider: 'openai' },
      azure: { modelProvider: 'azure' },
      none: { modelProvider: null },
    });
    expect(await labels(h, { modelProviders: ['openai'] })).toEqual(['none', 'openai']);
    expect(await labels(h, { modelProviders: ['azure'] })).toEqual(['azure']);
    expect(await labels(h, { modelProviders: ['azure'], defaultProvider: 'azure' })).toEqual([
      'azure',
      'none',
    ]);
  });

  it('cwd: one or several, compared after normalization', async () => {
    const h = await home({
      a: { cwd: '/w/a' },
      a2: { cwd: '/w/a/' },
      b: { cwd: '/w/x/../b' },
      c: { cwd: '/w/c' },
    });
    expect(await labels(h, { cwd: '/w/a' })).toEqual(['a', 'a2']);
    expect(await labels(h, { cwd: ['/w/./b/', '/w/c'] })).toEqual(['b', 'c']);
  });

  it('since / until: creation instant, inclusive', async () => {
    const h = await home({ h0: {}, h1: {}, h2: {}, h3: {} });
    expect(await labels(h, { since: T + H, until: new Date(T + 2 * H) })).toEqual(['h1', 'h2']);
    expect(await labels(h, { since: new Date(T + 3 * H).toISOString() })).toEqual(['h3']);
    await expect(listSessions({ home: h.home, since: T + H, until: T })).rejects.toThrow(/since.*until/);
  });

  it('since prunes old folders in a wide home', async () => {
    const dir = await tempDir();
    for (let d = 0; d < 30; d++) await writeRollout(dir, { createdAt: T - d * 24 * H, userMessage: `d${d}` });
    const page = await listSessions({ home: dir, since: T - 2.5 * 24 * H });
    expect(page.sessions.map((s) => s.preview)).toEqual(['d0', 'd1', 'd2']);
    expect(page.scannedFiles).toBe(3);
  });

  it('search: case-insensitive, in the first user message and the name', async () => {
    const h = await home({
      a: { userMessage: 'Fix the LOGIN page' },
      b: { userMessage: 'other' },
      c: { userMessage: 'x' },
    });
    await nameSession(h.home, h.ids['b']!, 'Login work');
    expect(await labels(h, { search: 'login' })).toEqual(['a', 'b']);
  });

  it('filters do not break paging', async () => {
    const dir = await tempDir();
    const want: string[] = [];
    for (let i = 0; i < 20; i++) {
      const w = await writeRollout(dir, {
        createdAt: T + i * 1000,
        cwd: i % 3 === 0 ? '/keep' : '/drop',
        userMessage: `m${i}`,
      });
      if (i % 3 === 0) want.unshift(w.id);
    }
    const got: string[] = [];
    let cursor: string | null = null;
    do {
      const page = await listSessions({ home: dir, cwd: '/keep', pageSize: 2, cursor });
      got.push(...page.sessions.map((s) => s.id));
      cursor = page.nextCursor;
    } while (cursor !== null);
    expect(got).toEqual(want);
  });

  it('rejects bad options with a TypeError naming them', async () => {
    const dir = await tempDir();
    await expect(listSessions({ home: dir, pageSize: 0 })).rejects.toThrow(/pageSize/);
    await expect(listSessions({ home: dir, sortKey: 'name' as 'created' })).rejects.toThrow(/sortKey/);
    await expect(listSessions({ home: dir, since: 'yesterday' })).rejects.toThrow(TypeError);
  });
});
