import { execFileSync } from 'node:child_process';
import { chmodSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { SessionMetaPayload } from '../../src/format/types.js';
import { RolloutRecorder } from '../../src/recorder/recorder.js';
import type { RolloutRecorderOptions } from '../../src/recorder/options.js';
import { tempDir } from '../helpers/temp.js';

const URL = 'https://example.com/acme/widgets.git';

/** Runs git for the test's own set-up, with a fixed identity and no user config. */
function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@t', ...args], {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, GIT_CONFIG_GLOBAL: '/dev/null', GIT_CONFIG_NOSYSTEM: '1' },
  }).trim();
}

async function repo(): Promise<string> {
  const dir = await tempDir();
  git(dir, 'init', '-q', '-b', 'main');
  writeFileSync(path.join(dir, 'a.txt'), 'a\n');
  git(dir, 'add', 'a.txt');
  git(dir, 'commit', '-q', '-m', 'first');
  return dir;
}

/** Creates a recorder, records one item, closes it and returns the session_meta payload on disk. */
async function metaOf(options: Omit<RolloutRecorderOptions, 'home'>): Promise<SessionMetaPayload> {
  const home = await tempDir();
  const rec = await RolloutRecorder.create({ ...options, home });
  await rec.record([{ type: 'event_msg', payload: { type: 'task_started' } }]);
  await rec.close();
  const first = (await readFile(rec.path, 'utf8')).split('\n')[0]!;
  return (JSON.parse(first) as { payload: SessionMetaPayload }).payload;
}

describe('git facts in session_meta', () => {
  it('has commit, branch and origin URL in a repository', async () => {
    const dir = await repo();
    git(dir, 'remote', 'add', 'origin', URL);
    const meta = await metaOf({ cwd: dir });
    expect(meta.git).toEqual({
      commit_hash: git(dir, 'rev-parse', 'HEAD'),
      branch: 'main',
      repository_url: URL,
    });
  });

  it('has no branch when HEAD is detached, and no URL without origin', async () => {
    const dir = await repo();
    git(dir, 'checkout', '-q', '--detach');
    const meta = await metaOf({ cwd: path.join(dir) });
    expect(meta.git).toEqual({ commit_hash: git(dir, 'rev-parse', 'HEAD') });
  });

  it('has the branch but no commit in a repository without commits', async () => {
    const dir = await tempDir();
    git(dir, 'init', '-q', '-b', 'trunk');
    expect((await metaOf({ cwd: dir })).git).toEqual({ branch: 'trunk' });
  });

  it('has no git field outside a repository', async () => {
    const meta = await metaOf({ cwd: await tempDir() });
    expect(meta).not.toHaveProperty('git');
  });

  it('writes given facts (camelCase) in the on-disk casing, and none for git: false', async () => {
    const dir = await repo();
    const given = { commitHash: 'abc', branch: 'feature', repositoryUrl: null };
    expect((await metaOf({ cwd: dir, git: given })).git).toEqual({ commit_hash: 'abc', branch: 'feature' });
    expect(await metaOf({ cwd: dir, git: false })).not.toHaveProperty('git');
  });

  it('bounds a git that hangs by gitTimeoutMs and leaves the facts out', async () => {
    const dir = await repo();
    const fakeBin = await tempDir();
    // `exec`, so the timeout's kill reaches the sleeping process itself.
    writeFileSync(path.join(fakeBin, 'git'), '#!/bin/sh\nexec sleep 600\n');
    chmodSync(path.join(fakeBin, 'git'), 0o755);
    const saved = process.env['PATH'];
    process.env['PATH'] = `${fakeBin}${path.delimiter}${saved ?? ''}`;
    try {
      // Completing at all is the check: unbounded, this would wait for the 600 s sleep.
      const meta = await metaOf({ cwd: dir, gitTimeoutMs: 200 });
      expect(meta).not.toHaveProperty('git');
    } finally {
      process.env['PATH'] = saved;
    }
  });
});
