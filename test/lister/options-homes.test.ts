import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { iterateSessions, listSessions } from '../../src/lister/list.js';
import { RolloutRecorder } from '../../src/recorder/recorder.js';
import { writeRollout } from '../helpers/rollout-files.js';
import { tempDir } from '../helpers/temp.js';

describe('homes that are not there', () => {
  it('listSessions on a missing home throws instead of returning an empty page', async () => {
    const root = await tempDir();
    const home = path.join(root, 'typo');
    await expect(listSessions({ home })).rejects.toMatchObject({ code: 'E_IO', errno: 'ENOENT', path: home });
    await expect(iterateSessions({ home }).next()).rejects.toMatchObject({ code: 'E_IO', errno: 'ENOENT' });
  });

  it('listSessions on a file as home throws', async () => {
    const root = await tempDir();
    const home = path.join(root, 'file');
    writeFileSync(home, 'x');
    await expect(listSessions({ home })).rejects.toMatchObject({
      code: 'E_IO',
      errno: 'ENOTDIR',
      path: home,
    });
  });

  it('a home that exists but holds no sessions yet lists empty', async () => {
    const home = await tempDir();
    expect((await listSessions({ home })).sessions).toEqual([]);
  });
});

describe('a cursor belongs to the order it was made in', () => {
  it('an updated-order cursor given to the created order (and back) says so', async () => {
    const home = await tempDir();
    for (let i = 0; i < 3; i++)
      await writeRollout(home, { createdAt: Date.UTC(2026, 10, 1, i), userMessage: `m${i}` });
    const updated = await listSessions({ home, sortKey: 'updated', pageSize: 1 });
    expect(updated.nextCursor).not.toBeNull();
    await expect(listSessions({ home, cursor: updated.nextCursor })).rejects.toMatchObject({
      code: 'E_BAD_CURSOR',
      message: expect.stringContaining("belongs to the 'updated' order") as string,
    });
    const created = await listSessions({ home, pageSize: 1 });
    await expect(
      listSessions({ home, sortKey: 'updated', cursor: created.nextCursor }),
    ).rejects.toMatchObject({
      code: 'E_BAD_CURSOR',
      message: expect.stringContaining("belongs to the 'created' order") as string,
    });
    // Each cursor still pages its own order.
    expect(
      (await listSessions({ home, sortKey: 'updated', cursor: updated.nextCursor })).sessions,
    ).toHaveLength(2);
    expect((await listSessions({ home, cursor: created.nextCursor })).sessions).toHaveLength(2);
  });
});

describe('create() and its working folder', () => {
  it.each([
    ['a folder that does not exist', (root: string) => path.join(root, 'nope')],
    [
      'a file',
      (root: string) => {
        const f = path.join(root, 'f');
        writeFileSync(f, '');
        return f;
      },
    ],
  ])('refuses %s as cwd', async (_what, make) => {
    const root = await tempDir();
    const cwd = make(root);
    await expect(RolloutRecorder.create({ cwd, home: root, git: false })).rejects.toMatchObject({
      code: 'ERR_INVALID_ARG_VALUE',
      message: expect.stringContaining(cwd) as string,
    });
  });
});
