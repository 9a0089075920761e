import { mkdtempSync, rmSync } from 'node:fs';
import { chmod, mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { collectGitInfo } from '../../src/recorder/git-info.js';
import { SnapshotStore } from '../../src/snapshot/snapshot-store.js';
import { git, makeHome, makeRepo, readTree, skipDotGit, writeTree } from '../helpers/snapshot-fixtures.js';
import { tempDir } from '../helpers/temp.js';

/**
 * No hook of any kind runs in any git call of ours, wherever hooks are planted. The temporary
 * folder of this file is a private one, so the folder an older version pointed `core.hooksPath` at
 * (`<tmpdir>/agent-rollouts-nohooks-<uid>`) can be planted without touching anyone else's runs.
 */
const privateTmp = mkdtempSync(path.join(os.tmpdir(), 'ar-hooks-tmp-'));
process.env['TMPDIR'] = privateTmp;
afterAll(() => rmSync(privateTmp, { recursive: true, force: true }));
const oldHooksPath = path.join(privateTmp, `agent-rollouts-nohooks-${process.getuid?.() ?? 'u'}`);

/** Every hook git 2.39 knows (`git help hooks`). */
const HOOKS = [
  'applypatch-msg',
  'pre-applypatch',
  'post-applypatch',
  'pre-commit',
  'pre-merge-commit',
  'prepare-commit-msg',
  'commit-msg',
  'post-commit',
  'pre-rebase',
  'post-checkout',
  'post-merge',
  'pre-push',
  'pre-receive',
  'update',
  'proc-receive',
  'post-receive',
  'post-update',
  'reference-transaction',
  'push-to-checkout',
  'pre-auto-gc',
  'post-rewrite',
  'sendemail-validate',
  'fsmonitor-watchman',
  'p4-changelist',
  'p4-prepare-changelist',
  'p4-post-changelist',
  'p4-pre-submit',
  'post-index-change',
];

async function plantHooks(dir: string, marker: string, where: string): Promise<void> {
  await mkdir(dir, { recursive: true });
  for (const h of HOOKS) {
    await writeFile(path.join(dir, h), `#!/bin/sh\necho '${where} ${h}' >> '${marker}'\nexit 0\n`);
    await chmod(path.join(dir, h), 0o755);
  }
}

async function markers(marker: string): Promise<string[]> {
  return readFile(marker, 'utf8').then(
    (t) => t.split('\n').filter(Boolean),
    () => [],
  );
}

describe('git hooks', () => {
  // First in the file: an older version created the folder once per process and failed on a file.
  it('works when the old hooks folder path is taken by a plain file', async () => {
    await writeFile(oldHooksPath, 'not a folder\n');
    const ws = await makeRepo({ 'a.txt': 'a\n' });
    const store = await SnapshotStore.open({ workspace: ws, home: await makeHome() });
    const snap = await store.capture({ sessionId: 's', messageId: 'm' });
    expect(snap.changedFiles.map((f) => f.path)).toEqual(['a.txt']);
    const info = await collectGitInfo(ws, { timeoutMs: 30_000 });
    expect(info?.commit_hash).toMatch(/^[0-9a-f]{40}$/);
    expect((await stat(oldHooksPath)).isFile()).toBe(true);
    await rm(oldHooksPath);
  });

  it('never runs a hook, wherever one is planted, in any operation', async () => {
    const evil = await tempDir('ar-hooks-');
    const marker = path.join(evil, 'MARKER');
    // The folder an older version used, created first by someone else.
    await rm(oldHooksPath, { recursive: true, force: true });
    await plantHooks(oldHooksPath, marker, 'tmp');
    const ws = await makeRepo({ 'a.txt': 'a\n', 'b.txt': 'b\n' });
    await plantHooks(path.join(ws, '.git', 'hooks'), marker, 'repo');
    const configHooks = path.join(evil, 'config-hooks');
    await plantHooks(configHooks, marker, 'config');
    await writeFile(
      path.join(ws, '.git', 'config'),
      `${await readFile(path.join(ws, '.git', 'config'), 'utf8')}[core]\n\thooksPath = ${configHooks}\n` +
        `\tfsmonitor = ${path.join(configHooks, 'fsmonitor-watchman')}\n`,
    );
    const remotes: string[] = [];
    for (const name of ['by-path.git', 'by-url.git']) {
      const remote = path.join(evil, name);
      await git(evil, 'init', '--quiet', '--bare', '--template=', remote);
      await plantHooks(path.join(remote, 'hooks'), marker, `remote ${name}`);
      await writeFile(
        path.join(remote, 'config'),
        `${await readFile(path.join(remote, 'config'), 'utf8')}[core]\n\thooksPath = ${configHooks}\n`,
      );
      remotes.push(remote);
    }
    // The set-up above ran git too (with the hooks folder of the version under test).
    expect(await markers(marker)).toEqual([]);

    const store = await SnapshotStore.open({ workspace: ws, home: await makeHome() });
    await plantHooks(path.join(store.path, 'hooks'), marker, 'store');
    const before = await readTree(ws, { skip: skipDotGit });
    await store.capture({ sessionId: 's', messageId: 'm1' });
    await writeTree(ws, { 'a.txt': 'changed\n', 'c.txt': 'new\n' });
    await store.capture({ sessionId: 's', messageId: 'm2' });
    expect(await store.list()).toHaveLength(2);
    const d = await store.diff({ sessionId: 's', messageId: 'm1' }, 'workspace', { patch: true });
    expect(d.files.map((f) => f.path)).toEqual(['a.txt', 'c.txt']);
    const dest = path.join(evil, 'restored');
    await store.restore({ sessionId: 's', messageId: 'm1' }, { dest });
    expect(await readTree(dest)).toEqual(before);
    const rewind = await store.restore({ sessionId: 's', messageId: 'm1' }, { inPlace: true });
    expect(await readTree(ws, { skip: skipDotGit })).toEqual(before);
    await store.restore(rewind.backup, { inPlace: true });
    await store.push(remotes[0]!);
    await store.push(`file://${remotes[1]!}`);
    await SnapshotStore.restoreFromRemote(
      remotes[0]!,
      { sessionId: 's', messageId: 'm2' },
      path.join(evil, 'from-remote'),
    );
    await store.delete({ sessionId: 's', messageId: 'm2' });
    expect(await collectGitInfo(ws, { timeoutMs: 30_000 })).toBeDefined();

    expect(await markers(marker)).toEqual([]);
  });
});
