import { spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { SessionLockedError } from '../../src/errors.js';
import { acquireSessionLock } from '../../src/files/session-lock.js';
import { materializeHooks, type MaterializeStep } from '../../src/recorder/materialize.js';
import { RolloutRecorder } from '../../src/recorder/recorder.js';
import { readRollout } from '../../src/reader/read.js';
import { codex171Dir, fixture171 } from '../helpers/codex-171.js';
import { tempDir } from '../helpers/temp.js';

const CHILD = path.join(path.dirname(fileURLToPath(import.meta.url)), '../helpers/materialize-child.ts');
const STEPS: MaterializeStep[] = [
  'temp-created',
  'decompressed',
  'synced',
  'linked',
  'temp-removed',
  'source-removed',
];

/** A home holding the session Codex 0.171 compressed itself, live (as `thread/unarchive` leaves it), mode 0640. */
async function compressedHome(): Promise<{
  home: string;
  id: string;
  zst: string;
  plain: string;
  bytes: Buffer;
}> {
  const home = await tempDir();
  const f = fixture171('compressed');
  const dir = path.join(home, 'sessions', '2026', '12', '02');
  mkdirSync(dir, { recursive: true });
  const zst = path.join(dir, path.basename(f.file));
  copyFileSync(path.join(codex171Dir, f.file), zst);
  chmodSync(zst, 0o640);
  const bytes = spawnSync('zstd', ['-dc', zst], { maxBuffer: 1 << 30 }).stdout;
  expect(bytes.length).toBeGreaterThan(0);
  return { home, id: f.id, zst, plain: zst.slice(0, -4), bytes };
}

describe('resuming a compressed session (.jsonl.zst), as the Codex CLI 0.171 does', () => {
  it('makes it plain with the same bytes and permissions, removes the .zst, then appends', async () => {
    const { home, id, zst, plain, bytes } = await compressedHome();
    const { recorder, session } = await RolloutRecorder.resume(id, { home });
    expect(recorder.path).toBe(plain);
    expect(existsSync(zst)).toBe(false);
    expect(statSync(plain).mode & 0o7777).toBe(0o640);
    expect(readFileSync(plain).equals(bytes)).toBe(true);
    expect(session.errors).toEqual([]);
    await recorder.recordUserMessage('Appended after the materialization');
    await recorder.close();
    const r = await readRollout(plain);
    expect(r.errors).toEqual([]);
    expect(readFileSync(plain).subarray(0, bytes.length).equals(bytes)).toBe(true);
    expect(readdirSync(path.dirname(plain)).filter((n) => n.startsWith('.'))).toEqual([]);
  });

  it('materializes under the writer lock', async () => {
    const { home, id } = await compressedHome();
    const seen: string[] = [];
    materializeHooks.onStep = (step) => {
      if (step !== 'decompressed') return;
      try {
        acquireSessionLock(home, id).release();
        seen.push('acquired');
      } catch (error) {
        seen.push(error instanceof SessionLockedError ? 'locked' : String(error));
      }
    };
    try {
      const { recorder } = await RolloutRecorder.resume(id, { home });
      await recorder.close();
    } finally {
      materializeHooks.onStep = undefined;
    }
    expect(seen).toEqual(['locked']);
  });

  it.each(STEPS)(
    'loses nothing when the process is killed at "%s", and the next resume finishes',
    async (step) => {
      const { home, id, zst, plain, bytes } = await compressedHome();
      const killed = spawnSync(process.execPath, ['--import', 'tsx', CHILD, home, id, step], {
        encoding: 'utf8',
      });
      expect(killed.signal).toBe('SIGKILL');
      // Whatever is on disk holds the whole session: the plain file once linked, else the .zst.
      if (existsSync(plain)) expect(readFileSync(plain).equals(bytes)).toBe(true);
      else expect(spawnSync('zstd', ['-dc', zst], { maxBuffer: 1 << 30 }).stdout.equals(bytes)).toBe(true);
      expect((await readRollout(existsSync(plain) ? plain : zst)).errors).toEqual([]);

      const again = spawnSync(process.execPath, ['--import', 'tsx', CHILD, home, id, 'none'], {
        encoding: 'utf8',
      });
      expect(again.status, again.stderr).toBe(0);
      expect(JSON.parse(again.stdout.trim()).path).toBe(plain);
      expect(readFileSync(plain).equals(bytes)).toBe(true);
      expect(statSync(plain).mode & 0o7777).toBe(0o640);
      // A kill after the link leaves the .zst beside the plain file, as the Codex CLI would; the
      // plain file wins. Before it, the .zst is gone once the next resume has finished.
      const linkedBeforeKill = STEPS.indexOf(step) >= STEPS.indexOf('linked');
      expect(existsSync(zst)).toBe(linkedBeforeKill && step !== 'source-removed');
      expect(readdirSync(path.dirname(plain)).filter((n) => n.startsWith('.'))).toEqual([]);
    },
  );
});
