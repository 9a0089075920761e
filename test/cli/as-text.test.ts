import { describe, expect, it } from 'vitest';
import { toChat } from '../../src/dataset/chat.js';
import { asText } from '../../src/cli/format.js';

describe('type-confused tool calls', () => {
  it('show their JSON, never [object Object]', () => {
    expect(asText({ command: ['ls'] })).toBe('{"command":["ls"]}');
    expect(asText(7)).toBe('7');
    expect(asText(null)).toBe('');
    expect(asText('as is')).toBe('as is');
    const chat = toChat(
      [
        {
          type: 'response_item',
          payload: { type: 'function_call', name: 'shell', arguments: { a: 1 }, call_id: 7 },
        },
      ] as never,
      undefined,
    );
    expect(JSON.stringify(chat)).not.toContain('[object Object]');
    expect(JSON.stringify(chat)).toContain('{\\"a\\":1}');
  });
});
