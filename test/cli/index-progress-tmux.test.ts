import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeRollout } from '../helpers/rollout-files.js';
import { tempDir } from '../helpers/temp.js';
import { openTerminal } from '../helpers/tmux.js';

const tsx = path.resolve(import.meta.dirname, '../../node_modules/.bin/tsx');
const bin = path.resolve(import.meta.dirname, '../../src/cli/bin.ts');
const SESSIONS = 600;
const CLEAR = '\r\u001b[2K';

/** A home of `n` sessions and no index: its first listing reads every file into the index. */
async function bigHome(n: number): Promise<string> {
  const home = await tempDir('ar-progress-');
  for (let i = 0; i < n; i++) {
    await writeRollout(home, {
      createdAt: Date.UTC(2026, 9, 1) + i * 3_600_000,
      userMessage: `task number ${i}: ${'words to read '.repeat(40)}`,
      source: 'cli',
    });
  }
  return home;
}

describe('rollouts ls in a real terminal while the first index build runs', () => {
  it('draws the progress in place and clears it; piped, nothing of it', async () => {
    const [home, other] = [await bigHome(SESSIONS), await bigHome(SESSIONS)];
    const dir = await tempDir('ar-progress-out-');
    const f = (name: string): string => path.join(dir, name);
    const q = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;
    // Waits for Enter, so that the recording starts before the program writes anything.
    const script =
      `read go; ${q(tsx)} ${q(bin)} ls --home ${q(home)} --limit 3; echo "rc=$?"; ` +
      `${q(tsx)} ${q(bin)} ls --home ${q(other)} --limit 3 2>${q(f('err'))} | cat >${q(f('out'))}; ` +
      `echo "piped=$?"; sleep 60`;
    const term = openTerminal(['sh', '-c', script], { columns: 120, rows: 30, env: { NO_COLOR: '1' } });
    term.record(f('tty'));
    term.send('Enter');
    const screen = await term.waitFor((s) => s.includes('piped='), 240_000);

    // On the terminal: the bar, redrawn in place on one line, then cleared before the table.
    const tty = readFileSync(f('tty'), 'utf8');
    const draws = tty.split(CLEAR).filter((d) => d.startsWith('indexing '));
    expect(draws.length).toBeGreaterThan(2);
    for (const d of draws) expect(d).toMatch(new RegExp(`^indexing [█░]{30} \\d+ / ${SESSIONS} files$`));
    expect(draws.at(-1)).toBe(`indexing ${'█'.repeat(30)} ${SESSIONS} / ${SESSIONS} files`);
    const afterLast = tty.slice(tty.lastIndexOf('indexing '));
    expect(afterLast.slice(afterLast.indexOf('\r'), afterLast.indexOf('\r') + CLEAR.length)).toBe(CLEAR);
    expect(screen).not.toContain('indexing');
    expect(screen).toMatch(/^ID +CREATED/m);
    expect(screen).toContain('rc=0');
    expect(screen).toContain('piped=0');

    // Piped: the table and the hint only, no escape and no progress.
    const out = readFileSync(f('out'), 'utf8');
    const err = readFileSync(f('err'), 'utf8');
    expect(out).toMatch(/^ID +CREATED/);
    expect(out.trimEnd().split('\n')).toHaveLength(4);
    expect(err).toMatch(/^more: rollouts ls --home .+ --cursor .+\n$/);
    for (const text of [out, err]) {
      expect(text).not.toContain('\u001b');
      expect(text).not.toContain('\r');
      expect(text).not.toContain('indexing');
    }
  }, 300_000);
});
