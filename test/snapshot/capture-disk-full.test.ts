import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SnapshotStore } from '../../src/snapshot/snapshot-store.js';
import { makeRepo, writeTree } from '../helpers/snapshot-fixtures.js';
import { treePaths } from '../helpers/snapshot-tree.js';
import { tempDir } from '../helpers/temp.js';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';

/**
 * A full disk under the store: a 2 MiB tmpfs mounted as the home's snapshots folder (needs root;
 * the suite is skipped where mounting is not permitted).
 */
const home = mkdtempSync(path.join(os.tmpdir(), 'ar-snap-fullhome-'));
const snapshots = path.join(home, 'snapshots');
let mounted = false;

beforeAll(async () => {
  await mkdir(snapshots);
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=2m,mode=0700', 'tmpfs', snapshots], {
      stdio: 'ignore',
    });
    mounted = true;
  } catch {
    mounted = false;
  }
});

afterAll(() => {
  if (mounted) execFileSync('umount', [snapshots]);
  rmSync(home, { recursive: true, force: true });
});

/** Every file under `dir`, relative. */
async function allFiles(dir: string, rel = ''): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(path.join(dir, rel), { withFileTypes: true })) {
    const r = rel === '' ? e.name : `${rel}/${e.name}`;
    if (e.isDirectory()) out.push(...(await allFiles(dir, r)));
    else out.push(r);
  }
  return out;
}

/** Temporary files of git and of the store (the store's own `rollouts.lock` is permanent). */
const TEMPORARY = /(^|\/)(tmp_|incoming-)|\.tmp$|-tmp$|(?<!^rollouts)\.lock$|restore-.*\.index$|sharedindex_/;

describe('a full disk in the store', () => {
  it('fails the capture, leaves no temporary files, and the next capture succeeds once space is freed', async (t) => {
    if (!mounted) t.skip();
    const ws = await makeRepo({ 'a.txt': 'a\n' });
    const store = await SnapshotStore.open({ workspace: ws, home });
    await store.capture({ sessionId: 's', messageId: 'm1' });
    // Incompressible content the store cannot hold once the filler takes most of the space.
    await writeTree(ws, {
      'one.bin': randomBytes(300 * 1024),
      'two.bin': randomBytes(300 * 1024),
      'three.bin': randomBytes(300 * 1024),
    });
    const filler = path.join(snapshots, 'filler');
    const free = Number(execFileSync('df', ['--output=avail', '-B1', snapshots]).toString().split('\n')[1]);
    await writeFile(filler, Buffer.alloc(free - 500 * 1024));
    const failed = await store.capture({ sessionId: 's', messageId: 'm2' }).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(failed).toBeInstanceOf(Error);
    expect(String((failed as Error).message)).toMatch(/space|ENOSPC/i);
    const leftovers = (await allFiles(store.path)).filter((f) => TEMPORARY.test(f));
    expect(leftovers).toEqual([]);

    await rm(filler);
    const m2 = await store.capture({ sessionId: 's', messageId: 'm2' });
    expect(await treePaths(store.path, m2.tree)).toEqual(['a.txt', 'one.bin', 'three.bin', 'two.bin']);
    expect((await allFiles(store.path)).filter((f) => TEMPORARY.test(f))).toEqual([]);
    const dest = path.join(await tempDir(), 'out');
    await store.restore({ sessionId: 's', messageId: 'm2' }, { dest });
    expect((await readdir(dest)).sort()).toEqual(['a.txt', 'one.bin', 'three.bin', 'two.bin']);
  });
});
