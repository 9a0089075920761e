import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { lstat, mkdir, readFile, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { RolloutRecorder, SnapshotStore, getArchiveRemote, listArchiveRemotes } from '../../src/index.js';
import { git, hashTree, makeHome, makeRepo, skipDotGit } from '../helpers/snapshot-fixtures.js';
import { standInGh } from '../helpers/stand-in-gh.js';
import { tempDir } from '../helpers/temp.js';
import { cli } from './helpers.js';

/** A workspace with a session of two snapshots in `home`. */
async function workspaceWithSnapshots(
  home: string,
  files: Record<string, string> = { 'a.txt': 'one\n' },
): Promise<{ ws: string; id: string; atFirst: string }> {
  const ws = await makeRepo(files);
  const rec = await RolloutRecorder.create({ cwd: ws, home });
  await rec.recordUserMessage('edit a');
  await rec.snapshot('m1');
  const atFirst = await hashTree(ws, { skip: skipDotGit });
  await writeFile(path.join(ws, 'a.txt'), 'one\ntwo\n');
  await writeFile(path.join(ws, 'b.bin'), Buffer.from([0, 255, 13, 10, 13]));
  await rec.recordAssistantMessage('edited');
  await rec.snapshot('m2');
  await rec.close();
  return { ws, id: rec.id, atFirst };
}

/** A workspace with one snapshot, taken through the store alone (cheaper than a session). */
async function oneSnapshot(home: string, content: string): Promise<string> {
  const ws = await makeRepo({ 'a.txt': content });
  const store = await SnapshotStore.open({ workspace: ws, home });
  await store.capture({ sessionId: 's-1', messageId: 'm-1' });
  return store.workspace;
}

async function bareRepo(name = 'archive.git'): Promise<string> {
  const remote = path.join(await tempDir('ar-remote-'), name);
  await git(path.dirname(remote), 'init', '--bare', '--quiet', remote);
  return remote;
}

const tags = async (remote: string): Promise<string[]> =>
  (await git(remote, 'for-each-ref', '--format=%(refname)', 'refs/tags/')).split('\n').filter(Boolean);

describe('rollouts remote and push with stored remotes', () => {
  it('push uses the stored remote when --remote is absent', async () => {
    const home = await makeHome();
    const { ws } = await workspaceWithSnapshots(home);
    const remote = await bareRepo();
    const set = await cli(['remote', 'set', '--url', remote, '--home', home], { cwd: ws });
    expect(set.code).toBe(0);
    expect(set.out).toContain(`→ ${remote}`);
    expect((await getArchiveRemote(path.join(ws, '.'), { home }))?.url).toBe(remote);

    const first = await cli(['push', ws, '--home', home]);
    expect(first).toMatchObject({ code: 0, out: '2 pushed, 0 already on the remote\n' });
    expect(await tags(remote)).toHaveLength(2);
    const second = await cli(['push', '--home', home], { cwd: ws });
    expect(second.out).toBe('0 pushed, 2 already on the remote\n');

    const list = await cli(['remote', 'list', '--json', '--home', home]);
    expect(JSON.parse(list.out)).toMatchObject({ type: 'remote', url: remote, created: false });
    const mode = (await lstat(path.join(home, 'archive_remotes.json'))).mode & 0o777;
    expect(mode).toBe(0o600);
  });

  it('push without a stored remote or --remote says how to set one (exit 1)', async () => {
    const home = await makeHome();
    const { ws } = await workspaceWithSnapshots(home);
    const r = await cli(['push', ws, '--home', home]);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/has no archive remote: set one \(rollouts remote set --url URL\)/);
  });

  it('push --all pushes every workspace with a stored remote, across three workspaces', async () => {
    const home = await makeHome();
    const made = [];
    for (const n of [1, 2, 3]) {
      const ws = await oneSnapshot(home, `workspace ${n}\n`);
      const remote = await bareRepo(`archive-${n}.git`);
      expect((await cli(['remote', 'set', ws, '--url', `file://${remote}`, '--home', home])).code).toBe(0);
      made.push({ ws, remote });
    }
    // A fourth workspace with a snapshot but no remote is left out.
    const other = await oneSnapshot(home, 'other\n');
    const r = await cli(['push', '--all', '--home', home]);
    expect(r.code).toBe(0);
    expect(r.out.trimEnd().split('\n')).toHaveLength(3);
    for (const m of made) {
      expect(r.out).toContain(`${m.ws}: 1 pushed, 0 already on the remote`);
      expect(await tags(m.remote)).toHaveLength(1);
    }
    expect(r.out).not.toContain(other);
    const again = await cli(['push', '--all', '--home', home]);
    expect(again.out.match(/0 pushed, 1 already on the remote/g)).toHaveLength(3);
  }, 300_000);

  it('restore --repo of a pushed snapshot writes a new folder byte-exact', async () => {
    const home = await makeHome();
    const { ws, id, atFirst } = await workspaceWithSnapshots(home);
    const remote = await bareRepo();
    await cli(['remote', 'set', ws, '--url', remote, '--home', home]);
    await cli(['push', ws, '--home', home]);
    const dest = path.join(await tempDir(), 'restored');
    // No home at all: the remote describes itself.
    const r = await cli([
      'restore',
      '--repo',
      `file://${remote}`,
      '--session',
      id,
      '--message',
      'm1',
      '--dest',
      dest,
    ]);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^restored [0-9a-f]{12} into /);
    expect(await hashTree(dest)).toBe(atFirst);
    const second = path.join(await tempDir(), 'restored-2');
    const r2 = await cli(['restore', '--repo', remote, '--session', id, '--message', 'm2', '--dest', second]);
    expect(r2.code).toBe(0);
    expect(await hashTree(second)).toBe(await hashTree(ws, { skip: skipDotGit }));
    const missing = await cli([
      'restore',
      '--repo',
      remote,
      '--session',
      id,
      '--message',
      'nope',
      '--dest',
      path.join(second, 'x'),
    ]);
    expect(missing.code).toBe(1);
    expect(missing.err).toMatch(/No snapshot of message "nope"/);
    const both = await cli(['restore', '--repo', remote, '--session', id, '--message', 'm1', '--in-place']);
    expect(both.code).toBe(2);
  });

  it('remote clear --all forgets every remote and leaves snapshots, stores and defaults intact', async () => {
    const home = await makeHome();
    const a = await workspaceWithSnapshots(home);
    const b = await workspaceWithSnapshots(home);
    await cli(['remote', 'set', a.ws, '--url', await bareRepo(), '--home', home]);
    await cli(['remote', 'set', b.ws, '--url', await bareRepo(), '--home', home]);
    await cli(['remote', 'defaults', 'set', '--owner', 'someone', '--prefix', 'rollouts-', '--home', home]);
    const before = await cli(['snapshots', a.ws, '--json', '--home', home]);
    const r = await cli(['remote', 'clear', '--all', '--home', home]);
    expect(r).toMatchObject({ code: 0, out: '2 remote(s) cleared\n' });
    expect(await listArchiveRemotes({ home })).toEqual([]);
    expect((await cli(['snapshots', a.ws, '--json', '--home', home])).out).toBe(before.out);
    expect((await cli(['snapshots', b.ws, '--json', '--home', home])).out.trimEnd().split('\n')).toHaveLength(
      2,
    );
    const d = await cli(['remote', 'defaults', 'show', '--json', '--home', home]);
    expect(JSON.parse(d.out)).toMatchObject({ owner: 'someone', prefix: 'rollouts-', visibility: 'private' });
    const one = await cli(['remote', 'clear', a.ws, '--home', home]);
    expect(one.err).toContain('has no archive remote');
  });

  it('remote clear of one workspace keeps the others', async () => {
    const home = await makeHome();
    const a = await workspaceWithSnapshots(home);
    const b = await workspaceWithSnapshots(home);
    const rb = await bareRepo();
    await cli(['remote', 'set', a.ws, '--url', await bareRepo(), '--home', home]);
    await cli(['remote', 'set', b.ws, '--url', rb, '--home', home]);
    expect((await cli(['remote', 'clear', '--home', home], { cwd: a.ws })).code).toBe(0);
    expect((await listArchiveRemotes({ home })).map((x) => x.url)).toEqual([rb]);
  });

  it.each([
    [['push', '--all', '--session', 'x'], /--all and --session cannot be combined/],
    [['push', '--all', '--remote', '/tmp/x'], /--all and --remote cannot be combined/],
    [['push', '--remote', '/tmp/x', '--create-remote'], /--remote and --create-remote cannot be combined/],
    [['remote', 'set', '--url', 'ext::sh -c touch% /tmp/pwned'], /transport `ext::`/],
    [['remote', 'set', '--url', 'evil://x/y'], /URL scheme `evil:\/\/`/],
    [['remote', 'defaults', 'set', '--owner', '-rf'], /is not a GitHub owner name/],
    [['remote', 'defaults', 'set', '--owner', 'o', '--prefix', '--x'], /may hold only/],
    [
      ['remote', 'defaults', 'set', '--owner', 'o', '--visibility', 'secret'],
      /not private, public or internal/,
    ],
  ])('%j is a usage error (exit 2)', async (args, message) => {
    const home = await makeHome();
    const ws = await makeRepo();
    const r = await cli([...args, '--home', home], { cwd: ws });
    expect(r.err).toMatch(message);
    expect(r.code).toBe(2);
  });
});

describe('a hand-edited or hostile remotes file', () => {
  const cases: [string, (file: string, ws: string, marker: string) => Promise<void>, RegExp][] = [
    ['not JSON', (f) => writeFile(f, '{"version":1,'), /is not JSON/],
    [
      'a wrong version',
      (f) => writeFile(f, '{"version":2,"defaults":null,"workspaces":[]}'),
      /version is not 1/,
    ],
    [
      'an ext:: URL',
      async (f, ws, marker) =>
        writeFile(
          f,
          JSON.stringify({
            version: 1,
            defaults: null,
            workspaces: [
              {
                key: await keyOf(ws),
                root: ws,
                url: `ext::sh -c "touch ${marker}"`,
                set_at: '2026-01-01T00:00:00.000Z',
                created: false,
              },
            ],
          }),
        ),
      /workspaces\[0\]\.url" is refused/,
    ],
    [
      'a key that is not its root',
      (f, ws) =>
        writeFile(
          f,
          JSON.stringify({
            version: 1,
            defaults: null,
            workspaces: [
              {
                key: `x-${'0'.repeat(20)}`,
                root: ws,
                url: '/tmp/a.git',
                set_at: '2026-01-01T00:00:00Z',
                created: false,
              },
            ],
          }),
        ),
      /key" is not the key of its root/,
    ],
    [
      'an owner that is an option',
      (f) =>
        writeFile(
          f,
          JSON.stringify({
            version: 1,
            defaults: { owner: '--help', prefix: '', visibility: 'private' },
            workspaces: [],
          }),
        ),
      /defaults.owner" is not a GitHub owner name/,
    ],
    [
      'a symbolic link',
      async (f) => {
        const target = path.join(path.dirname(f), 'elsewhere.json');
        await writeFile(target, '{"version":1,"defaults":null,"workspaces":[]}');
        await symlink(target, f);
      },
      /is a symbolic link/,
    ],
    ['a folder', (f) => mkdir(f), /not a regular file/],
  ];

  async function keyOf(ws: string): Promise<string> {
    const { workspaceKey } = await import('../../src/snapshot/workspace.js');
    return workspaceKey(ws);
  }

  it.each(cases)('%s gives one clear error line and runs nothing', async (_name, write, message) => {
    const home = await makeHome();
    const { ws } = await workspaceWithSnapshots(home);
    const marker = path.join(await tempDir(), 'pwned');
    const file = path.join(home, 'archive_remotes.json');
    await write(file, ws, marker);
    const before = await readFile(file).catch(() => undefined);
    for (const args of [
      ['push', ws],
      ['push', '--all'],
      ['remote', 'list'],
      ['remote', 'set', ws, '--url', '/tmp/x.git'],
      ['remote', 'clear', '--all'],
    ]) {
      const r = await cli([...args, '--home', home]);
      expect(r.code).toBe(1);
      expect(r.err).toMatch(message);
      expect(r.err.trimEnd().split('\n')).toHaveLength(1);
    }
    expect(existsSync(marker)).toBe(false);
    expect(await readFile(file).catch(() => undefined)).toEqual(before);
  });
});

describe('push --create-remote (stand-in gh)', () => {
  it('creates the repository with a stand-in gh, stores it, pushes, and reuses it after', async () => {
    const home = await makeHome();
    const { ws } = await workspaceWithSnapshots(home);
    const gh = await standInGh();
    const env = { PATH: gh.path };
    const noDefaults = await cli(['push', ws, '--create-remote', '--home', home], { env });
    expect(noDefaults.code).toBe(1);
    expect(noDefaults.err).toMatch(/remote defaults set --owner OWNER first/);
    await cli([
      'remote',
      'defaults',
      'set',
      '--owner',
      'you',
      '--prefix',
      'rollouts-',
      '--visibility',
      'internal',
      '--home',
      home,
    ]);

    const r = await cli(['push', ws, '--create-remote', '--home', home], { env });
    expect(r.code).toBe(0);
    expect(r.out).toBe('2 pushed, 0 already on the remote\n');
    const name = /^rollouts-repo-[0-9a-f]{8}$/;
    const calls = await gh.calls();
    expect(calls[0]).toEqual(['auth', 'status']);
    expect(calls[1]?.slice(0, 4)).toEqual(['repo', 'create', expect.stringMatching(/^you\//), '--internal']);
    expect(calls[1]?.[2]?.slice(4)).toMatch(name);
    expect(calls[2]).toEqual(['repo', 'view', calls[1]?.[2], '--json', 'sshUrl,url']);
    const stored = await getArchiveRemote(ws, { home });
    expect(stored).toMatchObject({ created: true, url: path.join(gh.repos, `${calls[1]?.[2]}.git`) });
    expect(await tags(stored!.url)).toHaveLength(2);

    // The stored remote is used from now on: gh is not called again.
    const again = await cli(['push', ws, '--create-remote', '--home', home], { env });
    expect(again.out).toBe('0 pushed, 2 already on the remote\n');
    expect(await gh.calls()).toHaveLength(3);

    // Cleared, the repository is found again by its name (it exists on "GitHub").
    await cli(['remote', 'clear', '--all', '--home', home]);
    const back = await cli(['push', ws, '--create-remote', '--home', home], { env });
    expect(back).toMatchObject({ code: 0, out: '0 pushed, 2 already on the remote\n' });
    expect((await getArchiveRemote(ws, { home }))?.url).toBe(stored!.url);
  });

  it('the built rollouts command finds a stand-in gh on its PATH and creates the remote', async () => {
    const home = await makeHome();
    const { ws } = await workspaceWithSnapshots(home);
    await cli(['remote', 'defaults', 'set', '--owner', 'you', '--home', home]);
    const gh = await standInGh();
    const bin = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../dist/cli/bin.js');
    const r = spawnSync(process.execPath, [bin, 'push', ws, '--create-remote', '--home', home], {
      encoding: 'utf8',
      env: { ...process.env, PATH: gh.path, NO_COLOR: '1' },
    });
    expect(r.stderr).toMatch(/^created \//);
    expect(r.stdout).toBe('2 pushed, 0 already on the remote\n');
    expect(r.status).toBe(0);
    expect((await gh.calls()).map((c) => c.slice(0, 2))).toEqual([
      ['auth', 'status'],
      ['repo', 'create'],
      ['repo', 'view'],
    ]);
  });

  it('push --all --create-remote creates one for every store without a remote (stand-in gh)', async () => {
    const home = await makeHome();
    const a = await workspaceWithSnapshots(home);
    const b = await workspaceWithSnapshots(home);
    const own = await bareRepo();
    await cli(['remote', 'set', a.ws, '--url', own, '--home', home]);
    await cli(['remote', 'defaults', 'set', '--owner', 'you', '--home', home]);
    const gh = await standInGh();
    const r = await cli(['push', '--all', '--create-remote', '--home', home], { env: { PATH: gh.path } });
    expect(r.code).toBe(0);
    expect(r.out).toContain(`${a.ws}: 2 pushed`);
    expect(r.out).toContain(`${b.ws}: 2 pushed`);
    expect((await gh.calls()).filter((c) => c[1] === 'create')).toHaveLength(1);
    expect((await getArchiveRemote(b.ws, { home }))?.created).toBe(true);
    expect(await tags(own)).toHaveLength(2);
  });

  it('refuses when the stand-in gh is not logged in, and when gh is not on the PATH', async () => {
    const home = await makeHome();
    const { ws } = await workspaceWithSnapshots(home);
    await cli(['remote', 'defaults', 'set', '--owner', 'you', '--home', home]);
    const gh = await standInGh({ loggedIn: false });
    const out = await cli(['push', ws, '--create-remote', '--home', home], { env: { PATH: gh.path } });
    expect(out.code).toBe(1);
    expect(out.err).toMatch(/gh is not logged in/);
    expect(await gh.calls()).toEqual([['auth', 'status']]);
    const none = await cli(['push', ws, '--create-remote', '--home', home], {
      env: { PATH: await tempDir() },
    });
    expect(none.code).toBe(1);
    expect(none.err).toMatch(/`gh` is not on the PATH/);
    expect(await getArchiveRemote(ws, { home })).toBeUndefined();
  });
});
