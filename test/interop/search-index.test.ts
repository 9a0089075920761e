import { beforeAll, describe, expect, inject, it } from 'vitest';
import { RolloutRecorder, listSessions, sessionIndexStatus } from '../../src/index.js';
import { indexCounters } from '../../src/lister/indexed.js';
import { closeAfterTest, createCodexHome, createWorkspace } from './fixtures.js';
import { describeRun, runCodex } from './codex-process.js';
import { assistantMessage, startModelServer } from './model-server.js';

// Proof: a session the real Codex CLI writes while our session index exists (and is up to date)
// is found by search at once, by its prompt and by the model's answer, with the right line; and a
// session Codex resumes (appending in place under its writer lock) is found by its new words.

let bin: string;

beforeAll(() => {
  bin = inject('codexBin');
});

function sessionIdOf(output: string): string {
  const m = /session id: ([0-9a-f-]{36})/i.exec(output);
  if (!m) throw new Error(`no session id in the Codex output:\n${output}`);
  return m[1]!;
}

describe('the session index and a running Codex CLI', () => {
  it('finds a session Codex writes while the index exists, at once', async () => {
    const server = closeAfterTest(await startModelServer());
    const { home } = await createCodexHome({ baseUrl: server.baseUrl });
    const ws = await createWorkspace();
    // Our own session first, and a listing, so the index exists and is current.
    const rec = await RolloutRecorder.create({ cwd: ws.dir, home, git: false, modelProvider: 'mock' });
    await rec.recordUserMessage('an older session of ours');
    await rec.close();
    await listSessions({ home });
    expect((await sessionIndexStatus({ home })).sessions).toBe(1);

    server.enqueue({ items: [assistantMessage('The zebra-marker answer.')] });
    const run = await runCodex(
      bin,
      ['exec', '--skip-git-repo-check', '-C', ws.dir, 'Find the QUOKKA-marker'],
      {
        home,
        cwd: ws.dir,
      },
    );
    expect(run.code, describeRun(run)).toBe(0);
    const id = sessionIdOf(run.stdout + run.stderr);

    const before = indexCounters.answered;
    const byPrompt = await listSessions({ home, search: 'quokka-MARKER', sources: ['exec'] });
    expect(indexCounters.answered).toBe(before + 1);
    expect(byPrompt.sessions.map((s) => s.id)).toEqual([id]);
    expect(byPrompt.sessions[0]!.match).toMatchObject({ snippet: 'Find the QUOKKA-marker' });
    const byAnswer = await listSessions({ home, search: 'zebra-marker', sources: ['exec'] });
    expect(byAnswer.sessions.map((s) => s.id)).toEqual([id]);
    expect(byAnswer.sessions[0]!.match?.snippet).toBe('The zebra-marker answer.');
    expect(byAnswer.sessions).toEqual(
      (await listSessions({ home, search: 'zebra-marker', sources: ['exec'], index: false })).sessions,
    );

    // Codex resumes it: new lines appended in place, found as soon as Codex is done.
    server.enqueue({ items: [assistantMessage('A second answer with the wombat-marker.')] });
    const resumed = await runCodex(
      bin,
      ['exec', '--skip-git-repo-check', '-C', ws.dir, 'resume', id, 'and the wombat question'],
      { home, cwd: ws.dir },
    );
    expect(resumed.code, describeRun(resumed)).toBe(0);
    const again = await listSessions({ home, search: 'wombat-marker', sources: ['exec'] });
    expect(again.sessions.map((s) => s.id)).toEqual([id]);
    expect(again.sessions).toEqual(
      (await listSessions({ home, search: 'wombat-marker', sources: ['exec'], index: false })).sessions,
    );
  });
});
