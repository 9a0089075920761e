import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/temp.js';
import { openTerminal } from '../helpers/tmux.js';
import { cli, seedSessions } from './helpers.js';

const bin = path.resolve(import.meta.dirname, '../../dist/cli/bin.js');

describe('rollouts view', () => {
  it('serves on 127.0.0.1 behind the printed token, and Ctrl-C stops it cleanly (exit 0)', async () => {
    const home = await tempDir();
    const [id] = await seedSessions(home, 2);
    const term = openTerminal(
      [
        'sh',
        '-c',
        `trap 'true' INT; "$0" "$1" view --home "$2"; echo "exit=$?"`,
        process.execPath,
        bin,
        home,
      ],
      { columns: 100, rows: 20, env: { NO_COLOR: '1' } },
    );
    const screen = await term.waitFor((s) => s.includes('Ctrl-C stops'));
    const url = /http:\/\/127\.0\.0\.1:\d+\/[\w-]+\//.exec(screen)?.[0];
    expect(url).toBeDefined();
    const page = await fetch(url!);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('task number 1');
    const session = await fetch(`${url}s/${id}`);
    expect(await session.text()).toContain('task number 0: make the build green');
    const origin = new URL(url!).origin;
    expect((await fetch(`${origin}/`)).status).toBe(403);
    expect((await fetch(`${origin}/s/${id}`)).status).toBe(403);
    term.send('C-c');
    const after = await term.waitFor((s) => /exit=\d+/.test(s));
    expect(after).toContain('viewer stopped');
    expect(after).toMatch(/exit=0\b/);
    await expect(fetch(url!)).rejects.toThrow();
  });

  it.each([['-1'], ['65536'], ['x']])('refuses --port %s', async (port) => {
    const home = await tempDir();
    const r = await cli(['view', '--home', home, '--port', port]);
    expect(r.code).toBe(2);
    expect(r.err).toContain('--port');
  });
});
