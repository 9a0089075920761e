import { mkdir, readdir, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { acquireSessionLock } from '../../src/files/session-lock.js';
import {
  RolloutIOError,
  SessionLockedError,
  SessionNotFoundError,
  archiveSession,
  listSessions,
  unarchiveSession,
  type SkipReason,
} from '../../src/index.js';
import { canReadZstd } from '../../src/lister/head.js';
import { placement, writeRollout, zstdCompress } from '../helpers/rollout-files.js';
import { tempDir } from '../helpers/temp.js';

const T = Date.UTC(2026, 3, 1, 8);
const MTIME = Date.UTC(2026, 3, 2, 10, 0, 0);

describe('archive and unarchive', () => {
  it('moves a session to archived_sessions/ and back, keeping name and mtime', async () => {
    const home = await tempDir();
    const w = await writeRollout(home, { createdAt: T, userMessage: 'keep me', mtime: MTIME });
    await writeRollout(home, { createdAt: T + 1, userMessage: 'stays' });
    const archived = await archiveSession(w.id, { home });
    expect(archived).toBe(path.join(home, 'archived_sessions', path.basename(w.path)));
    expect((await stat(archived)).mtimeMs).toBe(MTIME);
    expect((await listSessions({ home })).sessions.map((s) => s.preview)).toEqual(['stays']);
    const page = await listSessions({ home, archived: true });
    expect(page.sessions.map((s) => [s.id, s.archived])).toEqual([[w.id, true]]);

    const back = await unarchiveSession(w.id.slice(0, 13), { home });
    expect(back).toBe(w.path);
    expect((await stat(back)).mtimeMs).toBe(MTIME);
    expect((await listSessions({ home })).sessions).toHaveLength(2);
    expect(await readdir(path.join(home, 'archived_sessions'))).toEqual([]);
  });

  it('puts a Codex local-time file back in the folder its name gives', async () => {
    const home = await tempDir();
    const w = await writeRollout(home, {
      createdAt: Date.UTC(2026, 3, 1, 20),
      offsetMinutes: 13 * 60,
      userMessage: 'x',
      archived: true,
    });
    const [folder, name] = placement(w.createdAt, w.id, 13 * 60);
    expect(folder).toBe('2026/04/02');
    expect(await unarchiveSession(w.id, { home })).toBe(path.join(home, 'sessions', folder, name));
  });

  it('refuses while a writer holds the lock', async () => {
    const home = await tempDir();
    const w = await writeRollout(home, { createdAt: T, userMessage: 'busy' });
    const lock = acquireSessionLock(home, w.id);
    try {
      await expect(archiveSession(w.id, { home })).rejects.toBeInstanceOf(SessionLockedError);
    } finally {
      lock.release();
    }
    const moved = await archiveSession(w.id, { home });
    const again = acquireSessionLock(home, w.id);
    try {
      await expect(unarchiveSession(w.id, { home })).rejects.toBeInstanceOf(SessionLockedError);
      expect((await stat(moved)).isFile()).toBe(true);
    } finally {
      again.release();
    }
  });

  it('does not replace a file already in the archive', async () => {
    const home = await tempDir();
    const w = await writeRollout(home, { createdAt: T, userMessage: 'x' });
    await mkdir(path.join(home, 'archived_sessions'));
    await writeFile(path.join(home, 'archived_sessions', path.basename(w.path)), 'other');
    await expect(archiveSession(w.id, { home })).rejects.toBeInstanceOf(RolloutIOError);
    expect((await stat(w.path)).isFile()).toBe(true);
  });

  it('archives only live sessions and unarchives only archived ones', async () => {
    const home = await tempDir();
    const live = await writeRollout(home, { createdAt: T, userMessage: 'x' });
    const arch = await writeRollout(home, { createdAt: T + 1, userMessage: 'y', archived: true });
    await expect(archiveSession(arch.id, { home })).rejects.toBeInstanceOf(SessionNotFoundError);
    await expect(unarchiveSession(live.id, { home })).rejects.toBeInstanceOf(SessionNotFoundError);
  });
});

describe('archived listing', () => {
  it('lists archived_sessions/ newest first, with cursors', async () => {
    const home = await tempDir();
    const ids = [];
    for (let i = 0; i < 5; i++)
      ids.unshift(
        (await writeRollout(home, { createdAt: T + i * 1000, userMessage: `a${i}`, archived: true })).id,
      );
    const first = await listSessions({ home, archived: true, pageSize: 3 });
    const second = await listSessions({ home, archived: true, pageSize: 3, cursor: first.nextCursor });
    expect([...first.sessions, ...second.sessions].map((s) => s.id)).toEqual(ids);
    expect(second.nextCursor).toBeNull();
  });

  it('prefers a plain .jsonl over its .zst, and reads or reports a lone .zst', async () => {
    const home = await tempDir();
    const both = await writeRollout(home, { createdAt: T, userMessage: 'plain', archived: true });
    const lone = await writeRollout(home, { createdAt: T + 1000, userMessage: 'compressed', archived: true });
    if (!zstdCompress(both.path) || !zstdCompress(lone.path)) return; // no zstd tool to build the fixture
    const { unlink } = await import('node:fs/promises');
    await unlink(lone.path);
    const skips: [string, SkipReason][] = [];
    const page = await listSessions({ home, archived: true, onSkip: (p, r) => skips.push([p, r]) });
    if (canReadZstd) {
      expect(page.sessions.map((s) => s.preview)).toEqual(['compressed', 'plain']);
      expect(skips).toEqual([]);
    } else {
      expect(page.sessions.map((s) => s.preview)).toEqual(['plain']);
      expect(skips).toEqual([[`${lone.path}.zst`, 'compressed']]);
    }
  });
});
