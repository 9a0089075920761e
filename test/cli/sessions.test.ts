import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { findSession } from '../../src/index.js';
import { tempDir } from '../helpers/temp.js';
import { cli, seedSessions } from './helpers.js';

describe('rollouts ls', () => {
  it('prints a table, newest first, and the command for the next page', async () => {
    const home = await tempDir();
    const ids = await seedSessions(home, 3);
    const r = await cli(['ls', '--home', home, '--limit', '2']);
    expect(r.code).toBe(0);
    const lines = r.out.trimEnd().split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatch(/^ID\s+CREATED\s+AGE\s+CWD\s+BRANCH\s+PREVIEW$/);
    expect(lines[1]).toContain(ids[2]!.slice(0, 13));
    expect(lines[1]).toContain('task number 2: make the build green');
    expect(lines[2]).toContain(ids[1]!.slice(0, 13));
    // The next page's command is a hint for people: on stderr, so stdout stays the table.
    expect(r.err).toMatch(/^more: rollouts ls --home \S+ --limit 2 --cursor '2026-11-20T10:01:00\.000Z\|/);
    const next = r.err
      .trimEnd()
      .replace(/^more: rollouts /, '')
      .match(/'[^']*'|\S+/g)!
      .map((a) => a.replace(/^'|'$/g, ''));
    const r2 = await cli(next);
    expect(r2.code).toBe(0);
    expect(r2.out).toContain(ids[0]!.slice(0, 13));
    expect(r2.err).toBe('');
  });

  it('filters by search and says so when nothing matches', async () => {
    const home = await tempDir();
    const ids = await seedSessions(home, 3);
    const r = await cli(['ls', '--home', home, '--search', 'NUMBER 1', '--json']);
    expect(
      r.out
        .trimEnd()
        .split('\n')
        .map((l) => (JSON.parse(l) as { type: string; id?: string }).type),
    ).toEqual(['session', 'page']);
    expect(JSON.parse(r.out.split('\n')[0]!)).toMatchObject({ id: ids[1] });
    const none = await cli(['ls', '--home', home, '--search', 'absent']);
    expect(none).toMatchObject({ code: 0, out: '', err: 'no sessions\n' });
  });

  it.each([
    [['ls', '--cursor', 'garbage'], 2, /^error: Invalid cursor "garbage"/],
    [['ls', '--limit', 'x'], 2, /^error: --limit takes a whole number ≥ 1, not "x"/],
    [['ls', '--since', 'someday'], 2, /^error: --since takes a date like/],
    [['ls', '--sort', 'size'], 2, /^error: option '--sort <key>' argument 'size' is invalid/],
    [
      ['ls', '--all-sources', '--source', 'cli'],
      2,
      /^error: --all-sources and --source contradict each other/,
    ],
    [['ls', '--bogus'], 2, /^error: unknown option '--bogus'/],
  ])('%j exits %i with a one-line error', async (argv, code, message) => {
    const home = await tempDir();
    const r = await cli([...argv, '--home', home]);
    expect(r.code).toBe(code);
    expect(r.err).toMatch(message);
    expect(r.err).not.toMatch(/\n\s+at /);
  });
});

describe('rollouts show', () => {
  it('prints the transcript with truncated tool output, in full with --full', async () => {
    const home = await tempDir();
    const [id] = await seedSessions(home, 1);
    const r = await cli(['show', id!.slice(0, 13), '--home', home]);
    expect(r.code).toBe(0);
    expect(r.out).toContain(`session ${id}`);
    expect(r.out).toContain('task number 0: make the build green');
    expect(r.out).toContain('tool call shell [call-0]');
    expect(r.out).toContain('… 18 more lines (--full shows them)');
    expect(r.out).toContain('done with 0');
    const full = await cli(['show', id!, '--home', home, '--full']);
    expect(full.out).toContain('line 29');
    expect(full.out).not.toContain('more lines');
  });

  it('--raw prints the file as stored and --json the parsed lines', async () => {
    const home = await tempDir();
    const [id] = await seedSessions(home, 1);
    const { path: file } = await findSession(id!, { home });
    const raw = await cli(['show', id!, '--home', home, '--raw']);
    expect(raw.out).toBe(await readFile(file, 'utf8'));
    const json = await cli(['show', file, '--json']);
    expect(
      json.out
        .trimEnd()
        .split('\n')
        .map((l) => JSON.parse(l) as unknown),
    ).toEqual(
      raw.out
        .trimEnd()
        .split('\n')
        .map((l) => JSON.parse(l) as unknown),
    );
  });

  it.each([
    [
      'an unknown id',
      '019aa3c4-0000-7000-8000-000000000000',
      1,
      /^error: No session matches "019aa3c4-0000-7000-8000-000000000000"/,
    ],
    [
      'a short prefix',
      '019a',
      2,
      /^error: "019a" is neither a session id nor a prefix of at least 8 hex digits/,
    ],
  ])('%s is a one-line error', async (_name, arg, code, message) => {
    const home = await tempDir();
    await seedSessions(home, 1);
    const r = await cli(['show', arg, '--home', home]);
    expect(r.code).toBe(code);
    expect(r.err).toMatch(message);
  });

  it('an ambiguous prefix lists the candidates', async () => {
    const home = await tempDir();
    const ids = await seedSessions(home, 2);
    const r = await cli(['show', ids[0]!.slice(0, 8), '--home', home]);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/^error: The id prefix "\w{8}" matches 2 sessions/);
    expect(r.err).toContain(ids[0]);
    expect(r.err).toContain(ids[1]);
  });

  it('a damaged file is shown with one warning per bad line', async () => {
    const home = await tempDir();
    const [id] = await seedSessions(home, 1);
    const { path: file } = await findSession(id!, { home });
    await writeFile(file, (await readFile(file, 'utf8')) + '{"torn');
    const r = await cli(['show', file]);
    expect(r.code).toBe(0);
    const lines = r.err.trimEnd().split('\n');
    expect(lines).toHaveLength(1);
    expect(
      lines[0]!.startsWith(`warning: ${file}:8: torn last line (no newline at the end): invalid JSON`),
    ).toBe(true);
    expect(r.out).toContain('done with 0');
  });
});

describe('rollouts validate', () => {
  it('prints nothing but a summary for clean files and exits 0', async () => {
    const home = await tempDir();
    await seedSessions(home, 2);
    const r = await cli(['validate', '--home', home]);
    expect(r).toMatchObject({ code: 0, out: '', err: '2 files checked, no problems\n' });
  });

  it('prints file:line: message for each problem and exits 1', async () => {
    const dir = await tempDir();
    const file = path.join(dir, 'x.jsonl');
    await writeFile(
      file,
      '{"timestamp":"2026-11-21T00:00:00.000Z","type":"session_meta","payload":{"id":"nope","timestamp":"t","cwd":"/"}}\nnot json\n',
    );
    const empty = path.join(dir, 'empty.jsonl');
    await writeFile(empty, '');
    const r = await cli(['validate', file, empty]);
    expect(r.code).toBe(1);
    expect(r.out.trimEnd().split('\n')).toEqual([
      `${file}:1: session_meta payload/id: must match pattern "^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"`,
      `${file}:1: session_meta payload/timestamp: must match pattern "^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(\\.\\d{1,9})?(Z|[+-]\\d{2}:\\d{2})$"`,
      expect.stringMatching(new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:2: invalid JSON`)),
      `${empty}:0: empty file`,
    ]);
    expect(r.err).toBe('2 files checked, 4 problems in 2 files\n');
  });
});

describe('rollouts archive / unarchive', () => {
  it('moves a session out of ls and back', async () => {
    const home = await tempDir();
    const [a, b] = await seedSessions(home, 2);
    const r = await cli(['archive', a!.slice(0, 13), '--home', home]);
    expect(r.code).toBe(0);
    expect(r.out.trim()).toBe(path.join(home, 'archived_sessions', path.basename(r.out.trim())));
    const live = await cli(['ls', '--home', home, '--json']);
    expect(live.out).not.toContain(a);
    expect(live.out).toContain(b);
    const archived = await cli(['ls', '--home', home, '--json', '--archived']);
    expect(archived.out).toContain(a);
    const back = await cli(['unarchive', a!, '--home', home]);
    expect(back.code).toBe(0);
    expect((await cli(['ls', '--home', home, '--json'])).out).toContain(a);
  });
});

describe('rollouts export', () => {
  it('writes one object per session, raw lines or chat messages', async () => {
    const home = await tempDir();
    const ids = await seedSessions(home, 2);
    const out = path.join(await tempDir(), 'export.jsonl');
    const r = await cli(['export', '--out', out, '--home', home]);
    expect(r.code).toBe(0);
    expect(r.err).toBe(`2 sessions exported to ${out}\n`);
    const rows = (await readFile(out, 'utf8'))
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(rows.map((x) => x['session_id'])).toEqual([ids[1], ids[0]]);
    expect(rows[0]!['lines']).toHaveLength(7);
    expect(rows[0]!['meta']).toMatchObject({ id: ids[1] });

    const chat = await cli(['export', '--out', '-', '--home', home, '--format', 'chat']);
    const first = JSON.parse(chat.out.split('\n')[0]!) as { messages: unknown[] };
    expect(first.messages).toEqual([
      { role: 'user', content: 'task number 1: make the build green' },
      {
        role: 'assistant',
        content: null,
        tool_calls: [
          {
            id: 'call-1',
            type: 'function',
            function: { name: 'shell', arguments: '{"command":["npm","test"]}' },
          },
        ],
      },
      { role: 'tool', tool_call_id: 'call-1', content: expect.stringMatching(/^line 0\nline 1/) },
      { role: 'assistant', content: 'done with 1' },
    ]);
  });
});
