import { execFileSync } from 'node:child_process';
import { chmod, copyFile, mkdir, readFile, symlink, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { iterateSessions, listSessions, type SkipReason } from '../../src/index.js';
import { placement, rolloutText, writeRollout } from '../helpers/rollout-files.js';
import { tempDir } from '../helpers/temp.js';

const T = Date.UTC(2026, 3, 1, 8);
const SOME_ID = '0195e6a2-0000-7000-8000-000000000001';

/** A home with one good session, and the path a bad file named like a rollout of that day gets. */
async function setup(): Promise<{ home: string; good: string; badPath: string; folder: string }> {
  const home = await tempDir();
  const good = await writeRollout(home, { createdAt: T, userMessage: 'good' });
  const [folder, name] = placement(T - 1000, SOME_ID);
  const dir = path.join(home, 'sessions', folder);
  return { home, good: good.id, badPath: path.join(dir, name), folder: dir };
}

async function listWithSkips(
  home: string,
): Promise<{ ids: string[]; skips: [string, SkipReason, unknown][]; skipped: number }> {
  const skips: [string, SkipReason, unknown][] = [];
  const page = await listSessions({ home, onSkip: (p, r, e) => skips.push([p, r, e]) });
  return { ids: page.sessions.map((s) => s.id), skips, skipped: page.skippedFiles };
}

describe('bad files never break a listing', () => {
  it.each<[string, (file: string) => Promise<void>, SkipReason]>([
    ['an empty file', (f) => writeFile(f, ''), 'empty'],
    [
      'a torn first line',
      (f) => writeFile(f, rolloutText({ createdAt: T, userMessage: 'x' }, SOME_ID).slice(0, 60)),
      'torn',
    ],
    ['a first line that is not JSON', (f) => writeFile(f, 'hello world\n{"a":1}\n'), 'invalid'],
    [
      'a first line that is no session_meta',
      (f) => writeFile(f, '{"timestamp":"x","type":"event_msg","payload":{}}\n'),
      'invalid',
    ],
    [
      'a file that is not UTF-8',
      (f) => writeFile(f, Buffer.from([0xff, 0xfe, 0x7b, 0x22, 0x0a])),
      'not-utf8',
    ],
    ['a folder named like a rollout', (f) => mkdir(f), 'not-a-file'],
    ['a symbolic link to a folder', async (f) => symlink(path.dirname(f), f), 'not-a-file'],
    ['a FIFO named like a rollout', async (f) => void execFileSync('mkfifo', [f]), 'not-a-file'],
    ['a symbolic link loop', async (f) => symlink(path.basename(f), f), 'unreadable'],
    ['a dangling symbolic link', async (f) => symlink('/nonexistent/target.jsonl', f), 'unreadable'],
  ])('skips %s', async (_what, make, reason) => {
    const { home, good, badPath } = await setup();
    await make(badPath);
    const { ids, skips, skipped } = await listWithSkips(home);
    expect(ids).toEqual([good]);
    expect(skips.map(([p, r]) => [p, r])).toEqual([[badPath, reason]]);
    expect(skipped).toBe(1);
  });

  it('reports the error of an unreadable file (ELOOP for a link to itself)', async () => {
    const { home, badPath } = await setup();
    await symlink(path.basename(badPath), badPath);
    const { skips } = await listWithSkips(home);
    expect((skips[0]![2] as NodeJS.ErrnoException).code).toBe('ELOOP');
  });

  // Root reads anything, so this one runs only for other users.
  it.skipIf(process.getuid?.() === 0)('skips a file without read permission', async () => {
    const { home, good, badPath } = await setup();
    await writeFile(badPath, rolloutText({ createdAt: T, userMessage: 'x' }, SOME_ID));
    await chmod(badPath, 0o000);
    const { ids, skips } = await listWithSkips(home);
    expect(ids).toEqual([good]);
    expect(skips.map(([, r]) => r)).toEqual(['unreadable']);
  });

  it('keeps a session whose later lines are damaged', async () => {
    const { home, badPath } = await setup();
    const text = rolloutText({ createdAt: T - 1000, userMessage: 'still here' }, SOME_ID).split('\n');
    text.splice(1, 0, '{"torn', '\u0000garbage');
    await writeFile(badPath, Buffer.concat([Buffer.from(text.join('\n')), Buffer.from([0xff, 0x0a])]));
    const { ids, skips } = await listWithSkips(home);
    expect(ids).toHaveLength(2);
    expect(skips).toEqual([]);
  });

  it('skips junk names in the folder tree and stays within its fixed depth', async () => {
    const { home, good, folder } = await setup();
    const sessions = path.join(home, 'sessions');
    await mkdir(path.join(sessions, 'notes'));
    await mkdir(path.join(sessions, '2026', '13'), { recursive: true });
    await mkdir(path.join(sessions, '2026', '04', '31'), { recursive: true });
    await mkdir(path.join(sessions, '2026', '04', 'xx'), { recursive: true });
    await writeFile(path.join(sessions, '2026', 'README'), 'hi');
    await writeFile(path.join(folder, 'notes.txt'), 'hi');
    // A folder loop: a day folder pointing back at its year, and a year pointing at itself.
    await symlink('..', path.join(sessions, '2026', '04', '02'));
    await symlink('2025', path.join(sessions, '2025'));
    const { ids, skips } = await listWithSkips(home);
    expect(ids).toEqual([good]);
    const byPath = Object.fromEntries(skips.map(([p, r]) => [path.relative(sessions, p), r]));
    expect(byPath).toEqual({
      notes: 'unrecognized-name',
      '2026/13': 'unrecognized-name',
      '2026/04/31': 'unrecognized-name',
      '2026/04/xx': 'unrecognized-name',
      '2026/README': 'unrecognized-name',
      [path.relative(sessions, path.join(folder, 'notes.txt'))]: 'unrecognized-name',
      '2026/04/02/04': 'unrecognized-name',
      '2026/04/02/13': 'unrecognized-name',
      '2026/04/02/README': 'unrecognized-name',
      '2025': 'unreadable',
    });
  });

  it('skips a file deleted while the listing runs', async () => {
    const home = await tempDir();
    const written = [];
    for (let i = 0; i < 20; i++)
      written.push(await writeRollout(home, { createdAt: T + i, userMessage: `m${i}` }));
    const skips: [string, SkipReason][] = [];
    const seen: string[] = [];
    for await (const s of iterateSessions({ home, onSkip: (p, r) => skips.push([p, r]) })) {
      if (seen.length === 0) await unlink(written[0]!.path);
      seen.push(s.id);
    }
    expect(skips).toEqual([[written[0]!.path, 'vanished']]);
    expect(seen).toHaveLength(19);
  });

  it('lists a session filed twice once, reporting the copy', async () => {
    const home = await tempDir();
    const w = await writeRollout(home, { createdAt: Date.UTC(2026, 3, 1, 23, 0), userMessage: 'twice' });
    const copyDir = path.join(home, 'sessions', '2026', '04', '02');
    await mkdir(copyDir, { recursive: true });
    await copyFile(w.path, path.join(copyDir, path.basename(w.path)));
    const { ids, skips } = await listWithSkips(home);
    expect(ids).toEqual([w.id]);
    expect(skips.map(([, r]) => r)).toEqual(['duplicate']);
    expect(await readFile(w.path, 'utf8')).toContain('twice');
  });
});
