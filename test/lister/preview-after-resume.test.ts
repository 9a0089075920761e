import { cpSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { findSession } from '../../src/lister/find.js';
import { listSessions } from '../../src/lister/list.js';
import { RolloutRecorder } from '../../src/recorder/recorder.js';
import { tempDir } from '../helpers/temp.js';

const FIXTURE = path.resolve(import.meta.dirname, '../../fixtures/codex-0.169');
// A real Codex 0.169 rollout: its user turn is an item_completed UserMessage, with no user_message.
const PLAIN = {
  id: '01a1fcaa-831a-7890-ab77-30be15d83a18',
  file: 'sessions/2026/11/21/rollout-2026-11-21T05-53-15-01a1fcaa-831a-7890-ab77-30be15d83a18.jsonl',
  prompt: 'Say hello in one sentence.',
};

describe('the preview of a resumed Codex session', () => {
  it('stays the first user message after a turn is appended, whatever line carries each', async () => {
    const home = await tempDir();
    const dest = path.join(home, PLAIN.file);
    mkdirSync(path.dirname(dest), { recursive: true });
    cpSync(path.join(FIXTURE, PLAIN.file), dest);
    expect((await findSession(PLAIN.id, { home })).preview).toBe(PLAIN.prompt);

    const { recorder } = await RolloutRecorder.resume(PLAIN.id, { home });
    await recorder.recordUserMessage('An appended prompt');
    await recorder.recordAssistantMessage('An appended answer');
    await recorder.close();

    const page = await listSessions({ home });
    expect(page.sessions.map((s) => s.preview)).toEqual([PLAIN.prompt]);
    expect((await findSession(PLAIN.id, { home })).firstUserMessage).toBe(PLAIN.prompt);
  });
});
