import { describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/temp.js';
import { cli, seedSessions } from './helpers.js';

describe('rollouts pick: what is checked before the terminal', () => {
  it('refuses without a terminal in one line, pointing at rollouts ls (status 2)', async () => {
    const home = await tempDir();
    await seedSessions(home, 1);
    const r = await cli(['pick', '--home', home]);
    expect(r.code).toBe(2);
    expect(r.out).toBe('');
    expect(r.err).toBe(
      'error: rollouts pick needs a terminal (keys on stdin, the screen on stdout or stderr); ' +
        'in scripts use rollouts ls (or rollouts ls --json)\n',
    );
    expect((await cli(['ls', '-i', '--home', home])).code).toBe(2);
  });

  it.each([
    [['pick', '--all', '--cwd', '/x'], '--all and --cwd contradict each other'],
    [['pick', '--all-sources', '--source', 'cli'], '--all-sources and --source contradict each other'],
    [['pick', '--exec', ''], '--exec names no command'],
    [['pick', '--exec', "codex 'resume"], "--exec has an unclosed ' quote"],
    [['ls', '-i', '--json'], '--interactive and --json contradict each other'],
    [['ls', '-i', '--cursor', 'c'], '--interactive and --cursor contradict each other'],
    [['ls', '-i', '--limit', '5'], '--interactive and --limit contradict each other'],
    [['ls', '-i', '--cwd', '/a', '--cwd', '/b'], '--interactive lists one folder at a time'],
  ])('%j is a usage error', async (argv, message) => {
    const home = await tempDir();
    const r = await cli([...argv, '--home', home]);
    expect(r.code).toBe(2);
    expect(r.err).toContain(message);
  });

  it('a home that does not exist is an error, not an empty picker', async () => {
    const r = await cli(['pick', '--home', '/nonexistent/home']);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/the home \/nonexistent\/home does not exist/);
  });
});
