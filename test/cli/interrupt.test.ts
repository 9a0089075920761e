import { existsSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { findSession } from '../../src/index.js';
import { tempDir } from '../helpers/temp.js';
import { openTerminal } from '../helpers/tmux.js';
import { seedSessions } from './helpers.js';

const bin = path.resolve(import.meta.dirname, '../../dist/cli/bin.js');

describe('Ctrl-C in a real terminal', () => {
  it('at the delete prompt exits 130, deletes nothing, and leaves the terminal sane', async () => {
    const home = await tempDir();
    const [id] = await seedSessions(home, 1);
    const file = (await findSession(id!, { home })).path;
    // The shell reports the exit status, then the line settings the program left behind.
    const script =
      `"$0" "$1" delete "$2" --home "$3"; echo "exit=$?"; ` +
      `stty -a | tr ' ;' '\\n\\n' | grep -xE -- '-?(icanon|echo)' | tr '\\n' ' '; echo`;
    const term = openTerminal(['sh', '-c', script, process.execPath, bin, id!, home], {
      columns: 80,
      rows: 20,
      env: { NO_COLOR: '1' },
    });
    await term.waitFor((s) => s.includes('[y/N]'));
    term.send('C-c');
    const screen = await term.waitFor((s) => /exit=\d+\n.*echo/.test(s));
    expect(screen).toMatch(/exit=130\n/);
    expect(screen).toMatch(/^icanon echo$/m);
    expect(existsSync(file)).toBe(true);
  });
});
