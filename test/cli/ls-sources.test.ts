import { readFile, writeFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { writeRollout, type RolloutSpec } from '../helpers/rollout-files.js';
import { tempDir } from '../helpers/temp.js';
import { cli } from './helpers.js';

const T = Date.UTC(2026, 10, 20, 10);
const M = 60_000;

async function seed(home: string, sources: unknown[], extra: Partial<RolloutSpec> = {}): Promise<string[]> {
  const ids: string[] = [];
  for (const [i, source] of sources.entries()) {
    const w = await writeRollout(home, { createdAt: T - i * M, userMessage: `task ${i}`, source, ...extra });
    if (source === undefined) {
      // No source field at all, as in files of old writers.
      const [first, ...rest] = (await readFile(w.path, 'utf8')).split('\n');
      const line = JSON.parse(first!) as { payload: Record<string, unknown> };
      delete line.payload['source'];
      await writeFile(w.path, [JSON.stringify(line), ...rest].join('\n'));
    }
    ids.push(w.id);
  }
  return ids;
}

describe('rollouts ls and sources', () => {
  it('a home of codex exec sessions says what it hides and how to show it', async () => {
    const home = await tempDir();
    await seed(home, ['exec', 'exec', 'mcp']);
    const r = await cli(['ls', '--home', home]);
    expect(r).toEqual({
      code: 0,
      out: '',
      err: 'no sessions\n3 sessions from other sources (exec, mcp) not shown; --all-sources shows them\n',
    });
    const all = await cli(['ls', '--home', home, '--all-sources']);
    expect(all.out.trimEnd().split('\n')).toHaveLength(4);
    expect(all.err).toBe('');
  });

  it('says it beside a table too, and in --json mode', async () => {
    const home = await tempDir();
    await seed(home, ['cli', 'exec']);
    const r = await cli(['ls', '--home', home]);
    expect(r.out).toContain('task 0');
    expect(r.out).not.toContain('task 1');
    expect(r.err).toBe('1 session from another source (exec) not shown; --all-sources shows it\n');
    const json = await cli(['ls', '--home', home, '--json']);
    expect(json.err).toBe(r.err);
  });

  it('counts only the sessions examined for this page when more follow', async () => {
    const home = await tempDir();
    await seed(home, ['exec', 'cli', 'exec', 'cli']);
    const r = await cli(['ls', '--home', home, '--limit', '1']);
    expect(r.err).toMatch(
      /^1 session from another source \(exec\) not shown on this page; --all-sources shows it\nmore: rollouts ls /,
    );
  });

  it('an explicit --source is taken as asked, without a hint', async () => {
    const home = await tempDir();
    await seed(home, ['cli', 'exec']);
    const r = await cli(['ls', '--home', home, '--source', 'exec']);
    expect(r.out).toContain('task 1');
    expect(r.err).toBe('');
  });

  it('a session without a source field is listed by default (the Codex CLI reads it as vscode)', async () => {
    const home = await tempDir();
    const [id] = await seed(home, [undefined]);
    const r = await cli(['ls', '--home', home]);
    expect(r.out).toContain(id!.slice(0, 13));
    expect(r.err).toBe('');
  });

  it('shows a SOURCE column when sources are mixed on purpose, escaped', async () => {
    const home = await tempDir();
    await seed(home, ['exec', { subagent: 'review' }, 'ev\u001b[2Jil\u009b']);
    const r = await cli(['ls', '--home', home, '--all-sources']);
    const lines = r.out.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^ID\s+CREATED\s+AGE\s+CWD\s+BRANCH\s+SOURCE\s+PREVIEW$/);
    expect(lines[1]).toMatch(/\sexec\s+task 0$/);
    expect(lines[2]).toMatch(/\ssubagent\s+task 1$/);
    expect(lines[3]).toMatch(/\sev\\x1b\[2Jil\\x9b\s+task 2$/);
    // eslint-disable-next-line no-control-regex -- matching control characters is the point
    expect(r.out).not.toMatch(/[\u001b\u009b]/);
  });
});
