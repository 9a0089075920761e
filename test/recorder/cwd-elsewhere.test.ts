import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { RolloutRecorder, readRollout } from '../../src/index.js';
import { tempDir } from '../helpers/temp.js';

describe('RolloutRecorder.create with cwdMustExist: false', () => {
  it('records a session whose folder is not on this machine, cwd written as given', async () => {
    const home = await tempDir();
    const cwd = path.join(await tempDir(), 'gone', 'project');
    await expect(RolloutRecorder.create({ cwd, home, git: false })).rejects.toThrow(/does not exist/);
    const rec = await RolloutRecorder.create({ cwd, home, git: false, cwdMustExist: false });
    await rec.recordUserMessage('hello');
    await rec.close();
    expect((await readRollout(rec.path)).meta.cwd).toBe(cwd);
  });

  it.each([
    [{ cwd: '/nowhere', cwdMustExist: false }, /needs git to be false or the facts themselves/],
    [{ cwd: 'relative/dir', git: false, cwdMustExist: false }, /needs cwd to be an absolute path/],
    [
      { cwd: '/', git: false, cwdMustExist: 'no' as unknown as boolean },
      /cwdMustExist must be true or false/,
    ],
  ])('rejects %j', async (options, message) => {
    await expect(RolloutRecorder.create({ home: await tempDir(), ...options })).rejects.toMatchObject({
      code: 'ERR_INVALID_ARG_VALUE',
      message: expect.stringMatching(message),
    });
  });
});
