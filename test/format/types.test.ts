import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, expectTypeOf, it } from 'vitest';
import type {
  EventMsgPayload,
  FunctionCallItem,
  MessageItem,
  RecordItem,
  ResponseItemPayload,
  RolloutItem,
  RolloutLine,
  SessionMetaPayload,
  UnknownRolloutLine,
  UnknownType,
  WorkspaceSnapshotPayload,
} from '../../src/index.js';
import { RolloutRecorder, customItem, isKnownLineType, readRollout } from '../../src/index.js';
import { payloadShapeProblem } from '../../src/format/types.js';
import { tempDir } from '../helpers/temp.js';

// The type-level half of this file is checked by `tsc` (npm run typecheck covers test/); a broken
// expectation or an `@ts-expect-error` that no longer errors fails the build.

describe('reading types narrow on type', () => {
  it('narrows a line by its type, and a response_item by its payload type', () => {
    const narrow = (line: RolloutLine): string | undefined => {
      if (line.type === 'response_item') {
        expectTypeOf(line.payload).toEqualTypeOf<ResponseItemPayload>();
        if (line.payload.type === 'message') {
          expectTypeOf(line.payload).toEqualTypeOf<MessageItem>();
          return line.payload.role;
        }
        if (line.payload.type === 'function_call') {
          expectTypeOf(line.payload).toEqualTypeOf<FunctionCallItem>();
          return line.payload.call_id;
        }
      }
      switch (line.type) {
        case 'session_meta':
          expectTypeOf(line.payload).toEqualTypeOf<SessionMetaPayload>();
          return line.payload.id;
        case 'event_msg':
          expectTypeOf(line.payload).toEqualTypeOf<EventMsgPayload>();
          return line.payload.type === 'user_message' ? line.payload.message : undefined;
        case 'workspace_snapshot':
          expectTypeOf(line.payload).toEqualTypeOf<WorkspaceSnapshotPayload>();
          return line.payload.message_id;
        default:
          return undefined;
      }
    };
    expect(
      narrow({ timestamp: 't', type: 'session_meta', payload: { id: 'x', timestamp: 't', cwd: '/' } }),
    ).toBe('x');
  });

  it('keeps unknown types in their own member, compared as strings', () => {
    const other = (line: RolloutLine): unknown => {
      if (
        line.type !== 'session_meta' &&
        line.type !== 'response_item' &&
        line.type !== 'event_msg' &&
        line.type !== 'turn_context' &&
        line.type !== 'compacted' &&
        line.type !== 'workspace_snapshot' &&
        line.type !== 'world_state' &&
        line.type !== 'token_usage_record'
      ) {
        expectTypeOf(line).toEqualTypeOf<UnknownRolloutLine>();
        expectTypeOf(line.payload).toBeUnknown();
        expectTypeOf(line.type).toEqualTypeOf<UnknownType>();
        expectTypeOf(line.type).toExtend<string>();
        return (line.type as string) === 'my_event' ? line.payload : undefined;
      }
      return undefined;
    };
    expect(other({ timestamp: 't', ...customItem('my_event', 1) })).toBe(1);
  });

  it('types the items of a read rollout the same way', () => {
    const text = (item: RolloutItem): string | undefined =>
      item.type === 'response_item' && item.payload.type === 'message' ? item.payload.role : undefined;
    expect(text({ type: 'response_item', payload: { type: 'message', role: 'user', content: [] } })).toBe(
      'user',
    );
  });
});

describe('writing types take the known line types only', () => {
  it('rejects a misspelt type at compile time, and takes custom types through customItem', () => {
    const payload = { type: 'message', role: 'user', content: [] } as const;
    // @ts-expect-error a misspelt line type does not compile
    const typo: RecordItem = { type: 'response_itme', payload };
    // @ts-expect-error any string is not a line type either
    const anyString: RecordItem = { type: 'x' as string, payload };
    // @ts-expect-error the recorder writes session_meta itself
    const meta: RecordItem = { type: 'session_meta', payload: { id: 'x', timestamp: 't', cwd: '/' } };
    const ok: RecordItem[] = [
      { type: 'response_item', payload },
      // response_item and event_msg payloads of kinds this library does not list are fine.
      { type: 'event_msg', payload: { type: 'harness_probe', n: 1 } },
      { type: 'response_item', payload: { type: 'image_generation_call', result: 'x' } },
      customItem('my_event', { step: 3 }),
    ];
    expect([typo, anyString, meta, ok].length).toBe(4);
  });

  it('lets read items be recorded again as they are', () => {
    const again = (items: Exclude<RolloutItem, { type: 'session_meta' }>[]): RecordItem[] => items;
    expect(again([])).toEqual([]);
  });

  it('refuses empty and known types in customItem at run time', () => {
    expect(customItem('world_state_v2', { a: 1 })).toEqual({ type: 'world_state_v2', payload: { a: 1 } });
    expect(() => customItem('', {})).toThrow(TypeError);
    expect(() => customItem(7 as unknown as string, {})).toThrow(TypeError);
    expect(() => customItem('response_item', 42)).toThrow(/known line type/);
    expect(() => customItem('response_item', 42)).toThrow(
      expect.objectContaining({ code: 'ERR_INVALID_ARG_VALUE' }),
    );
    expect(isKnownLineType('event_msg')).toBe(true);
    expect(isKnownLineType('my_event')).toBe(false);
  });
});

describe('the payload a known line type needs', () => {
  it.each<[string, unknown, boolean]>([
    ['response_item', { type: 'message' }, true],
    ['response_item', { role: 'user' }, false],
    ['response_item', { type: 7 }, false],
    ['event_msg', null, false],
    ['event_msg', [1], false],
    ['turn_context', {}, true],
    ['turn_context', 'x', false],
    ['workspace_snapshot', 42, false],
    ['my_event', null, true],
    ['my_event', 'anything', true],
  ])('%s with %j is usable: %s', (type, payload, usable) => {
    expect(payloadShapeProblem(type, payload) === undefined).toBe(usable);
  });

  it('the reader reports such a line instead of returning it; unknown types are kept as they are', async () => {
    const file = path.join(await tempDir(), 'r.jsonl');
    const ts = '2026-11-21T05:24:14.877Z';
    const line = (type: string, payload: unknown): string => JSON.stringify({ timestamp: ts, type, payload });
    await writeFile(
      file,
      [
        line('session_meta', { id: '019aa3c4-5b6d-7e8f-9a0b-1c2d3e4f5a6b', timestamp: ts, cwd: '/' }),
        line('response_item', null),
        line('event_msg', { message: 'no type' }),
        line('my_event', null),
        line('world_state', { full: true }),
      ].join('\n') + '\n',
    );
    const read = await readRollout(file);
    expect(read.errors.map((e) => e.line)).toEqual([2, 3]);
    expect(read.items).toEqual([
      { type: 'my_event', payload: null },
      { type: 'world_state', payload: { full: true } },
    ]);
  });

  it('the recorder refuses to write one, recording nothing of the call', async () => {
    const home = await tempDir();
    const rec = await RolloutRecorder.create({ cwd: home, home, git: false });
    await expect(rec.record([{ type: 'event_msg', payload: null as never }])).rejects.toThrow(
      /not a JSON object/,
    );
    await expect(rec.record([{ type: 'response_item', payload: { role: 'user' } as never }])).rejects.toThrow(
      /no "type" string/,
    );
    await expect(
      rec.record([{ type: 'event_msg', payload: { toJSON: () => [1, 2] } as never }]),
    ).rejects.toThrow(/not a JSON object/);
    await rec.record([customItem('my_event', null), { type: 'event_msg', payload: { type: 'probe' } }]);
    await rec.close();
    const read = await readRollout(rec.path);
    expect(read.errors).toEqual([]);
    expect(read.items).toEqual([
      { type: 'my_event', payload: null },
      { type: 'event_msg', payload: { type: 'probe' } },
    ]);
  });
});
