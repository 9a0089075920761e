import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/temp.js';
import { cli } from './helpers.js';

describe('a session named by a path', () => {
  it.each([
    ['a missing .jsonl', 'no/such.jsonl', 'no such file'],
    ['a missing .jsonl.zst', 'gone/rollout.jsonl.zst', 'no such file'],
    ['a missing path with a slash', './nothing/here', 'no such file'],
  ])('%s is said to be missing, whatever the home', async (_what, arg, reason) => {
    const cwd = await tempDir();
    const file = path.join(cwd, arg);
    for (const home of [[], ['--home', cwd]]) {
      const r = await cli(['show', arg, ...home], {
        cwd,
        env: { CODEX_HOME: path.join(cwd, 'absent-home') },
      });
      expect(r).toMatchObject({ code: 1, out: '' });
      expect(r.err).toBe(`error: ${file}: ${reason}\n`);
    }
  });

  it('a folder is said to be a folder', async () => {
    const cwd = await tempDir();
    await mkdir(path.join(cwd, 'sub.jsonl'));
    const r = await cli(['show', 'sub.jsonl', '--home', cwd], { cwd });
    expect(r.err).toBe(`error: ${path.join(cwd, 'sub.jsonl')}: is a folder, not a rollout file\n`);
    expect(r.code).toBe(1);
  });
});
