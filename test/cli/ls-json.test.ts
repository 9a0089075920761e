import { describe, expect, it } from 'vitest';
import { nameSession, writeRollout } from '../helpers/rollout-files.js';
import { tempDir } from '../helpers/temp.js';
import { cli, seedSessions } from './helpers.js';

const parse = (out: string): Record<string, unknown>[] =>
  out
    .trimEnd()
    .split('\n')
    .map((l) => JSON.parse(l) as Record<string, unknown>);

describe('rollouts ls --json', () => {
  it('prints one typed record per line: sessions, then the page', async () => {
    const home = await tempDir();
    const ids = await seedSessions(home, 3);
    const r = await cli(['ls', '--home', home, '--json', '--limit', '2']);
    expect(r.code).toBe(0);
    const rows = parse(r.out);
    expect(rows.map((x) => x['type'])).toEqual(['session', 'session', 'page']);
    expect(rows.map((x) => x['id'])).toEqual([ids[2], ids[1], undefined]);
    expect(rows[0]).toMatchObject({
      type: 'session',
      preview: 'task number 2: make the build green',
      cwd: home,
    });
    expect(Object.keys(rows[0]!)[0]).toBe('type');
    expect(rows[2]).toEqual({
      type: 'page',
      nextCursor: expect.stringMatching(/\|/),
      scannedFiles: 3,
      skippedFiles: 0,
      reachedScanCap: false,
      filteredBySource: {},
    });
    // The hint is for people, on stderr; stdout is all JSON.
    expect(r.err).toMatch(/^more: rollouts ls --home \S+ --limit 2 --json --cursor /);
    const next = await cli(['ls', '--home', home, '--json', '--cursor', rows[2]!['nextCursor'] as string]);
    expect(parse(next.out).map((x) => x['id'])).toEqual([ids[0], undefined]);
    expect(parse(next.out)[1]).toMatchObject({ type: 'page', nextCursor: null });
    expect(next.err).toBe('');
  });

  it('an empty listing is still one page record, and "no sessions" goes to stderr', async () => {
    const home = await tempDir();
    await seedSessions(home, 1);
    const r = await cli(['ls', '--home', home, '--json', '--search', 'absent']);
    expect(parse(r.out)).toEqual([
      {
        type: 'page',
        nextCursor: null,
        // The session index answers the search: no file is examined.
        scannedFiles: 0,
        skippedFiles: 0,
        reachedScanCap: false,
        filteredBySource: {},
      },
    ]);
    expect(r.err).toBe('no sessions\n');
  });

  it('escapes C1 controls, bidi controls and line separators as \\u escapes; parses back equal', async () => {
    const home = await tempDir();
    const text = 'a\u009b2Jb\u202ecba\u2066x\u2069\u2028y\u007f\u001b[31m';
    const w = await writeRollout(home, {
      createdAt: Date.UTC(2026, 10, 20),
      userMessage: text,
      cwd: `/w/${text}`,
    });
    await nameSession(home, w.id, text);
    const r = await cli(['ls', '--home', home, '--json']);
    // Nothing but newlines between records: no raw control, bidi or separator character.
    expect(r.out).not.toMatch(
      // eslint-disable-next-line no-control-regex -- matching control characters is the point
      /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069\u2028\u2029]/,
    );
    expect(r.out).toContain('a\\u009b2Jb\\u202ecba\\u2066x\\u2069\\u2028y\\u007f\\u001b[31m');
    const [session] = parse(r.out);
    expect(session).toMatchObject({ preview: text, firstUserMessage: text, name: text, cwd: `/w/${text}` });
  });
});
