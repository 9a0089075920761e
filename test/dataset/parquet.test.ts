import { createHash } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  writeDatasetParquet,
  type ChatDatasetRow,
  type DatasetFormat,
  type DatasetRowOf,
  type DatasetTurn,
  type EnvelopeDatasetRow,
  type OpenAIDatasetRow,
  type TrlDatasetRow,
} from '../../src/index.js';
import { tempDir } from '../helpers/temp.js';
import { asJsonRows, queryParquet } from './parquet-read.js';

type Row = Record<string, unknown>;

/** Writes `rows` as a Parquet file and gives its path. */
async function writeRows<F extends DatasetFormat>(
  format: F,
  rows: DatasetRowOf[F][],
  options: { rowGroupRows?: number; rowGroupBytes?: number } = {},
): Promise<string> {
  const chunks: Uint8Array[] = [];
  const n = await writeDatasetParquet(rows, { format, ...options, write: async (c) => void chunks.push(c) });
  expect(n).toBe(rows.length);
  const file = path.join(await tempDir(), `${format}.parquet`);
  await writeFile(file, Buffer.concat(chunks));
  return file;
}

/** The rows as the JSON Lines export carries them. */
const asJsonl = (rows: unknown[]): Row[] => rows.map((r) => JSON.parse(JSON.stringify(r)) as Row);

/** Writes the rows, reads them back with DuckDB and gives both, in the JSON Lines shape. */
async function roundTrip<F extends DatasetFormat>(
  format: F,
  rows: DatasetRowOf[F][],
  options: { rowGroupRows?: number; rowGroupBytes?: number } = {},
): Promise<{ back: Row[]; expected: Row[]; file: string }> {
  const file = await writeRows(format, rows, options);
  const expected = asJsonl(rows);
  return { back: asJsonRows(await queryParquet(file), expected, format), expected, file };
}

const turn = (over: Partial<DatasetTurn> = {}): DatasetTurn => ({
  message_index: 2,
  message_id: 'msg_1',
  role: 'assistant',
  commit: 'a'.repeat(40),
  tree: 'b'.repeat(40),
  workspace: '/work/space',
  ...over,
});

describe('writeDatasetParquet', () => {
  it('keeps a row with no tools, empty lists and nulls apart from one that has them, in every format', async () => {
    const openai: OpenAIDatasetRow[] = [
      { session_id: 'empty', messages: [], tools: [], message_ids: [], turns: [] },
      {
        session_id: 'nulls',
        messages: [
          { role: 'user', content: '' },
          {
            role: 'assistant',
            content: null,
            tool_calls: [{ id: 'c', type: 'function', function: { name: 'f', arguments: '{}' } }],
          },
          { role: 'tool', tool_call_id: 'c', content: '' },
        ],
        tools: [
          { type: 'function', function: { name: 'f', parameters: { type: 'object', properties: {} } } },
        ],
        message_ids: [null, 'msg_1', null],
        turns: [turn({ message_id: null, commit: null, tree: null, workspace: null, diff: null })],
      },
    ];
    const trl: TrlDatasetRow[] = [
      { session_id: 'no-tools', messages: [{ role: 'user', content: 'hi' }], message_ids: [null], turns: [] },
      {
        session_id: 'tools',
        messages: [
          {
            role: 'assistant',
            content: '',
            tool_calls: [
              { id: 'c', type: 'function', function: { name: 'f', arguments: { a: [1, { b: null }] } } },
            ],
          },
          { role: 'tool', name: 'f', tool_call_id: 'c', content: 'out' },
        ],
        tools: [],
        message_ids: ['msg_1', 'c'],
        turns: [turn({ message_index: 0, diff: '', redacted: true })],
      },
    ];
    const envelope: EnvelopeDatasetRow[] = [
      { session_id: 'empty', meta: null, lines: [], message_ids: [], turns: [] },
      {
        session_id: 'lines',
        meta: { id: 'x', cwd: '/w', nested: { deep: [null, true, 1.5] } },
        lines: [null, 0, 'text', [], {}, { type: 'session_meta', payload: { a: null } }],
        message_ids: ['msg_1'],
        turns: [turn({ message_index: 0 })],
      },
    ];
    const chat: ChatDatasetRow[] = [
      { session_id: 'empty', meta: null, messages: [], message_ids: [], turns: [] },
      {
        session_id: 'meta',
        meta: {},
        messages: [
          { role: 'system', content: 'sys' },
          { role: 'assistant', content: null },
        ],
        message_ids: [null, null],
        turns: [turn({ message_index: 1, message_id: null })],
      },
    ];
    for (const [format, rows] of [
      ['openai', openai],
      ['trl', trl],
      ['envelope', envelope],
      ['chat', chat],
    ] as const) {
      const { back, expected } = await roundTrip(format, rows as DatasetRowOf[typeof format][]);
      expect(back, format).toEqual(expected);
    }
    // Null and empty stay apart: TRL's absent `tools` is NULL, OpenAI's empty one an empty list.
    const trlFile = await writeRows('trl', trl);
    expect(await queryParquet(trlFile, 'SELECT tools IS NULL AS none, len(tools) AS n FROM rows')).toEqual([
      { none: true, n: null },
      { none: false, n: '0' },
    ]);
  });

  it('keeps Unicode exactly; a lone surrogate, which UTF-8 cannot hold, becomes U+FFFD', async () => {
    const text = 'héllo wörld — 你好 — مرحبا — 👩🏽‍💻 e\u0301 \u0000 nul \u2028 sep \u202e bidi \u{10ffff}';
    const row: OpenAIDatasetRow = {
      session_id: 'ユニコード',
      messages: [
        { role: 'user', content: text },
        {
          role: 'assistant',
          content: null,
          tool_calls: [
            {
              id: 'ç',
              type: 'function',
              function: { name: 'ツール', arguments: JSON.stringify({ q: text }) },
            },
          ],
        },
        { role: 'tool', tool_call_id: 'ç', content: `${text} \ud800 alone` },
      ],
      tools: [
        { type: 'function', function: { name: 'ツール', description: text, parameters: { type: 'object' } } },
      ],
      message_ids: ['msg_ü', null, 'ç'],
      turns: [turn({ workspace: '/home/ユーザー/repo', diff: `+${text}\n` })],
    };
    const { back, expected } = await roundTrip('openai', [row]);
    const [messages] = [back[0]!['messages'] as { content: string }[]];
    expect(messages[2]!.content).toBe(`${text} \ufffd alone`);
    messages[2]!.content = (expected[0]!['messages'] as { content: string }[])[2]!.content;
    expect(back).toEqual(expected);
  });

  it('writes a huge message whole, in a row group of its own size, and cuts groups by rows and bytes', async () => {
    const huge = 'x'.repeat(6 * 1024 * 1024) + '🌍'.repeat(1024 * 1024) + 'end';
    const row = (id: string, content: string): OpenAIDatasetRow => ({
      session_id: id,
      messages: [{ role: 'user', content }],
      tools: [],
      message_ids: [null],
      turns: [],
    });
    const rows = [row('a', 'small'), row('b', huge), row('c', 'small'), row('d', 'small'), row('e', 'small')];
    const file = await writeRows('openai', rows, { rowGroupRows: 2, rowGroupBytes: 4 * 1024 * 1024 });
    const back = await queryParquet(
      file,
      'SELECT session_id, messages[1].content AS content, strlen(messages[1].content) AS bytes FROM rows',
    );
    const sha = (s: string) => createHash('sha256').update(s).digest('hex');
    expect(back.map((r) => [r['session_id'], sha(r['content'] as string), r['bytes']])).toEqual(
      rows.map((r) => [
        r.session_id,
        sha(r.messages[0]!.content!),
        String(Buffer.byteLength(r.messages[0]!.content!)),
      ]),
    );
    // The huge row closes its group by bytes (a, b); then groups of two rows (c, d), and e.
    const groups = await queryParquet(
      file,
      `SELECT DISTINCT row_group_id, row_group_num_rows FROM parquet_metadata('${file.replaceAll("'", "''")}')
       ORDER BY row_group_id`,
    );
    expect(groups.map((g) => Number(g['row_group_num_rows']))).toEqual([2, 2, 1]);
  });

  it('keeps a JSON key named __proto__ (JSON allows it) as an own key, at any depth', async () => {
    // The shape fast-check found: hyparquet-writer's copy of a JSON value before it serializes it
    // dropped the key (or made its object the copy's prototype).
    const meta = JSON.parse('{"__proto__": {"x": 1}, "kept": null, "deep": [{"__proto__": ""}]}') as Record<
      string,
      unknown
    >;
    const rows: ChatDatasetRow[] = [{ session_id: '', message_ids: [], turns: [], meta, messages: [] }];
    const file = await writeRows('chat', rows, {});
    const [raw] = await queryParquet(file, 'SELECT meta FROM rows');
    expect(raw!['meta']).toBe('{"__proto__":{"x":1},"kept":null,"deep":[{"__proto__":""}]}');
    const { back, expected } = await roundTrip('chat', rows);
    expect(Object.keys(back[0]!['meta'] as object)).toEqual(['__proto__', 'kept', 'deep']);
    expect(back).toEqual(expected);
  });

  it('refuses an unknown format before writing anything', async () => {
    const written: Uint8Array[] = [];
    await expect(
      writeDatasetParquet([], { format: 'csv' as DatasetFormat, write: async (c) => void written.push(c) }),
    ).rejects.toMatchObject({ name: 'TypeError', code: 'ERR_INVALID_ARG_VALUE' });
    expect(written).toEqual([]);
  });
});

const text = fc.string({ unit: 'binary', maxLength: 24 });
const maybe = <T>(a: fc.Arbitrary<T>) => fc.option(a, { nil: null });
const json = fc.jsonValue({ stringUnit: 'binary', maxDepth: 3 });
const meta = maybe(fc.dictionary(text, json, { maxKeys: 4 }));
const turnArb: fc.Arbitrary<DatasetTurn> = fc.record(
  {
    message_index: fc.nat({ max: 2 ** 31 - 1 }),
    message_id: maybe(text),
    role: fc.constantFrom('system', 'user', 'assistant', 'tool'),
    commit: maybe(text),
    tree: maybe(text),
    workspace: maybe(text),
    diff: maybe(text),
    redacted: fc.boolean(),
  },
  { requiredKeys: ['message_index', 'message_id', 'role', 'commit', 'tree', 'workspace'] },
);
const call = fc.record({
  id: text,
  type: fc.constant('function' as const),
  function: fc.record({ name: text, arguments: text }),
});
const chatMessage = fc.oneof(
  fc.record({ role: fc.constantFrom('system' as const, 'user' as const), content: text }),
  fc.record(
    {
      role: fc.constant('assistant' as const),
      content: maybe(text),
      tool_calls: fc.array(call, { maxLength: 3 }),
    },
    { requiredKeys: ['role', 'content'] },
  ),
  fc.record({ role: fc.constant('tool' as const), tool_call_id: text, content: text }),
);
const tool = fc.record({
  type: fc.constant('function' as const),
  function: fc.record(
    { name: text, description: text, parameters: fc.dictionary(text, json, { maxKeys: 3 }) },
    { requiredKeys: ['name', 'parameters'] },
  ),
});
const common = {
  session_id: text,
  message_ids: fc.array(maybe(text), { maxLength: 4 }),
  turns: fc.array(turnArb, { maxLength: 3 }),
};
const ROWS: { [F in DatasetFormat]: fc.Arbitrary<DatasetRowOf[F]> } = {
  openai: fc.record({
    ...common,
    messages: fc.array(chatMessage, { maxLength: 5 }),
    tools: fc.array(tool, { maxLength: 2 }),
  }) as fc.Arbitrary<OpenAIDatasetRow>,
  trl: fc.record(
    {
      ...common,
      messages: fc.array(
        fc.oneof(
          fc.record({ role: fc.constantFrom('system' as const, 'user' as const), content: text }),
          fc.record({
            role: fc.constant('assistant' as const),
            content: text,
            tool_calls: fc.array(
              fc.record({
                id: text,
                type: fc.constant('function' as const),
                function: fc.record({ name: text, arguments: fc.dictionary(text, json, { maxKeys: 3 }) }),
              }),
              { maxLength: 2 },
            ),
          }),
          fc.record({ role: fc.constant('tool' as const), name: text, tool_call_id: text, content: text }),
        ),
        { maxLength: 5 },
      ),
      tools: fc.array(tool, { maxLength: 2 }),
    },
    { requiredKeys: ['session_id', 'message_ids', 'turns', 'messages'] },
  ) as fc.Arbitrary<TrlDatasetRow>,
  envelope: fc.record({
    ...common,
    meta,
    lines: fc.array(json, { maxLength: 5 }),
    message_ids: fc.array(text, { maxLength: 4 }),
  }) as fc.Arbitrary<EnvelopeDatasetRow>,
  chat: fc.record({
    ...common,
    meta,
    messages: fc.array(chatMessage, { maxLength: 5 }),
  }) as fc.Arbitrary<ChatDatasetRow>,
};

describe.each(['openai', 'trl', 'envelope', 'chat'] as const)('writeDatasetParquet --format %s', (format) => {
  it('round-trips any rows through DuckDB to the JSON Lines rows, whatever the row groups', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(ROWS[format] as fc.Arbitrary<DatasetRowOf[DatasetFormat]>, { maxLength: 6 }),
        fc.integer({ min: 1, max: 4 }),
        async (rows, rowGroupRows) => {
          const { back, expected } = await roundTrip(format, rows as DatasetRowOf[typeof format][], {
            rowGroupRows,
          });
          expect(back).toEqual(expected);
        },
      ),
      { numRuns: 25 },
    );
  });
});
