import { existsSync, readdirSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RecorderClosedError } from '../../src/errors.js';
import { newSessionId, uuidV7Time } from '../../src/format/ids.js';
import type { RecordItem } from '../../src/format/types.js';
import { homePaths } from '../../src/files/layout.js';
import { isSessionLocked } from '../../src/files/session-lock.js';
import { ownVersion } from '../../src/recorder/options.js';
import { RolloutRecorder } from '../../src/recorder/recorder.js';
import { readRollout } from '../../src/reader/read.js';
import { startRecorderChild } from '../helpers/recorder-child-runner.js';
import { tempDir } from '../helpers/temp.js';

/** Every line of a rollout file, parsed. */
async function linesOf(file: string): Promise<Record<string, unknown>[]> {
  const text = await readFile(file, 'utf8');
  expect(text.endsWith('\n')).toBe(true);
  return text
    .slice(0, -1)
    .split('\n')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

const event = (n: number): RecordItem => ({ type: 'event_msg', payload: { type: 'probe', n } });

describe('RolloutRecorder.create', () => {
  it('creates the file at the first record, never before, and takes the lock at once', async () => {
    const home = await tempDir();
    const rec = await RolloutRecorder.create({ cwd: home, home, git: false });
    expect(isSessionLocked(home, rec.id)).toBe(true);
    await rec.flush();
    rec.flushSync();
    expect(existsSync(rec.path)).toBe(false);
    await rec.record([]);
    await rec.flush();
    expect(existsSync(rec.path)).toBe(false);
    await rec.record([event(1)]);
    await rec.flush();
    expect(existsSync(rec.path)).toBe(true);
    await rec.close();
    expect(isSessionLocked(home, rec.id)).toBe(false);
  });

  it('leaves no file and no lock for a session that records nothing', async () => {
    const home = await tempDir();
    const rec = await RolloutRecorder.create({ cwd: home, home, git: false });
    await rec.close();
    expect(existsSync(homePaths.sessions(home))).toBe(false);
    expect(isSessionLocked(home, rec.id)).toBe(false);
  });

  it('names the file after the UTC creation instant and the id', async () => {
    const home = await tempDir();
    const createdAt = new Date('2026-03-04T23:59:58.123Z');
    const rec = await RolloutRecorder.create({ cwd: home, home, git: false, createdAt });
    expect(rec.path).toBe(
      path.join(home, 'sessions', '2026', '03', '04', `rollout-2026-03-04T23-59-58-${rec.id}.jsonl`),
    );
    await rec.close();
  });

  it('writes session_meta first, with every field', async () => {
    const home = await tempDir();
    const rec = await RolloutRecorder.create({
      cwd: home,
      home,
      git: false,
      modelProvider: 'openai',
      baseInstructions: 'Be brief.',
      source: 'exec',
    });
    await rec.record([event(1)]);
    await rec.close();
    const [first, second] = await linesOf(rec.path);
    const payload = first!['payload'] as Record<string, unknown>;
    expect(first!['type']).toBe('session_meta');
    expect(Object.keys(first!)).toEqual(['timestamp', 'type', 'payload']);
    expect(payload).toEqual({
      id: rec.id,
      session_id: rec.id,
      timestamp: first!['timestamp'],
      cwd: home,
      originator: 'agent-rollouts',
      cli_version: ownVersion(),
      source: 'exec',
      model_provider: 'openai',
      base_instructions: { text: 'Be brief.' },
    });
    expect(second).toMatchObject({ type: 'event_msg', payload: { type: 'probe', n: 1 } });
    expect(second!['timestamp']).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  });

  it('writes base_instructions null and no model_provider by default', async () => {
    const home = await tempDir();
    const rec = await RolloutRecorder.create({ cwd: home, home, git: false });
    await rec.record([event(1)]);
    await rec.close();
    const payload = (await linesOf(rec.path))[0]!['payload'] as Record<string, unknown>;
    expect(payload['base_instructions']).toBeNull();
    expect(payload).not.toHaveProperty('model_provider');
    expect(payload['source']).toBe('cli');
  });

  it('gives the id the same millisecond as session_meta.timestamp', async () => {
    const home = await tempDir();
    await fc.assert(
      fc.asyncProperty(
        fc.date({
          min: new Date('2000-01-01T00:00:00Z'),
          max: new Date('2200-01-01T00:00:00Z'),
          noInvalidDate: true,
        }),
        async (createdAt) => {
          const rec = await RolloutRecorder.create({ cwd: home, home, git: false, createdAt });
          await rec.record([event(0)]);
          await rec.close();
          const meta = (await readRollout(rec.path)).meta;
          expect(meta.timestamp).toBe(createdAt.toISOString());
          expect(uuidV7Time(rec.id)).toBe(Date.parse(meta.timestamp));
        },
      ),
      { numRuns: 30 },
    );
  });

  it('makes folders 0700 and files 0600', async () => {
    const root = await tempDir();
    const home = path.join(root, 'home');
    const rec = await RolloutRecorder.create({ cwd: root, home, git: false });
    await rec.record([event(1)]);
    await rec.close();
    for (let d = path.dirname(rec.path); d !== path.dirname(home); d = path.dirname(d)) {
      expect([d, statSync(d).mode & 0o777]).toEqual([d, 0o700]);
    }
    expect(statSync(homePaths.locks(home)).mode & 0o777).toBe(0o700);
    expect(statSync(rec.path).mode & 0o777).toBe(0o600);
    expect(statSync(homePaths.lock(home, rec.id)).mode & 0o777).toBe(0o600);
    // The staging file of the first write is gone.
    expect(readdirSync(path.dirname(rec.path))).toEqual([path.basename(rec.path)]);
  });

  it('refuses to create a session whose file exists', async () => {
    const home = await tempDir();
    const rec = await RolloutRecorder.create({ cwd: home, home, git: false });
    await rec.record([event(1)]);
    await rec.close();
    await expect(RolloutRecorder.create({ cwd: home, home, git: false, id: rec.id })).rejects.toMatchObject({
      code: 'E_IO',
      path: rec.path,
    });
    // …and the failed create released the lock it took.
    expect(isSessionLocked(home, rec.id)).toBe(false);
  });
});

describe('recording', () => {
  it('records a user turn and an assistant reply as the Codex CLI does', async () => {
    const home = await tempDir();
    const rec = await RolloutRecorder.create({ cwd: home, home, git: false });
    const ids = [
      await rec.recordUserMessage('Look at this', { images: ['data:image/png;base64,AAAA'] }),
      await rec.recordUserMessage('plain'),
      await rec.recordAssistantMessage('Done.'),
    ];
    await rec.close();
    const items = (await readRollout(rec.path)).items;
    expect(items).toEqual([
      {
        type: 'response_item',
        payload: {
          type: 'message',
          id: ids[0],
          role: 'user',
          content: [
            { type: 'input_text', text: 'Look at this' },
            { type: 'input_image', image_url: 'data:image/png;base64,AAAA' },
          ],
        },
      },
      {
        type: 'event_msg',
        payload: { type: 'user_message', message: 'Look at this', images: ['data:image/png;base64,AAAA'] },
      },
      {
        type: 'response_item',
        payload: {
          type: 'message',
          id: ids[1],
          role: 'user',
          content: [{ type: 'input_text', text: 'plain' }],
        },
      },
      { type: 'event_msg', payload: { type: 'user_message', message: 'plain' } },
      {
        type: 'response_item',
        payload: {
          type: 'message',
          id: ids[2],
          role: 'assistant',
          content: [{ type: 'output_text', text: 'Done.' }],
        },
      },
      { type: 'event_msg', payload: { type: 'agent_message', message: 'Done.' } },
    ]);
  });

  it('keeps call order across many concurrent record() calls', async () => {
    const home = await tempDir();
    // A small bound, so many of the calls wait for the writer on the way.
    const rec = await RolloutRecorder.create({ cwd: home, home, git: false, maxQueuedBytes: 2000 });
    const calls: Promise<void>[] = [];
    for (let n = 0; n < 3000; n++) {
      calls.push(rec.record(n % 3 === 0 ? [event(n), event(n + 0.5)] : [event(n)]));
    }
    await Promise.all(calls);
    await rec.close();
    const ns = (await readRollout(rec.path)).items.map((i) => (i.payload as { n: number }).n);
    const expected: number[] = [];
    for (let n = 0; n < 3000; n++) expected.push(...(n % 3 === 0 ? [n, n + 0.5] : [n]));
    expect(ns).toEqual(expected);
  });

  it('records what the toJSON of a payload gives, as JSON.stringify does', async () => {
    const home = await tempDir();
    const rec = await RolloutRecorder.create({ cwd: home, home, git: false });
    await rec.record([{ type: 'event_msg', payload: { toJSON: () => ({ type: 'probe', n: 7 }) } as never }]);
    await rec.close();
    expect((await readRollout(rec.path)).items).toEqual([event(7)]);
  });

  it('records a workspace_snapshot item like any other', async () => {
    const home = await tempDir();
    const rec = await RolloutRecorder.create({ cwd: home, home, git: false });
    const payload = {
      message_id: 'm1',
      commit: 'c'.repeat(40),
      tree: 't'.repeat(40),
      workspace: home,
      store: 's',
    };
    await rec.record([{ type: 'workspace_snapshot', payload }]);
    await rec.close();
    expect((await readRollout(rec.path)).snapshots).toEqual([
      { messageId: 'm1', commit: payload.commit, tree: payload.tree, workspace: home, store: 's' },
    ]);
  });

  it.each<[string, unknown[], RegExp]>([
    ['a missing type', [{ payload: {} }], /type/],
    ['a session_meta item', [{ type: 'session_meta', payload: {} }], /session_meta/],
    ['an undefined payload', [{ type: 'event_msg', payload: undefined }], /not a JSON value/],
    ['a BigInt payload', [{ type: 'event_msg', payload: { n: 1n } }], /cannot be serialized/],
    [
      'a payload whose toJSON gives nothing',
      [{ type: 'event_msg', payload: { toJSON: () => undefined } }],
      /JSON value/,
    ],
  ])('rejects %s with a TypeError and records nothing of the call', async (_name, bad, message) => {
    const home = await tempDir();
    const rec = await RolloutRecorder.create({ cwd: home, home, git: false });
    await expect(rec.record([event(1), ...bad] as RecordItem[])).rejects.toThrow(message);
    await expect(rec.record(event(1) as unknown as RecordItem[])).rejects.toThrow(/array/);
    await rec.record([event(2)]);
    await rec.close();
    expect((await readRollout(rec.path)).items).toEqual([event(2)]);
  });

  it('round-trips any Unicode content through the reader', async () => {
    const home = await tempDir();
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.string({ unit: 'binary' }), { minLength: 1, maxLength: 8 }),
        fc.dictionary(fc.string({ unit: 'binary' }), fc.string({ unit: 'binary' }), { maxKeys: 4 }),
        async (texts, extra) => {
          const rec = await RolloutRecorder.create({ cwd: home, home, git: false });
          const items: RecordItem[] = texts.map((text) => ({
            type: 'response_item',
            payload: { type: 'message', role: 'user', content: [{ type: 'input_text', text }], extra },
          }));
          await rec.record(items);
          await rec.recordAssistantMessage(texts[0]!);
          await rec.close();
          const s = await readRollout(rec.path);
          expect(s.errors).toEqual([]);
          expect(s.items.slice(0, items.length)).toEqual(JSON.parse(JSON.stringify(items)));
          expect((s.items.at(-1)!.payload as { message: string }).message).toBe(texts[0]);
        },
      ),
      { numRuns: 40 },
    );
  });

  it('rejects records after close() with RecorderClosedError; close() twice is fine', async () => {
    const home = await tempDir();
    const rec = await RolloutRecorder.create({ cwd: home, home, git: false });
    await rec.record([event(1)]);
    await rec.close();
    await rec.close();
    await expect(rec.record([event(2)])).rejects.toBeInstanceOf(RecorderClosedError);
    await expect(rec.recordUserMessage('x')).rejects.toMatchObject({ code: 'E_CLOSED', id: rec.id });
    await rec.flush();
    expect((await readRollout(rec.path)).items).toEqual([event(1)]);
  });

  it('writes everything with flushSync()', async () => {
    const home = await tempDir();
    const rec = await RolloutRecorder.create({ cwd: home, home, git: false, durability: 'fsync' });
    void rec.record([event(1), event(2)]);
    rec.flushSync();
    expect((await readRollout(rec.path)).items).toEqual([event(1), event(2)]);
    await rec.close();
  });

  it('saves what is queued from an exit hook with flushSync()', async () => {
    const home = await tempDir();
    const child = startRecorderChild('exit', { home, id: newSessionId() });
    const { path: file } = (await child.waitFor((m) => typeof m['path'] === 'string')) as { path: string };
    expect((await child.exited).code).toBe(0);
    const s = await readRollout(file);
    expect(s.errors).toEqual([]);
    expect(s.items.map((i) => (i.payload as { n: number }).n)).toEqual([0, 1, 2]);
  });
});
