import { appendFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { listSessions } from '../../src/index.js';
import { tempDir } from '../helpers/temp.js';
import { writeRollout } from '../helpers/rollout-files.js';

describe('smoke', () => {
  it('searches through the index', async () => {
    const home = await tempDir();
    for (let i = 0; i < 5; i++) await writeRollout(home, { createdAt: Date.UTC(2026, 0, 1 + i), userMessage: `hello number ${i}` });
    const page = await listSessions({ home, search: 'NUMBER 3' });
    expect(existsSync(path.join(home, 'agent-rollouts', 'session-index.sqlite'))).toBe(true);
    expect(page.sessions.map((s) => s.match)).toEqual([{ snippet: 'hello number 3', line: expect.any(Number) }]);
    const walk = await listSessions({ home, search: 'NUMBER 3', index: false });
    expect(walk.sessions).toEqual(page.sessions);
    void appendFileSync;
  });
});
