import { execFileSync, spawn } from 'node:child_process';
import { chmod, chown, mkdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { runGit } from '../../src/files/git.js';
import { SnapshotStore } from '../../src/snapshot/snapshot-store.js';
import { git, makeHome, makeRepo, writeTree } from '../helpers/snapshot-fixtures.js';
import { startJsonChild } from '../helpers/json-child.js';
import { tempDir } from '../helpers/temp.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const opChild = path.join(root, 'test/helpers/snapshot-op-child.ts');
const isRoot = process.getuid?.() === 0;

interface OpResult {
  ok: boolean;
  kind?: string;
  workspace?: string;
  store?: string;
  tree?: string;
  name?: string;
  message?: string;
  path?: string;
}

/**
 * Opens a store and captures once in a child process, killed after `boundMs`: resolves with what it
 * printed, or `{ hung: true }` when it had to be killed.
 */
function captureInChild(
  workspace: string,
  home: string,
  options: { boundMs?: number; asUser?: { uid: number; gid: number } } = {},
): Promise<OpResult | { hung: true; stderr: string }> {
  const node = [process.execPath, '--import', 'tsx', opChild, workspace, home];
  const [cmd, ...args] = options.asUser
    ? [
        'setpriv',
        `--reuid=${options.asUser.uid}`,
        `--regid=${options.asUser.gid}`,
        '--clear-groups',
        '--',
        ...node,
      ]
    : node;
  return new Promise((resolve) => {
    const child = spawn(cmd!, args, {
      cwd: root,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, HOME: home },
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err = (err + d.toString()).slice(-4000)));
    let hung = false;
    const timer = setTimeout(() => {
      hung = true;
      child.kill('SIGKILL');
    }, options.boundMs ?? 40_000);
    child.on('close', () => {
      clearTimeout(timer);
      if (hung) resolve({ hung: true, stderr: err });
      else {
        try {
          resolve(JSON.parse(out.trim().split('\n').pop() ?? '') as OpResult);
        } catch {
          resolve({ ok: false, message: `no result; stdout ${out} stderr ${err}` });
        }
      }
    });
  });
}

async function treeFiles(gitDir: string, tree: string): Promise<string[]> {
  const out = await runGit(['ls-tree', '-r', '--name-only', '-z', '--end-of-options', tree], { gitDir });
  return out.stdout.split('\0').filter(Boolean).sort();
}

function mkfifo(p: string): void {
  execFileSync('mkfifo', [p]);
}

describe('a repository owned by another user', () => {
  const user = 'ar-snap-test';
  /** Creates (once per machine) an unprivileged user for the test; its uid and gid. */
  function testUser(): { uid: number; gid: number } {
    const ids = (): { uid: number; gid: number } | undefined => {
      try {
        const uid = Number(execFileSync('id', ['-u', user], { encoding: 'utf8', stdio: 'pipe' }).trim());
        const gid = Number(execFileSync('id', ['-g', user], { encoding: 'utf8', stdio: 'pipe' }).trim());
        return { uid, gid };
      } catch {
        return undefined;
      }
    };
    const found = ids();
    if (found) return found;
    try {
      execFileSync('useradd', ['--system', '--no-create-home', '--shell', '/usr/sbin/nologin', user], {
        stdio: 'pipe',
      });
    } catch {
      // created by a concurrent run in between: look it up again
    }
    const made = ids();
    if (!made) throw new Error(`could not create the user ${user}`);
    return made;
  }

  const secretRepo = async (): Promise<string> => {
    const ws = await makeRepo({ '.gitignore': '.env\n', 'app.js': 'run()\n' });
    await writeFile(path.join(ws, '.env'), 'TOKEN=secret\n');
    return ws;
  };

  // Only root can create a user or hand a folder to another one.
  it.skipIf(!isRoot)('is captured as the git workspace it is, by root, ignored files left out', async () => {
    const { uid, gid } = testUser();
    const ws = await secretRepo();
    execFileSync('chown', ['-R', `${uid}:${gid}`, ws]);
    const store = await SnapshotStore.open({ workspace: ws, home: await makeHome() });
    expect(store.kind).toBe('git');
    const snap = await store.capture({ sessionId: 's', messageId: 'm' });
    expect(await treeFiles(store.path, snap.tree)).toEqual(['.gitignore', 'app.js']);
    // Trusted for our own calls only: nothing was written to any config.
    const config = await readFile(path.join(ws, '.git', 'config'), 'utf8');
    expect(config).not.toContain('safe');
  });

  it.skipIf(!isRoot)('is captured as a git workspace by an unprivileged user', async () => {
    const { uid, gid } = testUser();
    const ws = await secretRepo();
    // The user may read the root-owned repository (not write it) and owns its home.
    await chmod(path.dirname(ws), 0o755);
    execFileSync('chmod', ['-R', 'a+rX', ws]);
    const home = await makeHome();
    await chown(home, uid, gid);
    const result = await captureInChild(ws, home, { asUser: { uid, gid } });
    expect(result).toMatchObject({ ok: true, kind: 'git' });
    const r = result as OpResult;
    expect(await treeFiles(r.store!, r.tree!)).toEqual(['.gitignore', 'app.js']);
  });

  it('is an error, not a plain-folder capture, when git cannot read the repository', async () => {
    const ws = await secretRepo();
    await writeFile(path.join(ws, '.git', 'config'), '[core\n\tbroken\n');
    await expect(SnapshotStore.open({ workspace: ws, home: await makeHome() })).rejects.toThrow(/bad config/);
  });
});

describe('core.worktree in the repository config', () => {
  it('never captures the folder it points at', async () => {
    const ws = await makeRepo({ 'a.txt': 'a\n' });
    const sibling = path.join(path.dirname(ws), 'sibling');
    await writeTree(sibling, { id_ed25519: 'PRIVATE KEY\n' });
    await writeFile(
      path.join(ws, '.git', 'config'),
      `${await readFile(path.join(ws, '.git', 'config'), 'utf8')}[core]\n\tworktree = ${sibling}\n`,
    );
    const home = await makeHome();
    const opened = await SnapshotStore.open({ workspace: ws, home }).then(
      async (store) => ({ store, snap: await store.capture({ sessionId: 's', messageId: 'm' }) }),
      (error: Error) => error,
    );
    if (opened instanceof Error) {
      expect(opened.message).toMatch(/core\.worktree/);
      expect(opened.message).toContain(ws);
    } else {
      expect(opened.store.workspace).toBe(ws);
      expect(await treeFiles(opened.store.path, opened.snap.tree)).toEqual(['a.txt']);
    }
  });
});

describe("special files in the user's .git", () => {
  type Case = { name: string; setup: (ws: string) => Promise<string>; expected: RegExp };
  const cases: Case[] = [
    {
      name: 'HEAD naming a ref that is a FIFO',
      setup: async (ws) => {
        const ref = path.join(ws, '.git', 'refs', 'heads', 'fifo');
        mkfifo(ref);
        await writeFile(path.join(ws, '.git', 'HEAD'), 'ref: refs/heads/fifo\n');
        return ref;
      },
      expected: /FIFO/,
    },
    {
      name: 'a FIFO packed-refs',
      setup: async (ws) => {
        await git(ws, 'pack-refs', '--all');
        const file = path.join(ws, '.git', 'packed-refs');
        await rm(file);
        mkfifo(file);
        return file;
      },
      expected: /FIFO/,
    },
    {
      name: 'a FIFO info/exclude',
      setup: async (ws) => {
        const file = path.join(ws, '.git', 'info', 'exclude');
        await mkdir(path.dirname(file), { recursive: true });
        await rm(file, { force: true });
        mkfifo(file);
        return file;
      },
      expected: /FIFO/,
    },
    {
      name: 'a FIFO config',
      setup: async (ws) => {
        const file = path.join(ws, '.git', 'config');
        await rm(file);
        mkfifo(file);
        return file;
      },
      expected: /FIFO/,
    },
    {
      name: 'a FIFO HEAD',
      setup: async (ws) => {
        const file = path.join(ws, '.git', 'HEAD');
        await rm(file);
        mkfifo(file);
        return file;
      },
      expected: /FIFO/,
    },
    {
      name: 'a FIFO index',
      setup: async (ws) => {
        const file = path.join(ws, '.git', 'index');
        await rm(file);
        mkfifo(file);
        return file;
      },
      expected: /FIFO/,
    },
    {
      name: 'a .git file that is a FIFO',
      setup: async (ws) => {
        const file = path.join(ws, '.git');
        await rm(file, { recursive: true });
        mkfifo(file);
        return file;
      },
      expected: /FIFO/,
    },
    {
      name: 'HEAD naming a ref that leads to /dev/zero',
      setup: async (ws) => {
        const heads = path.join(ws, '.git', 'refs', 'heads');
        await writeFile(
          path.join(ws, '.git', 'HEAD'),
          `ref: refs/heads/${path.relative(heads, '/dev/zero')}\n`,
        );
        return '/dev/zero';
      },
      expected: /character device/,
    },
    {
      name: 'HEAD naming a ref that is a symbolic link to a FIFO',
      setup: async (ws) => {
        const fifo = path.join(path.dirname(ws), 'fifo');
        mkfifo(fifo);
        await symlink(fifo, path.join(ws, '.git', 'refs', 'heads', 'link'));
        await writeFile(path.join(ws, '.git', 'HEAD'), 'ref: refs/heads/link\n');
        return path.join(ws, '.git', 'refs', 'heads', 'link');
      },
      expected: /FIFO/,
    },
    {
      name: 'an oversized HEAD',
      setup: async (ws) => {
        const file = path.join(ws, '.git', 'HEAD');
        await writeFile(file, `ref: refs/heads/main\n${' '.repeat(2 * 1024 * 1024)}`);
        return file;
      },
      expected: /bytes/,
    },
  ];
  for (const c of cases) {
    it(`settles with an error naming the file: ${c.name}`, async () => {
      const ws = await makeRepo({ 'a.txt': 'a\n' });
      const file = await c.setup(ws);
      const result = await captureInChild(ws, await makeHome(), { boundMs: 40_000 });
      expect(result).toMatchObject({ ok: false });
      const r = result as OpResult;
      expect(r.message).toContain(file);
      expect(r.message).toMatch(c.expected);
    });
  }
});

describe("special files appearing in the user's .git after the store is open", () => {
  /** Opens in a child, runs `change`, then captures; the child is killed after 40 s. */
  async function captureAfter(ws: string, change: () => Promise<void>): Promise<Record<string, unknown>> {
    const child = startJsonChild(opChild, [ws, await makeHome(), '--wait']);
    const timer = setTimeout(() => child.process.kill('SIGKILL'), 40_000);
    try {
      await child.waitFor((m) => m['opened'] === true || m['ok'] === false);
      await change();
      child.send('go');
      const { signal } = await child.exited;
      expect(signal).toBeNull();
      return child.messages.at(-1)!;
    } finally {
      clearTimeout(timer);
      child.process.kill('SIGKILL');
    }
  }

  it('a FIFO info/exclude is an error naming it', async () => {
    const ws = await makeRepo({ 'a.txt': 'a\n' });
    const file = path.join(ws, '.git', 'info', 'exclude');
    const r = await captureAfter(ws, async () => {
      await mkdir(path.dirname(file), { recursive: true });
      await rm(file, { force: true });
      mkfifo(file);
    });
    expect(r).toMatchObject({ ok: false });
    expect(r['message']).toContain(file);
    expect(r['message']).toMatch(/FIFO/);
  });

  it('a FIFO index is an error naming it', async () => {
    const ws = await makeRepo({ 'a.txt': 'a\n' });
    const file = path.join(ws, '.git', 'index');
    const r = await captureAfter(ws, async () => {
      await rm(file);
      mkfifo(file);
    });
    expect(r).toMatchObject({ ok: false });
    expect(r['message']).toContain(file);
    expect(r['message']).toMatch(/FIFO/);
  });

  it('a HEAD leading to /dev/zero or a FIFO packed-refs leaves the commit unknown', async () => {
    for (const change of [
      async (ws: string) => {
        const heads = path.join(ws, '.git', 'refs', 'heads');
        await writeFile(
          path.join(ws, '.git', 'HEAD'),
          `ref: refs/heads/${path.relative(heads, '/dev/zero')}\n`,
        );
      },
      async (ws: string) => {
        await writeFile(path.join(ws, '.git', 'HEAD'), 'ref: refs/heads/packed-only\n');
        mkfifo(path.join(ws, '.git', 'packed-refs'));
      },
    ]) {
      const ws = await makeRepo({ 'a.txt': 'a\n' });
      const r = await captureAfter(ws, () => change(ws));
      expect(r).toMatchObject({ ok: true, vcs: { type: 'git', head: null } });
    }
  });
});

describe('remotes', () => {
  const savedCwd = process.cwd();
  const savedPath = process.env['PATH'];
  afterEach(() => {
    process.chdir(savedCwd);
    process.env['PATH'] = savedPath;
  });

  async function storeWithSnapshot(): Promise<SnapshotStore> {
    const ws = await makeRepo({ 'a.txt': 'a\n' });
    const store = await SnapshotStore.open({ workspace: ws, home: await makeHome() });
    await store.capture({ sessionId: 's', messageId: 'm' });
    return store;
  }

  /** Settles `p` or gives up after `ms`: `'pending'` then. */
  function within<T>(p: Promise<T>, ms: number): Promise<{ value?: T; error?: Error } | 'pending'> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve('pending'), ms);
      p.then(
        (value) => resolve({ value }),
        (error: Error) => resolve({ error }),
      ).finally(() => clearTimeout(timer));
    });
  }

  it('refuses <transport>:: forms and helper-run URL schemes before git sees them', async () => {
    const store = await storeWithSnapshot();
    const dest = path.join(await tempDir(), 'out');
    for (const remote of [
      'fd::3',
      'fd::3,4/x',
      'ext::sh -c touch% /tmp/ar-pwned',
      'foo::bar',
      'testgit://x',
    ]) {
      const calls: (() => Promise<unknown>)[] = [
        () => store.push(remote),
        () => SnapshotStore.restoreFromRemote(remote, { sessionId: 's', messageId: 'm' }, dest),
      ];
      for (const call of calls) {
        const settled = await within(call(), 20_000);
        expect(settled).not.toBe('pending');
        const { error } = settled as { error?: Error & { code?: string } };
        expect(error).toBeInstanceOf(TypeError);
        expect(error?.code).toBe('ERR_INVALID_ARG_VALUE');
        expect(error?.message).toContain(remote);
      }
    }
  });

  it('gives git talking to a remote no descriptor beyond stdio', async () => {
    const store = await storeWithSnapshot();
    const bin = await tempDir('ar-fake-ssh-');
    const report = path.join(bin, 'fds');
    await writeFile(path.join(bin, 'ssh'), `#!/bin/sh\nls -l /proc/$$/fd > '${report}' 2>&1\nexit 1\n`);
    await chmod(path.join(bin, 'ssh'), 0o755);
    process.env['PATH'] = `${bin}:${savedPath ?? ''}`;
    await expect(store.push('ssh://example.invalid/archive.git')).rejects.toThrow();
    const fds = await readFile(report, 'utf8');
    expect(fds).not.toContain('rollouts.lock');
    expect(fds).not.toMatch(/ 3 -> /);
  });

  it('resolves a relative remote path against the caller’s working folder', async () => {
    const store = await storeWithSnapshot();
    const here = await tempDir('ar-cwd-');
    await git(here, 'init', '--quiet', '--bare', '--template=', 'archive.git');
    process.chdir(here);
    const pushed = await store.push('./archive.git');
    expect(pushed.pushed).toHaveLength(1);
    const tags = await runGit(['for-each-ref', '--format=%(refname)', 'refs/tags/'], {
      gitDir: path.join(here, 'archive.git'),
    });
    expect(tags.stdout.split('\n')).toEqual(pushed.pushed);
    const restored = await SnapshotStore.restoreFromRemote(
      'archive.git',
      { sessionId: 's', messageId: 'm' },
      'out',
    );
    expect(restored.dest).toBe(path.join(here, 'out'));
    expect(await readFile(path.join(here, 'out', 'a.txt'), 'utf8')).toBe('a\n');
  });

  it('refuses to push into the store itself', async () => {
    const store = await storeWithSnapshot();
    process.chdir(store.path);
    for (const remote of ['.', './', store.path, `file://${store.path}`, './refs']) {
      await expect(store.push(remote)).rejects.toThrow(/snapshot store itself/);
    }
    const tags = await runGit(['for-each-ref', 'refs/tags/'], { gitDir: store.path });
    expect(tags.stdout).toBe('');
  });
});
