import { spawn, spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/temp.js';
import { RolloutRecorder } from '../../src/index.js';
import { seedSessions } from './helpers.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const bin = path.join(root, 'dist', 'cli', 'bin.js');
const run = (args: string[], env: Record<string, string> = {}) =>
  spawnSync(process.execPath, [bin, ...args], {
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1', ...env },
  });

describe('the built rollouts command', () => {
  let demo: ReturnType<typeof spawnSync>;
  beforeAll(() => {
    // The demo builds dist/ when it is missing or stale, so it runs first.
    demo = spawnSync(process.execPath, [path.join(root, 'scripts', 'demo.mjs')], {
      encoding: 'utf8',
      cwd: root,
    });
  });

  it('npm run demo records, lists, shows, diffs and restores', () => {
    expect(demo.stderr).toBe('');
    expect(demo.status).toBe(0);
    const out = String(demo.stdout);
    for (const heading of [
      'ls: the sessions',
      'show: the session',
      'diff: what changed between turn 1 and turn 3',
      'restore: turn 1',
    ]) {
      expect(out).toContain(heading);
    }
    expect(out).toMatch(/added\s+\+2 -0\s+src\/calc\.test\.js/);
    expect(out).toContain('export const add = (a, b) => a + b;');
    expect(out).toMatch(/files in \S+restored-turn-1: README\.md, src, src\/calc\.js\n/);
    rmSync(/Everything is under (\S+) /.exec(out)![1]!, { recursive: true, force: true });
  });

  it('lists sessions as JSON lines, with CODEX_HOME as the default home', async () => {
    const home = await tempDir();
    const ids = await seedSessions(home, 2);
    const r = run(['ls', '--json'], { CODEX_HOME: home });
    expect(r.status).toBe(0);
    const rows = r.stdout
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l) as { id?: string });
    expect(rows.map((x) => x.id)).toEqual([ids[1], ids[0], undefined]);
  });

  it('exits 1 with one line for a failure and 2 for a usage error, stack only with --debug', async () => {
    const home = await tempDir();
    const missing = run(['show', '019aa3c4-0000-7000-8000-000000000000', '--home', home]);
    expect(missing.status).toBe(1);
    expect(missing.stderr.trimEnd().split('\n')).toHaveLength(1);
    const usage = run(['ls', '--limit', '0', '--home', home]);
    expect(usage.status).toBe(2);
    const debug = run(['show', '019aa3c4-0000-7000-8000-000000000000', '--home', home, '--debug']);
    expect(debug.status).toBe(1);
    expect(debug.stderr).toMatch(/\n\s+at /);
  });

  it('ends quietly when the reader of its output goes away', async () => {
    // Several MiB of output: far more than a pipe holds, so writes fail once the reader is gone.
    const home = await tempDir();
    const rec = await RolloutRecorder.create({ cwd: home, home, git: false });
    for (let i = 0; i < 4; i++) await rec.recordUserMessage('x'.repeat(1024 * 1024));
    await rec.close();
    const child = spawn(process.execPath, [bin, 'export', '--out', '-', '--home', home], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    await new Promise<void>((resolve) => child.stdout.once('data', () => resolve()));
    child.stdout.destroy();
    const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
    expect(code).toBe(0);
    expect(stderr).not.toMatch(/EPIPE|\n\s+at /);
  });
});
