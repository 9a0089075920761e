/**
 * The format follows the Codex CLI's `thread/name/set` as read in its source (openai/codex):
 * `codex-rs/rollout/src/session_index.rs` (`append_thread_name`: one JSON line
 * `{"id","thread_name","updated_at"}` appended, `updated_at` RFC 3339 UTC from the `time` crate,
 * the newest line per id wins), `codex-rs/thread-store/src/local/update_thread_metadata.rs`
 * (`apply_thread_name`: first an `event_msg` `{"type":"thread_name_updated","thread_id",
 * "thread_name"}` appended to the rollout, then the index line), and the app server's
 * `thread_set_name` (`normalize_thread_name`: the name is trimmed; an empty one is refused with
 * "thread name must not be empty").
 */
import { existsSync } from 'node:fs';
import { readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { acquireSessionLock } from '../../src/files/session-lock.js';
import { SessionLockedError, listSessions, readRollout, setSessionName } from '../../src/index.js';
import { writeRollout } from '../helpers/rollout-files.js';
import { tempDir } from '../helpers/temp.js';

const T = Date.UTC(2026, 3, 1, 8);
/** `time`'s RFC 3339: seconds, then the fraction without trailing zeros (none when zero), then Z. */
const RFC3339_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d*[1-9])?Z$/;

const indexLines = async (home: string): Promise<string[]> =>
  (await readFile(path.join(home, 'session_index.jsonl'), 'utf8')).split('\n');

describe('setSessionName', () => {
  it('appends the index line and the rollout event as the Codex CLI does, and listSessions shows it', async () => {
    const home = await tempDir();
    const w = await writeRollout(home, { createdAt: T, userMessage: 'x' });
    const before = await readFile(w.path, 'utf8');
    const result = await setSessionName(w.id, '  Fix the build  ', { home });
    expect(result).toEqual({
      id: w.id,
      name: 'Fix the build',
      updatedAt: expect.stringMatching(RFC3339_UTC) as unknown as string,
      path: w.path,
      event: true,
    });
    const lines = await indexLines(home);
    expect(lines).toEqual([
      `{"id":"${w.id}","thread_name":"Fix the build","updated_at":"${result.updatedAt}"}`,
      '',
    ]);
    const after = await readFile(w.path, 'utf8');
    expect(after.startsWith(before)).toBe(true);
    const added = after.slice(before.length);
    expect(added).toMatch(
      new RegExp(
        `^\\{"timestamp":"\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{3}Z","type":"event_msg","payload":\\{"type":"thread_name_updated","thread_id":"${w.id}","thread_name":"Fix the build"\\}\\}\\n$`,
      ),
    );
    expect((await readRollout(w.path)).errors).toEqual([]);
    expect((await listSessions({ home })).sessions.map((s) => s.name)).toEqual(['Fix the build']);

    await setSessionName(w.id.slice(0, 13), 'Second', { home });
    expect((await listSessions({ home })).sessions.map((s) => s.name)).toEqual(['Second']);
    expect(await indexLines(home)).toHaveLength(3);
  });

  it('keeps a name with a newline or quotes as JSON escapes', async () => {
    const home = await tempDir();
    const w = await writeRollout(home, { createdAt: T, userMessage: 'x' });
    await setSessionName(w.id, 'two\nlines "quoted" \u001b[31m', { home });
    expect((await indexLines(home))[0]).toContain('"thread_name":"two\\nlines \\"quoted\\" \\u001b[31m"');
    expect((await listSessions({ home })).sessions[0]!.name).toBe('two\nlines "quoted" \u001b[31m');
  });

  it('starts its line on a line of its own after a torn index line', async () => {
    const home = await tempDir();
    const w = await writeRollout(home, { createdAt: T, userMessage: 'x' });
    await writeFile(path.join(home, 'session_index.jsonl'), '{"id":"torn');
    await setSessionName(w.id, 'after a tear', { home });
    const lines = await indexLines(home);
    expect(lines[0]).toBe('{"id":"torn');
    expect(JSON.parse(lines[1]!)).toMatchObject({ id: w.id, thread_name: 'after a tear' });
    expect((await listSessions({ home })).sessions[0]!.name).toBe('after a tear');
  });

  it('continues the ordinals of a paginated rollout, and terminates a torn last line first', async () => {
    const home = await tempDir();
    const w = await writeRollout(home, { createdAt: T, userMessage: 'x', style: 'paginated' });
    const last = (await readRollout(w.path)).lastOrdinal!;
    await writeFile(w.path, `${await readFile(w.path, 'utf8')}{"torn`);
    await setSessionName(w.id, 'paged', { home });
    const read = await readRollout(w.path);
    expect(read.lastOrdinal).toBe(last + 1);
    expect(read.lines.at(-1)).toMatchObject({
      ordinal: last + 1,
      type: 'event_msg',
      payload: { type: 'thread_name_updated', thread_name: 'paged' },
    });
  });

  it('names an archived session and a compressed one (index only, the .zst is not rewritten)', async () => {
    const home = await tempDir();
    const arch = await writeRollout(home, { createdAt: T, userMessage: 'x', archived: true });
    expect((await setSessionName(arch.id, 'old', { home })).event).toBe(true);
    const zst = await writeRollout(home, { createdAt: T + 1000, userMessage: 'y' });
    await writeFile(`${zst.path}.zst`, 'compressed bytes');
    await rm(zst.path);
    const r = await setSessionName(zst.id, 'packed', { home });
    expect(r).toMatchObject({ event: false, path: `${zst.path}.zst` });
    expect(await readFile(`${zst.path}.zst`, 'utf8')).toBe('compressed bytes');
    expect((await indexLines(home)).filter(Boolean).map((l) => JSON.parse(l).thread_name)).toEqual([
      'old',
      'packed',
    ]);
  });

  it('writes no event into a file that is not a readable rollout', async () => {
    const home = await tempDir();
    const w = await writeRollout(home, { createdAt: T, userMessage: 'x' });
    await writeFile(w.path, '');
    expect((await setSessionName(w.id, 'empty', { home })).event).toBe(false);
    expect(await readFile(w.path, 'utf8')).toBe('');
  });

  it.each([
    ['an empty name', ''],
    ['a blank name', ' \n\t '],
    ['a lone surrogate', 'bad \ud800'],
    ['a number', 42],
  ])('refuses %s with a TypeError and writes nothing', async (_what, name) => {
    const home = await tempDir();
    const w = await writeRollout(home, { createdAt: T, userMessage: 'x' });
    await expect(setSessionName(w.id, name as string, { home })).rejects.toMatchObject({
      name: 'TypeError',
      code: 'ERR_INVALID_ARG_VALUE',
      message: expect.stringMatching(/^setSessionName: /) as unknown as string,
    });
    expect(existsSync(path.join(home, 'session_index.jsonl'))).toBe(false);
  });

  it('refuses while a writer holds the session, writing nothing', async () => {
    const home = await tempDir();
    const w = await writeRollout(home, { createdAt: T, userMessage: 'x' });
    const before = await readFile(w.path);
    const lock = acquireSessionLock(home, w.id);
    try {
      const attempt = setSessionName(w.id, 'busy', { home });
      await expect(attempt).rejects.toBeInstanceOf(SessionLockedError);
      await expect(attempt).rejects.toThrow(
        /^Cannot name session \S+: it is open for writing in this process/,
      );
    } finally {
      lock.release();
    }
    expect((await readFile(w.path)).equals(before)).toBe(true);
    expect(existsSync(path.join(home, 'session_index.jsonl'))).toBe(false);
  });
});
