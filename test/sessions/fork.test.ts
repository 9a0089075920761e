import { readFile, unlink } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import {
  MessageNotFoundError,
  RolloutRecorder,
  forkSession,
  listSessions,
  readRollout,
} from '../../src/index.js';
import { makeHome, makeRepo } from '../helpers/snapshot-fixtures.js';
import { writeRollout, zstdCompress } from '../helpers/rollout-files.js';

async function threeTurns(home: string, ws: string) {
  const rec = await RolloutRecorder.create({ home, cwd: ws, modelProvider: 'mock' });
  const u1 = await rec.recordUserMessage('first question');
  const a1 = await rec.recordAssistantMessage('first answer');
  await rec.snapshot();
  const u2 = await rec.recordUserMessage('second question');
  const a2 = await rec.recordAssistantMessage('second answer');
  await rec.snapshot();
  const u3 = await rec.recordUserMessage('third question');
  await rec.close();
  return { rec, ids: [u1, a1, u2, a2, u3] };
}

const messages = (items: { type: string; payload: unknown }[]): string[] =>
  items.flatMap((i) => {
    const p = i.payload as { type?: string; role?: string; content?: { text?: string }[] };
    return i.type === 'response_item' && p.type === 'message' ? [`${p.role}: ${p.content?.[0]?.text}`] : [];
  });

describe('forkSession', () => {
  it('keeps the history up to and including the message, names its source, and leaves the source untouched', async () => {
    const home = await makeHome();
    const ws = await makeRepo();
    const { rec, ids } = await threeTurns(home, ws);
    const before = await readFile(rec.path);

    const fork = await forkSession(rec.id, { home, atMessage: ids[1] });
    expect(await readFile(rec.path)).toEqual(before);
    expect(fork.forkedFrom).toBe(rec.id);
    expect(fork.id).not.toBe(rec.id);
    expect(fork.atMessage).toBe(ids[1]);
    expect(fork.messages).toEqual(ids.slice(0, 2));

    const read = await readRollout(fork.path);
    expect(read.errors).toEqual([]);
    expect(read.meta).toMatchObject({ id: fork.id, session_id: fork.id, forked_from_id: rec.id, cwd: ws });
    // Codex's form for a plain thread: the source's session_meta is the first item.
    expect(read.items[0]).toMatchObject({
      type: 'session_meta',
      payload: { id: rec.id, history_mode: 'legacy' },
    });
    expect(messages(read.items)).toEqual(['user: first question', 'assistant: first answer']);
    const events = read.items
      .filter((i) => i.type === 'event_msg')
      .map((i) => (i.payload as { type: string }).type);
    expect(events).toEqual(['user_message', 'agent_message']);
    // The first message's snapshot (taken after the answer) carries over, naming its session.
    expect(fork.snapshots.map((s) => s.messageId)).toEqual([ids[1]]);
    const link = read.items.find((i) => i.type === 'workspace_snapshot')!;
    expect(link.payload).toMatchObject({ message_id: ids[1], session_id: rec.id });

    const listed = await listSessions({ home });
    expect(listed.sessions.map((s) => s.id).sort()).toEqual([rec.id, fork.id].sort());
    expect(listed.sessions.find((s) => s.id === fork.id)?.preview).toBe('first question');
  });

  it('copies everything without atMessage, and the fork can be resumed and forked again', async () => {
    const home = await makeHome();
    const ws = await makeRepo();
    const { rec, ids } = await threeTurns(home, ws);
    const fork = await forkSession(rec.id.slice(0, 13), { home });
    expect(fork.messages).toEqual(ids);
    expect(fork.snapshots).toHaveLength(2);
    const { recorder } = await RolloutRecorder.resume(fork.id, { home });
    const more = await recorder.recordAssistantMessage('third answer, in the fork');
    await recorder.close();
    const again = await forkSession(fork.id, { home, atMessage: ids[3] });
    expect(again.forkedFrom).toBe(fork.id);
    const read = await readRollout(again.path);
    expect(messages(read.items)).toEqual([
      'user: first question',
      'assistant: first answer',
      'user: second question',
      'assistant: second answer',
    ]);
    expect(read.items.filter((i) => i.type === 'session_meta')).toHaveLength(1);
    // Links keep naming the session whose refs hold them, through a fork of a fork.
    for (const l of read.items.filter((i) => i.type === 'workspace_snapshot')) {
      expect(l.payload).toMatchObject({ session_id: rec.id });
    }
    expect(more).toMatch(/^msg_/);
  });

  it('refuses a message the session does not have, writing nothing', async () => {
    const home = await makeHome();
    const ws = await makeRepo();
    const { rec } = await threeTurns(home, ws);
    await expect(forkSession(rec.id, { home, atMessage: 'msg_nope' })).rejects.toBeInstanceOf(
      MessageNotFoundError,
    );
    await expect(forkSession(rec.id, { home, atMessage: 'msg_nope' })).rejects.toMatchObject({
      code: 'E_NO_MESSAGE',
    });
    expect((await listSessions({ home })).sessions).toHaveLength(1);
    await expect(forkSession(rec.id, { home, atMessage: '' })).rejects.toMatchObject({
      code: 'ERR_INVALID_ARG_VALUE',
    });
  });

  it('forks an archived .jsonl.zst session as any other; refuses the legacy bare format', async () => {
    const home = await makeHome();
    const zst = await writeRollout(home, {
      createdAt: Date.UTC(2026, 10, 20, 9),
      userMessage: 'compressed hello',
      archived: true,
    });
    if (!zstdCompress(zst.path)) return; // no zstd binary here
    await unlink(zst.path);
    const fork = await forkSession(zst.id, { home });
    const read = await readRollout(fork.path);
    expect(read.errors).toEqual([]);
    expect(read.meta.forked_from_id).toBe(zst.id);
    expect(JSON.stringify(read.items)).toContain('compressed hello');

    const legacy = await writeRollout(home, { createdAt: Date.UTC(2026, 10, 20, 8), style: 'legacy' });
    await expect(forkSession(legacy.id, { home })).rejects.toMatchObject({ code: 'E_BAD_ROLLOUT' });
  });
});
