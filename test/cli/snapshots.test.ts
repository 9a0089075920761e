import { existsSync } from 'node:fs';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { RolloutRecorder, findSession } from '../../src/index.js';
import { hashTree, makeHome, makeRepo, skipDotGit } from '../helpers/snapshot-fixtures.js';
import { tempDir } from '../helpers/temp.js';
import { cli } from './helpers.js';

async function sessionWithSnapshots(): Promise<{ home: string; ws: string; id: string }> {
  const home = await makeHome();
  const ws = await makeRepo({ 'a.txt': 'one\n' });
  const rec = await RolloutRecorder.create({ cwd: ws, home });
  await rec.recordUserMessage('edit a');
  await rec.snapshot('m1');
  await writeFile(path.join(ws, 'a.txt'), 'one\ntwo\n');
  await writeFile(path.join(ws, 'b.txt'), 'new\n');
  await rec.recordAssistantMessage('edited');
  await rec.snapshot('m2');
  await rec.close();
  return { home, ws, id: rec.id };
}

/** A session id no home holds (the hook takes it with --new-session). */
const S1 = '0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b';

describe('rollouts snapshot (the hook entry point)', () => {
  it('captures the workspace and prints the commit', async () => {
    const home = await makeHome();
    const ws = await makeRepo();
    const r = await cli([
      'snapshot',
      ws,
      '--session',
      S1,
      '--new-session',
      '--message',
      'm-1',
      '--metadata',
      '{"tool":"edit"}',
      '--home',
      home,
    ]);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^[0-9a-f]{40}\n$/);
    const list = await cli(['snapshots', ws, '--json', '--home', home]);
    expect(JSON.parse(list.out)).toMatchObject({
      sessionId: S1,
      messageId: 'm-1',
      commit: r.out.trim(),
      metadata: { tool: 'edit' },
    });
    const again = await cli([
      'snapshot',
      ws,
      '--session',
      S1,
      '--new-session',
      '--message',
      'm-1',
      '--home',
      home,
    ]);
    expect(again.code).toBe(1);
    expect(again.err).toMatch(/^error: A snapshot of message "m-1" in session "\S+" exists already/);
  });

  it.each([
    [['--session', 's'], 2, /^error: --message is required/],
    [['--session', 's', '--message', 'm', '--metadata', '{nope'], 2, /^error: --metadata is not valid JSON/],
    [
      ['--session', 's', '--message', 'm', '--metadata', '[1]'],
      2,
      /^error: --metadata must be a JSON object/,
    ],
  ])('%j: exit %i', async (args, code, message) => {
    const home = await makeHome();
    const ws = await makeRepo();
    const r = await cli(['snapshot', ws, ...args, '--home', home]);
    expect(r.code).toBe(code);
    expect(r.err).toMatch(message);
  });
});

describe('rollouts snapshots / diff / restore / push', () => {
  it('lists, diffs and restores the snapshots of a session', async () => {
    const { home, ws, id } = await sessionWithSnapshots();
    const list = await cli(['snapshots', ws, '--session', id, '--home', home]);
    expect(list.out.split('\n')[0]).toMatch(/^CAPTURED\s+COMMIT\s+SESSION\s+MESSAGE$/);
    expect(list.out).toMatch(/m1\n.*m2\n$/);

    const stat = await cli([
      'diff',
      ws,
      '--session',
      id,
      '--from',
      'm1',
      '--to',
      'm2',
      '--stat',
      '--home',
      home,
    ]);
    expect(stat.out).toBe('modified     +1 -0        a.txt\nadded        +1 -0        b.txt\n');
    const patch = await cli(['diff', ws, '--session', id, '--from', 'm1', '--to', 'm2', '--home', home]);
    expect(patch.out).toContain('+two');
    const live = await cli(['diff', ws, '--session', id, '--from', 'm2', '--home', home]);
    expect(live).toMatchObject({ code: 0, out: '', err: 'no changes\n' });

    const dest = path.join(await tempDir(), 'out');
    const restored = await cli([
      'restore',
      ws,
      '--session',
      id,
      '--message',
      'm1',
      '--dest',
      dest,
      '--home',
      home,
    ]);
    expect(restored.code).toBe(0);
    expect(await readFile(path.join(dest, 'a.txt'), 'utf8')).toBe('one\n');
    expect(existsSync(path.join(dest, 'b.txt'))).toBe(false);
  });

  it('rewinds in place, prints how to undo, and the undo command works', async () => {
    const { home, ws, id } = await sessionWithSnapshots();
    await mkdir(path.join(ws, '.git', 'info'), { recursive: true });
    await writeFile(path.join(ws, '.git', 'info', 'exclude'), '.env\n');
    await writeFile(path.join(ws, '.env'), 'SECRET=1\n', { mode: 0o600 });
    await chmod(path.join(ws, 'b.txt'), 0o600);
    const before = await hashTree(ws, { skip: skipDotGit });
    const gitBefore = await hashTree(path.join(ws, '.git'));
    const r = await cli(['restore', ws, '--session', id, '--message', 'm1', '--in-place', '--home', home]);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/: 1 written, 1 removed\n/);
    expect(await readFile(path.join(ws, 'a.txt'), 'utf8')).toBe('one\n');
    const undo = r.out
      .split('\n')[1]!
      .replace(/^undo: rollouts /, '')
      .match(/'[^']*'|\S+/g)!
      .map((a) => a.replace(/^'|'$/g, ''));
    expect(undo).toContain('--home');
    expect((await cli(undo)).code).toBe(0);
    expect(await readFile(path.join(ws, 'b.txt'), 'utf8')).toBe('new\n');
    expect(await hashTree(ws, { skip: skipDotGit })).toBe(before);
    expect(await hashTree(path.join(ws, '.git'))).toBe(gitBefore);
  });

  it.each([
    [
      ['restore', '--session', 's', '--message', 'm'],
      2,
      /^error: give exactly one of --dest DIR and --in-place/,
    ],
    [
      ['restore', '--session', 's', '--message', 'm', '--dest', 'x', '--in-place'],
      2,
      /^error: give exactly one of/,
    ],
    [
      ['restore', '--session', 's', '--message', 'nope', '--dest', 'x'],
      2,
      /^error: "s" is neither a session id nor a prefix/,
    ],
    [['diff', '--session', 's'], 2, /^error: required option '--from <message>' not specified/],
    [['push'], 1, /has no archive remote/],
  ])('%j: exit %i', async (args, code, message) => {
    const home = await makeHome();
    const ws = await makeRepo();
    const r = await cli([...args, '--home', home], { cwd: ws });
    expect(r.code).toBe(code);
    expect(r.err).toMatch(message);
  });

  it('pushes to a bare remote once, then skips what is there', async () => {
    const { home, ws } = await sessionWithSnapshots();
    const remote = path.join(await tempDir(), 'archive.git');
    const { git } = await import('../helpers/snapshot-fixtures.js');
    await git(path.dirname(remote), 'init', '--bare', '--quiet', remote);
    const first = await cli(['push', ws, '--remote', `file://${remote}`, '--home', home]);
    expect(first).toMatchObject({ code: 0, out: '2 pushed, 0 already on the remote\n' });
    const second = await cli(['push', ws, '--remote', `file://${remote}`, '--home', home]);
    expect(second.out).toBe('0 pushed, 2 already on the remote\n');
  });

  it('pushes a snapshot holding a secret as a redacted copy and says which files; --no-redact does not', async () => {
    const home = await makeHome();
    const ws = await makeRepo({ 'a.txt': 'one\n' });
    const rec = await RolloutRecorder.create({ cwd: ws, home });
    await rec.recordUserMessage('add the key');
    await writeFile(path.join(ws, 'settings.py'), "AWS_KEY = 'AKIAQWERTYUIOPASDFGH'\n");
    await rec.snapshot('m1');
    await rec.close();
    const { git } = await import('../helpers/snapshot-fixtures.js');
    const remotes: string[] = [];
    for (const name of ['redacted.git', 'exact.git']) {
      const remote = path.join(await tempDir(), name);
      await git(path.dirname(remote), 'init', '--bare', '--quiet', remote);
      remotes.push(remote);
    }
    const everything = async (remote: string): Promise<string> =>
      await git(remote, 'cat-file', '--batch-all-objects', '--batch', '--unordered');

    const redacted = await cli(['push', ws, '--remote', `file://${remotes[0]}`, '--home', home]);
    expect(redacted).toMatchObject({ code: 0, out: '1 pushed, 0 already on the remote\n' });
    expect(redacted.err).toBe(
      'warning: 1 snapshot pushed as a redacted copy (each secret replaced by [REDACTED:<kind>]); ' +
        'the local snapshots are unchanged\n  settings.py: aws-access-key-id\n',
    );
    expect(await everything(remotes[0]!)).not.toContain('AKIAQWERTYUIOPASDFGH');
    expect(await everything(remotes[0]!)).toContain("AWS_KEY = '[REDACTED:aws-access-key-id]'");

    const exact = await cli(['push', ws, '--remote', `file://${remotes[1]}`, '--no-redact', '--home', home]);
    expect(exact).toMatchObject({ code: 0, out: '1 pushed, 0 already on the remote\n', err: '' });
    expect(await everything(remotes[1]!)).toContain('AKIAQWERTYUIOPASDFGH');
  });
});

describe('rollouts delete', () => {
  it('refuses off a terminal without --yes, and deletes the rollout and its snapshots with it', async () => {
    const { home, ws, id } = await sessionWithSnapshots();
    const { path: file } = await findSession(id, { home });
    const refused = await cli(['delete', id, '--home', home]);
    expect(refused.code).toBe(2);
    expect(refused.err).toMatch(/^error: refusing to delete without --yes when not on a terminal/);
    const declined = await cli(['delete', id, '--home', home], {
      stdinIsTTY: true,
      confirm: async () => false,
    });
    expect(declined).toMatchObject({ code: 0, err: 'nothing deleted\n' });
    expect(existsSync(file)).toBe(true);

    const r = await cli(['delete', id.slice(0, 13), '--home', home], {
      stdinIsTTY: true,
      confirm: async () => true,
    });
    expect(r).toMatchObject({ code: 0, out: `deleted ${file} and 2 snapshots\n` });
    expect(existsSync(file)).toBe(false);
    expect((await cli(['snapshots', ws, '--json', '--home', home])).out).toBe('');
  });

  it('refuses while a writer holds the session', async () => {
    const home = await makeHome();
    const rec = await RolloutRecorder.create({ cwd: home, home, git: false });
    await rec.recordUserMessage('busy');
    await rec.flush();
    const r = await cli(['delete', rec.id, '--home', home, '--yes']);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(
      /^error: Cannot delete session \S+: it is open for writing in this process .*Close that recorder first, then try again\.\n$/,
    );
    await rec.close();
    expect((await cli(['delete', rec.id, '--home', home, '--yes'])).code).toBe(0);
  });
});
