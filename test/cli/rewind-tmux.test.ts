import path from 'node:path';
import { writeFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { RolloutRecorder, listSessions } from '../../src/index.js';
import { workspaceState } from '../helpers/rewind-state.js';
import { makeHome, makeRepo } from '../helpers/snapshot-fixtures.js';
import { openTerminal } from '../helpers/tmux.js';

const tsx = path.resolve(import.meta.dirname, '../../node_modules/.bin/tsx');
const main = path.resolve(import.meta.dirname, '../../src/cli/bin.ts');

describe('rollouts rewind in a real terminal', () => {
  it('shows what it will change, asks, and rewinds only on "y"', async () => {
    const home = await makeHome();
    const ws = await makeRepo();
    const rec = await RolloutRecorder.create({ home, cwd: ws });
    await rec.recordUserMessage('write a');
    await writeFile(path.join(ws, 'a.txt'), 'a\n');
    const a1 = await rec.recordAssistantMessage('wrote a');
    await rec.snapshot();
    const atA1 = await workspaceState(ws);
    await writeFile(path.join(ws, 'b.txt'), 'b\n');
    await rec.recordAssistantMessage('wrote b');
    await rec.close();
    const before = await workspaceState(ws);

    const run = () => {
      const script = `${tsx} ${main} rewind ${rec.id} --to ${a1} --home ${home}; printf 'EXIT=%s\\n' $?; sleep 30`;
      const term = openTerminal(['sh', '-c', script], { columns: 160, rows: 40, env: { NO_COLOR: '1' } });
      return { term };
    };
    const no = run();
    let screen = await no.term.waitFor((s) => s.includes('Rewind?'), 60_000);
    expect(screen).toContain(`to the snapshot of message ${a1}`);
    expect(screen).toContain('  remove b.txt');
    no.term.send('n', { literal: true });
    no.term.send('Enter');
    screen = await no.term.waitFor((s) => s.includes('EXIT='), 60_000);
    expect(screen).toContain('nothing changed');
    expect(screen).toContain('EXIT=0');
    expect(await workspaceState(ws)).toEqual(before);
    no.term.kill();

    const yes = run();
    await yes.term.waitFor((s) => s.includes('Rewind?'), 60_000);
    yes.term.send('y', { literal: true });
    yes.term.send('Enter');
    screen = await yes.term.waitFor((s) => s.includes('EXIT='), 60_000);
    expect(screen).toContain('undo with: rollouts undo');
    expect(screen).toContain('EXIT=0');
    expect(await workspaceState(ws)).toEqual(atA1);
    expect((await listSessions({ home })).sessions).toHaveLength(2);
  });
});
