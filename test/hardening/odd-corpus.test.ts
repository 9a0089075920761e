import { describe, expect, it } from 'vitest';
import { cli } from '../cli/helpers.js';
import { homeWithOddCases, oddCases } from '../helpers/odd-corpus.js';

/** An escape character or any other control character but newline and tab, sent raw. */
// eslint-disable-next-line no-control-regex -- finding control characters is the point
const RAW_CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

describe('odd but valid sessions (fixtures/odd)', () => {
  it('ls lists every one of them, table and JSON, with nothing raw sent to the terminal', async () => {
    const home = await homeWithOddCases();
    const table = await cli(['ls', '--home', home, '--all-sources', '--limit', '100'], { columns: 80 });
    expect(table.code, table.err).toBe(0);
    expect(table.out).not.toMatch(RAW_CONTROL);
    for (const c of oddCases) expect(table.out).toContain(c.id.slice(0, 13));
    const json = await cli(['ls', '--home', home, '--all-sources', '--limit', '100', '--json']);
    expect(json.code, json.err).toBe(0);
    const ids = json.out
      .trimEnd()
      .split('\n')
      .map((l) => (JSON.parse(l) as { id?: string }).id)
      .filter(Boolean);
    expect(new Set(ids)).toEqual(new Set(oddCases.map((c) => c.id)));
  });

  describe.each(oddCases.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    it('show prints it, making every string safe', async () => {
      const home = await homeWithOddCases([c]);
      const r = await cli(['show', c.id, '--home', home]);
      expect(r.code, r.err).toBe(0);
      expect(r.out).not.toMatch(RAW_CONTROL);
      expect(r.err).not.toMatch(RAW_CONTROL);
    });

    it('validate reads it to the end', async () => {
      const home = await homeWithOddCases([c]);
      const r = await cli(['validate', `${home}/sessions/2026/10/01/${c.file}`]);
      // Schema findings are expected for type-confused fields; the command itself must not fail.
      expect([0, 1]).toContain(r.code);
      expect(r.err).not.toMatch(/TypeError|RangeError|Maximum call stack/);
      expect(r.out + r.err).not.toMatch(RAW_CONTROL);
    });

    it.each(['envelope', 'chat'])('export --format %s writes it', async (format) => {
      const home = await homeWithOddCases([c]);
      const r = await cli(['export', '--home', home, '--out', '-', '--format', format]);
      expect(r.code, r.err).toBe(0);
      const rows = r.out.trimEnd().split('\n');
      expect(rows).toHaveLength(1);
      expect((JSON.parse(rows[0]!) as { session_id: string }).session_id).toBe(c.id);
    });
  });
});
