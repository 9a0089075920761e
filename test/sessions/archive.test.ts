import { mkdir, readdir, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { acquireSessionLock } from '../../src/files/session-lock.js';
import {
  ArchiveStateError,
  RolloutIOError,
  SessionLockedError,
  SessionNotFoundError,
  archiveSession,
  listSessions,
  unarchiveSession,
} from '../../src/index.js';
import { placement, writeRollout } from '../helpers/rollout-files.js';
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

  it('says a session is archived already, or is not archived', async () => {
    const home = await tempDir();
    const live = await writeRollout(home, { createdAt: T, userMessage: 'x' });
    const arch = await writeRollout(home, { createdAt: T + 1, userMessage: 'y', archived: true });
    const twice = archiveSession(arch.id.slice(0, 13), { home });
    await expect(twice).rejects.toBeInstanceOf(ArchiveStateError);
    await expect(twice).rejects.toThrow(`Session ${arch.id} is archived already.`);
    await expect(twice).rejects.toMatchObject({
      code: 'E_ARCHIVE_STATE',
      id: arch.id,
      archived: true,
      path: arch.path,
    });
    const notArchived = unarchiveSession(live.id, { home });
    await expect(notArchived).rejects.toThrow(`Session ${live.id} is not archived.`);
    await expect(notArchived).rejects.toMatchObject({
      code: 'E_ARCHIVE_STATE',
      archived: false,
      path: live.path,
    });
    const unknown = `${live.id.slice(0, -4)}ffff`;
    await expect(archiveSession(unknown, { home })).rejects.toBeInstanceOf(SessionNotFoundError);
    await expect(unarchiveSession(unknown, { home })).rejects.toBeInstanceOf(SessionNotFoundError);
  });

  it('archives twice in a row: the second says archived already', async () => {
    const home = await tempDir();
    const w = await writeRollout(home, { createdAt: T, userMessage: 'x' });
    await archiveSession(w.id, { home });
    await expect(archiveSession(w.id, { home })).rejects.toThrow(`Session ${w.id} is archived already.`);
    await unarchiveSession(w.id, { home });
    await expect(unarchiveSession(w.id, { home })).rejects.toThrow(`Session ${w.id} is not archived.`);
  });

  it('says which operation the lock refused', async () => {
    const home = await tempDir();
    const w = await writeRollout(home, { createdAt: T, userMessage: 'x' });
    const lock = acquireSessionLock(home, w.id);
    try {
      await expect(archiveSession(w.id, { home })).rejects.toThrow(
        `Cannot archive session ${w.id}: it is open for writing in this process (lock ${path.join(home, 'thread-writer-locks', `${w.id}.lock`)}). Close that recorder first, then try again.`,
      );
    } finally {
      lock.release();
    }
  });
});
