import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runGit } from '../../src/files/git.js';
import { COMMIT_SUBJECT, messageRef } from '../../src/snapshot/refs.js';
import { SnapshotStore } from '../../src/snapshot/snapshot-store.js';
import { makeHome, makeRepo } from '../helpers/snapshot-fixtures.js';

/** The JSON record of a snapshot commit, as stored. */
async function commitRecord(store: SnapshotStore, commit: string): Promise<Record<string, unknown>> {
  const raw = (await runGit(['cat-file', 'commit', commit], { gitDir: store.path })).stdout;
  return JSON.parse(raw.slice(raw.indexOf(`${COMMIT_SUBJECT}\n\n`) + COMMIT_SUBJECT.length + 2)) as Record<
    string,
    unknown
  >;
}

const snakeKeys = (value: unknown): boolean =>
  typeof value !== 'object' || value === null
    ? true
    : Object.entries(value).every(([k, v]) => /^[a-z0-9_]+$/.test(k) && (Array.isArray(v) || snakeKeys(v)));

describe('the on-disk records of a snapshot store use one casing', () => {
  it('writes the commit record and the store marker in snake_case, and lists camelCase', async () => {
    const ws = await makeRepo({ 'a.txt': 'a\n' });
    const store = await SnapshotStore.open({ workspace: ws, home: await makeHome() });
    const snap = await store.capture({ sessionId: 's', messageId: 'm1' });

    const record = await commitRecord(store, snap.commit);
    expect(snakeKeys(record)).toBe(true);
    expect(record['vcs']).toMatchObject({ type: 'git', worktree: ws, common_dir: path.join(ws, '.git') });
    const marker = JSON.parse(
      await readFile(path.join(store.path, 'rollouts-workspace.json'), 'utf8'),
    ) as unknown;
    expect(snakeKeys(marker)).toBe(true);
    expect(marker).toMatchObject({ workspace: ws, kind: 'git', common_dir: path.join(ws, '.git') });

    const [info] = await store.list({ sessionId: 's' });
    expect(info?.vcs).toEqual({
      type: 'git',
      branch: 'main',
      head: expect.stringMatching(/^[0-9a-f]{40}$/),
      worktree: ws,
      commonDir: path.join(ws, '.git'),
    });
  });

  it('still reads a commit record written with the old spelling (commonDir)', async () => {
    const ws = await makeRepo({ 'a.txt': 'a\n' });
    const store = await SnapshotStore.open({ workspace: ws, home: await makeHome() });
    const snap = await store.capture({ sessionId: 's', messageId: 'm1' });
    const record = await commitRecord(store, snap.commit);
    const { common_dir: commonDir, ...vcs } = record['vcs'] as Record<string, unknown>;
    const old = { ...record, vcs: { ...vcs, commonDir } };
    // The same commit as an older version of this library wrote it, in place of the new one.
    const oldCommit = (
      await runGit(['commit-tree', snap.tree], {
        gitDir: store.path,
        input: `${COMMIT_SUBJECT}\n\n${JSON.stringify(old)}\n`,
        env: {
          GIT_AUTHOR_NAME: 'a',
          GIT_AUTHOR_EMAIL: 'a@localhost',
          GIT_COMMITTER_NAME: 'a',
          GIT_COMMITTER_EMAIL: 'a@localhost',
        },
      })
    ).stdout.trim();
    await runGit(['update-ref', messageRef('s', 'm1'), oldCommit], { gitDir: store.path });

    const [info] = await store.list({ sessionId: 's' });
    expect(info?.commit).toBe(oldCommit);
    expect(info?.vcs?.commonDir).toBe(path.join(ws, '.git'));
  });
});
