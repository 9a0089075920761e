import { describe, expect, it } from 'vitest';
import {
  BETTER_HIT_WINDOW,
  FirstUserMessageFinder,
  isHarnessWrapper,
  stripRequestPrefix,
  userMessageOfRecord,
} from '../../src/format/preview.js';

const env = (type: string, payload: unknown): unknown => ({
  timestamp: '2026-01-01T00:00:00.000Z',
  type,
  payload,
});
const userItem = (...content: unknown[]): unknown =>
  env('response_item', { type: 'message', role: 'user', content });
const text = (t: string): unknown => ({ type: 'input_text', text: t });
const image = { type: 'input_image', image_url: 'data:image/png;base64,AAAA' };
const event = (message: string, extra: Record<string, unknown> = {}): unknown =>
  env('event_msg', { type: 'user_message', message, ...extra });
const completed = (...content: unknown[]): unknown =>
  env('event_msg', { type: 'item_completed', item: { type: 'UserMessage', id: 'x', content } });

function first(records: unknown[]): string | undefined {
  const f = new FirstUserMessageFinder();
  for (const r of records) if (f.push(r)) break;
  return f.result?.text;
}

describe('user message extraction', () => {
  it.each([
    ['a user_message event', [event('fix the bug')], 'fix the bug'],
    ['an item_completed UserMessage', [completed({ type: 'text', text: 'from 0.169' })], 'from 0.169'],
    ['a response item', [userItem(text('plain item'))], 'plain item'],
    ['image-only event', [event('', { images: ['data:x'] })], '[Image]'],
    ['image-only item_completed', [completed({ type: 'local_image', path: '/a.png' })], '[Image]'],
    ['image-only response item', [userItem(image)], '[Image]'],
    ['text and image', [userItem(text('look'), image)], 'look'],
  ])('finds %s', (_name, records, expected) => {
    expect(first(records)).toBe(expected);
  });

  it('prefers the event over the response item that comes before it', () => {
    expect(first([userItem(text('<ide>ctx</ide> item text')), event('event text')])).toBe('event text');
  });

  it('prefers item_completed over a response item', () => {
    expect(first([userItem(text('item')), completed({ type: 'text', text: 'completed' })])).toBe('completed');
  });

  it('skips harness wrappers', () => {
    expect(
      first([
        userItem(text('<environment_context>\n<cwd>/x</cwd>\n</environment_context>')),
        userItem(text('<user_instructions>be nice</user_instructions>')),
        userItem(text('# AGENTS.md instructions for /x\n\nrules')),
        userItem(text('real one')),
      ]),
    ).toBe('real one');
    expect(isHarnessWrapper('  <environment_context>')).toBe(true);
    expect(isHarnessWrapper('hello <environment_context>')).toBe(false);
  });

  it('skips context events of older writers', () => {
    expect(
      first([event('<user_instructions>', { kind: 'user_instructions' }), event('typed', { kind: 'plain' })]),
    ).toBe('typed');
  });

  it('ignores empty messages, assistant messages and other records', () => {
    expect(
      first([
        event(''),
        env('response_item', {
          type: 'message',
          role: 'assistant',
          content: [{ type: 'output_text', text: 'no' }],
        }),
        env('event_msg', { type: 'agent_message', message: 'no' }),
        env('turn_context', {}),
        env('world_state', { x: 1 }),
      ]),
    ).toBeUndefined();
  });

  it('strips the editor context before "## My request for Codex:"', () => {
    const msg =
      '# Context from my IDE setup:\n\n## Open tabs:\n- a.ts\n\n## My request for Codex:\n  do the thing \n';
    expect(stripRequestPrefix(msg)).toBe('do the thing');
    expect(first([event(msg)])).toBe('do the thing');
    expect(first([event('## My request for Codex:', { images: ['x'] })])).toBe('[Image]');
  });

  it('stops looking a short window after a lower-ranked hit', () => {
    const f = new FirstUserMessageFinder();
    f.push(userItem(text('item')));
    for (let i = 0; i < BETTER_HIT_WINDOW - 1; i++)
      expect(f.push(env('event_msg', { type: 'token_count' }))).toBe(false);
    expect(f.push(env('event_msg', { type: 'token_count' }))).toBe(true);
    expect(f.result?.text).toBe('item');
  });

  it('reads legacy bare items', () => {
    expect(
      userMessageOfRecord({ type: 'message', role: 'user', content: [text('legacy')] }, true)?.text,
    ).toBe('legacy');
  });
});
