import { describe, expect, it } from 'vitest';
import { cli } from './helpers.js';

describe('rollouts help <command>', () => {
  it('prints the same help as <command> --help, and exits 0', async () => {
    const viaHelp = await cli(['help', 'ls']);
    const viaFlag = await cli(['ls', '--help']);
    expect(viaHelp.code).toBe(0);
    expect(viaHelp.out).toBe(viaFlag.out);
    expect(viaHelp.out).toMatch(/^Usage: rollouts ls/);
  });

  it('help alone prints the overview', async () => {
    const r = await cli(['help']);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^Usage: rollouts/);
    expect(r.out).toMatch(/help \[command\]/);
  });
});
