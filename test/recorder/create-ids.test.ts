import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { archiveSession } from '../../src/sessions/archive.js';
import { RolloutRecorder } from '../../src/recorder/recorder.js';
import { tempDir } from '../helpers/temp.js';

async function recorded(home: string, createdAt?: Date): Promise<string> {
  const rec = await RolloutRecorder.create({
    cwd: home,
    home,
    git: false,
    ...(createdAt ? { createdAt } : {}),
  });
  await rec.recordUserMessage('first');
  await rec.close();
  return rec.id;
}

describe('create() and ids that exist or cannot be filed', () => {
  it('refuses an id that a live session of the home has, wherever its file is', async () => {
    const home = await tempDir();
    const id = await recorded(home);
    await expect(RolloutRecorder.create({ cwd: home, home, git: false, id })).rejects.toMatchObject({
      code: 'E_IO',
      errno: 'EEXIST',
    });
  });

  it('refuses an id that an archived session of the home has', async () => {
    const home = await tempDir();
    const id = await recorded(home);
    await archiveSession(id, { home });
    await expect(RolloutRecorder.create({ cwd: home, home, git: false, id })).rejects.toMatchObject({
      code: 'E_IO',
      errno: 'EEXIST',
    });
    expect(existsSync(path.join(home, 'sessions'))).toBe(true);
    const days = readdirSync(path.join(home, 'sessions'), { recursive: true }).filter((f) =>
      String(f).endsWith('.jsonl'),
    );
    expect(days).toEqual([]);
  });

  it.each([
    ['past year 9999', new Date(Date.UTC(10000, 0, 1))],
    ['before year 1', new Date(Date.UTC(-1, 0, 1))],
  ])('refuses a creation time %s: its date folder could never be found', async (_what, createdAt) => {
    const home = await tempDir();
    await expect(RolloutRecorder.create({ cwd: home, home, git: false, createdAt })).rejects.toMatchObject({
      code: 'ERR_INVALID_ARG_VALUE',
    });
    expect(existsSync(path.join(home, 'sessions'))).toBe(false);
  });
});
