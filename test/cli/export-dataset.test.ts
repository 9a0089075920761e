import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeHome, makeRepo } from '../helpers/snapshot-fixtures.js';
import { tempDir } from '../helpers/temp.js';
import { openAIRowErrors } from '../dataset/openai-validator.js';
import { asJsonRows, parquetColumnTypes, queryParquet } from '../dataset/parquet-read.js';
import { recordCodingSession } from '../dataset/session-fixture.js';
import { cli, seedSessions } from './helpers.js';

const AWS_KEY = 'AKIAQWERTYUIOPASDFGH';

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

  const jsonlRows = (out: string): Record<string, unknown>[] =>
    out
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .sort((a, b) => String(a['session_id']).localeCompare(String(b['session_id'])));

  describe.each(['openai', 'trl', 'envelope', 'chat'])('--format %s --out x.parquet', (format) => {
    it('writes typed nested columns that DuckDB reads back to the JSON Lines rows', async () => {
      const home = await makeHome();
      const ws = await makeRepo({ 'README.md': '# hello\n' });
      await recordCodingSession(home, ws);
      await seedSessions(home, 3);
      const out = path.join(await tempDir(), 'rows.parquet');
      // The JSON Lines of `envelope` and `chat` wrap each row in a record; the Parquet row is the row.
      const expected = jsonlRows(
        (await cli(['export', '--home', home, '--format', format, '--diffs'])).out,
      ).map(({ type: _type, exported_at: _at, ...row }) => row);
      const r = await cli(['export', '--home', home, '--format', format, '--diffs', '--out', out]);
      expect(r.code, r.err).toBe(0);
      expect(r.err).toContain('4 sessions exported');
      const back = await queryParquet(out, 'SELECT * FROM rows ORDER BY session_id');
      expect(back).toHaveLength(4);
      expect(asJsonRows(back, expected, format)).toEqual(expected);
      // The recorded session has snapshots and diffs: the rows are not trivially empty.
      expect(
        expected.some((e) =>
          (e['turns'] as { commit: unknown; diff: unknown }[]).some((t) => t.commit && t.diff),
        ),
      ).toBe(true);
    });
  });

  it('gives DuckDB messages, tools and turns as lists of structs, and only free-form values as JSON', async () => {
    const home = await makeHome();
    const ws = await makeRepo({ 'README.md': '# hello\n' });
    await recordCodingSession(home, ws);
    const dir = await tempDir();
    const types: Record<string, Record<string, string>> = {};
    for (const format of ['openai', 'trl', 'envelope', 'chat']) {
      const out = path.join(dir, `${format}.parquet`);
      const r = await cli(['export', '--home', home, '--format', format, '--out', out]);
      expect(r.code, r.err).toBe(0);
      types[format] = await parquetColumnTypes(out);
    }
    const call = (args: string) =>
      `STRUCT(id VARCHAR, "type" VARCHAR, "function" STRUCT("name" VARCHAR, arguments ${args}))[]`;
    const chatMessages = `STRUCT("role" VARCHAR, "content" VARCHAR, tool_calls ${call('VARCHAR')}, tool_call_id VARCHAR)[]`;
    const tools =
      'STRUCT("type" VARCHAR, "function" STRUCT("name" VARCHAR, description VARCHAR, parameters JSON))[]';
    const turns =
      'STRUCT(message_index INTEGER, message_id VARCHAR, "role" VARCHAR, "commit" VARCHAR, tree VARCHAR, ' +
      'workspace VARCHAR, diff VARCHAR, redacted BOOLEAN)[]';
    expect(types).toEqual({
      openai: { session_id: 'VARCHAR', messages: chatMessages, tools, message_ids: 'VARCHAR[]', turns },
      trl: {
        session_id: 'VARCHAR',
        messages: `STRUCT("role" VARCHAR, "content" VARCHAR, tool_calls ${call('JSON')}, "name" VARCHAR, tool_call_id VARCHAR)[]`,
        tools,
        message_ids: 'VARCHAR[]',
        turns,
      },
      envelope: { session_id: 'VARCHAR', meta: 'JSON', lines: 'JSON[]', message_ids: 'VARCHAR[]', turns },
      chat: { session_id: 'VARCHAR', meta: 'JSON', messages: chatMessages, message_ids: 'VARCHAR[]', turns },
    });
  });

  it('answers SQL on nested fields with the values of the JSON Lines row', async () => {
    const home = await makeHome();
    const ws = await makeRepo({ 'README.md': '# hello\n' });
    const s = await recordCodingSession(home, ws);
    const out = path.join(await tempDir(), 'rows.parquet');
    const [row] = jsonlRows((await cli(['export', '--home', home, '--format', 'openai'])).out) as [
      {
        messages: { role: string; tool_calls?: { function: { name: string } }[] }[];
        turns: { commit: string | null }[];
        tools: { function: { name: string } }[];
      },
    ];
    expect((await cli(['export', '--home', home, '--format', 'openai', '--out', out])).code).toBe(0);
    const back = await queryParquet(
      out,
      `SELECT session_id, messages[1].role AS first_role, len(messages) AS n,
              messages[3].tool_calls[1].function.name AS call, turns[1].commit AS commit,
              [t.commit FOR t IN turns IF t.commit IS NOT NULL][1] AS first_commit,
              [t.function.name FOR t IN tools] AS tool_names,
              len([m FOR m IN messages IF m.role = 'tool']) AS tool_messages
       FROM rows`,
    );
    expect(back).toEqual([
      {
        session_id: s.id,
        first_role: row.messages[0]!.role,
        n: String(row.messages.length),
        call: row.messages[2]!.tool_calls![0]!.function.name,
        commit: row.turns[0]!.commit,
        first_commit: row.turns.find((t) => t.commit !== null)!.commit,
        tool_names: row.tools.map((t) => t.function.name),
        tool_messages: String(row.messages.filter((m) => m.role === 'tool').length),
      },
    ]);
    // Not vacuous: the session's third message calls a tool, and a later turn has a snapshot.
    expect(back[0]).toMatchObject({
      first_role: 'system',
      call: 'shell',
      commit: null,
      first_commit: expect.stringMatching(/^[0-9a-f]{40}$/),
    });
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
    expect(await queryParquet(out)).toEqual([]);
  });
});
