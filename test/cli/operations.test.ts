import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { acquireSessionLock } from '../../src/files/session-lock.js';
import { newSessionId } from '../../src/format/ids.js';
import { startRecorderChild } from '../helpers/recorder-child-runner.js';
import { writeRollout } from '../helpers/rollout-files.js';
import { tempDir } from '../helpers/temp.js';
import { cli } from './helpers.js';

const T = Date.UTC(2026, 3, 1, 8);
const lockOf = (home: string, id: string): string => path.join(home, 'thread-writer-locks', `${id}.lock`);

describe('rollouts delete, archive, unarchive while a writer holds the session', () => {
  it.each(['delete', 'archive'])('%s says what was refused and to wait for the writer', async (op) => {
    const home = await tempDir();
    const id = newSessionId(new Date(T));
    const holder = startRecorderChild('hold', { home, id });
    try {
      await holder.waitFor((m) => m['locked'] === true);
      const w = await writeRollout(home, { createdAt: T, id, userMessage: 'busy' });
      const r = await cli([op, w.id, '--home', home, ...(op === 'delete' ? ['--yes'] : [])]);
      expect(r).toEqual({
        code: 1,
        out: '',
        err:
          `error: Cannot ${op} session ${w.id}: another process is writing it (lock ${lockOf(home, w.id)} is held). ` +
          'Wait for that writer to finish, then try again.\n',
      });
      expect(r.err).not.toContain('new session');
      expect(existsSync(w.path)).toBe(true);
    } finally {
      holder.process.kill('SIGKILL');
      await holder.exited;
    }
  });
});

describe('rollouts archive / unarchive state', () => {
  it('archiving twice and unarchiving a live session say so', async () => {
    const home = await tempDir();
    const w = await writeRollout(home, { createdAt: T, userMessage: 'x' });
    expect((await cli(['archive', w.id, '--home', home])).code).toBe(0);
    expect(await cli(['archive', w.id, '--home', home])).toEqual({
      code: 1,
      out: '',
      err: `error: Session ${w.id} is archived already.\n`,
    });
    expect((await cli(['unarchive', w.id, '--home', home])).code).toBe(0);
    expect(await cli(['unarchive', w.id, '--home', home])).toEqual({
      code: 1,
      out: '',
      err: `error: Session ${w.id} is not archived.\n`,
    });
  });
});

describe('rollouts delete', () => {
  it('deletes a damaged session and its name', async () => {
    const home = await tempDir();
    const w = await writeRollout(home, { createdAt: T, userMessage: 'x' });
    await writeFile(w.path, '{"torn');
    await writeFile(
      path.join(home, 'session_index.jsonl'),
      `${JSON.stringify({ id: w.id, thread_name: 'gone', updated_at: '2026-04-01T08:00:00Z' })}\n`,
    );
    const r = await cli(['delete', w.id.slice(0, 13), '--home', home], {
      stdinIsTTY: true,
      confirm: async (question: string) => question === `Delete session ${w.id} (no preview)?`,
    });
    expect(r).toEqual({ code: 0, out: `deleted ${w.path} and its name\n`, err: '' });
    expect(existsSync(w.path)).toBe(false);
    expect(await readFile(path.join(home, 'session_index.jsonl'), 'utf8')).toBe('');
  });

  it('asks with a preview made safe for the terminal', async () => {
    const home = await tempDir();
    const w = await writeRollout(home, {
      createdAt: T,
      userMessage: 'evil \u001b]0;title\u0007 \u009b31m text',
    });
    const asked: string[] = [];
    const r = await cli(['delete', w.id, '--home', home], {
      stdinIsTTY: true,
      confirm: async (question: string) => (asked.push(question), false),
    });
    expect(r).toMatchObject({ code: 0, err: 'nothing deleted\n' });
    expect(asked).toHaveLength(1);
    const controls = [...asked[0]!].filter(
      (c) => c.charCodeAt(0) < 0x20 || (c.charCodeAt(0) >= 0x7f && c.charCodeAt(0) <= 0x9f),
    );
    expect(controls).toEqual([]);
    expect(asked[0]).toMatch(new RegExp(`^Delete session ${w.id} \\(evil .*text\\)\\?$`));
  });
});

describe('rollouts name', () => {
  it('names a session; ls shows the name', async () => {
    const home = await tempDir();
    const w = await writeRollout(home, { createdAt: T, userMessage: 'x' });
    const r = await cli(['name', w.id.slice(0, 13), '  Fix the build ', '--home', home]);
    expect(r).toEqual({ code: 0, out: `named ${w.id} "Fix the build"\n`, err: '' });
    const ls = await cli(['ls', '--home', home, '--json']);
    expect(JSON.parse(ls.out.split('\n')[0]!)).toMatchObject({ id: w.id, name: 'Fix the build' });
  });

  it('prints a name with control characters escaped', async () => {
    const home = await tempDir();
    const w = await writeRollout(home, { createdAt: T, userMessage: 'x' });
    const r = await cli(['name', w.id, 'a\u001b[2Jb\u009bc', '--home', home]);
    expect(r).toEqual({ code: 0, out: `named ${w.id} "a\\x1b[2Jb\\x9bc"\n`, err: '' });
  });

  it('refuses an empty name as a usage error', async () => {
    const home = await tempDir();
    const w = await writeRollout(home, { createdAt: T, userMessage: 'x' });
    const r = await cli(['name', w.id, '   ', '--home', home]);
    expect(r.code).toBe(2);
    expect(r.err).toBe(
      'error: the name must not be empty (after trimming white space)\n(see rollouts name --help)\n',
    );
  });

  it('refuses while a writer holds the session', async () => {
    const home = await tempDir();
    const w = await writeRollout(home, { createdAt: T, userMessage: 'x' });
    const lock = acquireSessionLock(home, w.id);
    try {
      const r = await cli(['name', w.id, 'n', '--home', home]);
      expect(r.code).toBe(1);
      expect(r.err).toMatch(/^error: Cannot name session \S+: it is open for writing in this process/);
    } finally {
      lock.release();
    }
  });
});
