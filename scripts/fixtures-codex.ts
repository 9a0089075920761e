/**
 * Captures real rollouts of a pinned Codex CLI into `fixtures/codex-<minor>/`, for unit tests that
 * must not need Codex itself.
 *
 *   node --import tsx scripts/fixtures-codex.ts                      # 0.169
 *   CODEX_VERSION=0.171.0 node --import tsx scripts/fixtures-codex.ts  # 0.171
 *
 * For 0.171 it also captures what only 0.171 writes: a reverted thread (`thread/revert`, a second
 * file `rollout-<ts>-<thread>_<rollout>.jsonl` continuing the first through
 * `session_meta.history_base`), a fork (`thread/fork`, a file whose history is the source's), and
 * an archived session Codex compressed itself (`.jsonl.zst`, kept byte for byte as Codex wrote it:
 * it is not normalized, its paths are the scratch folder's).
 *
 * Codex runs offline against the loopback model stand-in, in a temporary home and workspace. The
 * output folder is a small Codex home (`sessions/YYYY/MM/DD/rollout-….jsonl`, exactly as Codex
 * named them) plus `manifest.json` (what each file is) and `thread-list.json` (what
 * `codex app-server` `thread/list` answered for that home). Long instruction texts are replaced by
 * a short marker and machine paths by fixed ones, so the fixtures are small and the same on every
 * machine; nothing else is changed.
 */
import { copyFile, mkdtemp, mkdir, readFile, readdir, rm, stat, utimes, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import process from 'node:process';
import { fileURLToPath } from 'node:url';
import { AppServerClient, type AppServerThread } from '../test/interop/app-server.js';
import { CODEX_VERSION, atLeast, installCodex } from '../test/interop/codex-binary.js';
import { writeCodexHome } from '../test/interop/codex-home.js';
import { describeRun, runCodex, type CodexRun } from '../test/interop/codex-process.js';
import {
  assistantMessage,
  functionCall,
  startModelServer,
  type ModelServer,
} from '../test/interop/model-server.js';
import { initWorkspace } from '../test/interop/workspace.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
// One folder per minor version: patch releases do not change the format.
const outDir = path.join(root, 'fixtures', `codex-${CODEX_VERSION.split('.').slice(0, 2).join('.')}`);

/** What the fixture paths stand for. */
const HOME_MARKER = '/codex-home';
const WORKSPACE_MARKER = '/workspace';
const USER_HOME_MARKER = '/home/user';
/** Texts longer than this are instructions, not conversation: replaced by a marker. */
const MAX_TEXT = 1500;

interface ManifestEntry {
  /** What the session shows. */
  label: string;
  id: string;
  /** The file, relative to the fixture folder. */
  file: string;
  /** The prompts given, in order. */
  prompts: string[];
  /** The time zone Codex ran in (file names and date folders are in local time). */
  timeZone: string;
  description: string;
  /** Every file of a thread with several (a reverted one), oldest first. */
  files?: string[];
}

function sessionIdOf(run: CodexRun): string {
  const m = /session id: ([0-9a-f-]{36})/i.exec(run.stdout + run.stderr);
  if (!m) throw new Error(`no session id in the Codex output\n${describeRun(run)}`);
  return m[1]!;
}

async function findRollouts(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await findRollouts(p)));
    else if (entry.isFile() && (entry.name.endsWith('.jsonl') || entry.name.endsWith('.jsonl.zst')))
      out.push(p);
  }
  return out.sort();
}

/** Replaces machine paths, longest first so a workspace inside the temp folder maps as a whole. */
function pathReplacer(pairs: [string, string][]): (s: string) => string {
  const sorted = pairs.filter(([from]) => from.length > 1).sort((a, b) => b[0].length - a[0].length);
  return (s) => sorted.reduce((acc, [from, to]) => acc.split(from).join(to), s);
}

function trimLongTexts(value: unknown, key?: string): unknown {
  if (typeof value === 'string') {
    if (value.length > MAX_TEXT && key === 'text')
      return `[trimmed: ${value.length} characters of instructions]`;
    return value;
  }
  if (Array.isArray(value)) return value.map((v) => trimLongTexts(v));
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = trimLongTexts(v, k);
    return out;
  }
  return value;
}

/** One line, normalized; key order and every field are kept. */
function normalizeLine(line: string, replace: (s: string) => string): string {
  const parsed = JSON.parse(line) as { type?: string; payload?: { base_instructions?: { text?: string } } };
  const meta = parsed.type === 'session_meta' ? parsed.payload?.base_instructions : undefined;
  if (meta && typeof meta.text === 'string') meta.text = '[base instructions trimmed]';
  return replace(JSON.stringify(trimLongTexts(parsed)));
}

async function main(): Promise<void> {
  const bin = installCodex();
  const scratch = await mkdtemp(path.join(os.tmpdir(), 'ar-codex-fixtures-'));
  let server: ModelServer | undefined;
  let appServer: AppServerClient | undefined;
  try {
    server = await startModelServer();
    const home = path.join(scratch, 'home');
    const wsDir = path.join(scratch, 'workspace');
    await mkdir(wsDir, { recursive: true });
    const { configPath } = await writeCodexHome(home, { baseUrl: server.baseUrl });
    if (atLeast(CODEX_VERSION, '0.171.0')) {
      // Lets Codex compress cold archived sessions (off by default in 0.171).
      const config = await readFile(configPath, 'utf8');
      await writeFile(
        configPath,
        config.replace('[features]\n', '[features]\nlocal_thread_store_compression = true\n'),
      );
    }
    const ws = await initWorkspace(wsDir, {
      branch: 'main',
      originUrl: 'https://example.invalid/agent-rollouts/fixture.git',
    });
    const manifest: ManifestEntry[] = [];
    const run = async (args: string[], timeZone: string): Promise<CodexRun> => {
      const r = await runCodex(bin, ['exec', '--skip-git-repo-check', ...args], {
        home,
        cwd: ws.dir,
        env: { TZ: timeZone },
      });
      if (r.code !== 0) throw new Error(`codex ${args.join(' ')} failed\n${describeRun(r)}`);
      return r;
    };

    server.enqueue({ items: [assistantMessage('Hello! How can I help with this repository?')] });
    const plainPrompt = 'Say hello in one sentence.';
    const plain = sessionIdOf(await run(['-C', ws.dir, plainPrompt], 'UTC'));
    manifest.push({
      label: 'plain',
      id: plain,
      file: '',
      prompts: [plainPrompt],
      timeZone: 'UTC',
      description: 'One prompt, one assistant message.',
    });

    server.enqueue(
      { items: [functionCall('exec_command', { cmd: 'echo fixture-tool-output' }, 'call_fixture_shell')] },
      { items: [assistantMessage('The command printed: fixture-tool-output')] },
    );
    const toolPrompt = 'Run `echo fixture-tool-output` and tell me what it printed.';
    const tool = sessionIdOf(await run(['-C', ws.dir, toolPrompt], 'UTC'));
    manifest.push({
      label: 'shell-tool-call',
      id: tool,
      file: '',
      prompts: [toolPrompt],
      timeZone: 'UTC',
      description: 'An exec_command function call, its output, then the answer.',
    });

    server.enqueue({ items: [assistantMessage('First answer: the repository has a README.')] });
    const firstPrompt = 'What is in this repository? Réponds en une phrase ✓';
    const resumed = sessionIdOf(await run(['-C', ws.dir, firstPrompt], 'UTC'));
    server.enqueue({ items: [assistantMessage('Second answer: nothing else.')] });
    const secondPrompt = 'Anything else?';
    await run(['resume', resumed, secondPrompt], 'UTC');
    manifest.push({
      label: 'resumed',
      id: resumed,
      file: '',
      prompts: [firstPrompt, secondPrompt],
      timeZone: 'UTC',
      description: 'A session continued by `codex exec resume`: two turns in one file, ordinals continuing.',
    });

    server.enqueue({ items: [assistantMessage('Konnichiwa.')] });
    const localPrompt = 'Greet me in Japanese.';
    const local = sessionIdOf(await run(['-C', ws.dir, localPrompt], 'Asia/Tokyo'));
    manifest.push({
      label: 'local-time-name',
      id: local,
      file: '',
      prompts: [localPrompt],
      timeZone: 'Asia/Tokyo',
      description:
        'Run with TZ=Asia/Tokyo: the file name and date folder are 9 h ahead of the UTC timestamps inside.',
    });

    const has171 = atLeast(CODEX_VERSION, '0.171.0');
    if (has171) {
      // A reverted thread: two turns, `thread/revert` before the second, then one more turn.
      server.enqueue({ items: [assistantMessage('Kept answer.')] });
      const keptPrompt = 'First turn, kept by the revert.';
      const reverted = sessionIdOf(await run(['-C', ws.dir, keptPrompt], 'UTC'));
      server.enqueue({ items: [assistantMessage('Dropped answer.')] });
      await run(['resume', reverted, 'Second turn, dropped by the revert.'], 'UTC');
      appServer = await AppServerClient.start(bin, { home, cwd: ws.dir });
      const turns = await appServer.request<{ data: { id: string }[] }>('thread/turns/list', {
        threadId: reverted,
        limit: 10,
        sortDirection: 'asc',
      });
      await appServer.request('thread/resume', { threadId: reverted });
      await appServer.request('thread/revert', { threadId: reverted, beforeTurnId: turns.data[1]!.id });
      // A fork of the plain session, through its only turn.
      const plainTurns = await appServer.request<{ data: { id: string }[] }>('thread/turns/list', {
        threadId: plain,
        limit: 10,
      });
      const fork = await appServer.request<{ thread: { id: string } }>('thread/fork', {
        threadId: plain,
        lastTurnId: plainTurns.data[0]!.id,
        excludeTurns: true,
      });
      await appServer.close();
      appServer = undefined;
      server.enqueue({ items: [assistantMessage('Answer after the revert.')] });
      const afterPrompt = 'Third turn, after the revert.';
      await run(['resume', reverted, afterPrompt], 'UTC');
      manifest.push({
        label: 'reverted',
        id: reverted,
        file: '',
        prompts: [keptPrompt, 'Second turn, dropped by the revert.', afterPrompt],
        timeZone: 'UTC',
        description:
          'thread/revert before the second turn, then `codex exec resume`: the first file keeps both turns; ' +
          'the second (`_<rollout id>`) starts at ordinal 15 with history_base pointing at the first, and holds the third turn.',
      });
      manifest.push({
        label: 'forked',
        id: fork.thread.id,
        file: '',
        prompts: [],
        timeZone: 'UTC',
        description:
          'thread/fork of the "plain" session through its only turn (app-server, no new turn): session_meta ' +
          "with forked_from_id and history_base, then thread_settings_applied. Its history is the source's.",
      });

      // A compressed session: archived, made cold (older than 7 days, and the worker's run marker
      // too), then an app-server start lets Codex's compression worker compress it.
      server.enqueue({ items: [assistantMessage('Archived answer.')] });
      const coldPrompt = 'A session Codex will compress.';
      const cold = sessionIdOf(await run(['-C', ws.dir, coldPrompt], 'UTC'));
      appServer = await AppServerClient.start(bin, { home, cwd: ws.dir });
      await appServer.request('thread/archive', { threadId: cold });
      await appServer.close();
      appServer = undefined;
      const old = new Date(Date.now() - 10 * 86_400_000);
      const archivedDir = path.join(home, 'archived_sessions');
      for (const name of await readdir(archivedDir)) await utimes(path.join(archivedDir, name), old, old);
      await utimes(path.join(home, '.tmp', 'rollout-compression.lock'), old, old).catch(() => undefined);
      appServer = await AppServerClient.start(bin, { home, cwd: ws.dir });
      const deadline = Date.now() + 60_000;
      while (!(await readdir(archivedDir)).some((n) => n.endsWith('.jsonl.zst') && n.includes(cold))) {
        if (Date.now() > deadline) throw new Error('Codex did not compress the archived session');
        await new Promise((r) => setTimeout(r, 250));
      }
      await appServer.close();
      appServer = undefined;
      manifest.push({
        label: 'compressed',
        id: cold,
        file: '',
        prompts: [coldPrompt],
        timeZone: 'UTC',
        description:
          "An archived session compressed by Codex's own worker (feature local_thread_store_compression, " +
          'file older than 7 days): kept byte for byte, not normalized.',
      });
    }

    appServer = await AppServerClient.start(bin, { home, cwd: ws.dir });
    const threads: AppServerThread[] = [];
    const sourceKinds = has171 ? ['exec', 'vscode', 'cli', 'appServer', 'unknown'] : ['exec'];
    for (const page of await appServer.threadListAll({ limit: 50, sourceKinds })) threads.push(...page.data);
    await appServer.close();
    appServer = undefined;

    const replace = pathReplacer([
      [home, HOME_MARKER],
      [ws.dir, WORKSPACE_MARKER],
      [scratch, '/tmp/scratch'],
      [os.homedir(), USER_HOME_MARKER],
    ]);

    await rm(outDir, { recursive: true, force: true });
    const rollouts = [
      ...(await findRollouts(path.join(home, 'sessions'))),
      ...(await findRollouts(path.join(home, 'archived_sessions')).catch(() => [])),
    ];
    for (const file of rollouts) {
      const rel = path.relative(home, file);
      if (file.endsWith('.zst')) {
        // Codex's own bytes: recompressing a normalized copy would no longer be what Codex wrote.
        await mkdir(path.dirname(path.join(outDir, rel)), { recursive: true });
        await copyFile(file, path.join(outDir, rel));
        const entry = manifest.find((m) => rel.includes(m.id));
        if (entry) entry.file = rel.split(path.sep).join('/');
        process.stdout.write(`kept ${rel} (${(await stat(file)).size} bytes) as Codex wrote it\n`);
        continue;
      }
      const text = await readFile(file, 'utf8');
      const lines = text.split('\n').filter((l) => l !== '');
      const out = lines.map((l) => normalizeLine(l, replace)).join('\n') + '\n';
      await mkdir(path.dirname(path.join(outDir, rel)), { recursive: true });
      await writeFile(path.join(outDir, rel), out);
      // A reverted thread has several files: the manifest names the first, `files` lists them all.
      const entry = manifest.find((m) => rel.includes(m.id));
      if (entry) {
        if (entry.file === '') entry.file = rel.split(path.sep).join('/');
        else (entry.files ??= [entry.file]).push(rel.split(path.sep).join('/'));
      }
    }
    const missing = manifest.filter((m) => m.file === '');
    if (missing.length > 0) throw new Error(`no rollout file for ${missing.map((m) => m.label).join(', ')}`);

    await writeFile(
      path.join(outDir, 'manifest.json'),
      JSON.stringify(
        {
          codexVersion: CODEX_VERSION,
          note:
            'Real Codex CLI rollouts captured by scripts/fixtures-codex.ts. Texts over ' +
            `${MAX_TEXT} characters and base instructions are replaced by a marker; paths are ` +
            `normalized (${HOME_MARKER} = CODEX_HOME, ${WORKSPACE_MARKER} = the git workspace, cwd of every session).`,
          workspace: { branch: ws.branch, originUrl: ws.originUrl },
          sessions: manifest,
        },
        null,
        2,
      ) + '\n',
    );
    await writeFile(
      path.join(outDir, 'thread-list.json'),
      replace(
        JSON.stringify(
          {
            request: { method: 'thread/list', params: { limit: 50, sourceKinds } },
            note: 'What codex app-server answered for this home, paths normalized as in manifest.json.',
            data: threads,
          },
          null,
          2,
        ),
      ) + '\n',
    );
    process.stdout.write(`wrote ${rollouts.length} rollouts to ${path.relative(root, outDir)}\n`);
  } finally {
    await appServer?.close();
    await server?.close();
    await rm(scratch, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  process.stderr.write(
    `fixtures-codex: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exitCode = 1;
});
