import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { RolloutRecorder, lastRewind, listSessions, readRollout } from '../../src/index.js';
import { gitDigest, workspaceState } from '../helpers/rewind-state.js';
import { makeHome, makeRepo } from '../helpers/snapshot-fixtures.js';
import { cli } from './helpers.js';

async function session(home: string, ws: string) {
  const rec = await RolloutRecorder.create({ home, cwd: ws });
  await rec.recordUserMessage('write a');
  await writeFile(path.join(ws, 'a.txt'), 'a\n');
  const a1 = await rec.recordAssistantMessage('wrote a');
  await rec.snapshot();
  const atA1 = await workspaceState(ws);
  const u2 = await rec.recordUserMessage('write b');
  await writeFile(path.join(ws, 'b.txt'), 'b\n');
  await writeFile(path.join(ws, 'a.txt'), 'a, changed\n');
  await rec.recordAssistantMessage('wrote b');
  await rec.snapshot();
  await rec.close();
  return { rec, a1, u2, atA1 };
}

describe('rollouts fork / rewind / undo', () => {
  it('fork --at writes the new session and prints its id; --json is one typed line', async () => {
    const home = await makeHome();
    const ws = await makeRepo();
    const { rec, a1 } = await session(home, ws);
    const r = await cli(['fork', rec.id, '--at', a1, '--home', home]);
    expect(r.code, r.err).toBe(0);
    const id = /^forked (\S+) from (\S+) at (\S+) \(2 messages, 1 snapshot link\)$/m.exec(r.out);
    expect(id?.[2]).toBe(rec.id);
    expect(id?.[3]).toBe(a1);
    const j = await cli(['fork', rec.id.slice(0, 13), '--json', '--home', home]);
    expect(j.code, j.err).toBe(0);
    expect(JSON.parse(j.out)).toMatchObject({ type: 'fork', forkedFrom: rec.id, messages: 4, snapshots: 2 });
    expect((await listSessions({ home })).sessions).toHaveLength(3);
    const bad = await cli(['fork', rec.id, '--at', 'msg_nope', '--home', home]);
    expect(bad.code).toBe(1);
    expect(bad.err).toMatch(/has no user or assistant message "msg_nope"/);
  });

  it('rewind refuses to ask without a terminal unless --yes, and changes nothing', async () => {
    const home = await makeHome();
    const ws = await makeRepo();
    const { rec, a1 } = await session(home, ws);
    const before = await workspaceState(ws);
    const r = await cli(['rewind', rec.id, '--to', a1, '--home', home]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/refusing to rewind without --yes when not on a terminal/);
    expect(await workspaceState(ws)).toEqual(before);
    expect((await listSessions({ home })).sessions).toHaveLength(1);
  });

  it('rewind prints what it will change and asks; "no" changes nothing, "yes" rewinds; undo puts both back', async () => {
    const home = await makeHome();
    const ws = await makeRepo();
    const { rec, a1, atA1 } = await session(home, ws);
    const before = await workspaceState(ws);
    const git = await gitDigest(ws);
    const questions: string[] = [];
    const no = await cli(['rewind', rec.id, '--to', a1, '--home', home], {
      stdinIsTTY: true,
      confirm: (q) => {
        questions.push(q);
        return Promise.resolve(false);
      },
    });
    expect(no.code, no.err).toBe(0);
    expect(questions).toEqual(['Rewind?']);
    expect(no.err).toContain(`to the snapshot of message ${a1}`);
    expect(no.err).toContain('  remove b.txt');
    expect(no.err).toContain('  change a.txt');
    expect(no.err).toContain('2 later messages stay in the source only');
    expect(no.err).toContain('nothing changed');
    expect(await workspaceState(ws)).toEqual(before);

    const yes = await cli(['rewind', rec.id, '--to', a1, '--home', home], {
      stdinIsTTY: true,
      confirm: () => Promise.resolve(true),
    });
    expect(yes.code, yes.err).toBe(0);
    expect(yes.out).toMatch(
      /^rewound .*: 1 written, 1 removed\ncontinue with: codex resume \S+\nundo with: rollouts undo\n$/,
    );
    expect(await workspaceState(ws)).toEqual(atA1);
    expect(await gitDigest(ws)).toBe(git);
    const fork = (await lastRewind({ home }))!.fork;
    expect(yes.out).toContain(`codex resume ${fork.id}`);
    const read = await readRollout(fork.path);
    expect(read.meta.forked_from_id).toBe(rec.id);

    const undo = await cli(['undo', '--home', home]);
    expect(undo.code, undo.err).toBe(0);
    expect(undo.out).toContain(`removed the fork ${fork.id}`);
    expect(await workspaceState(ws)).toEqual(before);
    expect(await gitDigest(ws)).toBe(git);
    expect((await listSessions({ home })).sessions.map((s) => s.id)).toEqual([rec.id]);
    const again = await cli(['undo', '--home', home]);
    expect(again.code).toBe(1);
    expect(again.err).toMatch(/No rewind to undo/);
  });

  it('rewind --yes to a message without a snapshot is refused unless --nearest', async () => {
    const home = await makeHome();
    const ws = await makeRepo();
    const { rec, a1, u2, atA1 } = await session(home, ws);
    const r = await cli(['rewind', rec.id, '--to', u2, '--yes', '--home', home]);
    expect(r.code).toBe(1);
    expect(r.err).toContain(`The nearest earlier message with one is "${a1}"`);
    const n = await cli(['rewind', rec.id, '--to', u2, '--nearest', '--yes', '--home', home]);
    expect(n.code, n.err).toBe(0);
    expect(n.err).toContain('has no snapshot; using the nearest earlier one');
    expect(await workspaceState(ws)).toEqual(atA1);
  });
});
