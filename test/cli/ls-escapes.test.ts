/* eslint-disable no-control-regex -- matching control characters is the point */
import { describe, expect, it } from 'vitest';
import { homeWithOddCases, oddCases } from '../helpers/odd-corpus.js';
import { nameSession, writeRollout } from '../helpers/rollout-files.js';
import { tempDir } from '../helpers/temp.js';
import { cli } from './helpers.js';

// Every character a terminal acts on: C0 but newline, DEL, C1, bidi controls, line separators.
const UNSAFE = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069\u2028\u2029]/;
const BOLD = /\u001b\[1m|\u001b\[22m/g;

const small = oddCases.filter((c) => c.grow === undefined);

describe('ls prints strings from sessions and names made safe', () => {
  it.each([
    ['a pipe', {}],
    ['a terminal', { stdoutIsTTY: true, stderrIsTTY: true, columns: 200 }],
  ])('in %s: preview, name, cwd, branch and source are escaped', async (_where, io) => {
    const home = await homeWithOddCases(small);
    const control = oddCases.find((c) => c.name === 'control-characters')!;
    await nameSession(home, control.id, 'name \u001b]0;title\u0007 \u009b2J \u202egnp.exe');
    const r = await cli(['ls', '--home', home, '--all-sources'], io);
    expect(r.code).toBe(0);
    const out = r.out.replace(BOLD, '');
    expect(out).not.toMatch(UNSAFE);
    const row = out.split('\n').find((l) => l.startsWith(control.id.slice(0, 13)))!;
    expect(row).toContain('/work/\\x1b[31mred\\x1b[0m');
    expect(row).toContain('main\\x1b]52;c;ZXZpbA==\\x07');
    expect(row).toContain('[name \\x1b]0;title\\x07 \\x9b2J \\u202egnp.exe]');
    expect(row).toContain('clipboard \\x1b]52;c;aGVsbG8=\\x07 clear \\x1b[2J');
  });

  it('a source from a file is escaped in the SOURCE column and in the hint on stderr', async () => {
    const home = await tempDir();
    await writeRollout(home, {
      createdAt: Date.UTC(2026, 10, 20),
      userMessage: 'x',
      source: 'e\u001b[2Jx\u202e',
    });
    const hidden = await cli(['ls', '--home', home], { stderrIsTTY: true });
    expect(hidden.err).toContain('(e\\x1b[2Jx\\u202e) not shown');
    expect(hidden.err.replace(/\u001b\[2m|\u001b\[22m/g, '')).not.toMatch(UNSAFE);
    const shown = await cli(['ls', '--home', home, '--all-sources'], { stdoutIsTTY: true });
    expect(shown.out).toContain('e\\x1b[2Jx\\u202e');
    expect(shown.out.replace(BOLD, '')).not.toMatch(UNSAFE);
  });

  it('the header is bold only on a terminal with colour', async () => {
    const home = await tempDir();
    await writeRollout(home, { createdAt: Date.UTC(2026, 10, 20), userMessage: 'x' });
    expect((await cli(['ls', '--home', home], { stdoutIsTTY: true })).out).toMatch(/^\u001b\[1mID/);
    expect((await cli(['ls', '--home', home])).out).toMatch(/^ID/);
    const noColour = await cli(['ls', '--home', home], { stdoutIsTTY: true, env: { NO_COLOR: '1' } });
    expect(noColour.out).toMatch(/^ID/);
  });
});
