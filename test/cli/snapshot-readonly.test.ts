import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { RolloutRecorder } from '../../src/index.js';
import { makeHome } from '../helpers/snapshot-fixtures.js';
import { tempDir } from '../helpers/temp.js';
import { cli } from './helpers.js';

/** Every path under `root`, sorted. */
async function listing(root: string): Promise<string[]> {
  return (await readdir(root, { recursive: true })).map(String).sort();
}

async function homeWithSession(): Promise<{ home: string; id: string }> {
  const home = await makeHome();
  const rec = await RolloutRecorder.create({ cwd: home, home, git: false });
  await rec.recordUserMessage('hello');
  await rec.close();
  return { home, id: rec.id };
}

const commands = (id: string, dest: string, remote: string): string[][] => [
  ['snapshots'],
  ['snapshots', '--session', id],
  ['snapshots', '--json'],
  ['diff', '--session', id, '--from', 'm1'],
  ['restore', '--session', id, '--message', 'm1', '--dest', dest],
  ['push', '--remote', remote],
];

describe('read-only snapshot commands create nothing', () => {
  it('on a fresh folder: no store, no snapshots folder, nothing new anywhere', async () => {
    const { home, id } = await homeWithSession();
    const ws = await tempDir();
    const scratch = await tempDir();
    const dest = path.join(scratch, 'out');
    const remote = path.join(scratch, 'remote.git');
    for (const args of commands(id, dest, remote)) {
      const before = [await listing(home), await listing(ws), await listing(scratch)];
      const r = await cli([...args, '--home', home], { cwd: ws });
      expect([await listing(home), await listing(ws), await listing(scratch)], args.join(' ')).toEqual(
        before,
      );
      expect(r.code, args.join(' ')).toBeLessThan(2);
      expect(r.err, args.join(' ')).toMatch(/no snapshots of/);
    }
  });

  it('with a misspelt --home: an error, and the home is not created', async () => {
    const { id } = await homeWithSession();
    const parent = await tempDir();
    const ws = await tempDir();
    const missing = path.join(parent, 'nope');
    const dest = path.join(parent, 'out');
    for (const args of commands(id, dest, path.join(parent, 'remote.git'))) {
      const r = await cli([...args, '--home', missing], { cwd: ws });
      expect(r.code, args.join(' ')).toBe(1);
      expect(r.err).toMatch(/does not exist/);
      expect(await listing(parent)).toEqual([]);
      expect(await listing(ws)).toEqual([]);
    }
  });
});
