import { copyFile, mkdir, symlink, writeFile } from 'node:fs/promises';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { listSessions } from '../../src/index.js';
import type { SkipReason } from '../../src/index.js';
import { tempDir } from '../helpers/temp.js';
import { cli } from '../cli/helpers.js';
import { CASE_NAME, corpus, corpusDir, homeWithCase } from '../helpers/bad-corpus.js';

describe.each(corpus.cases)('$file ($note)', (c) => {
  it(`the lister: ${c.lister}, never throwing`, async () => {
    const { home, file } = await homeWithCase(c);
    const skipped: [string, SkipReason][] = [];
    const page = await listSessions({ home, onSkip: (p, r) => skipped.push([p, r]) });
    if (c.lister === 'listed') {
      expect(page.sessions).toHaveLength(1);
      expect(page.sessions[0]!.path).toBe(file);
      expect(skipped).toEqual([]);
    } else {
      expect(page.sessions).toEqual([]);
      if (c.file !== 'meta-only.jsonl') expect(skipped).toEqual([[file, expect.any(String)]]);
    }
  });

  it('rollouts validate and show: one-line messages, never a crash', async () => {
    const { file } = await homeWithCase(c);
    const v = await cli(['validate', file]);
    expect(v.err).not.toMatch(/\n\s+at /);
    if (c.reader !== 'ok') {
      expect(v.code).toBe(1);
      for (const line of v.out.trimEnd().split('\n'))
        expect(line).toMatch(new RegExp(`^${escape(file)}:\\d+: \\S`));
    }
    const s = await cli(['show', file]);
    expect(s.err).not.toMatch(/\n\s+at /);
    if (c.reader === 'refused') {
      expect(s.code).toBe(1);
      expect(s.err.trimEnd().split('\n')).toHaveLength(1);
      expect(s.err).toMatch(new RegExp(`^error: ${escape(file)}(:\\d+)?: `));
    } else {
      expect(s.code).toBe(0);
      for (const line of s.err.trimEnd().split('\n').filter(Boolean)) {
        expect(line).toMatch(new RegExp(`^warning: ${escape(file)}:\\d+: `));
      }
    }
  });
});

const escape = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

describe('damage that only a live file system can hold', () => {
  it('a folder named like a rollout, a symlink loop, a FIFO, junk folders and foreign names are skipped', async () => {
    const home = await tempDir();
    const day = path.join(home, 'sessions', '2026', '11', '21');
    await mkdir(day, { recursive: true });
    const good = path.join(day, CASE_NAME);
    await copyFile(path.join(corpusDir, 'unknown-types.jsonl'), good);
    const id = (n: number): string => `019aa3c4-5b6d-7e8f-9a0b-1c2d3e4f5a${String(n).padStart(2, '0')}`;
    const name = (n: number): string => `rollout-2026-11-21T05-24-1${n}-${id(n)}.jsonl`;
    await mkdir(path.join(day, name(1)));
    await symlink(name(2), path.join(day, name(2)));
    execFileSync('mkfifo', [path.join(day, name(3))]);
    await writeFile(path.join(day, 'notes.jsonl'), 'hello\n');
    await writeFile(path.join(day, 'rollout-garbage.jsonl'), '{}\n');
    for (const junk of [['20x5'], ['2026', '13'], ['2026', '11', '99'], ['2026', 'ab', '01']]) {
      await mkdir(path.join(home, 'sessions', ...junk), { recursive: true });
    }
    await writeFile(path.join(home, 'sessions', '2026', '11', 'stray.txt'), 'x');
    const skipped: string[] = [];
    const page = await listSessions({ home, onSkip: (p) => skipped.push(path.basename(p)) });
    expect(page.sessions.map((s) => s.path)).toEqual([good]);
    expect(skipped).toEqual(expect.arrayContaining([name(1), name(2), name(3)]));

    const v = await cli(['validate', '--home', home]);
    expect(v.code).toBe(1);
    expect(v.err).not.toMatch(/\n\s+at /);
  });
});
