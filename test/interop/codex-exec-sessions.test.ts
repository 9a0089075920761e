import { beforeAll, describe, expect, inject, it } from 'vitest';
import { listSessions, readRollout } from '../../src/index.js';
import { AppServerClient } from './app-server.js';
import { closeAfterTest, createCodexHome, createWorkspace } from './fixtures.js';
import { describeRun, runCodex } from './codex-process.js';
import { assistantMessage, functionCall, startModelServer } from './model-server.js';

// Proof 3: sessions written by `codex exec` are listed by listSessions and read by readRollout.

let bin: string;
let cliVersion: string;

// Every proof holds on every Codex CLI version of the run (see codex-binary.ts).
const versions = inject('codexBins');

function sessionIdOf(output: string): string {
  const m = /session id: ([0-9a-f-]{36})/i.exec(output);
  if (!m) throw new Error(`no session id in the Codex output:\n${output}`);
  return m[1]!;
}

describe.each(versions)('sessions written by codex exec (Codex $version)', ({ bin: versionBin, version }) => {
  beforeAll(() => {
    bin = versionBin;
    cliVersion = version;
  });
  it('are listed with the prompt as preview and read with zero errors', async () => {
    const server = closeAfterTest(await startModelServer());
    const { home } = await createCodexHome({ baseUrl: server.baseUrl });
    const ws = await createWorkspace();

    server.enqueue({ items: [assistantMessage('Hello from the stand-in.')] });
    const plain = await runCodex(bin, ['exec', '--skip-git-repo-check', '-C', ws.dir, 'Say hello, café ☕'], {
      home,
      cwd: ws.dir,
    });
    expect(plain.code, describeRun(plain)).toBe(0);
    const plainId = sessionIdOf(plain.stdout + plain.stderr);

    // A turn with a shell tool call: the model asks for `exec_command`, Codex runs it and sends the
    // output back, then the model answers.
    server.enqueue(
      { items: [functionCall('exec_command', { cmd: 'echo tool-output-marker' }, 'call_shell_1')] },
      { items: [assistantMessage('The command printed the marker.')] },
    );
    const tool = await runCodex(bin, ['exec', '--skip-git-repo-check', '-C', ws.dir, 'Run echo for me'], {
      home,
      cwd: ws.dir,
    });
    expect(tool.code, describeRun(tool)).toBe(0);
    const toolId = sessionIdOf(tool.stdout + tool.stderr);
    const toolRequests = server.responsesRequests();
    const followUp = toolRequests[toolRequests.length - 1]!.body!;
    const output = followUp.input?.find(
      (i) => i.type === 'function_call_output' && i.call_id === 'call_shell_1',
    );
    expect(String(output?.output)).toContain('tool-output-marker');

    const page = await listSessions({ home, pageSize: 10 });
    expect(page.sessions.map((s) => s.id)).toEqual([toolId, plainId]);
    const byId = new Map(page.sessions.map((s) => [s.id, s]));
    expect(byId.get(plainId)?.preview).toBe('Say hello, café ☕');
    expect(byId.get(toolId)?.preview).toBe('Run echo for me');
    for (const s of page.sessions) {
      expect(s.cwd).toBe(ws.dir);
      expect(s.source).toBe('exec');
      expect(s.originator).toBe('codex_exec');
      expect(s.cliVersion).toBe(cliVersion);
      expect(s.modelProvider).toBe('mock');
      expect(s.git).toEqual({ commitHash: ws.commit, branch: ws.branch, repositoryUrl: ws.originUrl });
    }

    for (const s of page.sessions) {
      const read = await readRollout(s.path);
      expect(read.errors).toEqual([]);
      expect(read.format).toBe('paginated');
      expect(read.meta.id).toBe(s.id);
      expect(read.lines.map((l) => l.ordinal)).toEqual(read.lines.map((_, i) => i));
      // Types Codex writes that this library does not define are kept, not dropped.
      expect(read.items.some((i) => i.type === 'world_state')).toBe(true);
    }

    const toolRead = await readRollout(byId.get(toolId)!.path);
    const payloads = toolRead.items.map(
      (i) => i.payload as { type?: string; call_id?: string; output?: unknown },
    );
    expect(payloads.find((p) => p.type === 'function_call')).toMatchObject({
      name: 'exec_command',
      call_id: 'call_shell_1',
    });
    expect(String(payloads.find((p) => p.type === 'function_call_output')?.output)).toContain(
      'tool-output-marker',
    );

    // Codex's own listing of them agrees, page by page (exec sessions are not "interactive", so
    // thread/list needs the source kind).
    const appServer = closeAfterTest(await AppServerClient.start(bin, { home, cwd: ws.dir }));
    const theirs = await appServer.threadListAll({
      limit: 1,
      sourceKinds: ['exec'],
      modelProviders: ['mock'],
    });
    const ourFirst = await listSessions({ home, pageSize: 1, sources: ['exec'], modelProviders: ['mock'] });
    const ourSecond = await listSessions({
      home,
      pageSize: 1,
      sources: ['exec'],
      modelProviders: ['mock'],
      cursor: ourFirst.nextCursor,
    });
    expect(theirs.slice(0, 2).map((p) => p.data.map((t) => [t.id, t.preview]))).toEqual(
      [ourFirst, ourSecond].map((p) => p.sessions.map((s) => [s.id, s.preview])),
    );
  });
});
