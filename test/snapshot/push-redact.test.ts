import { rm } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runGit } from '../../src/files/git.js';
import { remoteTagRef } from '../../src/snapshot/refs.js';
import { SnapshotStore } from '../../src/snapshot/snapshot-store.js';
import { git, makeHome, makeRepo, readTree, writeTree } from '../helpers/snapshot-fixtures.js';
import { tempDir } from '../helpers/temp.js';

const AWS = 'AKIAQWERTYUIOPASDFGH';
const PASSWORD = 'DB_PASSWORD=correct-horse-battery-staple';

async function bareRemote(): Promise<string> {
  const remote = path.join(await tempDir(), 'archive.git');
  await git(path.dirname(remote), 'init', '--quiet', '--bare', '--template=', remote);
  return remote;
}

/** Every object the remote holds, contents concatenated (what anyone who can clone it can read). */
async function everythingIn(remote: string): Promise<string> {
  const all = await runGit(['cat-file', '--batch-all-objects', '--batch', '--unordered'], {
    gitDir: remote,
    binary: true,
  });
  return all.stdout.toString('latin1');
}

async function tagRecord(
  remote: string,
  sessionId: string,
  messageId: string,
): Promise<Record<string, unknown>> {
  const text = (await runGit(['cat-file', 'tag', remoteTagRef(sessionId, messageId)], { gitDir: remote }))
    .stdout;
  return JSON.parse(text.slice(text.indexOf('\n\n') + 2)) as Record<string, unknown>;
}

/** A file of a {@link readTree} result as text. */
const text = (files: Record<string, string>, name: string): string | undefined =>
  files[name] === undefined ? undefined : Buffer.from(files[name], 'base64').toString('utf8');

describe('push redacts secrets by default', () => {
  it('sends a copy with markers, restores it from the remote, and leaves the local snapshot exact', async () => {
    const ws = await makeRepo({
      'src/config.ts': `export const key = '${AWS}';\nexport const region = 'eu-west-1';\n`,
      'deploy/.env.production': `${PASSWORD}\nPORT=8080\n`,
      'README.md': 'nothing to hide\n',
      'logo.bin': Buffer.from([0, 1, 2, 3, 0, 65, 75, 73, 65]),
    });
    const store = await SnapshotStore.open({ workspace: ws, home: await makeHome() });
    const snap = await store.capture({
      sessionId: 's1',
      messageId: 'm1',
      metadata: { note: `token ${AWS}` },
    });
    const remote = await bareRemote();

    const result = await store.push(`file://${remote}`);
    expect(result.pushed).toEqual([remoteTagRef('s1', 'm1')]);
    expect(result.redactions).toHaveLength(1);
    const [r] = result.redactions;
    expect(r).toMatchObject({ sessionId: 's1', messageId: 'm1', ref: remoteTagRef('s1', 'm1') });
    expect(r!.commit).not.toBe(snap.commit);
    expect(r!.files).toEqual([
      { path: 'deploy/.env.production', kinds: ['env-secret'] },
      { path: 'src/config.ts', kinds: ['aws-access-key-id'] },
    ]);

    // Nothing secret is anywhere on the remote: not in a blob, a commit, a tag, or the history.
    const held = await everythingIn(remote);
    expect(held).not.toContain(AWS);
    expect(held).not.toContain('correct-horse-battery-staple');
    // The original commit (a hash of the secret's tree) is not published either.
    expect(held).not.toContain(snap.commit);
    const record = await tagRecord(remote, 's1', 'm1');
    expect(record['commit']).toBe(r!.commit);
    expect(record['metadata']).toEqual({ note: 'token [REDACTED:aws-access-key-id]' });
    expect(record['redacted']).toEqual({ files: r!.files });

    // The remote copy restores with markers, the rest byte for byte.
    const fromRemote = path.join(await tempDir(), 'from-remote');
    const restored = await SnapshotStore.restoreFromRemote(
      `file://${remote}`,
      { sessionId: 's1', messageId: 'm1' },
      fromRemote,
    );
    expect(restored.commit).toBe(r!.commit);
    expect(restored.tree).toBe(r!.tree);
    const files = await readTree(fromRemote);
    expect(text(files, 'src/config.ts')).toBe(
      "export const key = '[REDACTED:aws-access-key-id]';\nexport const region = 'eu-west-1';\n",
    );
    expect(text(files, 'deploy/.env.production')).toBe('DB_PASSWORD=[REDACTED:env-secret]\nPORT=8080\n');
    expect(text(files, 'README.md')).toBe('nothing to hide\n');

    // The local snapshot still restores the exact bytes.
    const local = path.join(await tempDir(), 'local');
    await store.restore({ sessionId: 's1', messageId: 'm1' }, { dest: local });
    expect(text(await readTree(local), 'src/config.ts')).toContain(AWS);

    // Pushing again skips the tag and still reports the redacted copy the remote holds.
    const again = await store.push(`file://${remote}`);
    expect(again.pushed).toEqual([]);
    expect(again.skipped).toEqual([remoteTagRef('s1', 'm1')]);
    expect(again.redactions).toEqual([{ ...r, files: null }]);
  });

  it('never sends a secret an earlier snapshot held, even when the pushed one no longer has it', async () => {
    const ws = await makeRepo({ 'a.txt': 'a\n' });
    const store = await SnapshotStore.open({ workspace: ws, home: await makeHome() });
    await writeTree(ws, { 'creds.json': `{"password": "hunter2-but-longer"}\n` });
    const one = await store.capture({ sessionId: 's', messageId: 'm1' });
    await rm(path.join(ws, 'creds.json'));
    await writeTree(ws, { 'b.txt': 'b\n' });
    const two = await store.capture({ sessionId: 's', messageId: 'm2' });
    expect(two.parent).toBe(one.commit);
    const remote = await bareRemote();

    const result = await store.push(`file://${remote}`);
    expect(result.pushed.sort()).toEqual([remoteTagRef('s', 'm1'), remoteTagRef('s', 'm2')].sort());
    expect(await everythingIn(remote)).not.toContain('hunter2-but-longer');
    const byMessage = new Map(result.redactions.map((r) => [r.messageId, r]));
    expect(byMessage.get('m1')?.files).toEqual([{ path: 'creds.json', kinds: ['password'] }]);
    // m2's tree had nothing to redact: its copy differs only in its parent, m1's copy.
    expect(byMessage.get('m2')).toMatchObject({ tree: two.tree, files: [] });
    const parents = await runGit(['rev-list', '--parents', '-n', '1', byMessage.get('m2')!.commit], {
      gitDir: remote,
    });
    expect(parents.stdout.trim().split(' ')).toEqual([
      byMessage.get('m2')!.commit,
      byMessage.get('m1')!.commit,
    ]);
    const dest = path.join(await tempDir(), 'out');
    await SnapshotStore.restoreFromRemote(`file://${remote}`, { sessionId: 's', messageId: 'm2' }, dest);
    expect(Object.keys(await readTree(dest)).sort()).toEqual(['a.txt', 'b.txt']);
  });

  it('after the snapshot with the secret is deleted, the one left pushes on a redacted copy of its history', async () => {
    const ws = await makeRepo({ 'a.txt': 'a\n' });
    const store = await SnapshotStore.open({ workspace: ws, home: await makeHome() });
    await writeTree(ws, {
      '.npmrc': `//registry.npmjs.org/:_authToken=npm_${'a1B2c3D4e5'.repeat(3)}abcdef\n`,
    });
    await store.capture({ sessionId: 's', messageId: 'm1' });
    await rm(path.join(ws, '.npmrc'));
    const two = await store.capture({ sessionId: 's', messageId: 'm2' });
    await store.delete({ sessionId: 's', messageId: 'm1' });
    const remote = await bareRemote();
    const result = await store.push(`file://${remote}`);
    expect(result.pushed).toEqual([remoteTagRef('s', 'm2')]);
    expect(await everythingIn(remote)).not.toContain('a1B2c3D4e5');
    // A deleted snapshot that a later one builds on stays reachable as its parent (see
    // SnapshotStore.delete): the one left goes as a copy, on a redacted copy of that history.
    expect(result.redactions).toEqual([
      expect.objectContaining({ messageId: 'm2', tree: two.tree, files: [] }),
    ]);
  });

  it('a later push sends the next snapshot on the copy the remote holds, the secret still redacted', async () => {
    const ws = await makeRepo({ 'a.txt': 'a\n', 'settings.py': `KEY = '${AWS}'\n` });
    const store = await SnapshotStore.open({ workspace: ws, home: await makeHome() });
    await store.capture({ sessionId: 's', messageId: 'm1' });
    const remote = await bareRemote();
    const first = await store.push(`file://${remote}`);
    await writeTree(ws, { 'a.txt': 'a changed\n' });
    const two = await store.capture({ sessionId: 's', messageId: 'm2' });
    await writeTree(ws, { 'settings.py': `KEY = '${AWS}'\nPASSWORD = 'x'\n${PASSWORD}\n` });
    const three = await store.capture({ sessionId: 's', messageId: 'm3' });

    const next = await store.push(`file://${remote}`);
    expect(next.pushed.sort()).toEqual([remoteTagRef('s', 'm2'), remoteTagRef('s', 'm3')].sort());
    expect(await everythingIn(remote)).not.toContain(AWS);
    expect(await everythingIn(remote)).not.toContain('correct-horse-battery-staple');
    const byMessage = new Map(next.redactions.map((r) => [r.messageId, r]));
    expect(byMessage.get('m1')).toEqual({ ...first.redactions[0], files: null });
    expect(byMessage.get('m2')!.files).toEqual([{ path: 'settings.py', kinds: ['aws-access-key-id'] }]);
    expect(byMessage.get('m3')!.files).toEqual([
      { path: 'settings.py', kinds: ['aws-access-key-id', 'env-secret'] },
    ]);
    expect(byMessage.get('m2')!.commit).not.toBe(two.commit);
    expect(byMessage.get('m3')!.commit).not.toBe(three.commit);
    // The remote's history is the local one, redacted: m3 on m2 on m1, each a copy.
    const chain = await runGit(['rev-list', byMessage.get('m3')!.commit], { gitDir: remote });
    expect(chain.stdout.trim().split('\n')).toEqual(['m3', 'm2', 'm1'].map((m) => byMessage.get(m)!.commit));
    // The same push again agrees with itself: copies are deterministic.
    const other = await bareRemote();
    const fresh = await store.push(`file://${other}`);
    expect(new Map(fresh.redactions.map((r) => [r.messageId, r.commit]))).toEqual(
      new Map(next.redactions.map((r) => [r.messageId, r.commit])),
    );
  });

  it('pushes a clean workspace as it is: the commits on the remote are the local ones', async () => {
    const ws = await makeRepo({ 'a.txt': 'a\n', 'token.md': 'token of appreciation, a password: hint\n' });
    const store = await SnapshotStore.open({ workspace: ws, home: await makeHome() });
    const one = await store.capture({ sessionId: 's', messageId: 'm1' });
    await writeTree(ws, { 'b.txt': 'b\n' });
    const two = await store.capture({ sessionId: 's', messageId: 'm2' });
    const remote = await bareRemote();
    const result = await store.push(`file://${remote}`);
    expect(result.redactions).toEqual([]);
    expect((await tagRecord(remote, 's', 'm1'))['commit']).toBe(one.commit);
    expect((await tagRecord(remote, 's', 'm2'))['commit']).toBe(two.commit);
    const log = await runGit(['rev-list', `${remoteTagRef('s', 'm2')}^{commit}`], { gitDir: remote });
    expect(log.stdout.trim().split('\n')).toEqual([two.commit, one.commit]);
  });

  it('with redact: false pushes the exact commits, secrets and all', async () => {
    const ws = await makeRepo({ 'src/config.ts': `const key = '${AWS}';\n` });
    const store = await SnapshotStore.open({ workspace: ws, home: await makeHome() });
    const snap = await store.capture({ sessionId: 's', messageId: 'm' });
    const remote = await bareRemote();
    const result = await store.push(`file://${remote}`, { redact: false });
    expect(result.redactions).toEqual([]);
    expect((await tagRecord(remote, 's', 'm'))['commit']).toBe(snap.commit);
    expect(await everythingIn(remote)).toContain(AWS);
  });
});
