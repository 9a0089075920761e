import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { RolloutRecorder, SnapshotStore, listSessionSnapshots } from '../../src/index.js';
import { makeHome, makeRepo } from '../helpers/snapshot-fixtures.js';

describe('listSessionSnapshots', () => {
  it('merges the rollout links and the stores, each (store, message) once', async () => {
    const home = await makeHome();
    const ws = await makeRepo({ 'a.txt': 'one\n' });
    const rec = await RolloutRecorder.create({ cwd: ws, home });
    await rec.recordUserMessage('go');
    const m1 = await rec.snapshot('m1');
    await writeFile(path.join(ws, 'a.txt'), 'two\n');
    // Captured outside the rollout (as the hook does while a writer holds the session).
    const store = await SnapshotStore.open({ workspace: ws, home });
    const m2 = await store.capture({ sessionId: rec.id, messageId: 'm2' });
    // Linked in the rollout only, to a store that is gone.
    await rec.record([
      {
        type: 'workspace_snapshot',
        payload: {
          message_id: 'm0',
          commit: 'c'.repeat(40),
          tree: 't'.repeat(40),
          workspace: ws,
          store: path.join(home, 'snapshots', 'gone'),
        },
      },
    ]);
    await rec.close();
    const links = await listSessionSnapshots(rec.id.slice(0, 13), { home });
    expect(links.map((l) => [l.messageId, l.inRollout, l.inStore])).toEqual([
      ['m1', true, true],
      ['m0', true, false],
      ['m2', false, true],
    ]);
    expect(links[0]).toMatchObject({ commit: m1.commit, store: store.path, workspace: store.workspace });
    expect(links[2]).toMatchObject({ commit: m2.commit, store: store.path, capturedAt: m2.capturedAt });
  });

  it('a session without snapshots and a home without stores: none', async () => {
    const home = await makeHome();
    const rec = await RolloutRecorder.create({ cwd: home, home, git: false });
    await rec.recordUserMessage('hi');
    await rec.close();
    expect(await listSessionSnapshots(rec.id, { home })).toEqual([]);
  });
});
