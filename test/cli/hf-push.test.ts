import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { recordCodingSession } from '../dataset/session-fixture.js';
import { git, makeHome, makeRepo } from '../helpers/snapshot-fixtures.js';
import { startStandInHub } from '../helpers/stand-in-hub.js';
import type { StandInHub } from '../helpers/stand-in-hub.js';
import { tempDir } from '../helpers/temp.js';
import { cli, seedSessions } from './helpers.js';

let hub: StandInHub;
beforeEach(async () => {
  hub = await startStandInHub();
});
afterEach(async () => {
  await hub.close();
});

describe('rollouts hf push (stand-in Hub)', () => {
  it('stand-in Hub: HF_TOKEN and HF_ENDPOINT; two pushes with one new session make two batches', async () => {
    const home = await tempDir();
    await seedSessions(home, 2);
    const env = { HF_TOKEN: hub.token, HF_ENDPOINT: hub.url };
    const r1 = await cli(['hf', 'push', '--name', 'me/data', '--home', home], { env });
    expect(r1.code, r1.err).toBe(0);
    expect(r1.out).toBe('me/data: batch 1 added, 2 rows (2 in train.jsonl), dataset created\n');
    await seedSessions(home, 1);
    const r2 = await cli(['hf', 'push', '--name', 'me/data', '--home', home, '--format', 'trl'], { env });
    expect(r2.out).toBe('me/data: batch 2 added, 3 rows (5 in train.jsonl)\n');
    const r3 = await cli(['hf', 'push', '--name', 'me/data', '--home', home, '--format', 'trl'], { env });
    expect(r3.out).toBe('me/data: nothing new in 3 sessions; no batch added (5 rows)\n');
    expect(hub.repos.get('datasets/me/data')!.commits).toHaveLength(2);
  });

  it('stand-in Hub: says which snapshot files went to the archive remote redacted', async () => {
    const home = await makeHome();
    const ws = await makeRepo({ 'README.md': '# hello\n' });
    await recordCodingSession(home, ws, { fileSecret: 'ghp_abcdefghijklmnopqrstuvwxyz0123456789' });
    const remote = path.join(await tempDir(), 'archive.git');
    await git(path.dirname(remote), 'init', '--quiet', '--bare', remote);
    const env = { HF_TOKEN: hub.token, HF_ENDPOINT: hub.url };
    const r = await cli(['hf', 'push', '--name', 'me/code', '--remote', remote, '--home', home], { env });
    expect(r.code, r.err).toBe(0);
    expect(r.err).toBe(
      'warning: 1 snapshot pushed as a redacted copy (each secret replaced by [REDACTED:<kind>]); ' +
        'the local snapshots are unchanged\n  src/config.ts: github-token\n',
    );
  });

  it('stand-in Hub: the saved login token, the owner namespace and --private', async () => {
    const home = await tempDir();
    await seedSessions(home, 1);
    const hfHome = await tempDir();
    await writeFile(path.join(hfHome, 'token'), `${hub.token}\n`);
    const r = await cli(['hf', 'push', '--name', 'mine', '--private', '--home', home, '--hub-url', hub.url], {
      env: { HF_HOME: hfHome },
    });
    expect(r.code, r.err).toBe(0);
    expect(hub.repos.get(`datasets/${hub.user}/mine`)!.private).toBe(true);
  });

  it('stand-in Hub: without a token it says how to get one and exits 1', async () => {
    const home = await tempDir();
    await seedSessions(home, 1);
    const r = await cli(['hf', 'push', '--name', 'me/x', '--home', home, '--hub-url', hub.url], {
      env: { HOME: await tempDir() },
    });
    expect(r.code).toBe(1);
    expect(r.err).toContain('HF_TOKEN');
    expect(hub.requests).toEqual([]);
  });
});
