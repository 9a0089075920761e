import { describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/temp.js';
import { cli, seedSessions } from './helpers.js';

const parse = (out: string): Record<string, unknown>[] =>
  out
    .trimEnd()
    .split('\n')
    .map((l) => JSON.parse(l) as Record<string, unknown>);

describe('rollouts search', () => {
  it('prints each hit with its session, line and excerpt; --json gives the match', async () => {
    const home = await tempDir();
    const ids = await seedSessions(home, 4);
    const r = await cli(['search', 'DONE WITH 2', '--home', home]);
    expect(r.code).toBe(0);
    const lines = r.out.trimEnd().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toContain(ids[2]!.slice(0, 8));
    expect(lines[0]).toMatch(/line \d+ {2}rollouts show \S+ --at \d+/);
    expect(lines[1]).toBe('    done with 2');
    const json = parse((await cli(['search', 'done with 2', '--home', home, '--json'])).out);
    expect(json.map((x) => x['type'])).toEqual(['session', 'page']);
    expect(json[0]).toMatchObject({
      id: ids[2],
      match: { snippet: 'done with 2', line: expect.any(Number) },
    });
  });

  it('highlights the match on a terminal, and makes session text safe', async () => {
    const home = await tempDir();
    await seedSessions(home, 1);
    const r = await cli(['search', 'build', '--home', home], { stdoutIsTTY: true, columns: 100 });
    expect(r.out).toContain('\u001b[1m\u001b[33mbuild\u001b[39m\u001b[22m');
  });

  it('pages with a cursor, says so on stderr, and finds nothing quietly', async () => {
    const home = await tempDir();
    await seedSessions(home, 3);
    const first = await cli(['search', 'make the build', '--home', home, '--limit', '2']);
    expect(first.out.trimEnd().split('\n')).toHaveLength(4);
    expect(first.err).toMatch(/^more: rollouts search 'make the build' --home \S+ --limit 2 --cursor /);
    const none = await cli(['search', 'nowhere at all', '--home', home]);
    expect(none.out).toBe('');
    expect(none.err).toBe('no sessions contain "nowhere at all"\n');
  });

  it('ls --search uses the same engine: any message, not only the first', async () => {
    const home = await tempDir();
    const ids = await seedSessions(home, 3);
    const r = await cli(['ls', '--search', 'done with 1', '--home', home, '--json']);
    expect(parse(r.out).map((x) => x['id'])).toEqual([ids[1], undefined]);
  });
});

describe('rollouts show --at', () => {
  it('starts at the line a search printed, after the header', async () => {
    const home = await tempDir();
    const [id] = await seedSessions(home, 1);
    const hit = parse((await cli(['search', 'done with 0', '--home', home, '--json'])).out)[0]!;
    const line = (hit['match'] as { line: number }).line;
    const r = await cli(['show', id!, '--home', home, '--at', String(line)]);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^session /);
    expect(r.out).toMatch(/… \d+ lines before line \d+ not shown/);
    expect(r.out).not.toContain('task number 0');
    expect(r.out).toContain('done with 0');
    const json = await cli(['show', id!, '--home', home, '--at', String(line), '--json']);
    expect(parse(json.out)[0]).toMatchObject({ type: 'response_item' });
    expect((await cli(['show', id!, '--home', home, '--at', '0'])).code).toBe(2);
    expect((await cli(['show', id!, '--home', home, '--at', '2', '--raw'])).code).toBe(2);
  });
});

describe('rollouts index', () => {
  it('shows the state, updates and rebuilds', async () => {
    const home = await tempDir();
    await seedSessions(home, 3);
    const absent = await cli(['index', '--home', home]);
    expect(absent.out).toMatch(/^index +\S+session-index\.sqlite\nstate +absent\n/);
    await cli(['ls', '--home', home]);
    const built = parse((await cli(['index', '--home', home, '--json'])).out)[0]!;
    expect(built).toMatchObject({ type: 'index', exists: true, usable: true, sessions: 3, stale: 0 });
    await seedSessions(home, 1);
    expect(parse((await cli(['index', '--home', home, '--json'])).out)[0]).toMatchObject({ stale: 1 });
    const rebuilt = await cli(['index', '--home', home, '--rebuild']);
    expect(rebuilt.code).toBe(0);
    expect(rebuilt.out).toMatch(/state +up to date\nsessions +4\n/);
    const tty = await cli(['index', '--home', home, '--rebuild'], { stderrIsTTY: true });
    expect(tty.err).toContain('indexing ██████████████████████████████ 4 / 4 files');
    expect((await cli(['index', '--home', home, '--rebuild', '--update'])).code).toBe(2);
  });
});
