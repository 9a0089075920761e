import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { RolloutRecorder } from '../../src/recorder/recorder.js';
import { tempDir } from '../helpers/temp.js';

const mounted: string[] = [];
afterEach(() => {
  for (const dir of mounted.splice(0)) execFileSync('umount', [dir]);
});

describe('a home on a read-only file system', () => {
  it('reports EROFS, not the ENOENT of a recursive mkdir', async () => {
    const root = await tempDir();
    const home = path.join(root, 'home');
    mkdirSync(home);
    // Root may mount a read-only tmpfs; this suite runs as root on CI and here.
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'ro,size=1m', 'tmpfs', home]);
    mounted.push(home);
    await expect(RolloutRecorder.create({ cwd: root, home, git: false })).rejects.toMatchObject({
      code: 'E_IO',
      errno: 'EROFS',
    });
  });
});
