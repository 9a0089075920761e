import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/temp.js';
import { cli, seedSessions } from './helpers.js';

const ESC = '\u001b[';

describe('terminal behaviour', () => {
  it('colours only on a terminal, and never when NO_COLOR is set', async () => {
    const home = await tempDir();
    await seedSessions(home, 1);
    expect((await cli(['ls', '--home', home])).out).not.toContain(ESC);
    expect((await cli(['ls', '--home', home], { stdoutIsTTY: true })).out).toContain(`${ESC}1m`);
    expect(
      (await cli(['ls', '--home', home], { stdoutIsTTY: true, env: { NO_COLOR: '1' } })).out,
    ).not.toContain(ESC);
  });

  it('cuts previews to the terminal width', async () => {
    const home = await tempDir();
    await seedSessions(home, 1);
    const narrow = await cli(['ls', '--home', home], {
      stdoutIsTTY: true,
      columns: 90,
      env: { NO_COLOR: '1' },
    });
    for (const line of narrow.out.trimEnd().split('\n')) expect(line.length).toBeLessThanOrEqual(90);
    expect(narrow.out).toMatch(/…\n/);
  });

  it('shows progress on stderr only when it is a terminal', async () => {
    const home = await tempDir();
    await seedSessions(home, 3);
    const out = path.join(await tempDir(), 'x.jsonl');
    const quiet = await cli(['export', '--out', out, '--home', home]);
    expect(quiet.err).not.toContain('\r');
    const tty = await cli(['export', '--out', out, '--force', '--home', home], { stderrIsTTY: true });
    expect(tty.err).toContain('\r\u001b[2Kexported 3/3 sessions');
  });

  it.each([
    ['ls'],
    ['validate'],
    ['export', '--out', '-'],
    ['show', '019aa3c4-5b6d'],
    ['archive', '019aa3c4-5b6d'],
  ])('%s names a home that does not exist instead of listing nothing', async (...args) => {
    const home = path.join(await tempDir(), 'missing');
    const r = await cli([...args, '--home', home]);
    expect(r).toEqual({
      code: 1,
      out: '',
      err: `error: the home ${home} does not exist; pass --home DIR or set CODEX_HOME\n`,
    });
  });
});
