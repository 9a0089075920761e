import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { findSession } from '../../src/lister/find.js';
import { listSessions } from '../../src/lister/list.js';
import { RolloutRecorder } from '../../src/recorder/recorder.js';
import { readRollout } from '../../src/reader/read.js';
import { copyFixtureHome171, fixture171, rolloutIdOfName } from '../helpers/codex-171.js';
import { tempDir } from '../helpers/temp.js';

describe('Codex CLI 0.171 reverted and forked threads in a home', () => {
  it('a reverted thread is listed once, as its thread id, at its newest rollout, previewed by its first message', async () => {
    const home = await tempDir();
    copyFixtureHome171(home);
    const f = fixture171('reverted');
    const page = await listSessions({ home, pageSize: 100 });
    const hits = page.sessions.filter((s) => s.id === f.id);
    expect(hits).toHaveLength(1);
    expect(hits[0]!.path).toBe(path.join(home, f.files![1]!));
    expect(hits[0]!.preview).toBe(f.prompts[0]);
    // Every session of the home is listed once.
    const ids = page.sessions.map((s) => s.id);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('is found by its thread id and by the id of either rollout, always as the thread', async () => {
    const home = await tempDir();
    copyFixtureHome171(home);
    const f = fixture171('reverted');
    const newest = path.join(home, f.files![1]!);
    for (const id of [f.id, rolloutIdOfName(f.files![1]!), f.id.slice(0, 13)]) {
      const s = await findSession(id, { home });
      expect(s.id).toBe(f.id);
      expect(s.path).toBe(newest);
      expect(s.preview).toBe(f.prompts[0]);
    }
  });

  it('a fork is previewed by the first user message of the thread it was forked from', async () => {
    const home = await tempDir();
    copyFixtureHome171(home);
    const fork = fixture171('forked');
    const s = await findSession(fork.id, { home });
    expect(s.preview).toBe(fixture171('plain').prompts[0]);
    expect(
      (await listSessions({ home, pageSize: 100 })).sessions.find((x) => x.id === fork.id)?.preview,
    ).toBe(fixture171('plain').prompts[0]);
  });

  it('search sees the whole thread: a reverted thread and a fork are found by their first message', async () => {
    const home = await tempDir();
    copyFixtureHome171(home);
    const kept = await listSessions({ home, search: 'kept by the revert' });
    expect(kept.sessions.map((s) => s.id)).toEqual([fixture171('reverted').id]);
    const hello = await listSessions({ home, search: 'say hello in one' });
    expect(hello.sessions.map((s) => s.id).sort()).toEqual(
      [fixture171('plain').id, fixture171('forked').id].sort(),
    );
  });

  it('resuming a reverted thread appends to its newest rollout, ordinals continuing, the history whole', async () => {
    const home = await tempDir();
    copyFixtureHome171(home);
    const f = fixture171('reverted');
    const { recorder, session } = await RolloutRecorder.resume(f.id, { home });
    expect(recorder.path).toBe(path.join(home, f.files![1]!));
    expect(session.segments).toHaveLength(2);
    const before = session.lastOrdinal!;
    await recorder.recordUserMessage('Appended by the library');
    await recorder.close();
    const own = await readRollout(recorder.path, { scope: 'file' });
    expect(own.errors).toEqual([]);
    expect(own.lastOrdinal).toBe(before + 2);
    expect((await findSession(f.id, { home })).preview).toBe(f.prompts[0]);
  });
});
