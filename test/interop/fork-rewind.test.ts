import { execFileSync } from 'node:child_process';
import { chmod, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { RolloutRecorder, forkSession, listSessions, readRollout, rewindSession } from '../../src/index.js';
import type { ResponsesRequestBody } from './model-server.js';
import { assistantMessage, messageTexts, startModelServer } from './model-server.js';
import { closeAfterTest, createCodexHome, createWorkspace } from './fixtures.js';
import { describeRun, runCodex } from './codex-process.js';
import { AppServerClient } from './app-server.js';
import { gitDigest, workspaceState } from '../helpers/rewind-state.js';

// Proof: the real Codex CLI resumes a fork and a rewound session written by the library, and the
// model stand-in receives exactly the history up to the chosen message and nothing after it.
// Run it against 0.171 (the fork form is 0.171's thread/fork of a plain thread).

let bin: string;
let version: string;

beforeAll(() => {
  bin = inject('codexBin');
  version = execFileSync(bin, ['--version'], { encoding: 'utf8' }).trim();
  // With CODEX_VERSION set, the suite must be running that version.
  expect(version).toContain(process.env['CODEX_VERSION'] ?? '');
});

/** What the model saw of the conversation: user and assistant texts, Codex's own context left out. */
function conversation(body: ResponsesRequestBody | undefined): string[] {
  const user = messageTexts(body, 'user').filter((t) => !t.startsWith('<'));
  const out: string[] = [];
  for (const item of body?.input ?? []) {
    if (item.type !== 'message' || (item.role !== 'user' && item.role !== 'assistant')) continue;
    for (const part of item.content ?? []) {
      if (typeof part.text !== 'string' || part.text.startsWith('<')) continue;
      out.push(`${item.role}: ${part.text}`);
    }
  }
  expect(out.filter((t) => t.startsWith('user: ')).map((t) => t.slice(6))).toEqual(user);
  return out;
}

async function threeTurns(home: string, ws: string) {
  const rec = await RolloutRecorder.create({ home, cwd: ws, modelProvider: 'mock' });
  await rec.recordUserMessage('Add a run script');
  await writeFile(path.join(ws, 'run.sh'), '#!/bin/sh\necho one\n');
  await chmod(path.join(ws, 'run.sh'), 0o755);
  const a1 = await rec.recordAssistantMessage('Added run.sh');
  await rec.snapshot();
  const atA1 = await workspaceState(ws);
  await rec.recordUserMessage('Now rewrite it in Python');
  await writeFile(path.join(ws, 'run.sh'), 'print("two")\n');
  await rec.recordAssistantMessage('Rewrote it');
  await rec.snapshot();
  await rec.recordUserMessage('And delete the README');
  await rec.close();
  return { rec, a1, atA1 };
}

describe('the Codex CLI resumes forks and rewound sessions written by the library', () => {
  it('codex exec resume <fork id>: the model sees the history up to the fork message, then the new prompt', async () => {
    const server = closeAfterTest(await startModelServer());
    const { home } = await createCodexHome({ baseUrl: server.baseUrl });
    const ws = await createWorkspace();
    const { rec, a1 } = await threeTurns(home, ws.dir);
    const fork = await forkSession(rec.id, { home, atMessage: a1 });

    // Codex lists the fork beside its source, under its first prompt.
    const app = await AppServerClient.start(bin, { home, cwd: ws.dir });
    try {
      const page = await app.threadList({ sourceKinds: ['cli'] });
      expect(page.data.map((t) => [t.id, t.preview]).sort()).toEqual(
        [
          [rec.id, 'Add a run script'],
          [fork.id, 'Add a run script'],
        ].sort(),
      );
    } finally {
      await app.close();
    }

    server.enqueue({ items: [assistantMessage('Forked reply')] });
    const run = await runCodex(bin, ['exec', '--skip-git-repo-check', 'resume', fork.id, 'Go on from here'], {
      home,
      cwd: ws.dir,
    });
    expect(run.code, `${version}\n${describeRun(run)}`).toBe(0);
    const requests = server.responsesRequests();
    expect(requests).toHaveLength(1);
    expect(conversation(requests[0]!.body)).toEqual([
      'user: Add a run script',
      'assistant: Added run.sh',
      'user: Go on from here',
    ]);
    // Codex appended to the fork, not to the source, and the fork reads back clean.
    const read = await readRollout(fork.path);
    expect(read.errors).toEqual([]);
    expect(read.meta.id).toBe(fork.id);
    expect(JSON.stringify(read.items)).toContain('Forked reply');
    expect(JSON.stringify((await readRollout(rec.path)).items)).not.toContain('Forked reply');
  });

  it('codex exec resume of a rewound session: the model sees the history up to the message; the workspace is its snapshot', async () => {
    const server = closeAfterTest(await startModelServer());
    const { home } = await createCodexHome({ baseUrl: server.baseUrl });
    const ws = await createWorkspace();
    const { rec, a1, atA1 } = await threeTurns(home, ws.dir);
    const git = await gitDigest(ws.dir);
    const r = await rewindSession(rec.id, { home, toMessage: a1 });
    await r.recorder.close();
    expect(await workspaceState(ws.dir)).toEqual(atA1);
    expect(await gitDigest(ws.dir)).toBe(git);

    server.enqueue({ items: [assistantMessage('Rewound reply')] });
    const run = await runCodex(
      bin,
      ['exec', '--skip-git-repo-check', 'resume', r.session.id, 'Try a different way'],
      { home, cwd: ws.dir },
    );
    expect(run.code, `${version}\n${describeRun(run)}`).toBe(0);
    const requests = server.responsesRequests();
    expect(requests).toHaveLength(1);
    expect(conversation(requests[0]!.body)).toEqual([
      'user: Add a run script',
      'assistant: Added run.sh',
      'user: Try a different way',
    ]);
    expect(await gitDigest(ws.dir)).toBe(git);
  });

  it('a fork of a session Codex wrote (paginated) at its first reply: Codex resumes it with exactly that history', async () => {
    const server = closeAfterTest(await startModelServer());
    const { home } = await createCodexHome({ baseUrl: server.baseUrl });
    const ws = await createWorkspace();
    server.enqueue({ items: [assistantMessage('First reply')] });
    let run = await runCodex(bin, ['exec', '--skip-git-repo-check', '-C', ws.dir, 'First prompt'], {
      home,
      cwd: ws.dir,
    });
    expect(run.code, describeRun(run)).toBe(0);
    const [codexSession] = (await listSessions({ home, sources: ['exec'] })).sessions;
    server.enqueue({ items: [assistantMessage('Second reply')] });
    run = await runCodex(
      bin,
      ['exec', '--skip-git-repo-check', 'resume', codexSession!.id, 'Second prompt'],
      { home, cwd: ws.dir },
    );
    expect(run.code, describeRun(run)).toBe(0);
    const source = await readRollout(codexSession!.path);
    const firstReply = source.items.find((i) => {
      const p = i.payload as { type?: string; role?: string };
      return i.type === 'response_item' && p.type === 'message' && p.role === 'assistant';
    })!.payload as { id: string };
    const fork = await forkSession(codexSession!.id, { home, atMessage: firstReply.id });

    server.enqueue({ items: [assistantMessage('Fork reply')] });
    run = await runCodex(bin, ['exec', '--skip-git-repo-check', 'resume', fork.id, 'Fork prompt'], {
      home,
      cwd: ws.dir,
    });
    expect(run.code, `${version}\n${describeRun(run)}`).toBe(0);
    const requests = server.responsesRequests();
    expect(requests).toHaveLength(3);
    expect(conversation(requests[2]!.body)).toEqual([
      'user: First prompt',
      'assistant: First reply',
      'user: Fork prompt',
    ]);
    expect((await readRollout(fork.path)).errors).toEqual([]);
  });
});
