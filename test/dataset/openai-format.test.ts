import { describe, expect, it } from 'vitest';
import { SnapshotStore, exportDataset } from '../../src/index.js';
import type { OpenAIDatasetRow } from '../../src/index.js';
import { makeHome, makeRepo } from '../helpers/snapshot-fixtures.js';
import { openAIRowErrors } from './openai-validator.js';
import { commitBytes, recordCodingSession } from './session-fixture.js';

async function collect<T>(rows: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const r of rows) out.push(r);
  return out;
}

describe('exportDataset openai', () => {
  it('a recorded session with tool calls and snapshots validates against the fine-tuning format, and its commits check out to the exact workspace bytes of each turn', async () => {
    const home = await makeHome();
    const ws = await makeRepo({ 'README.md': '# hello\n' });
    const session = await recordCodingSession(home, ws);
    const rows: OpenAIDatasetRow[] = await collect(exportDataset({ home, format: 'openai' }));
    expect(rows).toHaveLength(1);
    const row = rows[0]!;
    expect(openAIRowErrors(row)).toEqual([]);
    expect(row.session_id).toBe(session.id);
    expect(row.message_ids).toHaveLength(row.messages.length);

    // The roles in order: the commentary between a call and its output comes after the output.
    expect(row.messages.map((m) => m.role)).toEqual([
      'system',
      'user',
      'assistant', // calls call_1
      'tool',
      'assistant', // "Listing first."
      'assistant', // "Added src/greet.ts."
      'user',
      'assistant', // calls call_2 (apply_patch)
      'tool',
      'assistant', // calls call_3
      'tool',
      'assistant', // "Renamed; tests pass."
      'user', // the unanswered call_4 is dropped
    ]);
    // Free-form input becomes {"input": …}; the tools list holds what was called, with schemas.
    const patchCall = row.messages[7]!.tool_calls!.find((c) => c.function.name === 'apply_patch')!;
    expect(JSON.parse(patchCall.function.arguments)).toEqual({
      input: expect.stringContaining('Begin Patch'),
    });
    expect(row.tools.map((t) => t.function.name)).toEqual(['shell', 'apply_patch']);
    expect(row.tools[0]!.function.parameters).toEqual({
      type: 'object',
      properties: {
        command: { type: 'array', items: { type: 'string' } },
        timeout_ms: { type: 'integer' },
        workdir: { type: 'string' },
      },
      required: ['command'],
    });
    expect(row.messages[3]).toEqual({ role: 'tool', tool_call_id: 'call_1', content: 'README.md\n' });
    expect(row.messages[10]).toEqual({ role: 'tool', tool_call_id: 'call_3', content: 'ok 1 passed' });

    // One turn per assistant message; the two snapshotted ones carry the commit.
    expect(row.turns.map((t) => t.message_index)).toEqual([2, 4, 5, 7, 9, 11]);
    const withCommit = row.turns.filter((t) => t.commit !== null);
    expect(withCommit.map((t) => t.message_id)).toEqual([...session.states.keys()]);
    const store = (await SnapshotStore.open({ workspace: ws, home, create: false })).path;
    for (const turn of withCommit) {
      expect(row.message_ids[turn.message_index]).toBe(turn.message_id);
      expect(turn.workspace).toBe(ws);
      expect(await commitBytes(store, turn.commit!)).toEqual(session.states.get(turn.message_id!));
    }
  });

  it('with diffs, each snapshotted turn carries the patch from the previous snapshot', async () => {
    const home = await makeHome();
    const ws = await makeRepo({ 'README.md': '# hello\n' });
    await recordCodingSession(home, ws);
    const [row] = await collect(exportDataset({ home, format: 'openai', diffs: true }));
    const diffs = row!.turns.filter((t) => t.commit !== null).map((t) => t.diff!);
    expect(diffs[0]).toContain('+++ b/src/greet.ts');
    expect(diffs[0]).toContain('+++ b/README.md');
    expect(diffs[0]).toContain('GIT binary patch');
    expect(diffs[1]).toContain('-export const greet = (n: string) => `hi ${n}`;');
    expect(diffs[1]).toContain('+export const greet = (n: string) => `hello ${n}`;');
    expect(diffs[1]).not.toContain('README.md');
    expect(row!.turns.filter((t) => t.commit === null).every((t) => t.diff === null)).toBe(true);
  });

  it('trl rows carry the same conversation with arguments as objects and named tool messages', async () => {
    const home = await makeHome();
    const ws = await makeRepo({ 'README.md': '# hello\n' });
    await recordCodingSession(home, ws);
    const [row] = await collect(exportDataset({ home, format: 'trl' }));
    expect(row!.messages[2]).toMatchObject({
      role: 'assistant',
      content: '',
      tool_calls: [
        {
          id: 'call_1',
          type: 'function',
          function: { name: 'shell', arguments: { command: ['ls', '-la'] } },
        },
      ],
    });
    expect(row!.messages[3]).toEqual({
      role: 'tool',
      name: 'shell',
      tool_call_id: 'call_1',
      content: 'README.md\n',
    });
    expect(row!.tools?.map((t) => t.function.name)).toEqual(['shell', 'apply_patch']);
    expect(row!.messages.every((m) => typeof m.content === 'string')).toBe(true);
  });

  it('rejects a session together with a filter, naming both', async () => {
    const home = await makeHome();
    await expect(collect(exportDataset({ home, session: 'abc', search: 'x' }))).rejects.toThrow(
      /session and search/,
    );
  });
});
