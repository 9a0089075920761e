import { chmod, mkdir, readFile, stat, symlink, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  MessageHasNoSnapshotError,
  RolloutRecorder,
  lastRewind,
  listSessions,
  planRewind,
  readRollout,
  rewindSession,
  undoLastRewind,
} from '../../src/index.js';
import { gitDigest, workspaceState } from '../helpers/rewind-state.js';
import { makeHome, makeRepo } from '../helpers/snapshot-fixtures.js';

const texts = (items: { type: string; payload: unknown }[]): string[] =>
  items.flatMap((i) => {
    const p = i.payload as { type?: string; content?: { text?: string }[] };
    return i.type === 'response_item' && p.type === 'message' ? [p.content?.[0]?.text ?? ''] : [];
  });

/** A session of two turns, each answer snapshotted, the workspace changing in between. */
async function session(home: string, ws: string) {
  const rec = await RolloutRecorder.create({ home, cwd: ws });
  await rec.recordUserMessage('make it executable');
  await writeFile(path.join(ws, 'run.sh'), '#!/bin/sh\necho one\n');
  await chmod(path.join(ws, 'run.sh'), 0o755);
  await symlink('run.sh', path.join(ws, 'link'));
  const a1 = await rec.recordAssistantMessage('done');
  await rec.snapshot();
  const stateAtA1 = await workspaceState(ws);
  const u2 = await rec.recordUserMessage('now break it');
  await writeFile(path.join(ws, 'run.sh'), 'broken\n');
  await chmod(path.join(ws, 'run.sh'), 0o644);
  await unlink(path.join(ws, 'link'));
  await mkdir(path.join(ws, 'new'));
  await writeFile(path.join(ws, 'new', 'file.txt'), 'new\n');
  await rec.recordAssistantMessage('broken');
  await rec.snapshot();
  return { rec, a1, u2, stateAtA1 };
}

describe('rewindSession', () => {
  it('puts the workspace at the snapshot and continues in a fork; undo() puts both back; .git never changes', async () => {
    const home = await makeHome();
    const ws = await makeRepo({ 'README.md': '# hi\n' });
    const { rec, a1, stateAtA1 } = await session(home, ws);
    await rec.close();
    const git = await gitDigest(ws);
    const before = await workspaceState(ws);
    const sourceBytes = await readFile(rec.path);

    const plan = await planRewind(rec.id, { home, toMessage: a1 });
    expect(plan.message).toBe(a1);
    expect(plan.messagesDropped).toBe(2);
    expect(plan.changes.map((c) => c.path).sort()).toEqual(['link', 'new/file.txt', 'run.sh']);
    expect(await workspaceState(ws)).toEqual(before);

    const r = await rewindSession(rec.id, { home, toMessage: a1 });
    expect(await workspaceState(ws)).toEqual(stateAtA1);
    expect(await gitDigest(ws)).toBe(git);
    expect(r.message).toBe(a1);
    expect(r.sourceId).toBe(rec.id);
    expect(r.backup.messageId).toMatch(/^restore-backup:/);
    expect(await readFile(rec.path)).toEqual(sourceBytes);

    // The conversation continues from that message, in the fork.
    await r.recorder.recordUserMessage('try again');
    await r.recorder.flush();
    const read = await readRollout(r.session.path);
    expect(texts(read.items)).toEqual(['make it executable', 'done', 'try again']);
    expect(read.meta.forked_from_id).toBe(rec.id);
    const record = await lastRewind({ home });
    expect(record).toMatchObject({ sourceId: rec.id, message: a1, fork: { id: r.session.id } });
    expect((await stat(path.join(home, 'rollouts-last-rewind.json'))).mode & 0o777).toBe(0o600);

    // Recorded into the fork since: undo archives it rather than deleting it.
    const undone = await r.undo();
    expect(undone.forkOutcome).toBe('archived');
    expect(await workspaceState(ws)).toEqual(before);
    expect(await gitDigest(ws)).toBe(git);
    expect((await listSessions({ home })).sessions.map((s) => s.id)).toEqual([rec.id]);
    expect(await lastRewind({ home })).toBeUndefined();
    expect(await r.undo()).toBe(undone);
  });

  it('undoLastRewind deletes an untouched fork: the home lists exactly what it did before', async () => {
    const home = await makeHome();
    const ws = await makeRepo();
    const { rec, a1 } = await session(home, ws);
    await rec.close();
    const before = await workspaceState(ws);
    const r = await rewindSession(rec.id, { home, toMessage: a1 });
    await r.recorder.close();
    expect((await listSessions({ home })).sessions).toHaveLength(2);
    const undone = await undoLastRewind({ home });
    expect(undone.forkOutcome).toBe('deleted');
    expect(await workspaceState(ws)).toEqual(before);
    expect((await listSessions({ home })).sessions.map((s) => s.id)).toEqual([rec.id]);
    await expect(undoLastRewind({ home })).rejects.toMatchObject({ code: 'E_NOTHING_TO_UNDO' });
  });

  it('refuses a message without a snapshot unless nearest, and never guesses a later one', async () => {
    const home = await makeHome();
    const ws = await makeRepo();
    const { rec, a1, u2, stateAtA1 } = await session(home, ws);
    await rec.close();
    const before = await workspaceState(ws);
    const refused = await rewindSession(rec.id, { home, toMessage: u2 }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(MessageHasNoSnapshotError);
    expect(refused).toMatchObject({ code: 'E_NO_SNAPSHOT', nearest: a1 });
    expect(await workspaceState(ws)).toEqual(before);
    expect((await listSessions({ home })).sessions).toHaveLength(1);

    const r = await rewindSession(rec.id, { home, toMessage: u2, nearest: true });
    expect(r.message).toBe(a1);
    expect(await workspaceState(ws)).toEqual(stateAtA1);
    expect(r.session.messages.at(-1)).toBe(a1);
    await r.undo();
    expect(await workspaceState(ws)).toEqual(before);
  });

  it('rec.rewindTo closes the live recorder and returns the one to go on with', async () => {
    const home = await makeHome();
    const ws = await makeRepo();
    const { rec, a1, stateAtA1 } = await session(home, ws);
    const r = await rec.rewindTo(a1);
    await expect(rec.recordUserMessage('late')).rejects.toMatchObject({ code: 'E_CLOSED' });
    expect(await workspaceState(ws)).toEqual(stateAtA1);
    // Rewinding the fork again, to the carried-over snapshot, works too.
    await writeFile(path.join(ws, 'README.md'), 'changed in the fork\n');
    const again = await r.recorder.rewindTo(a1);
    expect(await workspaceState(ws)).toEqual(stateAtA1);
    expect(again.sourceId).toBe(r.session.id);
    await again.recorder.close();
  });

  it('refuses while a writer holds the session, changing nothing', async () => {
    const home = await makeHome();
    const ws = await makeRepo();
    const { rec, a1 } = await session(home, ws);
    const before = await workspaceState(ws);
    await expect(rewindSession(rec.id, { home, toMessage: a1 })).rejects.toMatchObject({
      code: 'E_LOCKED',
    });
    expect(await workspaceState(ws)).toEqual(before);
    expect((await listSessions({ home })).sessions).toHaveLength(1);
    expect(await lastRewind({ home })).toBeUndefined();
    await rec.close();
  });
});
