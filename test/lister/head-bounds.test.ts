import { open, unlink } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { findSession, listSessions, type SkipReason } from '../../src/index.js';
import { salvageUserMessage } from '../../src/lister/head.js';
import { writeRollout } from '../helpers/rollout-files.js';
import { tempDir } from '../helpers/temp.js';
import { zstd3 } from '../helpers/zstd.js';

const T = Date.UTC(2026, 3, 1, 8);
const MiB = 1024 * 1024;

async function listed(home: string, more: Parameters<typeof listSessions>[0] = {}) {
  const skipped: [string, SkipReason][] = [];
  const page = await listSessions({ home, onSkip: (p, r) => skipped.push([p, r]), ...more });
  return { sessions: page.sessions, skipped };
}

describe('the head read keeps a session whose lines are larger than the byte bound', () => {
  it.each([false, true])(
    'a 2 MiB session_meta still gives the meta and the preview (zstd: %s)',
    async (zst) => {
      const home = await tempDir();
      const w = await writeRollout(home, {
        createdAt: T,
        userMessage: 'after huge instructions',
        instructionsBytes: 2 * MiB,
      });
      let file = w.path;
      if (zst) {
        zstd3(w.path, `${w.path}.zst`);
        await unlink(w.path);
        file = `${w.path}.zst`;
      }
      const { sessions, skipped } = await listed(home);
      expect(skipped).toEqual([]);
      expect(sessions.map((s) => [s.path, s.cwd, s.git?.branch, s.preview])).toEqual([
        [file, '/work/project', 'main', 'after huge instructions'],
      ]);
      expect((await findSession(w.id, { home })).preview).toBe('after huge instructions');
    },
  );

  it.each(['codex', 'item-completed', 'response-only'] as const)(
    'a first user message over maxHeadBytes (%s) is listed with its start as the preview',
    async (style) => {
      const home = await tempDir();
      const message = `Résumé ✓ ${'é'.repeat(1.5 * MiB)}`;
      await writeRollout(home, { createdAt: T, userMessage: message, style });
      const { sessions, skipped } = await listed(home);
      expect(skipped).toEqual([]);
      expect(sessions).toHaveLength(1);
      const preview = sessions[0]!.preview!;
      expect(preview.startsWith('Résumé ✓ éééé')).toBe(true);
      expect(preview.length).toBeLessThan(message.length);
      expect(preview).not.toContain('\uFFFD');
      expect(message.startsWith(preview)).toBe(true);
    },
  );

  it('a session_meta longer than 16 MiB is skipped as invalid, without reading the rest', async () => {
    const home = await tempDir();
    const w = await writeRollout(home, { createdAt: T, userMessage: 'x', instructionsBytes: 17 * MiB });
    // A sparse tail the reader would take seconds to walk if it did not stop at the bound.
    const fh = await open(w.path, 'r+');
    await fh.truncate(4096 * MiB);
    await fh.close();
    const { sessions, skipped } = await listed(home);
    expect(sessions).toEqual([]);
    expect(skipped).toEqual([[w.path, 'invalid']]);
  });

  it('a user message the bound cuts before its text starts leaves the session empty (listed with includeEmpty)', async () => {
    const home = await tempDir();
    await writeRollout(home, {
      createdAt: T,
      userMessage: 'x'.repeat(100_000),
      style: 'response-only',
      fillerRecords: 0,
    });
    expect((await listed(home, { maxHeadBytes: 100 })).sessions).toEqual([]);
    const { sessions } = await listed(home, { maxHeadBytes: 100, includeEmpty: true });
    expect(sessions.map((s) => s.preview)).toEqual([null]);
  });
});

describe('salvageUserMessage', () => {
  it.each([
    ['{"timestamp":"t","type":"event_msg","payload":{"type":"user_message","message":"hel', 'hel'],
    [
      '{"timestamp":"t","type":"event_msg","payload":{"type":"user_message","message":"a\\nb\\u00e9\\u00',
      'a\nbé',
    ],
    ['{"timestamp":"t","type":"event_msg","payload":{"type":"user_message","message":"end\\', 'end'],
    [
      '{"type":"response_item","payload":{"type":"message","id":"m","role":"user","content":[{"type":"input_text","text":"hi',
      'hi',
    ],
  ])('%s', (text, expected) => {
    const record = salvageUserMessage(text) as { payload: Record<string, unknown> };
    expect(JSON.stringify(record.payload)).toContain(JSON.stringify(expected).slice(1, -1));
  });

  it.each([
    '{"type":"response_item","payload":{"type":"message","role":"assistant","content":[{"type":"output_text","text":"x',
    '{"type":"event_msg","payload":{"type":"agent_message","message":"x',
    '{"type":"event_msg","payload":{"type":"user_message","message":"',
  ])('no user message in %s', (text) => {
    expect(salvageUserMessage(text)).toBeUndefined();
  });
});
