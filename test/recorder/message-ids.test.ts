import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { RolloutRecorder, SnapshotStore, readRollout } from '../../src/index.js';
import { makeHome, makeRepo, writeTree } from '../helpers/snapshot-fixtures.js';
import { tempDir } from '../helpers/temp.js';

// Codex CLI 0.169 writes its own messages as {"type":"message","id":"msg_<uuidv7>","role",…}.
const MESSAGE_ID = /^msg_[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('message ids', () => {
  it('recordUserMessage and recordAssistantMessage resolve to the id written on the line', async () => {
    const home = await tempDir();
    const rec = await RolloutRecorder.create({ cwd: home, home, git: false });
    const user = await rec.recordUserMessage('hi', { images: ['data:image/png;base64,AAAA'] });
    const assistant = await rec.recordAssistantMessage('hello');
    await rec.close();
    expect(user).toMatch(MESSAGE_ID);
    expect(assistant).toMatch(MESSAGE_ID);
    expect(assistant).not.toBe(user);

    // On disk as Codex writes it: `id` right after `type`.
    const lines = (await readFile(rec.path, 'utf8')).trimEnd().split('\n');
    expect(lines[1]).toContain(`"payload":{"type":"message","id":"${user}","role":"user"`);
    expect(lines[3]).toContain(`"payload":{"type":"message","id":"${assistant}","role":"assistant"`);

    const read = await readRollout(rec.path);
    expect(read.errors).toEqual([]);
    const ids = read.items.flatMap((i) =>
      i.type === 'response_item' && i.payload.type === 'message' ? [i.payload.id] : [],
    );
    expect(ids).toEqual([user, assistant]);
  });

  it('gives every message its own id, in time order', async () => {
    const home = await tempDir();
    const rec = await RolloutRecorder.create({ cwd: home, home, git: false });
    const ids: string[] = [];
    for (let i = 0; i < 200; i++) ids.push(await rec.recordUserMessage(`m${i}`));
    await rec.close();
    expect(new Set(ids).size).toBe(200);
    expect([...ids].sort()).toEqual(ids);
  });
});

describe('RolloutRecorder.snapshot without a message id', () => {
  it('links the last recorded message of either role', async () => {
    const home = await makeHome();
    const ws = await makeRepo({ 'a.txt': 'a\n' });
    const rec = await RolloutRecorder.create({ cwd: ws, home });
    const user = await rec.recordUserMessage('change a');
    const first = await rec.snapshot();
    await writeTree(ws, { 'a.txt': 'b\n' });
    const assistant = await rec.recordAssistantMessage('changed');
    const second = await rec.snapshot({ metadata: { turn: 1 } });
    await rec.close();
    expect(first.messageId).toBe(user);
    expect(second.messageId).toBe(assistant);
    const read = await readRollout(rec.path);
    expect(read.snapshots.map((s) => s.messageId)).toEqual([user, assistant]);
    const store = await SnapshotStore.open({ workspace: ws, home });
    expect((await store.list({ sessionId: rec.id })).map((s) => [s.messageId, s.metadata])).toEqual([
      [user, null],
      [assistant, { turn: 1 }],
    ]);
  });

  it('links the last message a harness recorded with its own id through record()', async () => {
    const home = await makeHome();
    const ws = await makeRepo();
    const rec = await RolloutRecorder.create({ cwd: ws, home });
    await rec.recordUserMessage('hi');
    await rec.record([
      {
        type: 'response_item',
        payload: {
          type: 'message',
          id: 'my-own-id',
          role: 'assistant',
          content: [{ type: 'output_text', text: 'x' }],
        },
      },
      // Not a user or assistant message: not a message a snapshot belongs to.
      {
        type: 'response_item',
        payload: {
          type: 'message',
          id: 'dev-1',
          role: 'developer',
          content: [{ type: 'input_text', text: 'y' }],
        },
      },
    ]);
    expect((await rec.snapshot()).messageId).toBe('my-own-id');
    await rec.close();
  });

  it('links the last message on disk after resume', async () => {
    const home = await makeHome();
    const ws = await makeRepo();
    const rec = await RolloutRecorder.create({ cwd: ws, home });
    const id = await rec.recordAssistantMessage('before');
    await rec.close();
    const { recorder } = await RolloutRecorder.resume(rec.id, { home });
    expect((await recorder.snapshot()).messageId).toBe(id);
    await recorder.close();
  });

  it('rejects with a clear error when no message was recorded yet, recording nothing', async () => {
    const home = await makeHome();
    const ws = await makeRepo();
    const rec = await RolloutRecorder.create({ cwd: ws, home });
    await expect(rec.snapshot()).rejects.toThrow(/no message.*recordUserMessage|messageId/i);
    await expect(rec.snapshot()).rejects.toMatchObject({ code: 'ERR_INVALID_ARG_VALUE' });
    await rec.close();
    expect(await SnapshotStore.open({ workspace: ws, home }).then((s) => s.list())).toEqual([]);
  });

  it('rejects a messageId that is not a non-empty string', async () => {
    const home = await makeHome();
    const ws = await makeRepo();
    const rec = await RolloutRecorder.create({ cwd: ws, home });
    await expect(rec.snapshot('')).rejects.toThrow(TypeError);
    await expect(rec.snapshot(7 as unknown as string)).rejects.toThrow(TypeError);
    await rec.close();
  });
});

describe('RolloutRecorder.snapshot result', () => {
  it('is the CaptureResult SnapshotStore.capture returns', async () => {
    const home = await makeHome();
    const ws = await makeRepo({ 'a.txt': 'a\n' });
    const rec = await RolloutRecorder.create({ cwd: path.join(ws, '.'), home });
    await rec.recordUserMessage('one');
    const snap = await rec.snapshot();
    await rec.close();
    const store = await SnapshotStore.open({ workspace: ws, home });
    await writeTree(ws, { 'b.txt': 'b\n' });
    const direct = await store.capture({ sessionId: rec.id, messageId: 'direct' });
    expect(Object.keys(snap).sort()).toEqual(Object.keys(direct).sort());
    const [listed] = await store.list({ sessionId: rec.id });
    expect(snap).toEqual({
      sessionId: rec.id,
      messageId: listed!.messageId,
      commit: listed!.commit,
      tree: listed!.tree,
      parent: null,
      capturedAt: listed!.capturedAt,
      skipped: [],
      changedFiles: [{ path: 'a.txt', status: 'added' }],
    });
    expect(direct.parent).toBe(snap.commit);
  });
});
