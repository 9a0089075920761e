import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { RolloutRecorder } from '../../src/recorder/recorder.js';
import { tempDir } from '../helpers/temp.js';

/** A rollout at a path that is not named like one, so its id can only come from session_meta. */
function oddlyNamed(dir: string, id: unknown): string {
  const file = path.join(dir, 'copied-session.jsonl');
  const ts = '2026-05-06T07:08:09.010Z';
  writeFileSync(
    file,
    `${JSON.stringify({ timestamp: ts, type: 'session_meta', payload: { id, timestamp: ts, cwd: dir } })}\n`,
  );
  return file;
}

describe('resume(path) and the id in session_meta', () => {
  it.each([
    ['climbs out of the home', '../../../escaped/01a1fca4-bae3-7302-8aa2-92f8ac31aa3a'],
    ['is empty', ''],
    ['holds a newline', '01a1fca4-bae3-7302-8aa2-92f8ac31aa3a\nx'],
  ])('refuses a session_meta id that %s, and creates nothing outside the home', async (_what, id) => {
    const root = await tempDir();
    const home = path.join(root, 'a', 'b', 'home');
    mkdirSync(home, { recursive: true });
    const file = oddlyNamed(root, id);
    await expect(RolloutRecorder.resume(file, { home })).rejects.toMatchObject({ code: 'E_BAD_ROLLOUT' });
    expect(existsSync(path.join(root, 'escaped'))).toBe(false);
    expect(existsSync(path.join(home, 'thread-writer-locks'))).toBe(false);
    expect(readdirSync(root).sort()).toEqual(['a', 'copied-session.jsonl']);
  });
});
