import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { RecordItem } from '../../src/index.js';
import { RolloutRecorder, customItem, readRollout } from '../../src/index.js';
import { tempDir } from '../helpers/temp.js';

/** JSON values as the wire gives them back (no -0, no undefined), with any Unicode in strings and keys. */
const jsonValue = fc
  .jsonValue({ maxDepth: 4, stringUnit: 'binary' })
  .map((v) => JSON.parse(JSON.stringify(v)) as unknown);

const item: fc.Arbitrary<RecordItem> = fc.oneof<fc.Arbitrary<RecordItem>[]>(
  fc.record({
    type: fc.constant('response_item'),
    payload: fc.record({
      type: fc.constant('message'),
      role: fc.constantFrom('user', 'assistant'),
      content: fc.array(fc.record({ type: fc.constant('input_text'), text: fc.string({ unit: 'binary' }) }), {
        maxLength: 3,
      }),
    }),
  }),
  fc.record({
    type: fc.constant('event_msg'),
    payload: fc.record({ type: fc.string({ unit: 'binary' }), data: jsonValue }),
  }),
  fc.record({
    type: fc.constant('turn_context'),
    payload: fc.dictionary(fc.string({ unit: 'binary' }), jsonValue, { maxKeys: 5 }),
  }),
  fc
    .dictionary(fc.string({ unit: 'binary' }), jsonValue, { maxKeys: 5 })
    .map((payload) => customItem('some_future_type', payload)),
);

describe('record → read round trip', () => {
  it('returns exactly the items recorded, for any Unicode and JSON payloads', async () => {
    const home = await tempDir();
    await fc.assert(
      fc.asyncProperty(
        fc.array(item, { minLength: 1, maxLength: 20 }),
        fc.string({ unit: 'binary' }),
        async (items, text) => {
          const rec = await RolloutRecorder.create({ cwd: home, home, git: false });
          await rec.record(items);
          await rec.recordUserMessage(text);
          await rec.close();
          const read = await readRollout(rec.path);
          expect(read.errors).toEqual([]);
          expect(read.meta.id).toBe(rec.id);
          expect(read.items.slice(0, items.length)).toEqual(items);
          expect(read.items.slice(items.length).map((i) => i.payload)).toContainEqual({
            type: 'user_message',
            message: text,
          });
        },
      ),
      { numRuns: 60 },
    );
  });
});
