import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  RecorderClosedError,
  RolloutRecorder,
  SnapshotExistsError,
  SnapshotStore,
  readRollout,
} from '../../src/index.js';
import { hashTree, makeHome, makeRepo } from '../helpers/snapshot-fixtures.js';
import { tempDir } from '../helpers/temp.js';

describe('RolloutRecorder.snapshot', () => {
  it('links each message to a commit of the workspace that restores byte for byte', async () => {
    const home = await makeHome();
    const ws = await makeRepo({ 'src/a.ts': 'export const a = 1;\n' });
    const gitBefore = await hashTree(path.join(ws, '.git'));
    const rec = await RolloutRecorder.create({ cwd: path.join(ws, 'src'), home });
    await rec.recordUserMessage('change a');
    const first = await rec.snapshot('msg-1', { metadata: { turn: 1 } });
    await writeFile(path.join(ws, 'src/a.ts'), 'export const a = 2;\n');
    await rec.recordAssistantMessage('changed');
    const second = await rec.snapshot('msg-2');
    await rec.close();

    // The workspace is the Git top level even though cwd is a subfolder.
    expect(first).toMatchObject({
      message_id: 'msg-1',
      workspace: ws,
      commit: expect.stringMatching(/^[0-9a-f]{40}$/),
    });
    expect(second.commit).not.toBe(first.commit);
    expect(first.store.startsWith(path.join(home, 'snapshots'))).toBe(true);

    const read = await readRollout(rec.path);
    expect(read.errors).toEqual([]);
    expect(read.snapshots).toEqual([first, second]);
    expect(read.items.map((i) => i.type)).toEqual([
      'response_item',
      'event_msg',
      'workspace_snapshot',
      'response_item',
      'event_msg',
      'workspace_snapshot',
    ]);

    const store = await SnapshotStore.open({ workspace: ws, home });
    const dest = path.join(await tempDir(), 'turn1');
    await store.restore({ sessionId: rec.id, messageId: 'msg-1' }, { dest });
    expect(await readFile(path.join(dest, 'src/a.ts'), 'utf8')).toBe('export const a = 1;\n');
    expect((await store.list({ sessionId: rec.id })).map((s) => s.metadata)).toEqual([{ turn: 1 }, null]);
    expect(await hashTree(path.join(ws, '.git'))).toBe(gitBefore);
  });

  it('refuses a second snapshot of one message unless replace is set, and after close', async () => {
    const home = await makeHome();
    const ws = await makeRepo();
    const rec = await RolloutRecorder.create({ cwd: ws, home });
    await rec.snapshot('m');
    await expect(rec.snapshot('m')).rejects.toBeInstanceOf(SnapshotExistsError);
    await writeFile(path.join(ws, 'new.txt'), 'x');
    const again = await rec.snapshot('m', { replace: true });
    await rec.close();
    await expect(rec.snapshot('later')).rejects.toBeInstanceOf(RecorderClosedError);
    const read = await readRollout(rec.path);
    expect(read.snapshots.map((s) => s.commit)).toHaveLength(2);
    expect(read.snapshots[1]!.commit).toBe(again.commit);
  });

  it('a resumed session snapshots its own cwd by default', async () => {
    const home = await makeHome();
    const ws = await makeRepo();
    const rec = await RolloutRecorder.create({ cwd: ws, home });
    await rec.recordUserMessage('hi');
    await rec.close();
    const { recorder } = await RolloutRecorder.resume(rec.id, { home });
    const snap = await recorder.snapshot('after-resume');
    await recorder.close();
    expect(snap.workspace).toBe(ws);
  });
});
