import { spawnSync } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { once } from 'node:events';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/temp.js';
import { homeWithOddCases, oddCases } from '../helpers/odd-corpus.js';
import { cli, seedSessions } from './helpers.js';

const rows = (text: string): Record<string, unknown>[] =>
  text
    .trimEnd()
    .split('\n')
    .map((l) => JSON.parse(l) as Record<string, unknown>);

describe('rollouts export records', () => {
  it('types every record as a session and keeps its fields', async () => {
    const home = await tempDir();
    const ids = await seedSessions(home, 1);
    for (const format of ['envelope', 'chat']) {
      const [row] = rows((await cli(['export', '--home', home, '--format', format])).out);
      expect(Object.keys(row!)).toEqual([
        'type',
        'session_id',
        'exported_at',
        'meta',
        format === 'envelope' ? 'lines' : 'messages',
      ]);
      expect(row).toMatchObject({
        type: 'session',
        session_id: ids[0],
        exported_at: '2026-11-21T12:00:00.000Z',
      });
    }
  });

  it('warns once per bad field, naming the session, and exports every other session', async () => {
    const bad = ['cwd-number', 'null-payloads', 'nulls-in-arrays'].map((n) =>
      oddCases.find((c) => c.name === n)!,
    );
    const home = await homeWithOddCases(bad);
    await seedSessions(home, 1);
    const r = await cli(['export', '--home', home, '--format', 'chat']);
    expect(r.code, r.err).toBe(0);
    expect(rows(r.out)).toHaveLength(4);
    const nulls = bad[2]!.id;
    const warnings = r.err.split('\n').filter((l) => l.startsWith(`warning: session ${nulls}:`));
    expect(warnings.length).toBeGreaterThan(0);
    expect(new Set(warnings).size).toBe(warnings.length);
    expect(r.err).toMatch(/4 sessions exported\n$/);
  });

  it('exports one session named by id prefix or path, and filters like ls', async () => {
    const home = await tempDir();
    const ids = await seedSessions(home, 3);
    const byPrefix = rows((await cli(['export', ids[1]!.slice(0, 20), '--home', home])).out);
    expect(byPrefix.map((x) => x['session_id'])).toEqual([ids[1]]);
    const search = rows((await cli(['export', '--home', home, '--search', 'task number 2'])).out);
    expect(search.map((x) => x['session_id'])).toEqual([ids[2]]);
    const until = await cli(['export', '--home', home, '--until', '2026-11-20T10:01:30Z']);
    expect(rows(until.out).map((x) => x['session_id'])).toEqual([ids[1], ids[0]]);
    const both = await cli(['export', ids[0]!, '--home', home, '--search', 'x']);
    expect(both.code).toBe(2);
  });

  it('shows the total and an ETA on a terminal, on stderr only', async () => {
    const home = await tempDir();
    await seedSessions(home, 3);
    let t = Date.parse('2026-11-21T12:00:00Z');
    const r = await cli(['export', '--home', home], { stderrIsTTY: true, now: () => new Date((t += 1000)) });
    expect(r.code).toBe(0);
    // eslint-disable-next-line no-control-regex -- the progress line starts with an erase sequence
    expect(r.err).toMatch(/\r\u001b\[2Kexported 1\/3 sessions, about \d+s left/);
    expect(r.err).toContain('\r\u001b[2Kexported 3/3 sessions');
    expect(rows(r.out)).toHaveLength(3);
  });
});

describe('rollouts export of a session bigger than the memory it may use', () => {
  it('streams a 150 MB session through a 64 MB heap', async () => {
    const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
    const bin = path.join(root, 'dist', 'cli', 'bin.js');
    const home = await tempDir();
    const dir = path.join(home, 'sessions', '2026', '11', '20');
    await mkdir(dir, { recursive: true });
    const id = '019aa0a8-1c00-7000-8000-00000000b16a';
    const file = path.join(dir, `rollout-2026-11-20T10-00-00-${id}.jsonl`);
    const ws = createWriteStream(file);
    const ts = '2026-11-20T10:00:00.000Z';
    ws.write(`${JSON.stringify({ timestamp: ts, type: 'session_meta', payload: { id, cwd: '/w' } })}\n`);
    const mb = 'x'.repeat(1024 * 1024);
    for (let i = 0; i < 150; i++) {
      const line = {
        timestamp: ts,
        type: 'response_item',
        payload: { type: 'function_call_output', call_id: `c${i}`, output: mb },
      };
      if (!ws.write(`${JSON.stringify(line)}\n`)) await once(ws, 'drain');
    }
    ws.end();
    await once(ws, 'close');
    const out = path.join(await tempDir(), 'big.jsonl');
    for (const format of ['envelope', 'chat']) {
      const r = spawnSync(
        process.execPath,
        [
          '--max-old-space-size=64',
          bin,
          'export',
          '--home',
          home,
          '--out',
          out,
          '--force',
          '--format',
          format,
        ],
        { encoding: 'utf8', timeout: 240_000 },
      );
      expect(r.status, r.stderr).toBe(0);
      const row = JSON.parse(await readFile(out, 'utf8')) as {
        session_id: string;
        lines?: unknown[];
        messages?: unknown[];
      };
      expect(row.session_id).toBe(id);
      expect((row.lines ?? row.messages)!.length).toBeGreaterThanOrEqual(150);
    }
  }, 300_000);
});
