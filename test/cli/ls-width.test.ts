import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { displayWidth, safeLine } from '../../src/cli/terminal-text.js';
import { oddCaseText, oddCases } from '../helpers/odd-corpus.js';
import { writeRollout } from '../helpers/rollout-files.js';
import { openTerminal } from '../helpers/tmux.js';
import { cli } from './helpers.js';

const bin = path.resolve(import.meta.dirname, '../../dist/cli/bin.js');

const CJK_CWD = '/srv/projects/長い名前/packages/core'; // 32 characters, 36 cells
const CJK_BRANCH = 'feature/漢字-branch-name'; // 22 characters, 24 cells

/**
 * The odd corpus (CJK, emoji and ZWJ previews, control characters, bidi, a 3 MiB first message)
 * without its two huge-file cases, which a listing never reads past the head of, plus an exec
 * session with a CJK working folder and branch.
 */
async function oddHome(): Promise<string> {
  // Made here rather than with tempDir, which removes its folders after each test.
  const home = await mkdtemp(path.join(os.tmpdir(), 'ar-ls-width-'));
  const dir = path.join(home, 'sessions', '2026', '10', '01');
  await mkdir(dir, { recursive: true });
  for (const c of oddCases.filter((c) => c.grow === undefined || c.grow.kind === 'first-message')) {
    await writeFile(path.join(dir, c.file), await oddCaseText(c));
  }
  const w = await writeRollout(home, {
    createdAt: Date.UTC(2026, 9, 1, 13),
    userMessage: 'ビルドを直してください、テストが赤いです。ビルドを直してください、テストが赤いです。',
    cwd: CJK_CWD,
    source: 'exec',
  });
  const [first, ...rest] = (await readFile(w.path, 'utf8')).split('\n');
  const line = JSON.parse(first!) as { payload: { git: { branch: string } } };
  line.payload.git.branch = CJK_BRANCH;
  await writeFile(w.path, [JSON.stringify(line), ...rest].join('\n'));
  return home;
}

const segmenter = new Intl.Segmenter(undefined, { granularity: 'grapheme' });
const graphemes = (s: string): string[] => Array.from(segmenter.segment(s), (g) => g.segment);

let home: string;
let ids: string[];
let previews: Map<string, string>;
beforeAll(async () => {
  home = await oddHome();
  const json = await cli(['ls', '--home', home, '--all-sources', '--json']);
  const rows = json.out
    .trimEnd()
    .split('\n')
    .map((l) => JSON.parse(l) as { type: string; id: string; preview: string | null });
  const sessions = rows.filter((r) => r.type === 'session');
  ids = sessions.map((s) => s.id);
  previews = new Map(sessions.map((s) => [s.id, s.preview ?? '']));
  expect(ids.length).toBeGreaterThan(10);
});
afterAll(async () => {
  await rm(home, { recursive: true, force: true });
});

const tty = (columns: number | undefined, env: Record<string, string> = {}) => ({
  stdoutIsTTY: true,
  columns,
  env: { NO_COLOR: '1', ...env },
});

describe('ls fits the terminal', () => {
  it.each([80, 200])('at %i columns no row is wider than the terminal', async (width) => {
    const r = await cli(['ls', '--home', home, '--all-sources'], tty(width));
    expect(r.code).toBe(0);
    const lines = r.out.trimEnd().split('\n');
    expect(lines).toHaveLength(ids.length + 1);
    for (const [i, line] of lines.entries()) {
      expect(displayWidth(line), line).toBeLessThanOrEqual(width);
      if (i > 0) expect(line.startsWith(ids[i - 1]!.slice(0, 13))).toBe(true);
    }
    expect(r.out).not.toContain('\ufffd');
    // Every row but those with an empty preview uses the width there is, up to the last cell.
    const cut = lines.filter((l) => l.endsWith('…'));
    expect(cut.length).toBeGreaterThanOrEqual(2);
    for (const l of cut) expect(displayWidth(l)).toBeGreaterThanOrEqual(width - 1);
  });

  it('at 80 columns drops CREATED first, keeping ID, AGE, CWD, BRANCH and PREVIEW', async () => {
    const r = await cli(['ls', '--home', home], tty(80));
    expect(r.out.split('\n')[0]).toMatch(/^ID\s+AGE\s+CWD\s+BRANCH\s+PREVIEW$/);
  });

  it('at 200 columns the CJK working folder and branch are shown whole', async () => {
    const r = await cli(['ls', '--home', home, '--all-sources'], tty(200));
    expect(r.out.split('\n')[0]).toMatch(/^ID\s+CREATED\s+AGE\s+CWD\s+BRANCH\s+SOURCE\s+PREVIEW$/);
    const row = r.out.split('\n').find((l) => l.includes('ビルド'))!;
    expect(row).toContain(`${CJK_CWD}  `);
    expect(row).toContain(`${CJK_BRANCH}  `);
  });

  it('cuts between graphemes, never inside an emoji or a ZWJ sequence', async () => {
    const emoji = oddCases.find((c) => c.name === 'emoji-zwj')!;
    const full = graphemes(safeLine(previews.get(emoji.id)!));
    let cuts = 0;
    for (const width of [80, 81, 82, 83, 100, 120, 200]) {
      const r = await cli(['ls', '--home', home], tty(width));
      const row = r.out.split('\n').find((l) => l.startsWith(emoji.id.slice(0, 13)))!;
      const shown = row.slice(row.indexOf(full[0]!));
      if (shown === full.join('')) continue;
      cuts++;
      expect(shown.endsWith('…')).toBe(true);
      const kept = graphemes(shown.slice(0, -1));
      expect(kept).toEqual(full.slice(0, kept.length));
      expect(displayWidth(row)).toBeLessThanOrEqual(width);
    }
    expect(cuts).toBeGreaterThanOrEqual(6);
  });

  it('uses COLUMNS when the terminal does not say its width, else 80', async () => {
    const wide = await cli(['ls', '--home', home], tty(undefined, { COLUMNS: '120' }));
    const widths = wide.out.trimEnd().split('\n').map(displayWidth);
    expect(Math.max(...widths)).toBe(120);
    for (const bad of ['0', 'wide', '']) {
      const r = await cli(['ls', '--home', home], tty(undefined, { COLUMNS: bad }));
      expect(Math.max(...r.out.trimEnd().split('\n').map(displayWidth))).toBe(80);
    }
  });

  it('does not cut piped output unless --width asks', async () => {
    const piped = await cli(['ls', '--home', home, '--all-sources']);
    const cjk = oddCases.find((c) => c.name === 'cjk')!;
    expect(piped.out).toContain(`  ${previews.get(cjk.id)!}\n`);
    expect(piped.out).toContain(CJK_CWD);
    expect(piped.out).not.toContain('…');
    const narrow = await cli(['ls', '--home', home, '--all-sources', '--width', '60']);
    for (const line of narrow.out.trimEnd().split('\n')) expect(displayWidth(line)).toBeLessThanOrEqual(60);
    // Even narrower than ID and PREVIEW need: still never wider.
    const tiny = await cli(['ls', '--home', home, '--width', '10']);
    for (const line of tiny.out.trimEnd().split('\n')) expect(displayWidth(line)).toBeLessThanOrEqual(10);
  });

  it('rejects a --width that is not a whole number', async () => {
    const r = await cli(['ls', '--home', home, '--width', '0']);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/^error: --width takes a whole number ≥ 1, not "0"/);
  });
});

describe('ls in a real terminal (the built command in a pty)', () => {
  it.each([80, 200])('at %i columns every session is one screen line', async (columns) => {
    // The shell reports the exit status and keeps the pane as the program left it, to be read.
    const script = '"$@"; echo "exit=$?"; sleep 60';
    const term = openTerminal(
      ['sh', '-c', script, 'sh', process.execPath, bin, 'ls', '--home', home, '--all-sources'],
      {
        columns,
        rows: ids.length + 10,
      },
    );
    const screen = await term.waitFor((s) => /^exit=\d+$/m.test(s));
    const lines = screen.split('\n');
    expect(lines[0]).toMatch(/^ID\s.*\sPREVIEW$/);
    // A row that wrapped would push a continuation line between two ids.
    expect(lines.slice(1)).toEqual([
      ...ids.map((id) => expect.stringMatching(new RegExp(`^${id.slice(0, 13)}`))),
      'exit=0',
    ]);
    expect(screen).not.toContain('\ufffd');
  });
});
