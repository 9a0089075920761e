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

    expect(first).toMatchObject({
      sessionId: rec.id,
      messageId: 'msg-1',
      commit: expect.stringMatching(/^[0-9a-f]{40}$/),
      parent: null,
    });
    expect(second.commit).not.toBe(first.commit);
    expect(second.parent).toBe(first.commit);

    const read = await readRollout(rec.path);
    expect(read.errors).toEqual([]);
    // The workspace is the Git top level even though cwd is a subfolder.
    const store = await SnapshotStore.open({ workspace: ws, home });
    expect(read.snapshots).toEqual([
      { messageId: 'msg-1', commit: first.commit, tree: first.tree, workspace: ws, store: store.path },
      { messageId: 'msg-2', commit: second.commit, tree: second.tree, workspace: ws, store: store.path },
    ]);
    expect(store.path.startsWith(path.join(home, 'snapshots'))).toBe(true);
    expect(read.items.map((i) => i.type)).toEqual([
      'response_item',
      'event_msg',
      'workspace_snapshot',
      'response_item',
      'event_msg',
      'workspace_snapshot',
    ]);

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
    await recorder.snapshot('after-resume');
    await recorder.close();
    expect((await readRollout(rec.path)).snapshots.map((s) => s.workspace)).toEqual([ws]);
  });
});
