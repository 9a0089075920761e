import { chmod, mkdir, rm, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { SnapshotStore } from '../../src/snapshot/snapshot-store.js';
import { prng } from '../../bench/_util.js';
import { startJsonChild } from '../helpers/json-child.js';
import { gitDigest, workspaceState } from '../helpers/rewind-state.js';
import { makeHome, makeRepo, writeTree } from '../helpers/snapshot-fixtures.js';
import { tempDir } from '../helpers/temp.js';

/**
 * SIGKILL a process rewinding a workspace at random moments. After each kill the workspace is the
 * state before the rewind, the state after it, or is brought back exactly to the state before by
 * the undo that the store recorded (`interruptedRewind`).
 */

const KILLS = 36;
const CHILD = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'helpers', 'rewind-child.ts');
const S = 'session';

/** The snapshot's state: 300 files in 30 folders, a symlink, a file where a folder will be. */
async function snapshotFiles(ws: string): Promise<void> {
  const files: Record<string, string> = { '.gitignore': 'cache/\n', '.env': 'OLD=1\n', cache: 'a file\n' };
  for (let i = 0; i < 300; i++) files[`d${i % 30}/f${i}.txt`] = `old ${i}\n`.repeat(50);
  await writeTree(ws, files);
  await symlink('d1/f1.txt', path.join(ws, 'link'));
}

/**
 * The state before the rewind: most files changed, some gone, new folders, an ignored secret and
 * an ignored folder where the snapshot has a file, 0600 and 0700 modes, an empty folder.
 */
async function currentFiles(ws: string): Promise<void> {
  const rand = prng(3);
  for (let i = 0; i < 300; i++) {
    const p = path.join(ws, `d${i % 30}`, `f${i}.txt`);
    const r = rand();
    if (r < 0.1) await rm(p);
    else if (r < 0.8) await writeFile(p, `new ${i}\n`.repeat(40));
  }
  for (let i = 0; i < 100; i++) await writeTree(ws, { [`n${i % 10}/g${i}.txt`]: `added ${i}\n` });
  await writeTree(ws, { '.gitignore': 'cache/\n.env\n', '.env': 'SECRET=1\n' });
  await chmod(path.join(ws, '.env'), 0o600);
  await rm(path.join(ws, 'cache'));
  await writeTree(ws, { 'cache/precious.db': 'precious\n' });
  await chmod(path.join(ws, 'cache'), 0o700);
  await rm(path.join(ws, 'link'));
  await symlink('n1', path.join(ws, 'link'));
  await mkdir(path.join(ws, 'n1', 'empty'));
  await chmod(path.join(ws, 'd3'), 0o700);
}

describe('SIGKILL during a rewind', () => {
  it(`leaves the old state, the new one, or one the recorded undo brings back exactly (${KILLS} kills)`, async () => {
    const ws = await makeRepo({ 'README.md': '# r\n' });
    const home = await makeHome();
    await snapshotFiles(ws);
    const store = await SnapshotStore.open({ workspace: ws, home });
    await store.capture({ sessionId: S, messageId: 'target' });
    await currentFiles(ws);
    const template = path.join(await tempDir('ar-rw-kill-'), 'template');
    await execa('cp', ['-a', ws, template]);
    const reset = async (): Promise<void> => {
      await rm(ws, { recursive: true, force: true });
      await execa('cp', ['-a', template, ws]);
    };
    const oldState = await workspaceState(ws);
    const gitBefore = await gitDigest(ws);
    const args = JSON.stringify({ workspace: ws, home, sessionId: S, messageId: 'target' });

    // Two rewinds to the end: the new state, and how long a rewind takes from `ready` to exit
    // (the second's, once the store's index and the page cache are warm, as for the kills).
    let duration = 0;
    for (let run = 0; run < 2; run++) {
      await reset();
      const full = startJsonChild(CHILD, [args], 'rewind child');
      await full.waitFor((m) => m['ready'] === true);
      const started = performance.now();
      await full.exited;
      duration = performance.now() - started;
      expect(full.messages.at(-1)?.['result'], full.stderr()).toBeDefined();
    }
    const newState = await workspaceState(ws);
    expect(newState).not.toEqual(oldState);

    const rand = prng(11);
    const outcomes = { old: 0, new: 0, undone: 0 };
    for (let k = 0; k < KILLS; k++) {
      await reset();
      const child = startJsonChild(CHILD, [args], 'rewind child');
      await child.waitFor((m) => m['ready'] === true);
      const delay = rand() * duration * 1.1;
      await new Promise((resolve) => setTimeout(resolve, delay));
      child.process.kill('SIGKILL');
      await child.exited;
      const state = await workspaceState(ws);
      if (JSON.stringify(state) === JSON.stringify(oldState)) outcomes.old++;
      else if (JSON.stringify(state) === JSON.stringify(newState)) outcomes.new++;
      else {
        const pending = await store.interruptedRewind();
        expect(
          pending,
          `kill ${k} after ${delay.toFixed(0)} ms left a third state and no record`,
        ).toBeDefined();
        expect(pending!.undo).toContain(pending!.backup.messageId);
        await store.restore(pending!.backup, { inPlace: true });
        expect(await workspaceState(ws), `kill ${k} after ${delay.toFixed(0)} ms`).toEqual(oldState);
        outcomes.undone++;
      }
      expect(await gitDigest(ws)).toBe(gitBefore);
    }
    console.log(`rewind kills: ${JSON.stringify(outcomes)}; a rewind takes ${duration.toFixed(0)} ms`);
    expect(outcomes.old + outcomes.new + outcomes.undone).toBe(KILLS);
  });
});
