import { execFileSync } from 'node:child_process';
import { mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeRollout } from '../helpers/rollout-files.js';
import { tempDir } from '../helpers/temp.js';
import type { Terminal } from '../helpers/tmux.js';
import { openTerminal } from '../helpers/tmux.js';

const bin = path.resolve(import.meta.dirname, '../../dist/cli/bin.js');
const q = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;

interface World {
  home: string;
  project: string;
  other: string;
  dir: string;
  /** Ids of the project's sessions, by number. */
  ids: string[];
  otherIds: string[];
}

/** A home with `n` sessions in a project folder ("task number i") and 3 in another folder. */
async function world(n = 30): Promise<World> {
  const dir = await tempDir('ar-pick-');
  const home = path.join(dir, 'home');
  const project = path.join(dir, 'project');
  const other = path.join(dir, 'other');
  await Promise.all([home, project, other].map((d) => mkdir(d, { recursive: true })));
  const ids: string[] = [];
  for (let i = 0; i < n; i++) {
    const w = await writeRollout(home, {
      createdAt: Date.UTC(2026, 10, 20, 10, i),
      cwd: project,
      userMessage: `task number ${i}: make the build green`,
    });
    ids.push(w.id);
  }
  const otherIds: string[] = [];
  for (let i = 0; i < 3; i++) {
    const w = await writeRollout(home, {
      createdAt: Date.UTC(2026, 10, 19, 10, i),
      cwd: other,
      userMessage: `elsewhere ${i}`,
    });
    otherIds.push(w.id);
  }
  return { home, project, other, dir, ids, otherIds };
}

/**
 * The picker in a real terminal, inside a shell that records the terminal modes (`stty -a`) before
 * and after it, its exit status and its stdout, then prints DONE and waits.
 */
function picker(w: World, args: string[], size = { columns: 80, rows: 20 }): Terminal {
  const f = (name: string): string => q(path.join(w.dir, name));
  const script =
    `stty -a > ${f('before')}; node ${q(bin)} ${args.map(q).join(' ')} --home ${q(w.home)} > ${f('out')}; ` +
    `echo $? > ${f('rc')}; stty -a > ${f('after')}; echo DONE; sleep 60`;
  return openTerminal(['sh', '-c', script], { ...size, cwd: w.project, env: { NO_COLOR: '1' } });
}

async function results(w: World): Promise<{ rc: number; out: string; before: string; after: string }> {
  const read = (name: string): Promise<string> => readFile(path.join(w.dir, name), 'utf8');
  return {
    rc: Number((await read('rc')).trim()),
    out: await read('out'),
    before: await read('before'),
    after: await read('after'),
  };
}

const lines = (screen: string): string[] => screen.split('\n');

describe('rollouts pick in a real terminal (tmux)', () => {
  it('lists this folder at 80 × 20, searches as typed, moves, and prints the chosen id; the terminal is restored', async () => {
    const w = await world();
    const term = picker(w, ['pick']);
    let screen = await term.waitFor((s) => s.includes('user: task number 29'));
    const rows = lines(screen);
    expect(rows[0]).toMatch(/^Sessions in .*project +sort: created · 30 sessions$/);
    expect(rows[1]).toBe('Search:');
    expect(rows[2]).toMatch(/^> 2026-11-20 \d\d:29 .*task number 29: make the build green$/);
    expect(rows[10]).toMatch(/task number 21: make the build green$/);
    expect(rows[11]).toMatch(/^── [0-9a-f]{8}-[0-9a-f]{4} ─+$/);
    expect(rows[12]).toBe('user: task number 29: make the build green');
    expect(rows[13]).toBe('assistant: Sure.');
    expect(screen).not.toContain('elsewhere');
    for (const row of rows) expect(row.length).toBeLessThanOrEqual(80);
    expect(rows).toHaveLength(20);
    expect(rows[19]).toMatch(
      /^↑\/↓ PgUp\/PgDn move {2}Enter choose {2}Tab sort {2}Ctrl-A all folders {2}Esc quit$/,
    );

    term.send('number 1', { literal: true });
    screen = await term.waitFor((s) => s.includes('· 11 sessions'));
    expect(lines(screen)[1]).toBe('Search: number 1');
    expect(lines(screen)[2]).toMatch(/^> .*task number 19:/);
    expect(lines(screen)[11 - 0]).toMatch(/^── /);
    term.send('Down');
    await term.waitFor((s) => /^> .*task number 18:/m.test(s) && s.includes('user: task number 18'));
    term.send('Enter');
    screen = await term.waitFor((s) => s.includes('DONE'));
    // Back on the main screen: the picker's frame is gone with the alternate screen.
    expect(screen).not.toContain('Sessions in');
    const r = await results(w);
    expect(r.rc).toBe(0);
    expect(r.out).toBe(`${w.ids[18]}\n`);
    expect(r.after).toBe(r.before);
  });

  it('shows the first index build of a home as it runs, then the list; Ctrl-C during a build leaves with 130', async () => {
    const w = await world(600);
    const term = picker(w, ['pick']);
    term.record(path.join(w.dir, 'tty'));
    const screen = await term.waitFor((s) => s.includes('user: task number 599'), 120_000);
    expect(screen).not.toContain('indexing');
    const tty = await readFile(path.join(w.dir, 'tty'), 'utf8');
    // Drawn in place of "loading…", redrawn as it moves, up to every file read.
    const bars = [...tty.matchAll(/indexing the sessions ([█░]{30}) (\d+) \/ 603 files/g)].map((m) =>
      Number(m[2]),
    );
    expect(new Set(bars).size).toBeGreaterThan(2);
    expect(bars).toEqual([...bars].sort((a, b) => a - b));
    expect(bars.at(-1)).toBe(603);
    term.send('C-c');
    await term.waitFor((s) => s.includes('DONE'));

    // The keys are read while a build runs: Ctrl-C then ends the picker as it does otherwise.
    const again = await world(600);
    const second = picker(again, ['pick']);
    await second.waitFor((s) => s.includes('indexing the sessions'), 120_000);
    second.send('C-c');
    await second.waitFor((s) => s.includes('DONE'));
    const r = await results(again);
    expect(r.rc).toBe(130);
    expect(r.out).toBe('');
    expect(r.after).toBe(r.before);
  }, 300_000);

  it('Ctrl-C leaves with status 130, prints nothing, and restores the terminal modes', async () => {
    const w = await world(5);
    const term = picker(w, ['pick']);
    await term.waitFor((s) => s.includes('task number 4'));
    term.send('Down');
    term.send('C-c');
    await term.waitFor((s) => s.includes('DONE'));
    const r = await results(w);
    expect(r.rc).toBe(130);
    expect(r.out).toBe('');
    expect(r.after).toBe(r.before);
    expect(r.before).toMatch(/ icanon /);
    expect(r.before).toMatch(/ echo /);
  });

  it('SIGTERM from outside restores the terminal too', async () => {
    const w = await world(5);
    const term = picker(w, ['pick']);
    await term.waitFor((s) => s.includes('task number 4'));
    const child = execFileSync('ps', ['-o', 'pid=', '--ppid', String(term.pid())], { encoding: 'utf8' })
      .trim()
      .split(/\s+/)
      .map(Number)[0]!;
    process.kill(child, 'SIGTERM');
    const screen = await term.waitFor((s) => s.includes('DONE'));
    expect(screen).not.toContain('Sessions in');
    const r = await results(w);
    expect(r.rc).toBe(143);
    expect(r.after).toBe(r.before);
  });

  it('a thrown error ends the picker with the terminal restored (stand-in lister that throws)', async () => {
    const dir = await tempDir('ar-pick-');
    const f = (name: string): string => q(path.join(dir, name));
    const child = path.resolve(import.meta.dirname, '../helpers/picker-throw-child.ts');
    const tsx = path.resolve(import.meta.dirname, '../../node_modules/.bin/tsx');
    const script =
      `stty -a > ${f('before')}; ${q(tsx)} ${q(child)}; echo "rc=$?"; stty -a > ${f('after')}; ` +
      `echo DONE; sleep 60`;
    const term = openTerminal(['sh', '-c', script], { columns: 80, rows: 20, cwd: dir });
    const screen = await term.waitFor((s) => s.includes('DONE'));
    expect(screen).toContain('threw: the stand-in lister broke');
    expect(screen).toContain('rc=1');
    expect(screen).not.toContain('Sessions in');
    const read = (name: string): Promise<string> => readFile(path.join(dir, name), 'utf8');
    expect(await read('after')).toBe(await read('before'));
  });

  it('Ctrl-A shows every folder, Tab sorts by update; Escape clears the search, then leaves', async () => {
    const w = await world(4);
    const term = picker(w, ['pick']);
    await term.waitFor((s) => s.includes('· 4 sessions'));
    term.send('C-a');
    let screen = await term.waitFor((s) => s.includes('· 7 sessions'));
    expect(lines(screen)[0]).toMatch(/^Sessions in all folders +sort: created/);
    expect(screen).toMatch(/other +main +elsewhere 2/);
    expect(lines(screen).at(-1)).toContain('Ctrl-A this folder');
    term.send('Tab');
    screen = await term.waitFor((s) => s.includes('sort: updated'));
    term.send('elsewhere', { literal: true });
    screen = await term.waitFor((s) => s.includes('· 3 sessions'));
    term.send('Escape');
    await term.waitFor((s) => s.includes('· 7 sessions') && lines(s)[1] === 'Search:');
    term.send('Escape');
    await term.waitFor((s) => s.includes('DONE'));
    expect((await results(w)).rc).toBe(130);
  });

  it('pages lazily through the lister: End loads the next page, and the count grows', async () => {
    const w = await world(120);
    const term = picker(w, ['pick']);
    await term.waitFor((s) => s.includes('· 50+ sessions'));
    term.send('End');
    await term.waitFor((s) => s.includes('· 100+ sessions'));
    term.send('End');
    await term.waitFor((s) => s.includes('· 120 sessions'));
    term.send('End');
    // The preview is read after the move: wait for both, not for the move alone.
    const screen = await term.waitFor(
      (s) => /^> .*task number 0:/m.test(s) && s.includes('user: task number 0'),
    );
    expect(screen).toContain('user: task number 0');
    term.send('PageUp');
    await term.waitFor((s) => /^> .*task number 9:/m.test(s));
    term.send('Home');
    await term.waitFor((s) => /^> .*task number 119:/m.test(s));
    term.send('Enter');
    await term.waitFor((s) => s.includes('DONE'));
    expect((await results(w)).out).toBe(`${w.ids[119]}\n`);
  });

  it('redraws on resize (SIGWINCH): more rows show more sessions, a narrow terminal cuts every line', async () => {
    const w = await world(30);
    const term = picker(w, ['pick']);
    await term.waitFor((s) => s.includes('task number 21'));
    term.resize(120, 40);
    let screen = await term.waitFor((s) => s.includes('task number 10'));
    expect(lines(screen)).toHaveLength(40);
    expect(lines(screen)[39]).toMatch(/^↑\/↓/);
    term.resize(40, 10);
    screen = await term.waitFor((s) => lines(s).length === 10 && lines(s)[9]!.startsWith('↑/↓'));
    for (const row of lines(screen)) expect(row.length).toBeLessThanOrEqual(40);
    expect(screen).not.toContain('── '); // no room for the preview
    term.send('C-c');
    await term.waitFor((s) => s.includes('DONE'));
    const r = await results(w);
    // The size is the new one; every mode is as it was.
    const modes = (stty: string): string => stty.replace(/rows \d+; columns \d+;/, '');
    expect(modes(r.after)).toBe(modes(r.before));
    expect(r.after).toMatch(/rows 10; columns 40;/);
  });

  it('--exec runs the command with the id as one argument (no shell), and exits with its status', async () => {
    const w = await world(3);
    const term = picker(w, ['pick', '--exec', 'sh -c \'printf "[%s]" "$1"; exit 7\' sh {}']);
    await term.waitFor((s) => s.includes('task number 2'));
    term.send('Enter');
    await term.waitFor((s) => s.includes('DONE'));
    const r = await results(w);
    expect(r.out).toBe(`[${w.ids[2]}]`);
    expect(r.rc).toBe(7);
    expect(r.after).toBe(r.before);
  });

  it('draws on stderr when stdout is captured: id=$(rollouts pick) works, and so does a resize there', async () => {
    const w = await world(3);
    const script = `id=$(node ${q(bin)} pick --home ${q(w.home)}); echo "got=$id rc=$?"; sleep 60`;
    const term = openTerminal(['sh', '-c', script], { columns: 80, rows: 20, cwd: w.project });
    await term.waitFor((s) => s.includes('user: task number 2'));
    term.resize(60, 14);
    await term.waitFor((s) => lines(s).length === 14 && lines(s)[13]!.startsWith('↑/↓'));
    term.send('Down');
    term.send('Enter');
    const screen = await term.waitFor((s) => s.includes('got='));
    expect(screen).toContain(`got=${w.ids[1]} rc=0`);
  });

  it('ls -i is the same picker', async () => {
    const w = await world(3);
    const term = picker(w, ['ls', '-i', '--search', 'number 1']);
    const screen = await term.waitFor((s) => s.includes('· 1 session'));
    expect(lines(screen)[1]).toBe('Search: number 1');
    term.send('Enter');
    await term.waitFor((s) => s.includes('DONE'));
    expect((await results(w)).out).toBe(`${w.ids[1]}\n`);
  });

  it('shows hostile session text as escapes, never running it', async () => {
    const dir = await tempDir('ar-pick-');
    const home = path.join(dir, 'home');
    await mkdir(home);
    await writeRollout(home, {
      createdAt: Date.UTC(2026, 10, 20, 10),
      cwd: dir,
      userMessage: 'evil \u001b[2J\u001b]0;pwned\u0007 \u202eright-to-left',
    });
    const script = `printf 'EARLIER\\n'; node ${q(bin)} pick --home ${q(home)}; echo DONE; sleep 60`;
    const term = openTerminal(['sh', '-c', script], { columns: 80, rows: 20, cwd: dir });
    const screen = await term.waitFor((s) => s.includes('user: evil'));
    expect(screen).toContain('evil \\x1b[2J\\x1b]0;pwned\\x07 \\u202eright-to-left');
    term.send('C-c');
    const after = await term.waitFor((s) => s.includes('DONE'));
    expect(after).toContain('EARLIER');
  });
});

describe('rollouts pick without a terminal', () => {
  it('refuses in one line, pointing at rollouts ls, with status 2', async () => {
    const w = await world(1);
    let status = 0;
    let stderr = '';
    try {
      execFileSync('node', [bin, 'pick', '--home', w.home], {
        stdio: ['ignore', 'pipe', 'pipe'],
        encoding: 'utf8',
      });
    } catch (error) {
      const e = error as { status: number; stderr: string };
      status = e.status;
      stderr = e.stderr;
    }
    expect(status).toBe(2);
    expect(stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(stderr).toMatch(/^error: rollouts pick needs a terminal.*use rollouts ls/);
  });
});
