import { appendFileSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { InvalidRolloutError, SessionLockedError, SessionNotFoundError } from '../../src/errors.js';
import { dateFolder, rolloutFileName } from '../../src/files/layout.js';
import { newSessionId } from '../../src/format/ids.js';
import type { RecordItem } from '../../src/format/types.js';
import { homePaths } from '../../src/files/layout.js';
import { isSessionLocked } from '../../src/files/session-lock.js';
import { RolloutRecorder } from '../../src/recorder/recorder.js';
import { readRollout } from '../../src/reader/read.js';
import { tempDir } from '../helpers/temp.js';

const event = (n: number): RecordItem => ({ type: 'event_msg', payload: { type: 'probe', n } });

async function session(home: string, items: RecordItem[]): Promise<string> {
  const rec = await RolloutRecorder.create({ cwd: home, home, git: false });
  await rec.record(items);
  await rec.close();
  return rec.path;
}

/** A paginated rollout as the Codex CLI 0.169+ writes it, with ordinals 0‥3. */
function paginated(home: string): { file: string; id: string } {
  const createdAt = new Date('2026-05-06T07:08:09.010Z');
  const id = newSessionId(createdAt);
  const dir = path.join(homePaths.sessions(home), dateFolder(createdAt));
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, rolloutFileName(createdAt, id));
  const ts = createdAt.toISOString();
  const lines = [
    {
      timestamp: ts,
      ordinal: 0,
      type: 'session_meta',
      payload: { id, timestamp: ts, cwd: home, history_mode: 'paginated' },
    },
    { timestamp: ts, ordinal: 1, type: 'turn_context', payload: { cwd: home } },
    { timestamp: ts, ordinal: 2, type: 'event_msg', payload: { type: 'user_message', message: 'hi' } },
    { timestamp: ts, ordinal: 3, type: 'world_state', payload: { anything: true } },
  ];
  writeFileSync(file, lines.map((l) => `${JSON.stringify(l)}\n`).join(''));
  return { file, id };
}

describe('RolloutRecorder.resume', () => {
  it('finds a session by id or path and appends after its lines', async () => {
    const home = await tempDir();
    const file = await session(home, [event(1)]);
    const id = (await readRollout(file)).meta.id;

    const byId = await RolloutRecorder.resume(id, { home });
    expect(byId.recorder.id).toBe(id);
    expect(byId.recorder.path).toBe(file);
    expect(byId.session.items).toEqual([event(1)]);
    await byId.recorder.record([event(2)]);
    await byId.recorder.close();

    // By path, the lock is taken in the home the path lies in.
    const byPath = await RolloutRecorder.resume(path.relative(process.cwd(), file));
    expect(isSessionLocked(home, id)).toBe(true);
    await byPath.recorder.record([event(3)]);
    await byPath.recorder.close();

    const s = await readRollout(file);
    expect(s.errors).toEqual([]);
    expect(s.items).toEqual([event(1), event(2), event(3)]);
    expect(s.lines.filter((l) => l.type === 'session_meta')).toHaveLength(1);
  });

  it('finds an archived session', async () => {
    const home = await tempDir();
    const file = await session(home, [event(1)]);
    mkdirSync(homePaths.archived(home));
    const archived = path.join(homePaths.archived(home), path.basename(file));
    renameSync(file, archived);
    const id = (await readRollout(archived)).meta.id;
    const { recorder } = await RolloutRecorder.resume(id.toUpperCase(), { home });
    expect(recorder.path).toBe(archived);
    await recorder.close();
  });

  it('ends a torn last line with \\n, deleting nothing, and new lines read clean', async () => {
    const home = await tempDir();
    const file = await session(home, [event(1)]);
    appendFileSync(file, '{"timestamp":"2026-11-21T00:00:00.000Z","type":"event_msg","payl');
    const before = readFileSync(file);

    const { recorder, session: s } = await RolloutRecorder.resume(file, { home });
    expect(s.errors).toHaveLength(1);
    await recorder.record([event(2)]);
    await recorder.close();

    const after = readFileSync(file);
    expect(after.subarray(0, before.length).equals(before)).toBe(true);
    expect(after[before.length]).toBe(0x0a);
    const back = await readRollout(file);
    expect(back.items).toEqual([event(1), event(2)]);
    expect(back.errors.map((e) => e.line)).toEqual([3]);
  });

  it('adds nothing to a file that ends with a whole line', async () => {
    const home = await tempDir();
    const file = await session(home, [event(1)]);
    const before = readFileSync(file);
    const { recorder } = await RolloutRecorder.resume(file, { home });
    await recorder.close();
    expect(readFileSync(file).equals(before)).toBe(true);
  });

  it('continues the ordinals of a paginated file', async () => {
    const home = await tempDir();
    const { file, id } = paginated(home);
    const { recorder, session: s } = await RolloutRecorder.resume(id, { home });
    expect(s.format).toBe('paginated');
    await recorder.record([
      event(1),
      { type: 'event_msg', payload: { toJSON: () => ({ type: 'probe', n: 2 }) } as never },
    ]);
    await recorder.recordAssistantMessage('ok');
    await recorder.close();
    const back = await readRollout(file);
    expect(back.errors).toEqual([]);
    expect(back.lines.map((l) => l.ordinal)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(back.lastOrdinal).toBe(7);
  });

  it('refuses a session another writer holds', async () => {
    const home = await tempDir();
    const file = await session(home, [event(1)]);
    const first = await RolloutRecorder.resume(file, { home });
    await expect(RolloutRecorder.resume(file, { home })).rejects.toBeInstanceOf(SessionLockedError);
    await first.recorder.close();
  });

  it('refuses the legacy bare format, and releases the lock', async () => {
    const home = await tempDir();
    const id = newSessionId();
    const file = path.join(home, `rollout-2025-01-01T00-00-00-${id}.jsonl`);
    writeFileSync(
      file,
      `${JSON.stringify({ id, timestamp: '2025-01-01T00:00:00.000Z', instructions: null })}\n` +
        `${JSON.stringify({ type: 'message', role: 'user', content: [{ type: 'input_text', text: 'hi' }] })}\n`,
    );
    const before = readFileSync(file);
    await expect(RolloutRecorder.resume(file, { home })).rejects.toThrow(/legacy/);
    await expect(RolloutRecorder.resume(file, { home })).rejects.toBeInstanceOf(InvalidRolloutError);
    expect(isSessionLocked(home, id)).toBe(false);
    expect(readFileSync(file).equals(before)).toBe(true);
  });

  it.each([
    ['an unknown id', () => newSessionId(), SessionNotFoundError],
    ['a missing path', () => 'no/such/rollout.jsonl', SessionNotFoundError],
    ['a folder', () => '.', InvalidRolloutError],
  ])('refuses %s', async (_name, query, kind) => {
    const home = await tempDir();
    await expect(RolloutRecorder.resume(query(), { home })).rejects.toBeInstanceOf(kind);
  });

  it('refuses a compressed archive', async () => {
    const home = await tempDir();
    const file = path.join(home, `rollout-2025-01-01T00-00-00-${newSessionId()}.jsonl.zst`);
    writeFileSync(file, 'not really zstd');
    await expect(RolloutRecorder.resume(file, { home })).rejects.toThrow(/compressed/);
  });
});
