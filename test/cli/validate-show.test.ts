import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { validateRollout } from '../../src/index.js';
import { tempDir } from '../helpers/temp.js';
import { cli } from './helpers.js';

const ID = '019aa3c4-5b6d-7e8f-9a0b-1c2d3e4f5a6b';
const TS = '2026-11-21T05:24:14.877Z';
const NAME = `rollout-2026-11-21T05-24-14-${ID}.jsonl`;
/** A session_meta line; `id: 'absent'` leaves the id out. */
const meta = (id: unknown = ID): string =>
  JSON.stringify({
    timestamp: TS,
    type: 'session_meta',
    payload: { ...(id === 'absent' ? {} : { id }), timestamp: TS, cwd: '/w', source: 'cli' },
  });

async function file(content: string): Promise<string> {
  const p = path.join(await tempDir(), NAME);
  await writeFile(p, content);
  return p;
}

describe('validate messages', () => {
  it('a null line is "not a JSON object (null)"', async () => {
    const p = await file(`${meta()}\nnull\n[1]\n`);
    expect(await validateRollout(p)).toEqual([
      { line: 2, kind: 'not-object', message: 'not a JSON object (null)' },
      { line: 3, kind: 'not-object', message: 'not a JSON object (array)' },
    ]);
  });

  it.each([
    [42, `the session_meta's "id" is not a string (it is a number)`],
    [null, `the session_meta's "id" is not a string (it is null)`],
    ['absent', `the session_meta's "id" is not a string (it is missing)`],
  ])('a session_meta whose id is %j says so', async (id, message) => {
    const p = await file(`${meta(id)}\n`);
    expect(await validateRollout(p)).toEqual([{ line: 1, kind: 'bad-meta', message }]);
    const r = await cli(['validate', p]);
    expect(r.out).toBe(`${p}:1: ${message}\n`);
  });

  it('a session_meta whose payload is no object says so', async () => {
    const p = await file(`{"timestamp":"${TS}","type":"session_meta","payload":"x"}\n`);
    expect(await validateRollout(p)).toEqual([
      { line: 1, kind: 'bad-meta', message: `the session_meta's payload is not an object (it is a string)` },
    ]);
  });

  it('a BOM alone does not put session_meta off the first line; a blank line does', async () => {
    expect(await validateRollout(await file(`\uFEFF${meta()}\n`))).toEqual([
      { line: 1, kind: 'bom', message: 'UTF-8 byte order mark at the start of the file (ignored)' },
    ]);
    expect((await validateRollout(await file(`\n${meta()}\n`))).map((p) => p.kind)).toEqual([
      'blank',
      'meta-not-first',
    ]);
  });

  it.each([
    [[`${meta()}\n`], 0, '1 file checked, no problems\n'],
    [[`${meta()}\n`, `${meta()}\n`], 0, '2 files checked, no problems\n'],
    [['', `${meta()}\n`], 1, '2 files checked, 1 problem in 1 file\n'],
    [['', `${meta()}\nx\ny\n`, `${meta()}\n`], 1, '3 files checked, 3 problems in 2 files\n'],
    [[`${meta()}\nx\ny\n`], 1, '1 file checked, 2 problems\n'],
  ])('%j: exit %i, summary %j', async (contents, code, summary) => {
    const files = await Promise.all(contents.map((c) => file(c)));
    const r = await cli(['validate', ...files]);
    expect(r.code).toBe(code);
    expect(r.err).toBe(summary);
  });

  it('a home without rollouts says so, once', async () => {
    const home = await tempDir();
    const r = await cli(['validate', '--home', home]);
    expect(r).toMatchObject({ code: 0, out: '', err: `no rollouts under ${home}\n` });
  });
});

describe('show --raw', () => {
  it('keeps multi-byte characters whole across read edges', async () => {
    const big = 'é'.repeat(100_000) + '日本語✓'.repeat(30_000);
    const p = await file(
      `${meta()}\n${JSON.stringify({ timestamp: TS, type: 'event_msg', payload: { type: 'user_message', message: big } })}\n`,
    );
    const r = await cli(['show', p, '--raw']);
    expect(r.code).toBe(0);
    expect(r.out).not.toContain('\uFFFD');
    expect(r.out).toBe(await readFile(p, 'utf8'));
  });
});
