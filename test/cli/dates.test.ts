import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { age, ago, parseWhen } from '../../src/cli/dates.js';
import type { DateBound } from '../../src/cli/dates.js';
import { tempDir } from '../helpers/temp.js';
import { cli, seedSessions } from './helpers.js';

// A zone with daylight saving, so "local time" and "calendar day" are really tested: New York is
// UTC-5 on the fixed now (EST since 2026-11-01) and UTC-4 before it.
const savedTz = process.env['TZ'];
beforeAll(() => {
  process.env['TZ'] = 'America/New_York';
});
afterAll(() => {
  if (savedTz === undefined) delete process.env['TZ'];
  else process.env['TZ'] = savedTz;
});

const NOW = new Date('2026-11-21T12:00:00.000Z'); // 07:00 in New York

describe('parseWhen', () => {
  it.each<[string, DateBound, string]>([
    ['2026-11-21', 'start', '2026-11-21T05:00:00.000Z'],
    ['2026-11-21', 'end', '2026-11-22T04:59:59.999Z'],
    ['2026-07-04', 'end', '2026-07-05T03:59:59.999Z'],
    ['2024-02-29', 'start', '2024-02-29T05:00:00.000Z'],
    ['2026-11-21T10:00', 'start', '2026-11-21T15:00:00.000Z'],
    ['2026-11-21T10:00', 'end', '2026-11-21T15:00:00.000Z'],
    ['2026-11-21 10:00:30', 'start', '2026-11-21T15:00:30.000Z'],
    ['2026-11-21T10:00:00.250', 'start', '2026-11-21T15:00:00.250Z'],
    ['2026-11-21T10:00Z', 'end', '2026-11-21T10:00:00.000Z'],
    ['2026-11-21T10:00+02:00', 'start', '2026-11-21T08:00:00.000Z'],
    ['2026-11-21T10:00-0330', 'start', '2026-11-21T13:30:00.000Z'],
    ['30m', 'start', '2026-11-21T11:30:00.000Z'],
    ['12h', 'end', '2026-11-21T00:00:00.000Z'],
    ['3d', 'start', '2026-11-18T12:00:00.000Z'],
    ['2w', 'start', '2026-11-07T12:00:00.000Z'],
    // Across the end of daylight saving: the same clock time (07:00) three weeks ago…
    ['3w', 'start', '2026-10-31T11:00:00.000Z'],
    // …but hours are exact.
    ['504h', 'start', '2026-10-31T12:00:00.000Z'],
    ['0d', 'end', '2026-11-21T12:00:00.000Z'],
    ['today', 'start', '2026-11-21T05:00:00.000Z'],
    ['today', 'end', '2026-11-22T04:59:59.999Z'],
    ['yesterday', 'start', '2026-11-20T05:00:00.000Z'],
    ['Yesterday', 'end', '2026-11-21T04:59:59.999Z'],
  ])('%s as %s → %s', (text, bound, iso) => {
    expect(parseWhen(text, NOW, bound)?.toISOString()).toBe(iso);
  });

  it.each([
    'someday',
    '',
    'tomorrow',
    '2026-02-30',
    '2025-02-29',
    '2026-13-01',
    '2026-11-21T25:00',
    '2026-11',
    '2026-W47',
    '20261121',
    '2026-11-21T10:00:00.1234',
    '3y',
    '-3d',
    '3 d',
    '3D',
    '1e3d',
    '1234567890d',
    '999999999w',
  ])('%j is not a date', (text) => {
    expect(parseWhen(text, NOW, 'start')).toBeUndefined();
    expect(parseWhen(text, NOW, 'end')).toBeUndefined();
  });
});

describe('age and ago', () => {
  const before = (ms: number): string => new Date(NOW.getTime() - ms).toISOString();
  it.each<[string, string, string]>([
    ['now', before(0), '0 seconds'],
    ['1 s', before(1000), '1 second'],
    ['45 s', before(45_000), '45 seconds'],
    ['90 min (floored)', before(90 * 60_000), '1 hour'],
    ['23 h 59 min', before(86_400_000 - 60_000), '23 hours'],
    ['13 days', before(13 * 86_400_000), '13 days'],
    ['45 days', before(45 * 86_400_000), '1 month'],
    ['400 days', before(400 * 86_400_000), '1 year'],
    ['5 min ahead (a skewed clock)', before(-5 * 60_000), 'in 5 minutes'],
    ['not a date', 'garbage', ''],
  ])('age: %s → %j', (_name, iso, text) => {
    expect(age(iso, NOW)).toBe(text);
  });

  it.each<[string, string]>([
    [before(3 * 3_600_000), '3 hours ago'],
    [before(-60_000), 'in 1 minute'],
    ['', ''],
  ])('ago(%j) → %j', (iso, text) => {
    expect(ago(iso, NOW)).toBe(text);
  });
});

// The CLI helper's now is 2026-11-21T12:00Z; seedSessions creates sessions at 2026-11-20T10:0iZ,
// 05:0i in New York.
describe('rollouts ls and show with dates', () => {
  it.each<[string[], number]>([
    [['--until', '2026-11-20'], 2], // the whole local day, not its first instant
    [['--until', '2026-11-19'], 0],
    [['--since', '2026-11-20', '--until', '2026-11-20'], 2],
    [['--since', 'yesterday'], 2],
    [['--until', 'yesterday'], 2],
    [['--since', 'today'], 0],
    [['--since', '2026-11-20T05:01'], 1], // local time
    [['--since', '2026-11-20T10:01Z'], 1],
    [['--since', '26h'], 2],
    [['--since', '25h'], 0],
  ])('%j lists %i sessions', async (args, n) => {
    const home = await tempDir();
    await seedSessions(home, 2);
    const r = await cli(['ls', '--home', home, '--json', ...args]);
    expect(r.code).toBe(0);
    expect(r.out.trimEnd().split('\n')).toHaveLength(n + 1); // + the nextCursor line
  });

  it('ls shows the age and show says how long ago', async () => {
    const home = await tempDir();
    const [id] = await seedSessions(home, 1);
    const ls = await cli(['ls', '--home', home]);
    expect(ls.out.split('\n')[1]).toMatch(/^\S+ {2}2026-11-20 05:00 {2}1 day {2}/);
    const show = await cli(['show', id!, '--home', home]);
    expect(show.out).toContain('2026-11-20 05:00 (1 day ago)');
  });
});
