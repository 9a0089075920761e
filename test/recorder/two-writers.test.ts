import { describe, expect, it } from 'vitest';
import { SessionLockedError } from '../../src/errors.js';
import { newSessionId } from '../../src/format/ids.js';
import { isSessionLocked } from '../../src/files/session-lock.js';
import { RolloutRecorder } from '../../src/recorder/recorder.js';
import type { RecorderChild } from '../helpers/recorder-child-runner.js';
import { startRecorderChild } from '../helpers/recorder-child-runner.js';
import { tempDir } from '../helpers/temp.js';

describe('two writers on one session', () => {
  it('refuses the second writer at once, and lets a new one in after the first is SIGKILLed', async () => {
    const home = await tempDir();
    const id = newSessionId();
    const children: RecorderChild[] = [];
    try {
      const first = startRecorderChild('hold', { home, id });
      children.push(first);
      await first.waitFor((m) => m['locked'] === true);
      expect(isSessionLocked(home, id)).toBe(true);

      // Another process…
      const second = startRecorderChild('try', { home, id });
      children.push(second);
      expect(await second.waitFor((m) => 'ok' in m || 'error' in m)).toEqual({ error: 'E_LOCKED' });
      // …and this one.
      await expect(RolloutRecorder.create({ cwd: home, home, id, git: false })).rejects.toBeInstanceOf(
        SessionLockedError,
      );

      first.process.kill('SIGKILL');
      expect((await first.exited).signal).toBe('SIGKILL');
      expect(isSessionLocked(home, id)).toBe(false);

      const third = startRecorderChild('try', { home, id });
      children.push(third);
      expect(await third.waitFor((m) => 'ok' in m || 'error' in m)).toEqual({ ok: true });
      const rec = await RolloutRecorder.create({ cwd: home, home, id, git: false });
      await rec.close();
    } finally {
      for (const c of children)
        if (c.process.exitCode === null && c.process.signalCode === null) c.process.kill('SIGKILL');
      await Promise.all(children.map((c) => c.exited));
    }
  });
});
