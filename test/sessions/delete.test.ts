import { existsSync } from 'node:fs';
import { chmod, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runGit } from '../../src/files/git.js';
import { acquireSessionLock, isSessionLocked } from '../../src/files/session-lock.js';
import { newSessionId } from '../../src/format/ids.js';
import {
  RolloutRecorder,
  SessionLockedError,
  SessionNotFoundError,
  deleteSession,
  listSessions,
  readRollout,
} from '../../src/index.js';
import { sha256Hex } from '../../src/snapshot/refs.js';
import { startRecorderChild } from '../helpers/recorder-child-runner.js';
import type { RecorderChild } from '../helpers/recorder-child-runner.js';
import { writeRollout, zstdCompress } from '../helpers/rollout-files.js';
import { git, makeHome, makeRepo, writeTree } from '../helpers/snapshot-fixtures.js';
import { tempDir } from '../helpers/temp.js';

const T = Date.UTC(2026, 3, 1, 8);

/** A session of two snapshots; the first holds `secret.txt`, which the workspace no longer has. */
async function sessionWithSnapshots(): Promise<{
  home: string;
  ws: string;
  id: string;
  file: string;
  store: string;
  secretBlob: string;
  commits: string[];
}> {
  const home = await makeHome();
  const ws = await makeRepo({ 'a.txt': 'one\n' });
  const rec = await RolloutRecorder.create({ cwd: ws, home });
  await rec.recordUserMessage('edit a');
  await writeTree(ws, { 'secret.txt': 'API_KEY=only-in-this-session\n' });
  const first = await rec.snapshot('m1');
  await rm(path.join(ws, 'secret.txt'));
  await writeFile(path.join(ws, 'a.txt'), 'one\ntwo\n');
  const second = await rec.snapshot('m2');
  await rec.close();
  const { store } = (await readRollout(rec.path)).snapshots[0]!;
  const secretBlob = (await runGit(['rev-parse', `${first.tree}:secret.txt`], { gitDir: store })).stdout;
  return {
    home,
    ws,
    id: rec.id,
    file: rec.path!,
    store,
    secretBlob,
    commits: [first.commit, second.commit],
  };
}

async function hasObject(store: string, oid: string): Promise<boolean> {
  const r = await runGit(['cat-file', '-e', oid], { gitDir: store, okExitCodes: [0, 1, 128] });
  return r.exitCode === 0;
}

async function sessionRefs(store: string, id: string): Promise<string> {
  return (
    await runGit(
      [
        'for-each-ref',
        '--format=%(refname)',
        `refs/rollouts/${sha256Hex(id)}/`,
        `refs/rollouts-heads/${sha256Hex(id)}`,
      ],
      { gitDir: store },
    )
  ).stdout;
}

describe('deleteSession', () => {
  it('removes the rollout, its snapshot refs and the blobs only they kept', async () => {
    const s = await sessionWithSnapshots();
    expect(await hasObject(s.store, s.secretBlob)).toBe(true);
    const result = await deleteSession(s.id, { home: s.home });
    expect(result).toEqual({
      id: s.id,
      files: [s.file],
      indexEntries: 0,
      snapshots: [
        { store: s.store, messageId: 'm1' },
        { store: s.store, messageId: 'm2' },
      ],
    });
    expect(existsSync(s.file)).toBe(false);
    expect(await sessionRefs(s.store, s.id)).toBe('');
    expect(await hasObject(s.store, s.secretBlob)).toBe(false);
    for (const c of s.commits) expect(await hasObject(s.store, c)).toBe(false);
    await runGit(['fsck', '--no-dangling', '--no-progress'], { gitDir: s.store });
    // The store still works for the next session of that workspace.
    const rec = await RolloutRecorder.create({ cwd: s.ws, home: s.home });
    await rec.recordUserMessage('again');
    const snap = await rec.snapshot('m1');
    await rec.close();
    expect((await readRollout(rec.path)).snapshots.map((l) => l.store)).toEqual([s.store]);
    expect(await hasObject(s.store, snap.commit)).toBe(true);
  });

  it('removes the snapshot blobs even after the workspace folder was deleted', async () => {
    const s = await sessionWithSnapshots();
    await rm(s.ws, { recursive: true, force: true });
    const result = await deleteSession(s.id, { home: s.home });
    expect(result.snapshots.map((x) => x.messageId)).toEqual(['m1', 'm2']);
    expect(await hasObject(s.store, s.secretBlob)).toBe(false);
    expect(await sessionRefs(s.store, s.id)).toBe('');
  });

  it('keeps the other sessions of a store, and their objects', async () => {
    const s = await sessionWithSnapshots();
    const other = await RolloutRecorder.create({ cwd: s.ws, home: s.home });
    await other.recordUserMessage('other');
    const kept = await other.snapshot('k1');
    await other.close();
    await deleteSession(s.id, { home: s.home });
    expect(await hasObject(s.store, s.secretBlob)).toBe(false);
    expect(await hasObject(s.store, kept.commit)).toBe(true);
    expect(await sessionRefs(s.store, other.id)).not.toBe('');
    expect((await listSessions({ home: s.home })).sessions.map((x) => x.id)).toEqual([other.id]);
  });

  it('with snapshots: false keeps the snapshots', async () => {
    const s = await sessionWithSnapshots();
    const result = await deleteSession(s.id, { home: s.home, snapshots: false });
    expect(result.snapshots).toEqual([]);
    expect(existsSync(s.file)).toBe(false);
    expect(await hasObject(s.store, s.secretBlob)).toBe(true);
  });

  it('finds the snapshots of a session whose rollout cannot be read, by their refs', async () => {
    const s = await sessionWithSnapshots();
    await writeFile(s.file, '');
    const result = await deleteSession(s.id, { home: s.home });
    expect(result.snapshots).toHaveLength(2);
    expect(await hasObject(s.store, s.secretBlob)).toBe(false);
  });

  it('never touches a store the rollout names outside <home>/snapshots/', async () => {
    const home = await makeHome();
    const id = newSessionId(new Date(T));
    // A repository elsewhere, with a ref where this session's snapshots would be.
    const outside = await makeRepo({ 'x.txt': 'x\n' });
    const head = await git(outside, 'rev-parse', 'HEAD');
    const ref = `refs/rollouts/${sha256Hex(id)}/${sha256Hex('m')}`;
    await git(outside, 'update-ref', ref, head);
    const w = await writeRollout(home, { createdAt: T, id, userMessage: 'x' });
    const line = {
      timestamp: new Date(T).toISOString(),
      type: 'workspace_snapshot',
      payload: {
        message_id: 'm',
        commit: head,
        tree: head,
        workspace: outside,
        store: path.join(outside, '.git'),
      },
    };
    const traversal = {
      ...line,
      payload: { ...line.payload, store: path.join(home, 'snapshots', '..', '..') },
    };
    await writeFile(
      w.path,
      `${await readFile(w.path, 'utf8')}${JSON.stringify(line)}\n${JSON.stringify(traversal)}\n`,
    );
    const result = await deleteSession(id, { home });
    expect(result.snapshots).toEqual([]);
    expect(await git(outside, 'rev-parse', ref)).toBe(head);
  });

  it('deletes a session without snapshots', async () => {
    const home = await tempDir();
    const w = await writeRollout(home, { createdAt: T, userMessage: 'plain' });
    const keep = await writeRollout(home, { createdAt: T + 1000, userMessage: 'kept' });
    expect(await deleteSession(w.id, { home })).toEqual({
      id: w.id,
      files: [w.path],
      indexEntries: 0,
      snapshots: [],
    });
    expect(existsSync(w.path)).toBe(false);
    expect(existsSync(keep.path)).toBe(true);
  });

  it.each([
    ['an empty file', (): string => ''],
    ['a torn file', (text: string): string => text.slice(0, text.length - 25)],
    ['a file of garbage', (): string => '\u0000\u00ff not json at all'],
    ['a file with no session_meta', (): string => '{"timestamp":"x","type":"event_msg","payload":{}}\n'],
  ])('deletes %s, found by its name alone', async (_what, content) => {
    const home = await tempDir();
    const w = await writeRollout(home, { createdAt: T, userMessage: 'x' });
    await writeFile(w.path, content(await readFile(w.path, 'utf8')));
    const result = await deleteSession(w.id.slice(0, 13), { home });
    expect(result.files).toEqual([w.path]);
    expect(existsSync(w.path)).toBe(false);
  });

  it('deletes a compressed .jsonl.zst without reading it, and a plain file with its .zst sibling', async () => {
    const home = await tempDir();
    const lone = await writeRollout(home, { createdAt: T, userMessage: 'x' });
    await writeFile(`${lone.path}.zst`, 'not even zstd');
    await rm(lone.path);
    expect((await deleteSession(lone.id, { home })).files).toEqual([`${lone.path}.zst`]);
    expect(existsSync(`${lone.path}.zst`)).toBe(false);

    const both = await writeRollout(home, { createdAt: T + 1000, userMessage: 'y', archived: true });
    if (!zstdCompress(both.path)) await writeFile(`${both.path}.zst`, 'x');
    expect((await deleteSession(both.id, { home })).files.sort()).toEqual([both.path, `${both.path}.zst`]);
    expect(await readdir(path.join(home, 'archived_sessions'))).toEqual([]);
  });

  it('deletes an archived session, and a live one with an archived copy', async () => {
    const home = await tempDir();
    const arch = await writeRollout(home, { createdAt: T, userMessage: 'x', archived: true });
    expect((await deleteSession(arch.id, { home })).files).toEqual([arch.path]);
    expect(existsSync(arch.path)).toBe(false);

    const live = await writeRollout(home, { createdAt: T + 1000, userMessage: 'y' });
    const copy = path.join(home, 'archived_sessions', path.basename(live.path));
    await writeFile(copy, await readFile(live.path));
    expect((await deleteSession(live.id, { home })).files).toEqual([live.path, copy]);
    expect(existsSync(copy)).toBe(false);
  });

  it('takes a path to the rollout', async () => {
    const home = await tempDir();
    const w = await writeRollout(home, { createdAt: T, userMessage: 'x' });
    expect((await deleteSession(w.path, { home })).files).toEqual([w.path]);
    await expect(deleteSession(w.id, { home })).rejects.toBeInstanceOf(SessionNotFoundError);
  });

  it('refuses a path that is not a rollout of the home', async () => {
    const home = await tempDir();
    const elsewhere = await tempDir();
    const w = await writeRollout(elsewhere, { createdAt: T, userMessage: 'x' });
    await expect(deleteSession(w.path, { home })).rejects.toMatchObject({
      name: 'TypeError',
      code: 'ERR_INVALID_ARG_VALUE',
    });
    expect(existsSync(w.path)).toBe(true);
  });

  it('removes the session name entries, keeping every other byte of session_index.jsonl', async () => {
    const home = await tempDir();
    const w = await writeRollout(home, { createdAt: T, userMessage: 'x' });
    const other = await writeRollout(home, { createdAt: T + 1000, userMessage: 'y' });
    const index = path.join(home, 'session_index.jsonl');
    const entry = (id: string, name: string): string =>
      JSON.stringify({ id, thread_name: name, updated_at: '2026-04-01T08:00:00Z' });
    const before = Buffer.concat([
      Buffer.from(`${entry(other.id, 'keep me')}\n`),
      Buffer.from(`${entry(w.id, 'doomed')}\n`),
      Buffer.from(`  ${entry(w.id.toUpperCase(), 'doomed too')}\r\n`),
      Buffer.from('not json, kept\n\n'),
      Buffer.from([0xff, 0xfe, 0x0a]),
      Buffer.from(`${entry(other.id, 'renamed')}\r\n`),
      Buffer.from(`${JSON.stringify({ id: w.id, thread_name: null })}\n`),
      Buffer.from(`{"id":"${other.id}","thread_name":"torn`),
    ]);
    await writeFile(index, before);
    await chmod(index, 0o640);
    const result = await deleteSession(w.id, { home });
    expect(result.indexEntries).toBe(3);
    const after = await readFile(index);
    const expected = Buffer.concat([
      Buffer.from(`${entry(other.id, 'keep me')}\n`),
      Buffer.from('not json, kept\n\n'),
      Buffer.from([0xff, 0xfe, 0x0a]),
      Buffer.from(`${entry(other.id, 'renamed')}\r\n`),
      Buffer.from(`{"id":"${other.id}","thread_name":"torn`),
    ]);
    expect(after.equals(expected)).toBe(true);
    expect((await stat(index)).mode & 0o777).toBe(0o640);
    expect((await readdir(home)).sort()).toEqual(['session_index.jsonl', 'sessions', 'thread-writer-locks']);
    expect((await listSessions({ home })).sessions.map((s) => [s.id, s.name])).toEqual([
      [other.id, 'renamed'],
    ]);
  });

  it('leaves session_index.jsonl alone when it names the session nowhere', async () => {
    const home = await tempDir();
    const w = await writeRollout(home, { createdAt: T, userMessage: 'x' });
    const index = path.join(home, 'session_index.jsonl');
    await writeFile(index, 'whatever\n');
    const { ino } = await stat(index);
    expect((await deleteSession(w.id, { home })).indexEntries).toBe(0);
    expect((await stat(index)).ino).toBe(ino);
  });

  it('refuses while this process holds the writer lock, and leaves the file', async () => {
    const home = await tempDir();
    const w = await writeRollout(home, { createdAt: T, userMessage: 'x' });
    const lock = acquireSessionLock(home, w.id);
    try {
      const attempt = deleteSession(w.id, { home });
      await expect(attempt).rejects.toBeInstanceOf(SessionLockedError);
      await expect(attempt).rejects.toThrow(
        `Cannot delete session ${w.id}: it is open for writing in this process (lock ${path.join(home, 'thread-writer-locks', `${w.id}.lock`)}). Close that recorder first, then try again.`,
      );
    } finally {
      lock.release();
    }
    expect(existsSync(w.path)).toBe(true);
    await deleteSession(w.id, { home });
    expect(existsSync(w.path)).toBe(false);
  });

  it('refuses while another process writes the session, and leaves the file and its name', async () => {
    const home = await tempDir();
    const id = newSessionId(new Date(T));
    let child: RecorderChild | undefined;
    try {
      child = startRecorderChild('hold', { home, id });
      await child.waitFor((m) => m['locked'] === true);
      const w = await writeRollout(home, { createdAt: T, id, userMessage: 'x' });
      const index = path.join(home, 'session_index.jsonl');
      await writeFile(index, `${JSON.stringify({ id, thread_name: 'n', updated_at: 'u' })}\n`);
      const attempt = deleteSession(id, { home });
      await expect(attempt).rejects.toMatchObject({ code: 'E_LOCKED', id, operation: 'delete' });
      await expect(attempt).rejects.toThrow(
        `Cannot delete session ${id}: another process is writing it (lock ${path.join(home, 'thread-writer-locks', `${id}.lock`)} is held). Wait for that writer to finish, then try again.`,
      );
      expect(existsSync(w.path)).toBe(true);
      expect(await readFile(index, 'utf8')).toContain('"n"');
    } finally {
      child?.process.kill('SIGKILL');
      await child?.exited;
    }
    await deleteSession(id, { home });
  });

  it('holds the writer lock for its whole duration', async () => {
    const s = await sessionWithSnapshots();
    let settled = false;
    const run = deleteSession(s.id, { home: s.home }).finally(() => (settled = true));
    let seenLocked = false;
    while (!settled) {
      if (isSessionLocked(s.home, s.id)) seenLocked = true;
      else if (seenLocked) {
        // Once the delete has held the lock, the lock is free again only when it is done.
        expect(existsSync(s.file)).toBe(false);
      }
      await new Promise((resolve) => setTimeout(resolve, 1));
    }
    await run;
    expect(seenLocked).toBe(true);
    expect(isSessionLocked(s.home, s.id)).toBe(false);
  });

  it('is stopped by an AbortSignal before anything is removed', async () => {
    const home = await tempDir();
    const w = await writeRollout(home, { createdAt: T, userMessage: 'x' });
    await expect(deleteSession(w.id, { home, signal: AbortSignal.abort() })).rejects.toThrow();
    expect(existsSync(w.path)).toBe(true);
  });

  it('rejects bad arguments', async () => {
    const home = await tempDir();
    await expect(deleteSession('nope', { home })).rejects.toMatchObject({ name: 'TypeError' });
    await expect(
      deleteSession(newSessionId(), { home, snapshots: 'no' as unknown as boolean }),
    ).rejects.toMatchObject({ name: 'TypeError', code: 'ERR_INVALID_ARG_VALUE' });
    await expect(deleteSession(newSessionId(), { home })).rejects.toBeInstanceOf(SessionNotFoundError);
  });
});
