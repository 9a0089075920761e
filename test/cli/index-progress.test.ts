import { describe, expect, it } from 'vitest';
import { RACY_MS } from '../../src/search-index/reconcile.js';
import { writeRollout } from '../helpers/rollout-files.js';
import { tempDir } from '../helpers/temp.js';
import { cli } from './helpers.js';

/** Files a first build must read before `ls` and `search` show its progress. */
const SESSIONS = 150;

/** A home of `n` small sessions and no index yet. */
async function bigHome(n = SESSIONS): Promise<string> {
  const home = await tempDir();
  for (let i = 0; i < n; i++) {
    await writeRollout(home, {
      createdAt: Date.UTC(2026, 10, 1) + i * 3_600_000,
      userMessage: `task number ${i}`,
      source: 'cli',
    });
  }
  return home;
}

const CLEAR = '\r\u001b[2K';

describe.each([
  ['ls', []],
  ['search', ['task number']],
])('rollouts %s while the first index build runs', (command, args) => {
  it('draws the index progress on a terminal, in place, and clears it when done', async () => {
    const home = await bigHome();
    const r = await cli([command, ...args, '--home', home, '--limit', '2'], { stderrIsTTY: true });
    expect(r.code).toBe(0);
    const draws = r.err.split(CLEAR).filter((d) => d.startsWith('indexing '));
    expect(draws.length).toBeGreaterThan(1);
    expect(draws.at(-1)).toMatch(new RegExp(`^indexing █{30} ${SESSIONS} / ${SESSIONS} files$`));
    // Nothing of it is left: the last draw is cleared before anything else is written.
    const tail = r.err.slice(r.err.lastIndexOf('indexing '));
    const end = tail.indexOf('\r');
    expect(tail.slice(0, end)).not.toContain('\n');
    expect(tail.slice(end, end + CLEAR.length)).toBe(CLEAR);
    expect(r.out).not.toContain('indexing');
  });

  it('prints nothing of it on a pipe, nor with --json', async () => {
    const home = await bigHome();
    const piped = await cli([command, ...args, '--home', home, '--limit', '2']);
    expect(piped.code).toBe(0);
    expect(piped.err).not.toContain('indexing');
    const json = await cli([command, ...args, '--home', await bigHome(), '--limit', '2', '--json'], {
      stderrIsTTY: true,
    });
    expect(json.code).toBe(0);
    expect(json.err).not.toContain('indexing');
    for (const line of json.out.trimEnd().split('\n'))
      expect(() => JSON.parse(line) as unknown).not.toThrow();
  });

  it('draws nothing for the few files a later listing reads', async () => {
    const home = await bigHome();
    // Files changed within the racy tick are read again by the next listing: these are older.
    await new Promise((resolve) => setTimeout(resolve, RACY_MS + 500));
    await cli([command, ...args, '--home', home]);
    await writeRollout(home, {
      createdAt: Date.UTC(2026, 11, 1),
      userMessage: 'task number late',
      source: 'cli',
    });
    const r = await cli([command, ...args, '--home', home, '--limit', '2'], { stderrIsTTY: true });
    expect(r.code).toBe(0);
    expect(r.err).not.toContain('indexing');
  });
});
