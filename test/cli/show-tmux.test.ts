import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { homeWithOddCases, oddCases } from '../helpers/odd-corpus.js';
import { openTerminal } from '../helpers/tmux.js';

const tsx = path.resolve(import.meta.dirname, '../../node_modules/.bin/tsx');
const main = path.resolve(import.meta.dirname, '../../src/cli/bin.ts');

describe('show in a real terminal', () => {
  it('shows the escapes of the control-characters session as text; none takes effect', async () => {
    const c = oddCases.find((x) => x.name === 'control-characters')!;
    const home = await homeWithOddCases([c]);
    const script = `printf 'EARLIER-LINE\\n'; ${tsx} ${main} show ${c.id} --home ${home}; printf 'DONE\\n'; sleep 30`;
    const term = openTerminal(['sh', '-c', script], { columns: 200, rows: 60, env: { NO_COLOR: '1' } });
    const screen = await term.waitFor((s) => s.includes('DONE'));
    expect(screen).toContain('EARLIER-LINE'); // no ESC [2J cleared it, no ESC [?1049h switched screens
    expect(screen).toContain('\\x1b]52;c;aGVsbG8=\\x07');
    expect(screen).toContain('\\x1b[2J');
    expect(screen).toContain('\\x1b]0;pwned\\x07');
  });
});
