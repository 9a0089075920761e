import { existsSync, statSync } from 'node:fs';
import { readdir, readFile, utimes, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import {
  RolloutRecorder,
  findSession,
  listSessions,
  readRollout,
  type RolloutItem,
} from '../../src/index.js';
import { AppServerClient } from './app-server.js';
import { atLeast } from './codex-binary.js';
import { closeAfterTest, createCodexHome, createWorkspace } from './fixtures.js';
import { describeRun, runCodex } from './codex-process.js';
import { assistantMessage, messageTexts, startModelServer, type ModelServer } from './model-server.js';
import type { Workspace } from './workspace.js';

// Proof 5 (Codex CLI 0.171 and later): what only 0.171 writes — reverted threads, forks whose
// history lives in the source's file, and sessions it compresses itself — is listed, found, read
// and resumed by the library, and what the library appends Codex resumes.

let bin: string;
const versions = inject('codexBins').filter((v) => atLeast(v.version, '0.171.0'));

function sessionIdOf(output: string): string {
  const m = /session id: ([0-9a-f-]{36})/i.exec(output);
  if (!m) throw new Error(`no session id in the Codex output:\n${output}`);
  return m[1]!;
}

function userTurns(items: readonly RolloutItem[]): string[] {
  const out: string[] = [];
  for (const i of items) {
    const p = i.payload as {
      type?: string;
      message?: string;
      item?: { type?: string; content?: { text?: string }[] };
    };
    if (i.type !== 'event_msg') continue;
    if (p.type === 'item_completed' && p.item?.type === 'UserMessage')
      out.push(p.item.content?.[0]?.text ?? '');
    if (p.type === 'user_message') out.push(p.message ?? '');
  }
  return out;
}

interface Setup {
  server: ModelServer;
  home: string;
  ws: Workspace;
  exec(args: string[]): Promise<string>;
}

async function setup(extraFeatures: string[] = []): Promise<Setup> {
  const server = closeAfterTest(await startModelServer());
  const { home, configPath } = await createCodexHome({ baseUrl: server.baseUrl });
  if (extraFeatures.length > 0) {
    const config = await readFile(configPath, 'utf8');
    await writeFile(configPath, config.replace('[features]\n', `[features]\n${extraFeatures.join('\n')}\n`));
  }
  const ws = await createWorkspace();
  const exec = async (args: string[]): Promise<string> => {
    const r = await runCodex(bin, ['exec', '--skip-git-repo-check', ...args], { home, cwd: ws.dir });
    expect(r.code, describeRun(r)).toBe(0);
    return r.stdout + r.stderr;
  };
  return { server, home, ws, exec };
}

// Only a run narrowed on purpose (CODEX_VERSIONS=0.169.0) may leave 0.171 out; the default list
// holding no 0.171 would be a broken suite, and this fails it.
if (versions.length === 0) {
  describe('what the Codex CLI 0.171 writes beyond 0.169', () => {
    it('is left out only when CODEX_VERSIONS narrows the run', () => {
      expect(process.env['CODEX_VERSIONS'], 'the default versions lack 0.171').toBeTruthy();
    });
  });
}

describe.each(versions)('what the Codex CLI $version writes beyond 0.169', ({ bin: versionBin }) => {
  beforeAll(() => {
    bin = versionBin;
  });

  it('a thread Codex reverted is listed once, found by either id and read whole; Codex resumes what the library appends', async () => {
    const { server, home, ws, exec } = await setup();
    server.enqueue({ items: [assistantMessage('answer one')] });
    const id = sessionIdOf(await exec(['-C', ws.dir, 'first prompt']));
    server.enqueue({ items: [assistantMessage('answer two')] });
    await exec(['resume', id, 'second prompt, to be reverted']);

    const app = closeAfterTest(await AppServerClient.start(bin, { home, cwd: ws.dir }));
    const turns = await app.request<{ data: { id: string }[] }>('thread/turns/list', {
      threadId: id,
      limit: 10,
      sortDirection: 'asc',
    });
    await app.request('thread/resume', { threadId: id });
    const reverted = await app.request<{ thread: { path: string } }>('thread/revert', {
      threadId: id,
      beforeTurnId: turns.data[1]!.id,
    });
    await app.close();
    const head = reverted.thread.path;
    const rolloutId = /_([0-9a-f-]{36})\.jsonl$/.exec(head)?.[1];
    expect(rolloutId).toBeDefined();

    const page = await listSessions({ home });
    expect(page.sessions.map((s) => [s.id, s.path, s.preview])).toEqual([[id, head, 'first prompt']]);
    for (const query of [id, rolloutId!]) expect((await findSession(query, { home })).path).toBe(head);
    const whole = await readRollout(head);
    expect(whole.errors).toEqual([]);
    expect(whole.segments).toHaveLength(2);
    expect(userTurns(whole.items)).toEqual(['first prompt']);

    const { recorder } = await RolloutRecorder.resume(id, { home });
    expect(recorder.path).toBe(head);
    await recorder.recordUserMessage('a turn the library added');
    await recorder.recordAssistantMessage('the library answer');
    await recorder.close();

    server.enqueue({ items: [assistantMessage('answer after')] });
    await exec(['resume', id, 'Codex continues']);
    const body = server.responsesRequests().at(-1)!.body;
    const users = messageTexts(body, 'user');
    expect(users).toContain('first prompt');
    expect(users).toContain('a turn the library added');
    expect(users).not.toContain('second prompt, to be reverted');
    expect(users.at(-1)).toBe('Codex continues');
    expect(messageTexts(body, 'assistant')).toEqual(['answer one', 'the library answer']);
    const after = await readRollout(head, { scope: 'file' });
    expect(after.errors).toEqual([]);
    expect(userTurns(after.items)).toEqual(['a turn the library added', 'Codex continues']);
  });

  it('a fork Codex made reads with the source history and is previewed as Codex previews it', async () => {
    const { server, home, ws, exec } = await setup();
    server.enqueue({ items: [assistantMessage('answer one')] });
    const id = sessionIdOf(await exec(['-C', ws.dir, 'the source prompt']));
    const app = closeAfterTest(await AppServerClient.start(bin, { home, cwd: ws.dir }));
    const turns = await app.request<{ data: { id: string }[] }>('thread/turns/list', {
      threadId: id,
      limit: 5,
    });
    const fork = await app.request<{ thread: { id: string; path: string } }>('thread/fork', {
      threadId: id,
      lastTurnId: turns.data[0]!.id,
      excludeTurns: true,
    });
    const listed = (
      await app.threadListAll({ limit: 50, sourceKinds: ['exec', 'vscode', 'appServer', 'cli'] })
    )
      .flatMap((p) => p.data)
      .find((t) => t.id === fork.thread.id);
    await app.close();
    expect(listed?.preview).toBe('the source prompt');
    const ours = await findSession(fork.thread.id, { home });
    expect(ours.preview).toBe(listed!.preview);
    const whole = await readRollout(fork.thread.path);
    expect(whole.errors).toEqual([]);
    expect(whole.meta.id).toBe(fork.thread.id);
    expect(whole.meta.forked_from_id).toBe(id);
    expect(userTurns(whole.items)).toEqual(['the source prompt']);
    expect(userTurns((await readRollout(fork.thread.path, { scope: 'file' })).items)).toEqual([]);
  });

  it('a session Codex compressed is resumed by the library (made plain, mode kept, .zst gone), then by Codex', async () => {
    const { server, home, ws, exec } = await setup(['local_thread_store_compression = true']);
    server.enqueue({ items: [assistantMessage('answer one')] });
    const id = sessionIdOf(await exec(['-C', ws.dir, 'a prompt to compress']));
    let app = closeAfterTest(await AppServerClient.start(bin, { home, cwd: ws.dir }));
    await app.request('thread/archive', { threadId: id });
    await app.close();
    // Cold: older than Codex's 7 days, and its worker's run marker older than its 6 hours.
    const old = new Date(Date.now() - 10 * 86_400_000);
    const archived = path.join(home, 'archived_sessions');
    for (const name of await readdir(archived)) await utimes(path.join(archived, name), old, old);
    await utimes(path.join(home, '.tmp', 'rollout-compression.lock'), old, old).catch(() => undefined);
    app = closeAfterTest(await AppServerClient.start(bin, { home, cwd: ws.dir }));
    await expect
      .poll(async () => (await readdir(archived)).some((n) => n.endsWith('.jsonl.zst')), { timeout: 60_000 })
      .toBe(true);
    await app.request('thread/unarchive', { threadId: id });
    await app.close();
    const zst = (await findSession(id, { home })).path;
    expect(zst.endsWith('.jsonl.zst')).toBe(true);
    const mode = statSync(zst).mode & 0o7777;

    const { recorder, session } = await RolloutRecorder.resume(id, { home });
    expect(session.errors).toEqual([]);
    expect(recorder.path).toBe(zst.slice(0, -'.zst'.length));
    expect(existsSync(zst)).toBe(false);
    expect(statSync(recorder.path).mode & 0o7777).toBe(mode);
    await recorder.recordUserMessage('the library resumed it');
    await recorder.recordAssistantMessage('the library answer');
    await recorder.close();

    server.enqueue({ items: [assistantMessage('answer after')] });
    await exec(['resume', id, 'Codex resumes it too']);
    const users = messageTexts(server.responsesRequests().at(-1)!.body, 'user');
    expect(users).toContain('a prompt to compress');
    expect(users).toContain('the library resumed it');
    expect((await readRollout(recorder.path)).errors).toEqual([]);
  });
});
