import { createHash } from 'node:crypto';
import { mkdir, readFile, readdir, symlink } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { RolloutRecorder, importSessions, listSessions, readRollout, uuidV7Time } from '../../src/index.js';
import {
  CLAUDE_SESSION,
  OPENCODE_CREATED,
  OPENCODE_SESSION,
  growClaudeSource,
  growOpenCodeSource,
  writeClaudeSource,
  writeOpenCodeSource,
} from '../helpers/foreign-fixtures.js';
import { tempDir } from '../helpers/temp.js';
import { cli } from '../cli/helpers.js';

/** Every file of a home with its bytes' digest: equal when nothing was written. */
async function homeDigest(home: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const e of await readdir(home, { recursive: true, withFileTypes: true })) {
    if (!e.isFile() || e.parentPath.includes('thread-writer-locks')) continue;
    const p = path.join(e.parentPath, e.name);
    out[path.relative(home, p)] = createHash('sha256')
      .update(await readFile(p))
      .digest('hex');
  }
  return out;
}

const rows = (text: string): Record<string, unknown>[] =>
  text
    .trimEnd()
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Record<string, unknown>);

describe('importSessions from Claude Code (fixtures of the 2.0 format)', () => {
  it('imports a session that is listed, searched, shown and exported like a native one', async () => {
    const home = await tempDir();
    const source = await tempDir();
    const cwd = '/work/parser-project';
    await writeClaudeSource(source, cwd);
    const r = await importSessions({ from: 'claude-code', home, source });
    expect(r.problems).toEqual([]);
    expect(r.sessions).toMatchObject([{ id: CLAUDE_SESSION, sourceId: CLAUDE_SESSION, status: 'created' }]);

    const read = await readRollout(r.sessions[0]!.path);
    expect(read.errors).toEqual([]);
    expect(read.meta).toMatchObject({
      id: CLAUDE_SESSION,
      cwd,
      originator: 'claude-code',
      cli_version: '2.0.61',
      source: 'cli',
      timestamp: '2026-10-01T09:00:01.000Z',
      git: { branch: 'main' },
    });
    const payloads = read.items.filter((i) => i.type === 'response_item').map((i) => i.payload);
    expect(payloads.map((p) => p.type)).toEqual([
      'message',
      'reasoning',
      'function_call',
      'function_call_output',
      'message',
    ]);
    expect(payloads[2]).toEqual({
      type: 'function_call',
      name: 'Bash',
      arguments: JSON.stringify({ command: 'npm test', description: 'Run tests' }),
      call_id: 'toolu_01X',
    });
    expect(payloads[3]).toEqual({
      type: 'function_call_output',
      call_id: 'toolu_01X',
      output: 'FAIL parser.test.ts\n1 failed',
    });
    // The meta line and the side-chain file are not part of the conversation.
    expect(JSON.stringify(read.items)).not.toContain('local-command-caveat');

    const page = await listSessions({ home });
    expect(page.sessions.map((s) => s.id)).toEqual([CLAUDE_SESSION]);
    expect(page.sessions[0]).toMatchObject({
      preview: 'Please fix the tokenizer bug in parser.ts',
      name: 'Parser fix session',
    });
    expect((await listSessions({ home, search: 'TOKENIZER' })).sessions).toHaveLength(1);
    expect((await listSessions({ home, search: 'parser fix' })).sessions).toHaveLength(1);
    expect((await listSessions({ home, search: 'absent words' })).sessions).toHaveLength(0);

    const ls = await cli(['ls', '--home', home]);
    expect(ls.out).toContain('Parser fix session');
    const show = await cli(['show', CLAUDE_SESSION, '--home', home]);
    expect(show.code).toBe(0);
    expect(show.out).toContain('Please fix the tokenizer bug in parser.ts');
    expect(show.out).toContain('Bash');
    expect(show.out).toContain('FAIL parser.test.ts');
    expect(show.out).toContain('The tokenizer dropped the last token; fixed it.');
    const exported = rows((await cli(['export', CLAUDE_SESSION, '--home', home, '--format', 'chat'])).out);
    expect(exported[0]).toMatchObject({ type: 'session', session_id: CLAUDE_SESSION });
    expect(JSON.stringify(exported[0])).toContain('The tokenizer dropped the last token');
  });

  it('importing twice changes nothing; a grown session gets only its new items appended', async () => {
    const home = await tempDir();
    const source = await tempDir();
    const file = await writeClaudeSource(source, '/work/p');
    await importSessions({ from: 'claude-code', home, source });
    const before = await homeDigest(home);
    const again = await importSessions({ from: 'claude-code', home, source });
    expect(again.sessions).toMatchObject([{ status: 'unchanged', written: 0 }]);
    expect(await homeDigest(home)).toEqual(before);

    const rollout = again.sessions[0]!.path;
    const oldBytes = await readFile(rollout);
    await growClaudeSource(file, '/work/p');
    const grown = await importSessions({ from: 'claude-code', home, source });
    expect(grown.sessions).toMatchObject([{ id: CLAUDE_SESSION, status: 'appended', written: 4 }]);
    const newBytes = await readFile(rollout);
    expect(newBytes.subarray(0, oldBytes.length)).toEqual(oldBytes);
    expect(newBytes.toString('utf8')).toContain('Now add a regression test');
    expect((await importSessions({ from: 'claude-code', home, source })).sessions[0]!.status).toBe(
      'unchanged',
    );
    expect((await listSessions({ home })).sessions).toHaveLength(1);
  });

  it('leaves alone a rollout recorded to since it was imported (diverged)', async () => {
    const home = await tempDir();
    const source = await tempDir();
    await writeClaudeSource(source, '/work/p');
    const first = await importSessions({ from: 'claude-code', home, source });
    const { recorder } = await RolloutRecorder.resume(first.sessions[0]!.path, { home });
    await recorder.recordAssistantMessage('a reply recorded here, not in Claude Code');
    await recorder.close();
    const before = await homeDigest(home);
    const again = await importSessions({ from: 'claude-code', home, source });
    expect(again.sessions).toMatchObject([{ status: 'diverged', written: 0 }]);
    expect(await homeDigest(home)).toEqual(before);
  });

  it('rollouts import --from claude-code reports what it did, and a second run nothing new', async () => {
    const home = await tempDir();
    const source = await tempDir();
    await writeClaudeSource(source, '/work/p');
    const first = await cli(['import', '--from', 'claude-code', '--source', source, '--home', home]);
    expect(first.code).toBe(0);
    expect(first.out).toMatch(new RegExp(`^created\\s+${CLAUDE_SESSION}`));
    expect(first.err).toContain('1 session(s): 1 created, 0 appended, 0 unchanged');
    const second = await cli([
      'import',
      '--from',
      'claude-code',
      '--source',
      source,
      '--home',
      home,
      '--json',
    ]);
    expect(rows(second.out)).toMatchObject([{ type: 'imported', status: 'unchanged', id: CLAUDE_SESSION }]);
    const bad = await cli(['import', '--from', 'cursor', '--home', home]);
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/--from takes opencode or claude-code/);
  });
});

describe('importSessions from OpenCode (fixtures of its JSON storage)', () => {
  it('imports a session that is listed, searched, shown and exported like a native one', async () => {
    const home = await tempDir();
    const source = await tempDir();
    const cwd = '/work/config-project';
    await writeOpenCodeSource(source, cwd);
    const r = await importSessions({ from: 'opencode', home, source });
    expect(r.problems).toEqual([]);
    expect(r.sessions).toHaveLength(1);
    const s = r.sessions[0]!;
    expect(s).toMatchObject({ sourceId: OPENCODE_SESSION, status: 'created' });
    // A UUIDv7 at the session's creation, derived from its id: the same on every import.
    expect(uuidV7Time(s.id)).toBe(OPENCODE_CREATED);
    const elsewhere = await importSessions({ from: 'opencode', home: await tempDir(), source });
    expect(elsewhere.sessions[0]!.id).toBe(s.id);

    const read = await readRollout(s.path);
    expect(read.meta).toMatchObject({
      id: s.id,
      cwd,
      originator: 'opencode',
      cli_version: '1.0.150',
      source: 'cli',
    });
    const payloads = read.items.filter((i) => i.type === 'response_item').map((i) => i.payload);
    expect(payloads.map((p) => p.type)).toEqual([
      'message',
      'reasoning',
      'function_call',
      'function_call_output',
      'message',
    ]);
    expect(payloads[2]).toMatchObject({
      name: 'grep',
      call_id: 'toolu_OC1',
      arguments: '{"pattern":"loadConfig"}',
    });
    expect(payloads[3]).toMatchObject({ call_id: 'toolu_OC1', output: 'src/a.ts:3\nsrc/b.ts:9' });

    const page = await listSessions({ home });
    expect(page.sessions[0]).toMatchObject({
      id: s.id,
      preview: 'Rename loadConfig to readConfig everywhere',
      name: 'Rename the config loader',
    });
    expect((await listSessions({ home, search: 'readconfig' })).sessions).toHaveLength(1);
    const show = await cli(['show', s.id, '--home', home]);
    expect(show.code).toBe(0);
    expect(show.out).toContain('grep');
    expect(show.out).toContain('Renamed in src/a.ts and src/b.ts.');
    const exported = rows((await cli(['export', '--home', home, '--search', 'readConfig'])).out);
    expect(exported[0]).toMatchObject({ type: 'session', session_id: s.id });
  });

  it('importing twice changes nothing; a message still running waits for the next import', async () => {
    const home = await tempDir();
    const source = await tempDir();
    await writeOpenCodeSource(source, '/work/p');
    await importSessions({ from: 'opencode', home, source });
    const before = await homeDigest(home);
    expect((await importSessions({ from: 'opencode', home, source })).sessions[0]!.status).toBe('unchanged');
    expect(await homeDigest(home)).toEqual(before);

    await growOpenCodeSource(source, false);
    const partial = await importSessions({ from: 'opencode', home, source });
    // The new user message is taken; the assistant message still running is not.
    expect(partial.sessions[0]).toMatchObject({ status: 'appended', written: 2 });
    await growOpenCodeSource(source, true);
    const done = await importSessions({ from: 'opencode', home, source });
    expect(done.sessions[0]).toMatchObject({ status: 'appended', written: 2 });
    const read = await readRollout(done.sessions[0]!.path);
    expect(read.items.at(-1)).toMatchObject({
      type: 'response_item',
      payload: {
        type: 'function_call_output',
        call_id: 'toolu_OC2',
        output: { content: 'file is read-only', success: false },
      },
    });
    expect((await importSessions({ from: 'opencode', home, source })).sessions[0]!.status).toBe('unchanged');
  });

  it('passes over a session file that is a link or not JSON, naming it, and imports the rest', async () => {
    const home = await tempDir();
    const source = await tempDir();
    await writeOpenCodeSource(source, '/work/p');
    const sessions = path.join(source, 'storage', 'session', 'prj_1a');
    const { writeFile } = await import('node:fs/promises');
    await writeFile(path.join(sessions, 'ses_broken.json'), '{"id":');
    await mkdir(path.join(source, 'secret'));
    await writeFile(path.join(source, 'secret', 'x.json'), '{"id":"ses_x","directory":"/"}');
    await symlink(path.join(source, 'secret', 'x.json'), path.join(sessions, 'ses_link.json'));
    const r = await importSessions({ from: 'opencode', home, source });
    expect(r.sessions.map((s) => s.sourceId)).toEqual([OPENCODE_SESSION]);
    expect(r.problems.map((p) => path.basename(p.path)).sort()).toEqual(['ses_broken.json']);
  });

  it('rejects an unknown agent', async () => {
    await expect(
      importSessions({ from: 'cursor' as 'opencode', home: await tempDir() }),
    ).rejects.toMatchObject({
      code: 'ERR_INVALID_ARG_VALUE',
    });
  });
});
