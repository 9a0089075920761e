import { spawnSync } from 'node:child_process';
import { execFileSync } from 'node:child_process';
import { symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { homePaths } from '../../src/files/layout.js';
import { findSession } from '../../src/lister/find.js';
import { listSessions } from '../../src/lister/list.js';
import { writeRollout } from '../helpers/rollout-files.js';
import { tempDir } from '../helpers/temp.js';

const ROOT = path.resolve(import.meta.dirname, '../..');

/**
 * Lists `home` and finds one session in a child process, which must exit on its own: a FIFO or a
 * device at session_index.jsonl used to block a thread-pool thread forever (the process could not
 * exit) or read without end. The child is killed after 30 s, far above the milliseconds a listing
 * takes, so a hang shows as a signal instead of a stuck test run.
 */
function listInChild(
  home: string,
  id: string,
): { status: number | null; signal: string | null; out: string; err: string; maxRssKiB: number } {
  const script = `
    import { listSessions } from ${JSON.stringify(path.join(ROOT, 'src/lister/list.ts'))};
    import { findSession } from ${JSON.stringify(path.join(ROOT, 'src/lister/find.ts'))};
    const page = await listSessions({ home: ${JSON.stringify(home)} });
    const one = await findSession(${JSON.stringify(id)}, { home: ${JSON.stringify(home)} });
    console.log(JSON.stringify({ listed: page.sessions.length, name: one.name }));
    console.error(JSON.stringify({ maxRssKiB: process.resourceUsage().maxRSS }));
  `;
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    cwd: ROOT,
    timeout: 30_000,
    encoding: 'utf8',
  });
  const rss = /"maxRssKiB":(\d+)/.exec(r.stderr);
  return {
    status: r.status,
    signal: r.signal,
    out: r.stdout.trim(),
    err: r.stderr,
    maxRssKiB: rss ? Number(rss[1]) : Infinity,
  };
}

describe('thread names from session_index.jsonl', () => {
  it.each([
    ['a FIFO', (file: string) => execFileSync('mkfifo', [file])],
    ['a link to /dev/zero', (file: string) => symlinkSync('/dev/zero', file)],
    ['a folder', (file: string) => execFileSync('mkdir', [file])],
  ])('as %s neither blocks nor floods a listing', async (_what, make) => {
    const home = await tempDir();
    const s = await writeRollout(home, { createdAt: Date.UTC(2026, 10, 1), userMessage: 'hello' });
    make(homePaths.sessionIndex(home));
    const r = listInChild(home, s.id);
    expect(r.signal).toBeNull();
    expect(r.out, r.err).toBe(JSON.stringify({ listed: 1, name: null }));
    expect(r.status).toBe(0);
    // A whole process with the TypeScript loader: far below what reading /dev/zero costs (GBs).
    expect(r.maxRssKiB).toBeLessThan(400 * 1024);
  });

  it('streams a large index: the last name of each id wins, a torn or huge line is passed over', async () => {
    const home = await tempDir();
    const a = await writeRollout(home, { createdAt: Date.UTC(2026, 10, 1), userMessage: 'a' });
    const b = await writeRollout(home, { createdAt: Date.UTC(2026, 10, 2), userMessage: 'b' });
    const filler = Array.from({ length: 20_000 }, (_, i) =>
      JSON.stringify({ id: `0000000${i}`, thread_name: `n${i}`, updated_at: '2026-11-01T00:00:00Z' }),
    );
    const lines = [
      JSON.stringify({ id: a.id, thread_name: 'first', updated_at: '2026-11-01T00:00:00Z' }),
      ...filler,
      JSON.stringify({ id: b.id, thread_name: 'x'.repeat(2 * 1024 * 1024) }),
      JSON.stringify({ id: a.id.toUpperCase(), thread_name: 'second', updated_at: '2026-11-02T00:00:00Z' }),
      '{"id": "torn',
    ];
    writeFileSync(homePaths.sessionIndex(home), lines.join('\n'));
    const page = await listSessions({ home });
    expect(page.sessions.map((s) => [s.id, s.name])).toEqual([
      [b.id, null],
      [a.id, 'second'],
    ]);
    expect((await findSession(a.id, { home })).name).toBe('second');
  });
});
