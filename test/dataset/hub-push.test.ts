import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { pushDatasetToHub, setArchiveRemote } from '../../src/index.js';
import type { DatasetTurn, HubDatasetRow } from '../../src/index.js';
import { seedSessions } from '../cli/helpers.js';
import { git, makeHome, makeRepo } from '../helpers/snapshot-fixtures.js';
import { startStandInHub } from '../helpers/stand-in-hub.js';
import type { StandInHub } from '../helpers/stand-in-hub.js';
import { tempDir } from '../helpers/temp.js';
import { recordCodingSession } from './session-fixture.js';

let hub: StandInHub;
beforeEach(async () => {
  hub = await startStandInHub();
});
afterEach(async () => {
  await hub.close();
});

const trainRows = (name: string, h: StandInHub = hub): HubDatasetRow[] =>
  h.repos
    .get(`datasets/${name}`)!
    .files.get('train.jsonl')!
    .toString()
    .trimEnd()
    .split('\n')
    .map((l) => JSON.parse(l) as HubDatasetRow);

describe('pushDatasetToHub (stand-in Hub)', () => {
  it('stand-in Hub: two pushes with one new session hold two batches, the second with only the new row', async () => {
    const home = await makeHome();
    const first = await seedSessions(home, 2);
    const opts = { home, name: 'me/rollouts', accessToken: hub.token, hubUrl: hub.url };
    const r1 = await pushDatasetToHub({ ...opts, exportedAt: new Date('2026-12-01T10:00:00Z') });
    expect(r1).toMatchObject({ repo: 'me/rollouts', created: true, batchId: 1, appended: 2, totalRows: 2 });
    const repo = hub.repos.get('datasets/me/rollouts')!;
    expect(repo.private).toBe(false);

    const [added] = await seedSessions(home, 1);
    const r2 = await pushDatasetToHub({ ...opts, exportedAt: new Date('2026-12-01T11:00:00Z') });
    expect(r2).toMatchObject({ created: false, batchId: 2, appended: 1, sessions: 3, totalRows: 3 });
    const rows = trainRows('me/rollouts');
    expect(rows.map((r) => [r.batch_id, r.session_id])).toEqual([
      [1, expect.any(String)],
      [1, expect.any(String)],
      [2, added],
    ]);
    expect(new Set(rows.slice(0, 2).map((r) => r.session_id))).toEqual(new Set(first));
    for (const row of rows) {
      expect(Object.keys(row)).toEqual([
        'batch_id',
        'session_id',
        'agent',
        'exported_at',
        'session',
        'metadata',
      ]);
      expect(row.agent).toBe('codex');
      expect(row.metadata).toBeNull(); // no snapshots
      expect(row.session).toMatchObject({ session_id: row.session_id, messages: expect.any(Array) });
    }
    expect(rows[2]!.exported_at).toBe('2026-12-01T11:00:00.000Z');
    expect(repo.commits.map((c) => c.files)).toEqual([
      ['train.jsonl', 'README.md'],
      ['train.jsonl', 'README.md'],
    ]);
    const card = repo.files.get('README.md')!.toString();
    expect(card).toMatch(
      /^---\nconfigs:\n- config_name: default\n {2}data_files:\n {2}- split: train\n {4}path: train\.jsonl\n/,
    );

    // Nothing new: no commit, no batch.
    const r3 = await pushDatasetToHub(opts);
    expect(r3).toMatchObject({ batchId: null, appended: 0, commit: null });
    expect(repo.commits).toHaveLength(2);
  });

  it('stand-in Hub: a changed session gets a new row in a new batch and its old row stays', async () => {
    const home = await makeHome();
    await seedSessions(home, 1);
    const opts = { home, name: 'me/changes', accessToken: hub.token, hubUrl: hub.url };
    await pushDatasetToHub(opts);
    const { RolloutRecorder } = await import('../../src/index.js');
    const id = trainRows('me/changes')[0]!.session_id;
    const { recorder } = await RolloutRecorder.resume(id, { home });
    await recorder.recordAssistantMessage('one more reply');
    await recorder.close();
    const r = await pushDatasetToHub(opts);
    expect(r).toMatchObject({ batchId: 2, appended: 1 });
    const rows = trainRows('me/changes');
    expect(rows.map((x) => [x.batch_id, x.session_id])).toEqual([
      [1, id],
      [2, id],
    ]);
    expect(JSON.stringify(rows[1]!.session)).toContain('one more reply');
    expect(JSON.stringify(rows[0]!.session)).not.toContain('one more reply');
  });

  it('stand-in Hub: private on request, the token owner as namespace, secrets redacted by default', async () => {
    const home = await makeHome();
    const ws = await makeRepo({ 'README.md': '# hello\n' });
    await recordCodingSession(home, ws, { secret: 'ghp_abcdefghijklmnopqrstuvwxyz0123456789' });
    const r = await pushDatasetToHub({
      home,
      name: 'secret-set',
      private: true,
      accessToken: hub.token,
      hubUrl: hub.url,
    });
    expect(r.repo).toBe(`${hub.user}/secret-set`);
    const repo = hub.repos.get(`datasets/${hub.user}/secret-set`)!;
    expect(repo.private).toBe(true);
    const text = repo.files.get('train.jsonl')!.toString();
    expect(text).not.toContain('ghp_abcdefghijklmnopqrstuvwxyz0123456789');
    expect(text).toContain('[REDACTED:github-token]');
  });

  it('stand-in Hub: snapshots go to the archive remote first and rows carry its URL', async () => {
    const home = await makeHome();
    const ws = await makeRepo({ 'README.md': '# hello\n' });
    const s = await recordCodingSession(home, ws);
    await seedSessions(home, 1);
    const remote = `${await tempDir()}/archive.git`;
    await git(await tempDir(), 'init', '--quiet', '--bare', remote);
    const r = await pushDatasetToHub({
      home,
      name: 'me/remote',
      accessToken: hub.token,
      hubUrl: hub.url,
      remote,
    });
    expect(r.snapshotPushes).toBe(1);
    const rows = trainRows('me/remote');
    const withSnaps = rows.find((x) => x.session_id === s.id)!;
    expect(withSnaps.metadata).toEqual({ remote_url: remote });
    expect(rows.find((x) => x.session_id !== s.id)!.metadata).toBeNull();
    const tags = await git(remote, 'for-each-ref', '--format=%(objectname)', 'refs/tags/');
    expect(tags.trim().split('\n').length).toBeGreaterThanOrEqual(s.states.size);
    const commits = (withSnaps.session as { turns: { commit: string | null }[] }).turns
      .map((t) => t.commit)
      .filter((c): c is string => c !== null);
    for (const c of commits) expect(await git(remote, 'cat-file', '-t', c)).toBe('commit');
  });

  it('stand-in Hub: a snapshot holding a secret reaches the remote and the rows only as its redacted copy', async () => {
    const home = await makeHome();
    const ws = await makeRepo({ 'README.md': '# hello\n' });
    const secret = 'ghp_abcdefghijklmnopqrstuvwxyz0123456789';
    const s = await recordCodingSession(home, ws, { fileSecret: secret });
    const remote = `${await tempDir()}/archive.git`;
    await git(await tempDir(), 'init', '--quiet', '--bare', remote);
    await pushDatasetToHub({
      home,
      name: 'me/code',
      accessToken: hub.token,
      hubUrl: hub.url,
      remote,
      diffs: true,
    });
    const text = hub.repos.get('datasets/me/code')!.files.get('train.jsonl')!.toString();
    // Not in a message, not in a turn's diff, not on the remote.
    expect(text).not.toContain(secret);
    expect(text).toContain("+export const token = '[REDACTED:github-token]';");
    const held = await git(remote, 'cat-file', '--batch-all-objects', '--batch', '--unordered');
    expect(held).not.toContain(secret);

    const [row] = trainRows('me/code');
    const turns = (row!.session as { turns: DatasetTurn[] }).turns.filter((t) => t.commit !== null);
    expect(turns.map((t) => t.message_id)).toEqual([...s.states.keys()]);
    const tagged = await git(remote, 'for-each-ref', '--format=%(*objectname) %(*tree)', 'refs/tags/');
    const onRemote = new Set(tagged.trim().split('\n'));
    // Each turn names the commit and tree the remote holds for it; the second is a copy.
    for (const t of turns) expect(onRemote.has(`${t.commit} ${t.tree}`)).toBe(true);
    expect(turns.map((t) => t.redacted === true)).toEqual([false, true]);
  });

  it("stand-in Hub: without remote, the workspace's stored archive remote (rollouts remote set) is pushed to and named", async () => {
    const home = await makeHome();
    const ws = await makeRepo({ 'README.md': '# hello\n' });
    const s = await recordCodingSession(home, ws);
    const remote = `${await tempDir()}/stored.git`;
    await git(await tempDir(), 'init', '--quiet', '--bare', remote);
    await setArchiveRemote(ws, remote, { home });
    const r = await pushDatasetToHub({ home, name: 'me/stored', accessToken: hub.token, hubUrl: hub.url });
    expect(r.snapshotPushes).toBe(1);
    const row = trainRows('me/stored').find((x) => x.session_id === s.id)!;
    expect(row.metadata).toEqual({ remote_url: remote });
    const tags = await git(remote, 'for-each-ref', '--format=%(objectname)', 'refs/tags/');
    expect(tags.trim().split('\n').length).toBeGreaterThanOrEqual(s.states.size);
  });

  it('stand-in Hub: a train.jsonl above the LFS threshold goes through preupload, the LFS batch API and an lfsFile commit', async () => {
    await hub.close();
    hub = await startStandInHub({ lfsThreshold: 1 });
    const home = await makeHome();
    await seedSessions(home, 2);
    const opts = { home, name: 'me/lfs', accessToken: hub.token, hubUrl: hub.url };
    await pushDatasetToHub(opts);
    await seedSessions(home, 1);
    const r = await pushDatasetToHub(opts);
    expect(r).toMatchObject({ batchId: 2, appended: 1, totalRows: 3 });
    expect(trainRows('me/lfs').map((x) => x.batch_id)).toEqual([1, 1, 2]);
    expect(hub.requests).toContain('POST /datasets/me/lfs.git/info/lfs/objects/batch');
    expect(hub.requests.some((q) => q.startsWith('PUT /lfs-upload/'))).toBe(true);
  });

  it('stand-in Hub: a bad token fails with E_HUB and the status', async () => {
    const home = await makeHome();
    await seedSessions(home, 1);
    await expect(
      pushDatasetToHub({ home, name: 'me/x', accessToken: 'hf_wrong', hubUrl: hub.url }),
    ).rejects.toMatchObject({
      code: 'E_HUB',
      status: 401,
    });
  });
});
