import { mkdir, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { InvalidRolloutError, RolloutIOError, readRollout, streamRollout } from '../../src/index.js';
import { tempDir } from '../helpers/temp.js';

const ID = '019aa3c4-5b6d-7e8f-9a0b-1c2d3e4f5a6b';
const TS = '2026-11-21T05:24:14.877Z';
const meta = (extra: Record<string, unknown> = {}) =>
  JSON.stringify({
    timestamp: TS,
    type: 'session_meta',
    payload: { id: ID, session_id: ID, timestamp: TS, cwd: '/w', originator: 'test', ...extra },
  });
const user = (text: string, extra: Record<string, unknown> = {}) =>
  JSON.stringify({
    timestamp: TS,
    type: 'event_msg',
    payload: { type: 'user_message', message: text },
    ...extra,
  });
const item = (text: string) =>
  JSON.stringify({
    timestamp: TS,
    type: 'response_item',
    payload: { type: 'message', role: 'assistant', content: [{ type: 'output_text', text }] },
  });

async function file(
  content: string | Buffer,
  name = `rollout-2026-11-21T05-24-14-${ID}.jsonl`,
): Promise<string> {
  const dir = await tempDir();
  const p = path.join(dir, name);
  await writeFile(p, content);
  return p;
}

describe('readRollout', () => {
  it('reads a clean envelope file', async () => {
    const p = await file([meta(), user('hi'), item('hello')].join('\n') + '\n');
    const r = await readRollout(p);
    expect(r.errors).toEqual([]);
    expect(r.format).toBe('envelope');
    expect(r.meta.id).toBe(ID);
    expect(r.lines).toHaveLength(3);
    expect(r.lineNumbers).toEqual([1, 2, 3]);
    expect(r.items.map((i) => i.type)).toEqual(['event_msg', 'response_item']);
    expect(r.items[0]!.payload).toEqual({ type: 'user_message', message: 'hi' });
  });

  it('keeps unknown types and unknown envelope keys', async () => {
    const odd = JSON.stringify({
      timestamp: TS,
      type: 'world_state',
      payload: { x: [1, 2] },
      metadata: { k: 1 },
    });
    const p = await file([meta({ extra_field: { deep: true } }), odd].join('\n') + '\n');
    const r = await readRollout(p);
    expect(r.errors).toEqual([]);
    expect(r.lines[1]).toEqual(JSON.parse(odd));
    expect(r.meta['extra_field']).toEqual({ deep: true });
    expect(r.items).toEqual([{ type: 'world_state', payload: { x: [1, 2] } }]);
  });

  it('reports blank lines, invalid JSON and a torn tail by line number, keeping the rest', async () => {
    const p = await file(
      [meta(), '', user('a'), '{"timestamp": oops', '   ', item('b'), '{"timestamp":"x","ty'].join('\n'),
    );
    const r = await readRollout(p);
    expect(r.lines).toHaveLength(3);
    expect(r.lineNumbers).toEqual([1, 3, 6]);
    expect(r.errors.map((e) => e.line)).toEqual([2, 4, 5, 7]);
    expect(r.errors[0]!.message).toBe('blank line');
    expect(r.errors[1]!.message).toMatch(/^invalid JSON/);
    expect(r.errors[3]!.message).toMatch(/^torn last line/);
  });

  it('accepts a complete last line without a newline', async () => {
    const p = await file([meta(), user('a')].join('\n'));
    const r = await readRollout(p);
    expect(r.errors).toEqual([]);
    expect(r.items).toHaveLength(1);
  });

  it('reads CRLF and a BOM, reporting each once', async () => {
    const p = await file('\uFEFF' + [meta(), user('a'), item('b')].join('\r\n') + '\r\n');
    const r = await readRollout(p);
    expect(r.items).toHaveLength(2);
    expect(r.errors).toEqual([
      { line: 1, kind: 'bom', message: expect.stringMatching(/byte order mark/) },
      { line: 1, kind: 'crlf', message: expect.stringMatching(/CRLF/) },
    ]);
  });

  it('reports invalid UTF-8 on the right line and keeps the line', async () => {
    const bad = Buffer.concat([
      Buffer.from(meta() + '\n' + user('a') + '\n'),
      Buffer.from(
        '{"timestamp":"' + TS + '","type":"event_msg","payload":{"type":"user_message","message":"',
      ),
      Buffer.from([0xff, 0xfe, 0x41]),
      Buffer.from('"}}\n'),
    ]);
    const r = await readRollout(await file(bad));
    expect(r.errors).toEqual([
      { line: 3, kind: 'bad-utf8', message: expect.stringMatching(/invalid UTF-8/) },
    ]);
    expect(r.items).toHaveLength(2);
  });

  it('reports lines that are JSON but not envelopes', async () => {
    const p = await file(
      [meta(), '[1,2]', '"str"', '{"type":"event_msg"}', '{"payload":{}}'].join('\n') + '\n',
    );
    const r = await readRollout(p);
    expect(r.errors.map((e) => [e.line, e.message])).toEqual([
      [2, 'not a JSON object (array)'],
      [3, 'not a JSON object (string)'],
      [4, '"event_msg" line has no "payload"'],
      [5, 'no "type" string in the envelope'],
    ]);
  });

  it('reads a paginated file and checks its ordinals', async () => {
    const lines = [
      JSON.stringify({ ...JSON.parse(meta({ history_mode: 'paginated' })), ordinal: 0 }),
      JSON.stringify({ ...JSON.parse(user('a')), ordinal: 1 }),
      JSON.stringify({ ...JSON.parse(item('b')), ordinal: 2 }),
      JSON.stringify({ ...JSON.parse(item('c')), ordinal: 4 }),
    ];
    const r = await readRollout(await file(lines.join('\n') + '\n'));
    expect(r.format).toBe('paginated');
    expect(r.lastOrdinal).toBe(4);
    expect(r.errors).toEqual([{ line: 4, kind: 'ordinal-gap', message: 'ordinal 4 where 3 was expected' }]);
  });

  it('reads the legacy bare format', async () => {
    const lines = [
      JSON.stringify({
        id: ID,
        timestamp: '2025-06-01T10:00:00.000Z',
        instructions: 'be nice',
        git: { branch: 'main' },
      }),
      JSON.stringify({ type: 'message', role: 'user', content: [{ type: 'input_text', text: 'old' }] }),
      JSON.stringify({ record_type: 'state' }),
      JSON.stringify({ type: 'function_call', name: 'shell', arguments: '{}', call_id: 'c1' }),
    ];
    const r = await readRollout(await file(lines.join('\n') + '\n'));
    expect(r.errors).toEqual([]);
    expect(r.format).toBe('legacy');
    expect(r.meta).toMatchObject({ id: ID, base_instructions: { text: 'be nice' }, git: { branch: 'main' } });
    expect(r.items.map((i) => i.type)).toEqual(['response_item', 'state', 'response_item']);
    expect(r.items[0]!.payload).toEqual(JSON.parse(lines[1]!));
  });

  it('collects workspace_snapshot links', async () => {
    const snap = {
      message_id: 'm1',
      commit: 'a'.repeat(40),
      tree: 'b'.repeat(40),
      workspace: '/w',
      store: '/s',
    };
    const p = await file(
      [meta(), JSON.stringify({ timestamp: TS, type: 'workspace_snapshot', payload: snap })].join('\n') +
        '\n',
    );
    expect((await readRollout(p)).snapshots).toEqual([
      { messageId: 'm1', commit: snap.commit, tree: snap.tree, workspace: '/w', store: '/s' },
    ]);
  });

  it('reads a line longer than the read chunk and reports one over maxLineBytes', async () => {
    const big = 'x'.repeat(3 * 1024 * 1024);
    const p = await file([meta(), user(big), user('small')].join('\n') + '\n');
    const r = await readRollout(p);
    expect(r.errors).toEqual([]);
    expect((r.items[0]!.payload as { message: string }).message).toBe(big);
    const r2 = await readRollout(p, { maxLineBytes: 1024 * 1024 });
    expect(r2.errors).toEqual([{ line: 2, kind: 'too-long', message: expect.stringMatching(/longer than/) }]);
    expect(r2.items).toHaveLength(1);
  });

  describe.each([
    ['an empty file', '', /empty file/],
    ['whitespace only', '\n  \n\n', /only blank lines/],
    ['no session_meta first', [user('a'), meta()].join('\n') + '\n', /no session_meta/],
    ['garbage only', 'garbage\n{oops\n', /no session_meta line/],
  ])('refuses %s', (_name, content, message) => {
    it('with InvalidRolloutError naming the path', async () => {
      const p = await file(content);
      const err = await readRollout(p).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(InvalidRolloutError);
      expect((err as InvalidRolloutError).path).toBe(p);
      expect((err as Error).message).toMatch(message);
    });
  });

  it('a file the system cannot open is E_IO with its errno; a folder is not a rollout', async () => {
    const dir = await tempDir();
    const missing = path.join(dir, 'nope.jsonl');
    const err = await readRollout(missing).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RolloutIOError);
    expect(err).toMatchObject({ code: 'E_IO', errno: 'ENOENT', path: missing });
    expect((err as Error).message).toMatch(/nope\.jsonl.*no such file/i);
    await expect(streamRollout(missing).next()).rejects.toMatchObject({ code: 'E_IO', errno: 'ENOENT' });
    await mkdir(path.join(dir, 'x.jsonl'));
    await expect(readRollout(path.join(dir, 'x.jsonl'))).rejects.toThrow(/is a folder/);
    await expect(readRollout(path.join(dir, 'x.jsonl'))).rejects.toBeInstanceOf(InvalidRolloutError);
    await symlink('loop.jsonl', path.join(dir, 'loop.jsonl'));
    await expect(readRollout(path.join(dir, 'loop.jsonl'))).rejects.toMatchObject({
      code: 'E_IO',
      errno: 'ELOOP',
    });
  });
});

describe('streamRollout', () => {
  it('yields the same lines as readRollout, across chunk boundaries', async () => {
    const lines = [meta()];
    for (let i = 0; i < 3000; i++)
      lines.push(i % 3 === 0 ? user(`u${i} ${'y'.repeat(i % 700)}`) : item(`a${i} ✓ 日本`));
    const p = await file(lines.join('\n') + '\n');
    const streamed = [];
    for await (const line of streamRollout(p)) streamed.push(line);
    expect(streamed).toEqual(lines.map((l) => JSON.parse(l)));
    expect((await readRollout(p)).lines).toEqual(streamed);
  });

  it('stops on abort', async () => {
    const p = await file([meta(), user('a')].join('\n') + '\n');
    const ac = new AbortController();
    ac.abort(new Error('stop'));
    await expect(async () => {
      for await (const _ of streamRollout(p, { signal: ac.signal })) void _;
    }).rejects.toThrow('stop');
  });

  it('reports problems through onProblem as they are found', async () => {
    const p = await file([meta(), 'nope', user('a')].join('\n') + '\n');
    const seen: number[] = [];
    let count = 0;
    for await (const _ of streamRollout(p, { onProblem: (e) => seen.push(e.line) })) count++;
    expect(seen).toEqual([2]);
    expect(count).toBe(2);
  });
});

describe('readRollout on special files', () => {
  it('refuses a FIFO instead of blocking on it', async () => {
    const dir = await tempDir();
    const fifo = path.join(dir, 'fifo.jsonl');
    const { execFileSync } = await import('node:child_process');
    execFileSync('mkfifo', [fifo]);
    await expect(readRollout(fifo)).rejects.toThrow(/is not a regular file/);
  });
});

describe('a tail torn inside a multi-byte character', () => {
  it('is one problem, the torn line, not also bad UTF-8', async () => {
    const whole = Buffer.from(user('日本語のメッセージ'));
    const cut = whole.subarray(0, whole.indexOf(Buffer.from('語')) + 1); // inside the 3-byte 語
    const p = await file(Buffer.concat([Buffer.from(meta() + '\n' + user('a') + '\n'), cut]));
    const r = await readRollout(p);
    expect(r.errors).toEqual([{ line: 3, kind: 'torn', message: expect.stringMatching(/^torn last line/) }]);
  });

  it('a complete last line without a newline still reports its bad bytes', async () => {
    const bad = Buffer.concat([
      Buffer.from(meta() + '\n'),
      Buffer.from(`{"timestamp":"${TS}","type":"event_msg","payload":{"type":"user_message","message":"x`),
      Buffer.from([0xff]),
      Buffer.from('"}}'),
    ]);
    const r = await readRollout(await file(bad));
    expect(r.errors).toEqual([
      { line: 2, kind: 'bad-utf8', message: expect.stringMatching(/invalid UTF-8/) },
    ]);
    expect(r.items).toHaveLength(1);
  });
});
