import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/temp.js';
import { CODEX_FILE, CODEX_ID, placeZst } from '../helpers/zstd.js';
import { cli } from './helpers.js';

const NAME = path.basename(CODEX_FILE);

describe('rollouts on .jsonl.zst sessions (a real Codex session, zstd -3)', () => {
  it('ls, ls --archived, show, show --raw, show --json, validate and export read them', async () => {
    const home = await tempDir();
    const live = await placeZst(home, `sessions/2026/11/21/${NAME}`, CODEX_FILE);
    const archivedHome = await tempDir();
    const archived = await placeZst(archivedHome, `archived_sessions/${NAME}`, CODEX_FILE);
    const plain = await readFile(CODEX_FILE, 'utf8');

    const ls = await cli(['ls', '--home', home, '--all-sources', '--json']);
    expect(ls.code).toBe(0);
    const rows = ls.out
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l) as { id?: string; path?: string });
    expect(rows.map((r) => [r.id, r.path])).toEqual([
      [CODEX_ID, live],
      [undefined, undefined],
    ]);
    const lsArchived = await cli(['ls', '--home', archivedHome, '--archived', '--all-sources']);
    expect(lsArchived.out).toContain(CODEX_ID.slice(0, 13));
    expect(lsArchived.out).toContain('What is in this repository?');

    const show = await cli(['show', CODEX_ID.slice(0, 13), '--home', home]);
    expect(show).toMatchObject({ code: 0, err: '' });
    expect(show.out).toContain(`session ${CODEX_ID}`);
    expect(show.out).toContain('Réponds en une phrase ✓');
    const raw = await cli(['show', archived, '--raw']);
    expect(raw).toMatchObject({ code: 0, err: '', out: plain });
    const json = await cli(['show', CODEX_ID, '--home', archivedHome, '--json']);
    expect(
      json.out
        .trimEnd()
        .split('\n')
        .map((l) => JSON.parse(l) as unknown),
    ).toEqual(
      plain
        .trimEnd()
        .split('\n')
        .map((l) => JSON.parse(l) as unknown),
    );

    const v = await cli(['validate', live, archived]);
    expect(v).toMatchObject({ code: 0, out: '' });
    expect(v.err).toBe('2 files checked, no problems\n');
    const vHome = await cli(['validate', '--home', home]);
    expect(vHome.err).toBe('1 file checked, no problems\n');

    const out = path.join(await tempDir(), 'export.jsonl');
    const exp = await cli(['export', '--home', home, '--out', out]);
    expect(exp.code).toBe(0);
    const records = (await readFile(out, 'utf8'))
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l) as { session_id: string; lines: unknown[] });
    expect(records.map((r) => [r.session_id, r.lines.length])).toEqual([
      [CODEX_ID, plain.trimEnd().split('\n').length],
    ]);
  });

  it('a damaged .zst is one error for show and one problem for validate, never a crash', async () => {
    const home = await tempDir();
    const zst = await placeZst(home, `sessions/2026/11/21/${NAME}`, CODEX_FILE);
    await writeFile(zst, 'garbage, not zstd\n');
    const v = await cli(['validate', zst]);
    expect(v.code).toBe(1);
    expect(v.out).toMatch(
      new RegExp(`^${zst.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:0: is not readable zstd data \\(.+\\)\\n$`),
    );
    expect(v.err).toBe('1 file checked, 1 problem\n');
    for (const args of [[zst], [zst, '--raw'], [zst, '--json']]) {
      const s = await cli(['show', ...args]);
      expect(s.code).toBe(1);
      expect(s.err).toMatch(/^error: .*: is not readable zstd data/);
      expect(s.err).not.toMatch(/\n\s+at /);
    }
  });
});
