import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/temp.js';
import { cli, seedSessions } from './helpers.js';

// The messages quote local times; pin the zone so the expected text is exact.
const savedTz = process.env['TZ'];
beforeAll(() => {
  process.env['TZ'] = 'UTC';
});
afterAll(() => {
  if (savedTz === undefined) delete process.env['TZ'];
  else process.env['TZ'] = savedTz;
});

/**
 * Every usage error exits 2 with one line and a pointer to the subcommand's help, whoever found it:
 * the CLI's parser, the CLI's own checks, the library (a TypeError with code ERR_INVALID_ARG_VALUE,
 * or a bad cursor), or Node itself (a path with a NUL byte).
 */
describe('usage errors exit 2 and point at the subcommand help', () => {
  it.each<[string, string[], string]>([
    [
      'since after until',
      ['ls', '--since', '2026-01-02', '--until', '2026-01-01'],
      'error: --since 2026-01-02 (2026-01-02 00:00) is after --until 2026-01-01 (2026-01-01 23:59): ' +
        'no session can match\n(see rollouts ls --help)\n',
    ],
    [
      'since after until, relative',
      ['ls', '--since', '1d', '--until', '2d'],
      'error: --since 1d (2026-11-20 12:00) is after --until 2d (2026-11-19 12:00): ' +
        'no session can match\n(see rollouts ls --help)\n',
    ],
    [
      'a malformed cursor (E_BAD_CURSOR)',
      ['ls', '--cursor', 'garbage'],
      'error: Invalid cursor "garbage": expected "<RFC 3339 UTC time with milliseconds>|<session id>". ' +
        'Pass a nextCursor from a previous page, or none for the first page.\n(see rollouts ls --help)\n',
    ],
    [
      'a cursor with an impossible date',
      ['ls', '--cursor', '2026-02-30T00:00:00.000Z|019aa3c4-0000-7000-8000-000000000000'],
      'error: Invalid cursor "2026-02-30T00:00:00.000Z|019aa3c4-0000-7000-8000-000000000000": ' +
        '"2026-02-30T00:00:00.000Z" is not a real instant. ' +
        'Pass a nextCursor from a previous page, or none for the first page.\n(see rollouts ls --help)\n',
    ],
    [
      'a bad date (the CLI)',
      ['ls', '--until', 'someday'],
      'error: --until takes a date like 2026-11-21, 2026-11-21T10:00Z, 7d, 12h, yesterday or today, ' +
        'not "someday"\n(see rollouts ls --help)\n',
    ],
    [
      'a bad number (the CLI)',
      ['ls', '--limit', '0'],
      'error: --limit takes a whole number ≥ 1, not "0"\n(see rollouts ls --help)\n',
    ],
    [
      'an unknown option (the parser)',
      ['ls', '--bogus'],
      "error: unknown option '--bogus'\n(see rollouts ls --help)\n",
    ],
    [
      'a short id prefix (the library: ERR_INVALID_ARG_VALUE)',
      ['show', '019a'],
      'error: "019a" is neither a session id nor a prefix of at least 8 hex digits\n' +
        '(see rollouts show --help)\n',
    ],
    [
      'a short id prefix to archive',
      ['archive', 'abc'],
      'error: "abc" is neither a session id nor a prefix of at least 8 hex digits\n' +
        '(see rollouts archive --help)\n',
    ],
    [
      'a path with a NUL byte (Node: ERR_INVALID_ARG_VALUE)',
      ['show', 'x/\0y'],
      "error: The argument 'path' must be a string, Uint8Array, or URL without null bytes. " +
        "Received '/x/\\x00y'\n(see rollouts show --help)\n",
    ],
    ['an unknown command', ['bogus'], "error: unknown command 'bogus'\n(see rollouts --help)\n"],
  ])('%s', async (_name, argv, err) => {
    const home = await tempDir();
    const r = await cli([...argv, '--home', home], { cwd: '/' });
    expect({ code: r.code, err: r.err, out: r.out }).toEqual({ code: 2, err, out: '' });
  });

  it('a snapshot id the library rejects (a lone surrogate) exits 2 too', async () => {
    const home = await tempDir();
    const ws = await tempDir();
    const r = await cli([
      'snapshot',
      ws,
      '--session',
      '01a1fca4-bae3-7302-8aa2-92f8ac31aa3a',
      '--new-session',
      '--message',
      '\ud800',
      '--home',
      home,
    ]);
    expect({ code: r.code, err: r.err }).toEqual({
      code: 2,
      err:
        'error: `messageId` holds an unpaired UTF-16 surrogate; ids must be well-formed Unicode.\n' +
        '(see rollouts snapshot --help)\n',
    });
  });

  it('a failure that is not a usage error still exits 1, without a help pointer', async () => {
    const home = await tempDir();
    await seedSessions(home, 1);
    const r = await cli(['show', '019aa3c4-0000-7000-8000-000000000000', '--home', home]);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/^error: No session matches "019aa3c4-0000-7000-8000-000000000000" in .*\n$/);
  });
});
