import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import { RolloutRecorder, SessionLockedError, readRollout } from '../../src/index.js';
import { closeAfterTest, createCodexHome, createWorkspace } from './fixtures.js';
import { describeRun, runCodex, startCodex, type CodexProcess } from './codex-process.js';
import { assistantMessage, startModelServer } from './model-server.js';

// Proof 4: one writer per session across both programs, through
// `<home>/thread-writer-locks/<id>.lock` (an exclusive flock).

let bin: string;
let codex: CodexProcess | undefined;
const recorders: RolloutRecorder[] = [];

// Every proof holds on every Codex CLI version of the run (see codex-binary.ts).
const versions = inject('codexBins');

afterEach(async () => {
  if (codex) {
    codex.kill('SIGKILL');
    await codex.done.catch(() => undefined);
    codex = undefined;
  }
  await Promise.all(recorders.splice(0).map((r) => r.close().catch(() => undefined)));
});

async function recordedSession(home: string, cwd: string): Promise<RolloutRecorder> {
  const rec = await RolloutRecorder.create({ home, cwd, modelProvider: 'mock' });
  await rec.recordUserMessage('Locked or not?');
  await rec.recordAssistantMessage('We shall see.');
  return rec;
}

describe.each(versions)(
  'the session writer lock, shared with the Codex CLI (Codex $version)',
  ({ bin: versionBin }) => {
    beforeAll(() => {
      bin = versionBin;
    });
    it('while Codex writes a session, RolloutRecorder.resume fails with SessionLockedError', async () => {
      const server = closeAfterTest(await startModelServer());
      const { home } = await createCodexHome({ baseUrl: server.baseUrl });
      const ws = await createWorkspace();
      const rec = await recordedSession(home, ws.dir);
      await rec.close();

      // The stand-in holds its answer open, so Codex sits mid-turn with the session open for writing.
      server.enqueue({ items: [assistantMessage('Finally done.')], delayMs: 4000 });
      codex = startCodex(bin, ['exec', '--skip-git-repo-check', 'resume', rec.id, 'Take your time'], {
        home,
        cwd: ws.dir,
        timeoutMs: 90_000,
      });
      await server.waitForResponsesRequests(1);
      expect(existsSync(path.join(home, 'thread-writer-locks', `${rec.id}.lock`))).toBe(true);

      const attempt = RolloutRecorder.resume(rec.id, { home });
      await expect(attempt).rejects.toBeInstanceOf(SessionLockedError);
      await expect(attempt).rejects.toMatchObject({ code: 'E_LOCKED' });

      const run = await codex.done;
      codex = undefined;
      expect(run.code, describeRun(run)).toBe(0);

      // Once Codex has exited, the session is ours to continue, and what both wrote reads back clean.
      const { recorder, session } = await RolloutRecorder.resume(rec.id, { home });
      recorders.push(recorder);
      expect(session.errors).toEqual([]);
      await recorder.recordUserMessage('My turn again');
      await recorder.close();
      const read = await readRollout(rec.path);
      expect(read.errors).toEqual([]);
      expect(read.items.at(-2)?.payload).toMatchObject({ type: 'message', role: 'user' });
    });

    it('while RolloutRecorder holds a session, Codex refuses to write to it', async () => {
      const server = closeAfterTest(await startModelServer());
      const { home } = await createCodexHome({ baseUrl: server.baseUrl });
      const ws = await createWorkspace();
      const rec = await recordedSession(home, ws.dir);
      recorders.push(rec);
      await rec.flush();
      const before = await readFile(rec.path);

      server.enqueue({ items: [assistantMessage('This must never be recorded.')] });
      const run = await runCodex(bin, ['exec', '--skip-git-repo-check', 'resume', rec.id, 'Let me in'], {
        home,
        cwd: ws.dir,
      });
      expect(run.code, describeRun(run)).not.toBe(0);
      expect(run.stderr).toMatch(/already has an active writer/);
      expect(server.responsesRequests()).toHaveLength(0);
      expect((await readFile(rec.path)).equals(before)).toBe(true);

      // Released, the session opens in Codex as usual.
      recorders.splice(recorders.indexOf(rec), 1);
      await rec.close();
      const again = await runCodex(bin, ['exec', '--skip-git-repo-check', 'resume', rec.id, 'Let me in'], {
        home,
        cwd: ws.dir,
      });
      expect(again.code, describeRun(again)).toBe(0);
      expect(server.responsesRequests()).toHaveLength(1);
      expect((await readRollout(rec.path)).errors).toEqual([]);
    });
  },
);
