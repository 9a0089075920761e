import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { describe, expect, it } from 'vitest';
import { makeHome, makeRepo } from '../helpers/snapshot-fixtures.js';
import { tempDir } from '../helpers/temp.js';
import { openAIRowErrors } from '../dataset/openai-validator.js';
import { recordCodingSession } from '../dataset/session-fixture.js';
import { cli, seedSessions } from './helpers.js';

const AWS_KEY = 'AKIAQWERTYUIOPASDFGH';

async function duckRows(file: string): Promise<Record<string, unknown>[]> {
  const db = await DuckDBInstance.create(':memory:');
  const con = await db.connect();
  try {
    const reader = await con.runAndReadAll(
      `SELECT session_id, CAST(messages AS VARCHAR) AS messages, CAST(tools AS VARCHAR) AS tools,
              CAST(message_ids AS VARCHAR) AS message_ids, CAST(turns AS VARCHAR) AS turns,
              typeof(messages) AS messages_type
       FROM read_parquet('${file.replaceAll("'", "''")}') ORDER BY session_id`,
    );
    return reader.getRowObjectsJson() as Record<string, unknown>[];
  } finally {
    con.closeSync();
    db.closeSync();
  }
}

describe('rollouts export --format openai|trl', () => {
  it('writes one fine-tuning row per line, every row valid', async () => {
    const home = await makeHome();
    const ws = await makeRepo({ 'README.md': '# hello\n' });
    const s = await recordCodingSession(home, ws);
    const r = await cli(['export', '--home', home, '--format', 'openai']);
    expect(r.code).toBe(0);
    const lines = r.out.trimEnd().split('\n');
    expect(lines).toHaveLength(1);
    const row = JSON.parse(lines[0]!) as Record<string, unknown>;
    expect(row['session_id']).toBe(s.id);
    expect(openAIRowErrors(row)).toEqual([]);
  });

  it('--out x.parquet writes Parquet that DuckDB reads back to the same rows', async () => {
    const home = await makeHome();
    const ws = await makeRepo({ 'README.md': '# hello\n' });
    await recordCodingSession(home, ws);
    await seedSessions(home, 3);
    const out = path.join(await tempDir(), 'rows.parquet');
    for (const format of ['openai', 'trl']) {
      const jsonl = await cli(['export', '--home', home, '--format', format]);
      const expected = jsonl.out
        .trimEnd()
        .split('\n')
        .map((l) => JSON.parse(l) as Record<string, unknown>)
        .sort((a, b) => String(a['session_id']).localeCompare(String(b['session_id'])));
      const r = await cli(['export', '--home', home, '--format', format, '--out', out, '--force']);
      expect(r.code, r.err).toBe(0);
      expect(r.err).toContain('4 sessions exported');
      const back = await duckRows(out);
      expect(back).toHaveLength(4);
      expect(back[0]!['messages_type']).toBe('JSON');
      back.forEach((b, i) => {
        const e = expected[i]!;
        expect(b['session_id']).toBe(e['session_id']);
        expect(JSON.parse(b['messages'] as string)).toEqual(e['messages']);
        expect(b['tools'] === null ? undefined : JSON.parse(b['tools'] as string)).toEqual(e['tools']);
        expect(JSON.parse(b['message_ids'] as string)).toEqual(e['message_ids']);
        expect(JSON.parse(b['turns'] as string)).toEqual(e['turns']);
      });
    }
  });

  it('--parquet without --out is refused before anything is written', async () => {
    const home = await makeHome();
    await seedSessions(home, 1);
    const r = await cli(['export', '--home', home, '--format', 'openai', '--parquet']);
    expect(r.code).toBe(2);
    expect(r.err).toContain('--out');
    expect(r.out).toBe('');
  });

  it('--redact replaces a planted key in message text, tool arguments and tool outputs with its marker', async () => {
    const home = await makeHome();
    const ws = await makeRepo({ 'README.md': '# hello\n' });
    await recordCodingSession(home, ws, { secret: AWS_KEY });
    const plain = await cli(['export', '--home', home, '--format', 'openai']);
    expect(plain.out).toContain(AWS_KEY);
    const r = await cli(['export', '--home', home, '--format', 'openai', '--redact']);
    expect(r.out).not.toContain(AWS_KEY);
    const row = JSON.parse(r.out) as {
      messages: {
        role: string;
        content: string | null;
        tool_calls?: { function: { arguments: string } }[];
      }[];
    };
    const marker = '[REDACTED:aws-access-key-id]';
    expect(row.messages.find((m) => m.role === 'user')!.content).toContain(marker);
    const args = row.messages.flatMap((m) => m.tool_calls ?? []).map((c) => c.function.arguments);
    expect(
      args.some(
        (a) => (JSON.parse(a) as { env?: { AWS_ACCESS_KEY_ID?: string } }).env?.AWS_ACCESS_KEY_ID === marker,
      ),
    ).toBe(true);
    expect(row.messages.some((m) => m.role === 'tool' && m.content?.includes(marker))).toBe(true);
    expect(openAIRowErrors(JSON.parse(r.out))).toEqual([]);
    const env = await cli(['export', '--home', home, '--format', 'envelope', '--redact']);
    expect(env.out).not.toContain(AWS_KEY);
    expect(JSON.parse(env.out)).toMatchObject({ type: 'session', lines: expect.any(Array) });
  });

  it('an empty export still writes a Parquet file DuckDB reads', async () => {
    const home = await makeHome();
    await seedSessions(home, 1);
    const out = path.join(await tempDir(), 'none.parquet');
    const r = await cli([
      'export',
      '--home',
      home,
      '--format',
      'openai',
      '--search',
      'nothing-matches',
      '--out',
      out,
    ]);
    expect(r.code, r.err).toBe(0);
    expect((await readFile(out)).subarray(0, 4).toString()).toBe('PAR1');
    expect(await duckRows(out)).toEqual([]);
  });
});
