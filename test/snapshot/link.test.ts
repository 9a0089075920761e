import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { captureForRollout } from '../../src/snapshot/link.js';
import { SnapshotStore } from '../../src/snapshot/snapshot-store.js';
import { makeHome, makeRepo, writeTree } from '../helpers/snapshot-fixtures.js';

describe('captureForRollout', () => {
  it('returns a fresh capture and the workspace_snapshot payload that links it', async () => {
    const ws = await makeRepo({ 'a.txt': 'a\n' });
    const home = await makeHome();
    const first = await captureForRollout({
      workspace: path.join(ws, '.'),
      home,
      sessionId: 's',
      messageId: 'm1',
    });
    await writeTree(ws, { 'b.txt': 'b\n' });
    const second = await captureForRollout({ workspace: ws, home, sessionId: 's', messageId: 'm2' });
    const store = await SnapshotStore.open({ workspace: ws, home });
    const [one, two] = await store.list({ sessionId: 's' });
    expect(first.payload).toEqual({
      message_id: 'm1',
      commit: one?.commit,
      tree: one?.tree,
      workspace: ws,
      store: store.path,
    });
    expect(first.capture).toMatchObject({
      sessionId: 's',
      messageId: 'm1',
      commit: one?.commit,
      parent: null,
    });
    expect(second.capture.commit).toBe(two?.commit);
    expect(two?.parent).toBe(one?.commit);
  });
});
