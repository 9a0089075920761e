import { mkdir, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  AmbiguousSessionIdError,
  InvalidRolloutError,
  SessionNotFoundError,
  findSession,
} from '../../src/index.js';
import { writeRollout } from '../helpers/rollout-files.js';
import { tempDir } from '../helpers/temp.js';

const T = Date.UTC(2026, 3, 1, 8);

describe('findSession', () => {
  it('finds a full id in any case, with or without a user message', async () => {
    const home = await tempDir();
    const w = await writeRollout(home, { createdAt: T, userMessage: null });
    await writeRollout(home, { createdAt: T + 1, userMessage: 'other' });
    for (const q of [w.id, w.id.toUpperCase(), `  ${w.id} `]) {
      const s = await findSession(q, { home });
      expect(s).toMatchObject({ id: w.id, path: w.path, preview: null, archived: false });
    }
  });

  it('finds a v7 id filed in local time ±14 h away', async () => {
    const home = await tempDir();
    const plus = await writeRollout(home, {
      createdAt: Date.UTC(2026, 3, 1, 23),
      offsetMinutes: 14 * 60,
      userMessage: 'a',
    });
    const minus = await writeRollout(home, {
      createdAt: Date.UTC(2026, 3, 1, 1),
      offsetMinutes: -12 * 60,
      userMessage: 'b',
    });
    expect((await findSession(plus.id, { home })).path).toBe(plus.path);
    expect((await findSession(minus.id, { home })).path).toBe(minus.path);
  });

  it('falls back to a walk for a v7 file far from its date folder, and for other versions', async () => {
    const home = await tempDir();
    const misfiled = await writeRollout(home, { createdAt: T, userMessage: 'a' });
    const other = path.join(home, 'sessions', '2020', '01', '01');
    await mkdir(other, { recursive: true });
    await rename(misfiled.path, path.join(other, path.basename(misfiled.path)));
    expect((await findSession(misfiled.id, { home })).path).toBe(
      path.join(other, path.basename(misfiled.path)),
    );
    const v4 = await writeRollout(home, { createdAt: T, idVersion: 4, userMessage: 'b' });
    expect((await findSession(v4.id, { home })).id).toBe(v4.id);
  });

  it('finds a unique prefix of 8 or more hex digits, hyphens optional', async () => {
    const home = await tempDir();
    const a = await writeRollout(home, {
      id: '0195e6a2-1111-7000-8000-000000000001',
      createdAt: T,
      userMessage: 'a',
    });
    await writeRollout(home, { id: '0195e6a2-2222-7000-8000-000000000002', createdAt: T, userMessage: 'b' });
    expect((await findSession('0195E6A2-11', { home })).id).toBe(a.id);
    expect((await findSession('0195e6a211', { home })).id).toBe(a.id);
  });

  it('reports an ambiguous prefix with its candidates, newest first', async () => {
    const home = await tempDir();
    const old = await writeRollout(home, {
      id: '0195e6a2-1111-7000-8000-000000000001',
      createdAt: T,
      userMessage: 'a',
    });
    const young = await writeRollout(home, {
      id: '0195e6a2-2222-7000-8000-000000000002',
      createdAt: T,
      userMessage: 'b',
    });
    const err = await findSession('0195e6a2', { home }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AmbiguousSessionIdError);
    expect((err as AmbiguousSessionIdError).candidates).toEqual([young.id, old.id]);
  });

  it('says not found, and rejects a prefix too short to be one', async () => {
    const home = await tempDir();
    await writeRollout(home, { createdAt: T, userMessage: 'a' });
    await expect(findSession('ffffffff', { home })).rejects.toBeInstanceOf(SessionNotFoundError);
    await expect(findSession('0195e6a2-0000-7000-8000-000000000009', { home })).rejects.toBeInstanceOf(
      SessionNotFoundError,
    );
    await expect(findSession('0195e6', { home })).rejects.toThrow(TypeError);
    await expect(findSession('zzzzzzzzzz', { home })).rejects.toThrow(TypeError);
  });

  it('searches archived sessions too, and only them or only live ones on request', async () => {
    const home = await tempDir();
    const live = await writeRollout(home, { createdAt: T, userMessage: 'live' });
    const arch = await writeRollout(home, { createdAt: T + 1, userMessage: 'archived', archived: true });
    expect(await findSession(arch.id, { home })).toMatchObject({
      id: arch.id,
      archived: true,
      preview: 'archived',
    });
    await expect(findSession(arch.id, { home, archived: false })).rejects.toBeInstanceOf(
      SessionNotFoundError,
    );
    await expect(findSession(live.id, { home, archived: true })).rejects.toBeInstanceOf(SessionNotFoundError);
  });

  it('throws InvalidRolloutError for a file found but unreadable as a rollout', async () => {
    const home = await tempDir();
    const w = await writeRollout(home, { createdAt: T, userMessage: 'a' });
    await writeFile(w.path, '');
    const err = await findSession(w.id, { home }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InvalidRolloutError);
    expect((err as InvalidRolloutError).path).toBe(w.path);
  });
});
