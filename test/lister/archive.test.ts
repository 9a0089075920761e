import { describe, expect, it } from 'vitest';
import { listSessions, type SkipReason } from '../../src/index.js';
import { canReadZstd } from '../../src/lister/head.js';
import { writeRollout, zstdCompress } from '../helpers/rollout-files.js';
import { tempDir } from '../helpers/temp.js';

const T = Date.UTC(2026, 3, 1, 8);

describe('archived listing', () => {
  it('lists archived_sessions/ newest first, with cursors', async () => {
    const home = await tempDir();
    const ids = [];
    for (let i = 0; i < 5; i++)
      ids.unshift(
        (await writeRollout(home, { createdAt: T + i * 1000, userMessage: `a${i}`, archived: true })).id,
      );
    const first = await listSessions({ home, archived: true, pageSize: 3 });
    const second = await listSessions({ home, archived: true, pageSize: 3, cursor: first.nextCursor });
    expect([...first.sessions, ...second.sessions].map((s) => s.id)).toEqual(ids);
    expect(second.nextCursor).toBeNull();
  });

  it('prefers a plain .jsonl over its .zst, and reads or reports a lone .zst', async () => {
    const home = await tempDir();
    const both = await writeRollout(home, { createdAt: T, userMessage: 'plain', archived: true });
    const lone = await writeRollout(home, { createdAt: T + 1000, userMessage: 'compressed', archived: true });
    if (!zstdCompress(both.path) || !zstdCompress(lone.path)) return; // no zstd tool to build the fixture
    const { unlink } = await import('node:fs/promises');
    await unlink(lone.path);
    const skips: [string, SkipReason][] = [];
    const page = await listSessions({ home, archived: true, onSkip: (p, r) => skips.push([p, r]) });
    if (canReadZstd) {
      expect(page.sessions.map((s) => s.preview)).toEqual(['compressed', 'plain']);
      expect(skips).toEqual([]);
    } else {
      expect(page.sessions.map((s) => s.preview)).toEqual(['plain']);
      expect(skips).toEqual([[`${lone.path}.zst`, 'compressed']]);
    }
  });
});
