import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { RolloutIOError } from '../../src/errors.js';
import type { RecordItem } from '../../src/format/types.js';
import { homePaths } from '../../src/files/layout.js';
import { RolloutRecorder, writerOf } from '../../src/recorder/recorder.js';
import { readRollout } from '../../src/reader/read.js';
import { tempDir } from '../helpers/temp.js';

const event = (n: number, text = ''): RecordItem => ({
  type: 'event_msg',
  payload: { type: 'probe', n, text },
});
const numbers = async (file: string): Promise<number[]> =>
  (await readRollout(file)).items.map((i) => (i.payload as { n: number }).n);

describe('coalescing', () => {
  it('writes many records made between flushes in one write', async () => {
    const home = await tempDir();
    const rec = await RolloutRecorder.create({ cwd: home, home, git: false });
    for (let n = 0; n < 1000; n++) await rec.record([event(n)]);
    await rec.flush();
    // session_meta and the 1000 records: one batch, one write.
    expect(writerOf(rec).stats).toMatchObject({ writes: 1, batches: 1 });
    for (let n = 1000; n < 1100; n++) await rec.record([event(n)]);
    await rec.close();
    expect(writerOf(rec).stats).toMatchObject({ writes: 2, batches: 2 });
    expect(await numbers(rec.path)).toEqual(Array.from({ length: 1100 }, (_, n) => n));
  });

  it('never splits a record across batches, even one larger than the batch buffer', async () => {
    const home = await tempDir();
    const rec = await RolloutRecorder.create({ cwd: home, home, git: false, durability: 'none' });
    const big = 'é'.repeat(1.5 * 1024 * 1024);
    await rec.record([event(0), event(1, big), event(2)]);
    await rec.flush();
    // [meta, 0] fill one batch, the large line goes alone, [2] is the last.
    expect(writerOf(rec).stats.batches).toBe(3);
    await rec.close();
    const s = await readRollout(rec.path);
    expect(s.errors).toEqual([]);
    expect((s.items[1]!.payload as { text: string }).text).toBe(big);
  });
});

describe.each(['none', 'flush', 'fsync'] as const)('durability %s', (durability) => {
  it('has everything on disk once flush() resolves', async () => {
    const home = await tempDir();
    const rec = await RolloutRecorder.create({ cwd: home, home, git: false, durability });
    await rec.record([event(1), event(2)]);
    await rec.flush();
    expect(await numbers(rec.path)).toEqual([1, 2]);
    expect(writerOf(rec).stats.fsyncs > 0).toBe(durability === 'fsync');
    await rec.close();
  });

  it(
    durability === 'none' ? 'waits for flush() to write' : 'writes on its own at the next turn',
    async () => {
      const home = await tempDir();
      const rec = await RolloutRecorder.create({ cwd: home, home, git: false, durability });
      await rec.record([event(1)]);
      await nextTurn();
      await nextTurn();
      expect(existsSync(rec.path)).toBe(durability !== 'none');
      await rec.close();
    },
  );
});

describe('backpressure', () => {
  it('makes record() wait for the writer past maxQueuedBytes', async () => {
    const home = await tempDir();
    const rec = await RolloutRecorder.create({
      cwd: home,
      home,
      git: false,
      durability: 'none',
      maxQueuedBytes: 10_000,
    });
    let settled = false;
    const small = rec.record([event(1, 'x'.repeat(100))]).then(() => (settled = true));
    await small;
    expect(settled).toBe(true);
    expect(existsSync(rec.path)).toBe(false);

    settled = false;
    const over = rec.record([event(2, 'x'.repeat(20_000))]).then(() => (settled = true));
    await Promise.resolve();
    await Promise.resolve();
    expect(settled).toBe(false);
    await over;
    // It resolved because the queue was written, not before.
    expect(writerOf(rec).queuedSize).toBe(0);
    expect(await numbers(rec.path)).toEqual([1, 2]);
    await rec.close();
  });
});

describe('I/O failures', () => {
  it('rejects with the path when the folder cannot be made, keeps the items, and a later flush() writes them', async () => {
    const home = await tempDir();
    const rec = await RolloutRecorder.create({ cwd: home, home, git: false });
    // A regular file where the sessions folder goes: mkdir fails, for root too.
    writeFileSync(homePaths.sessions(home), 'in the way');
    await rec.record([event(1)]);
    const error = await rec.flush().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RolloutIOError);
    expect((error as RolloutIOError).path).toBe(rec.path);
    expect(['ENOTDIR', 'EEXIST']).toContain((error as RolloutIOError).errno);

    // The background write fails too; the next record() hears of it, and its items are kept.
    await rec.record([event(2)]);
    await nextTurn();
    await expect(rec.record([event(3)])).rejects.toBeInstanceOf(RolloutIOError);
    await expect(rec.close()).rejects.toBeInstanceOf(RolloutIOError);

    rmSync(homePaths.sessions(home));
    await rec.flush();
    await rec.close();
    const s = await readRollout(rec.path);
    expect(s.errors).toEqual([]);
    expect(await numbers(rec.path)).toEqual([1, 2, 3]);
  });

  it('recreates a file whose folder was removed while recording, with every line', async () => {
    const home = await tempDir();
    const rec = await RolloutRecorder.create({ cwd: home, home, git: false });
    await rec.record([event(1)]);
    await rec.flush();
    rmSync(path.dirname(rec.path), { recursive: true });
    await rec.record([event(2)]);
    await rec.flush();
    expect(await numbers(rec.path)).toEqual([1, 2]);
    await rec.record([event(3)]);
    await rec.close();
    expect(await numbers(rec.path)).toEqual([1, 2, 3]);
  });

  it('on a full disk rejects flush() with ENOSPC, loses nothing, and finishes once space is freed', async (ctx) => {
    // A real full file system: a tiny tmpfs. Mounting needs privileges; skip where there are none.
    const mnt = await mkdtemp(path.join(os.tmpdir(), 'ar-full-'));
    try {
      try {
        execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=256k,mode=0700', 'tmpfs', mnt], {
          stdio: 'ignore',
        });
      } catch {
        ctx.skip();
        return;
      }
      try {
        const home = path.join(mnt, 'home');
        mkdirSync(home);
        const rec = await RolloutRecorder.create({ cwd: home, home, git: false, durability: 'none' });
        const filler = path.join(mnt, 'filler');
        writeFileSync(filler, Buffer.alloc(150 * 1024));
        const text = 'ü'.repeat(3000);
        let error: unknown;
        let n = 0;
        while (error === undefined && n < 200) {
          await rec.record([event(n++, text)]);
          if (n % 5 === 0) error = await rec.flush().catch((e: unknown) => e);
        }
        expect(error).toBeInstanceOf(RolloutIOError);
        expect((error as RolloutIOError).errno).toBe('ENOSPC');
        expect((error as RolloutIOError).path).toBe(rec.path);
        rmSync(filler);
        await rec.close();
        const s = await readRollout(rec.path);
        // The batch cut short by the full disk was completed, not repeated or torn.
        expect(s.errors).toEqual([]);
        expect(await numbers(rec.path)).toEqual(Array.from({ length: n }, (_, i) => i));
      } finally {
        execFileSync('umount', [mnt]);
      }
    } finally {
      await rm(mnt, { recursive: true, force: true });
    }
  });
});
