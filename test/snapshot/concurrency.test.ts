import { spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runGit } from '../../src/files/git.js';
import { SnapshotStore } from '../../src/snapshot/snapshot-store.js';
import { makeHome, makeRepo, writeTree } from '../helpers/snapshot-fixtures.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const child = path.join(root, 'test/helpers/snapshot-capture-child.ts');

function startChild(args: string[], options: { detached?: boolean } = {}) {
  const proc = spawn(process.execPath, ['--import', 'tsx', child, ...args], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: options.detached ?? false,
  });
  let stdout = '';
  let stderr = '';
  proc.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  proc.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number | null>((resolve) => proc.on('exit', (code) => resolve(code)));
  return { proc, exited, out: () => stdout, err: () => stderr };
}

async function fsck(gitDir: string): Promise<void> {
  await runGit(['fsck', '--no-dangling', '--no-progress'], { gitDir, cwd: gitDir });
}

describe('store lock', () => {
  it('serializes captures from two processes at once', async () => {
    const ws = await makeRepo({ 'a.txt': 'a\n' });
    const home = await makeHome();
    const a = startChild([ws, home, 'session-a', '6']);
    const b = startChild([ws, home, 'session-b', '6']);
    const [ca, cb] = await Promise.all([a.exited, b.exited]);
    expect({ code: ca, err: a.err() }).toEqual({ code: 0, err: '' });
    expect({ code: cb, err: b.err() }).toEqual({ code: 0, err: '' });
    const store = await SnapshotStore.open({ workspace: ws, home });
    const all = await store.list();
    expect(all.filter((s) => s.sessionId === 'session-a')).toHaveLength(6);
    expect(all.filter((s) => s.sessionId === 'session-b')).toHaveLength(6);
    for (const session of ['session-a', 'session-b']) {
      const mine = all.filter((s) => s.sessionId === session);
      mine.forEach((s, i) => expect(s.parent).toBe(i === 0 ? null : mine[i - 1]!.commit));
    }
    await fsck(store.path);
  });

  it('recovers after a capturing process is killed with SIGKILL', async () => {
    const ws = await makeRepo({ 'a.txt': 'a\n' });
    await writeTree(ws, Object.fromEntries(Array.from({ length: 300 }, (_, i) => [`f/${i}.txt`, `${i}\n`])));
    const home = await makeHome();
    const c = startChild([ws, home, 'victim', '0'], { detached: true });
    await new Promise<void>((resolve, reject) => {
      const timer = setInterval(() => {
        if (/captured 2 /.test(c.out())) {
          clearInterval(timer);
          resolve();
        } else if (c.proc.exitCode !== null) {
          clearInterval(timer);
          reject(new Error(`child exited early: ${c.err()}`));
        }
      }, 5);
    });
    // The whole process group, git children included, as a crash or OOM kill would.
    process.kill(-c.proc.pid!, 'SIGKILL');
    await c.exited;
    const store = await SnapshotStore.open({ workspace: ws, home });
    // What a git process killed mid-write leaves behind, whatever the kill above interrupted.
    await writeFile(path.join(store.path, 'index.lock'), 'stale');
    await writeFile(path.join(ws, 'after.txt'), 'after\n');
    const snap = await store.capture({ sessionId: 'survivor', messageId: 'm' });
    expect(snap.changedFiles).toContainEqual({ path: 'after.txt', status: 'added' });
    const again = await store.capture({ sessionId: 'survivor', messageId: 'm2' });
    expect(again.parent).toBe(snap.commit);
    await fsck(store.path);
  });
});
