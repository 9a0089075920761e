import { rmSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readRollout } from '../../src/reader/read.js';
import { streamRollout } from '../../src/reader/stream.js';
import { streamThread } from '../../src/reader/thread.js';
import type { RolloutItem } from '../../src/format/types.js';
import { copyFixtureHome171, fixture171 } from '../helpers/codex-171.js';
import { tempDir } from '../helpers/temp.js';

/** The texts of the user turns (item_completed UserMessage events), in order. */
function userTurns(items: readonly RolloutItem[]): string[] {
  const out: string[] = [];
  for (const i of items) {
    const p = i.payload as { type?: string; item?: { type?: string; content?: { text?: string }[] } };
    if (i.type === 'event_msg' && p.type === 'item_completed' && p.item?.type === 'UserMessage')
      out.push(p.item.content?.[0]?.text ?? '');
  }
  return out;
}

describe('a Codex CLI 0.171 thread whose history lives in other files', () => {
  it('a reverted thread reads whole: the kept turn from the first file, the new turn from the second', async () => {
    const home = await tempDir();
    copyFixtureHome171(home);
    const f = fixture171('reverted');
    const head = path.join(home, f.files![1]!);
    const whole = await readRollout(head);
    expect(whole.errors).toEqual([]);
    expect(whole.meta.id).toBe(f.id);
    expect(userTurns(whole.items)).toEqual([f.prompts[0], f.prompts[2]]);
    expect(whole.segments.map((s) => s.path)).toEqual([path.join(home, f.files![0]!), head]);
    expect(whole.segments[0]!.endOrdinalExclusive).toBe(15);
    // The thread's ordinals run on without a gap across the two files: this file's meta (first
    // line, ordinal 15) takes the place where the older file is cut.
    const ords = whole.lines.map((l) => l.ordinal as number);
    expect(ords[0]).toBe(15);
    expect([...ords].sort((a, b) => a - b)).toEqual(ords.map((_, i) => i + 1));
    expect(whole.lastOrdinal).toBe(whole.lines.at(-1)!.ordinal);

    const own = await readRollout(head, { scope: 'file' });
    expect(userTurns(own.items)).toEqual([f.prompts[2]]);
    expect(own.segments).toHaveLength(1);
  });

  it('a fork reads with the source thread history under its own meta, and streamRollout agrees', async () => {
    const home = await tempDir();
    copyFixtureHome171(home);
    const fork = fixture171('forked');
    const plain = fixture171('plain');
    const file = path.join(home, fork.file);
    const whole = await readRollout(file);
    expect(whole.meta.id).toBe(fork.id);
    expect(whole.meta.forked_from_id).toBe(plain.id);
    expect(userTurns(whole.items)).toEqual(plain.prompts);
    const streamed = [];
    for await (const line of streamRollout(file)) streamed.push(line);
    expect(streamed).toEqual(whole.lines);
    const own = [];
    for await (const line of streamRollout(file, { scope: 'file' })) own.push(line);
    expect(userTurns(own.slice(1).map((l) => ({ type: l.type, payload: l.payload }) as RolloutItem))).toEqual(
      [],
    );
  });

  it('streamThread says which file each line is in', async () => {
    const home = await tempDir();
    copyFixtureHome171(home);
    const f = fixture171('reverted');
    const paths = new Set<string>();
    let first: string | undefined;
    for await (const l of streamThread(path.join(home, f.files![1]!))) {
      first ??= l.value.type;
      paths.add(l.path);
    }
    expect(first).toBe('session_meta');
    expect([...paths].sort()).toEqual(f.files!.map((p) => path.join(home, p)).sort());
  });

  it('a missing older segment is a missing-segment problem and the file still reads', async () => {
    const home = await tempDir();
    copyFixtureHome171(home);
    const f = fixture171('reverted');
    rmSync(path.join(home, f.files![0]!));
    const r = await readRollout(path.join(home, f.files![1]!));
    expect(r.errors.map((e) => e.kind)).toEqual(['missing-segment']);
    expect(userTurns(r.items)).toEqual([f.prompts[2]]);
  });

  it('follows the segments in the home given, for a file outside any home', async () => {
    const home = await tempDir();
    copyFixtureHome171(home);
    const elsewhere = await tempDir();
    const f = fixture171('forked');
    const { copyFileSync } = await import('node:fs');
    const copy = path.join(elsewhere, path.basename(f.file));
    copyFileSync(path.join(home, f.file), copy);
    expect((await readRollout(copy)).errors.map((e) => e.kind)).toEqual(['missing-segment']);
    expect(userTurns((await readRollout(copy, { home })).items)).toEqual(fixture171('plain').prompts);
  });
});

describe('segment references that cannot be followed', () => {
  it('a reference to the file itself is a loop: one missing-segment problem, the file read alone', async () => {
    const home = await tempDir();
    const { mkdirSync, writeFileSync } = await import('node:fs');
    const id = '01a23416-532d-71c1-8e4b-5f2241d980e3';
    const dir = path.join(home, 'sessions', '2026', '12', '02');
    mkdirSync(dir, { recursive: true });
    const file = path.join(dir, `rollout-2026-12-02T00-10-08-${id}.jsonl`);
    const meta = { id, timestamp: '2026-12-02T00:10:08.000Z', cwd: '/w', history_mode: 'paginated' };
    writeFileSync(
      file,
      [
        JSON.stringify({
          timestamp: meta.timestamp,
          ordinal: 3,
          type: 'session_meta',
          payload: { ...meta, history_base: { thread_id: id, end_ordinal_exclusive: 3 } },
        }),
        JSON.stringify({
          timestamp: meta.timestamp,
          ordinal: 4,
          type: 'event_msg',
          payload: { type: 'probe' },
        }),
      ].join('\n') + '\n',
    );
    const r = await readRollout(file);
    expect(r.errors.map((e) => e.kind)).toEqual(['missing-segment']);
    expect(r.items).toHaveLength(1);
  });
});

describe('every Codex CLI 0.171 fixture', () => {
  it('reads with zero problems and validates clean, segments followed', async () => {
    const { readdirSync } = await import('node:fs');
    const { validateRollout } = await import('../../src/reader/validate.js');
    const { codex171Dir } = await import('../helpers/codex-171.js');
    const walk = (d: string): string[] =>
      readdirSync(d, { withFileTypes: true }).flatMap((e) =>
        e.isDirectory()
          ? walk(path.join(d, e.name))
          : e.name.startsWith('rollout-')
            ? [path.join(d, e.name)]
            : [],
      );
    const files = walk(codex171Dir);
    expect(files.length).toBeGreaterThanOrEqual(8);
    let segmented = 0;
    for (const f of files) {
      expect(await validateRollout(f), f).toEqual([]);
      const r = await readRollout(f);
      expect(r.errors, f).toEqual([]);
      if (r.segments.length > 1) segmented++;
    }
    expect(segmented).toBe(2);
  });
});
