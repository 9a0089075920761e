import { appendFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { listSessions } from '../../src/index.js';
import { nameSession, writeRollout } from '../helpers/rollout-files.js';
import { tempDir } from '../helpers/temp.js';

const T = Date.UTC(2026, 3, 1, 8, 30, 15, 250);

describe('session summary', () => {
  it('carries the fields of DESIGN.md §3', async () => {
    const home = await tempDir();
    const w = await writeRollout(home, {
      createdAt: T,
      cwd: '/work/app',
      source: 'vscode',
      modelProvider: 'azure',
      originator: 'codex_vscode',
      userMessage: 'Refactor the parser\nand add tests',
      mtime: T + 60_000,
    });
    const [s] = (await listSessions({ home })).sessions;
    expect(s).toEqual({
      id: w.id,
      path: w.path,
      createdAt: new Date(T).toISOString(),
      updatedAt: new Date(T + 60_000).toISOString(),
      cwd: '/work/app',
      originator: 'codex_vscode',
      cliVersion: '0.170.0',
      source: 'vscode',
      modelProvider: 'azure',
      git: { commitHash: 'abc123', branch: 'main', repositoryUrl: 'https://example.com/r.git' },
      preview: 'Refactor the parser\nand add tests',
      firstUserMessage: 'Refactor the parser\nand add tests',
      name: null,
      archived: false,
      head: expect.any(Array),
    });
    expect(s!.head[0]).toMatchObject({ type: 'session_meta', payload: { id: w.id } });
  });

  it.each<[string, unknown, unknown]>([
    ['absent', undefined, null],
    ['null', null, null],
    ['a string', 'main', null],
    ['an array', ['main'], null],
    ['empty', {}, { commitHash: null, branch: null, repositoryUrl: null }],
    [
      'detached (no branch)',
      { commit_hash: 'abc' },
      { commitHash: 'abc', branch: null, repositoryUrl: null },
    ],
    [
      'type-confused fields',
      { commit_hash: 42, branch: 7, repository_url: { href: 'x' } },
      { commitHash: null, branch: null, repositoryUrl: null },
    ],
    [
      'unknown extra fields',
      { commit_hash: 'abc', branch: 'dev', repository_url: 'u', extra: 1 },
      { commitHash: 'abc', branch: 'dev', repositoryUrl: 'u' },
    ],
  ])('maps session_meta.git %s to camelCase, strings only', async (_name, git, expected) => {
    const home = await tempDir();
    await writeRollout(home, { createdAt: T, userMessage: 'hi', git });
    const [s] = (await listSessions({ home })).sessions;
    expect(s!.git).toEqual(expected);
  });

  it('returns the first records as head, 10 by default or as asked', async () => {
    const home = await tempDir();
    await writeRollout(home, { createdAt: T, userMessage: 'hi', fillerRecords: 20 });
    expect((await listSessions({ home })).sessions[0]!.head).toHaveLength(10);
    expect((await listSessions({ home, headRecords: 3 })).sessions[0]!.head.map((l) => l.type)).toEqual([
      'session_meta',
      'response_item',
      'turn_context',
    ]);
  });

  it('finds a user message far past the first records (byte-bounded, not line-bounded)', async () => {
    const home = await tempDir();
    await writeRollout(home, {
      createdAt: T,
      userMessage: 'deep down',
      fillerRecords: 500,
      instructionsBytes: 40_000,
    });
    const page = await listSessions({ home });
    expect(page.sessions[0]!.preview).toBe('deep down');
    // With a small byte bound it is out of reach, so the session counts as empty.
    expect((await listSessions({ home, maxHeadBytes: 50_000 })).sessions).toHaveLength(0);
    expect(
      (await listSessions({ home, maxHeadBytes: 50_000, includeEmpty: true })).sessions[0]!.preview,
    ).toBeNull();
  });

  it('hides sessions without a user message unless includeEmpty', async () => {
    const home = await tempDir();
    await writeRollout(home, { createdAt: T, userMessage: null });
    await writeRollout(home, { createdAt: T + 1, userMessage: 'real' });
    expect((await listSessions({ home })).sessions.map((s) => s.preview)).toEqual(['real']);
    expect((await listSessions({ home, includeEmpty: true })).sessions.map((s) => s.preview)).toEqual([
      'real',
      null,
    ]);
  });

  it.each([
    ['codex', 'event text'],
    ['item-completed', 'event text'],
    ['response-only', 'event text'],
    ['paginated', 'event text'],
    ['legacy', 'event text'],
  ] as const)('reads the first user message of %s files', async (style, text) => {
    const home = await tempDir();
    await writeRollout(home, { createdAt: T, userMessage: text, style });
    const [s] = (await listSessions({ home })).sessions;
    expect(s!.firstUserMessage).toBe(text);
    if (style === 'legacy') expect(s!.cwd).toBeNull();
  });

  it('shows "[Image]" for an image-only message', async () => {
    const home = await tempDir();
    await writeRollout(home, { createdAt: T, userMessage: '', images: ['data:image/png;base64,AAAA'] });
    expect((await listSessions({ home })).sessions[0]!.preview).toBe('[Image]');
  });

  it('strips the editor context before "## My request for Codex:"', async () => {
    const home = await tempDir();
    await writeRollout(home, {
      createdAt: T,
      userMessage: '# Context from my IDE setup:\n## Active file: a.ts\n## My request for Codex:\nrename it',
    });
    expect((await listSessions({ home })).sessions[0]!.preview).toBe('rename it');
  });

  it('takes names from session_index.jsonl, the last line per id winning', async () => {
    const home = await tempDir();
    const a = await writeRollout(home, { createdAt: T, userMessage: 'a' });
    const b = await writeRollout(home, { createdAt: T + 1, userMessage: 'b' });
    await nameSession(home, a.id, 'first name');
    await nameSession(home, a.id.toUpperCase(), 'second name');
    await nameSession(home, b.id, 'to be cleared');
    await nameSession(home, b.id, null);
    await appendFile(`${home}/session_index.jsonl`, '{"id": "torn');
    const names = Object.fromEntries((await listSessions({ home })).sessions.map((s) => [s.id, s.name]));
    expect(names).toEqual({ [a.id]: 'second name', [b.id]: null });
  });

  it('sees a name added between two listings', async () => {
    const home = await tempDir();
    const a = await writeRollout(home, { createdAt: T, userMessage: 'a' });
    await nameSession(home, a.id, 'before');
    expect((await listSessions({ home })).sessions[0]!.name).toBe('before');
    await nameSession(home, a.id, 'after');
    expect((await listSessions({ home })).sessions[0]!.name).toBe('after');
  });
});
