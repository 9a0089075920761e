import { existsSync } from 'node:fs';
import { readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { RolloutRecorder, findSession, readRollout } from '../../src/index.js';
import { makeHome, makeRepo } from '../helpers/snapshot-fixtures.js';
import { tempDir } from '../helpers/temp.js';
import { cli } from './helpers.js';

async function sessionWithSnapshots(): Promise<{ home: string; ws: string; id: string }> {
  const home = await makeHome();
  const ws = await makeRepo({ 'a.txt': 'one\n' });
  const rec = await RolloutRecorder.create({ cwd: ws, home });
  await rec.recordUserMessage('edit a');
  await rec.snapshot('m1');
  await writeFile(path.join(ws, 'a.txt'), 'one\ntwo\n');
  await rec.recordAssistantMessage('edited');
  await rec.snapshot('m2');
  await rec.close();
  return { home, ws, id: rec.id };
}

describe('--session in the snapshot commands takes what `rollouts ls` prints', () => {
  it('a unique prefix finds the session in snapshots, diff, restore and push', async () => {
    const { home, ws, id } = await sessionWithSnapshots();
    const prefix = id.slice(0, 13);
    const list = await cli(['snapshots', ws, '--session', prefix, '--json', '--home', home]);
    expect(list.code).toBe(0);
    expect(
      list.out
        .trim()
        .split('\n')
        .map((l) => (JSON.parse(l) as { messageId: string }).messageId),
    ).toEqual(['m1', 'm2']);
    const diff = await cli([
      'diff',
      ws,
      '--session',
      prefix,
      '--from',
      'm1',
      '--to',
      'm2',
      '--stat',
      '--home',
      home,
    ]);
    expect(diff).toMatchObject({ code: 0, out: 'modified     +1 -0        a.txt\n' });
    const dest = path.join(await tempDir(), 'out');
    const restored = await cli([
      'restore',
      ws,
      '--session',
      prefix,
      '--message',
      'm1',
      '--dest',
      dest,
      '--home',
      home,
    ]);
    expect(restored.code).toBe(0);
    const remote = path.join(await tempDir(), 'archive.git');
    const { git } = await import('../helpers/snapshot-fixtures.js');
    await git(path.dirname(remote), 'init', '--bare', '--quiet', remote);
    const pushed = await cli(['push', ws, '--remote', remote, '--session', prefix, '--home', home]);
    expect(pushed).toMatchObject({ code: 0, out: '2 pushed, 0 already on the remote\n' });
  });

  it('the hook stores a prefix under the full id and records the link in the rollout', async () => {
    const { home, ws, id } = await sessionWithSnapshots();
    const r = await cli(['snapshot', ws, '--session', id.slice(0, 8), '--message', 'm3', '--home', home]);
    expect(r.code).toBe(0);
    const list = await cli(['snapshots', ws, '--session', id, '--json', '--home', home]);
    const last = JSON.parse(list.out.trim().split('\n').pop()!) as { sessionId: string; messageId: string };
    expect(last).toMatchObject({ sessionId: id, messageId: 'm3' });
    const { path: file } = await findSession(id, { home });
    const read = await readRollout(file);
    expect(read.snapshots.map((s) => s.messageId)).toEqual(['m1', 'm2', 'm3']);
    expect(read.errors).toEqual([]);
    expect(read.snapshots[2]!.commit).toBe(r.out.trim());
  });

  it('refuses a session that is not in the home unless --new-session, and then only a UUID', async () => {
    const home = await makeHome();
    const ws = await makeRepo();
    const bad = await cli(['snapshot', ws, '--session', 'not-a-session', '--message', 'm', '--home', home]);
    expect(bad.code).toBe(2);
    const unknown = '0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b';
    const missing = await cli(['snapshot', ws, '--session', unknown, '--message', 'm', '--home', home]);
    expect(missing.code).toBe(1);
    expect(missing.err).toMatch(/no session|not found/i);
    expect(existsSync(path.join(home, 'snapshots'))).toBe(false);
    const notUuid = await cli([
      'snapshot',
      ws,
      '--session',
      's-1',
      '--message',
      'm',
      '--new-session',
      '--home',
      home,
    ]);
    expect(notUuid.code).toBe(2);
    expect(notUuid.err).toMatch(/UUID/);
    const ok = await cli([
      'snapshot',
      ws,
      '--session',
      unknown.toUpperCase(),
      '--message',
      'm',
      '--new-session',
      '--home',
      home,
    ]);
    expect(ok.code).toBe(0);
    const list = await cli(['snapshots', ws, '--json', '--home', home]);
    expect(JSON.parse(list.out)).toMatchObject({ sessionId: unknown, messageId: 'm' });
    expect((await cli(['snapshots', ws, '--session', 'not-a-session', '--home', home])).code).toBe(2);
  });

  it('an ambiguous prefix is an error listing the candidates', async () => {
    const home = await makeHome();
    const ws = await makeRepo();
    const ids: string[] = [];
    for (let i = 0; i < 2; i++) {
      const rec = await RolloutRecorder.create({
        cwd: ws,
        home,
        git: false,
        createdAt: new Date(Date.UTC(2026, 10, 20, 10, 0, 0, i)),
      });
      await rec.recordUserMessage(`task ${i}`);
      await rec.close();
      ids.push(rec.id);
    }
    const prefix = ids[0]!.slice(0, 8);
    expect(ids[1]!.startsWith(prefix)).toBe(true);
    const r = await cli(['snapshot', ws, '--session', prefix, '--message', 'm', '--home', home]);
    expect(r.code).toBe(1);
    for (const id of ids) expect(r.err).toContain(id);
    expect(await readdir(home)).not.toContain('snapshots');
  });

  it('while a writer holds the session, the store keeps the link and show lists it', async () => {
    const home = await makeHome();
    const ws = await makeRepo();
    const rec = await RolloutRecorder.create({ cwd: ws, home });
    await rec.recordUserMessage('busy');
    await rec.flush();
    const r = await cli(['snapshot', ws, '--session', rec.id, '--message', 'live-1', '--home', home]);
    expect(r.code).toBe(0);
    const { path: file } = await findSession(rec.id, { home });
    expect((await readRollout(file)).snapshots).toEqual([]);
    await rec.close();
    const shown = await cli(['show', rec.id, '--home', home]);
    expect(shown.code).toBe(0);
    expect(shown.out).toContain(`snapshot of message live-1: commit ${r.out.trim().slice(0, 12)}`);
  });
});
