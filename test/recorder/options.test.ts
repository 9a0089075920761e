import { describe, expect, it } from 'vitest';
import { newSessionId, uuidV7Time } from '../../src/format/ids.js';
import { normalizeCreateOptions, normalizeResumeOptions, ownVersion } from '../../src/recorder/options.js';
import type { RolloutRecorderOptions } from '../../src/recorder/options.js';

describe('normalizeCreateOptions', () => {
  it('applies the defaults in one place', () => {
    const o = normalizeCreateOptions({ cwd: 'some/dir', home: '/h' });
    expect(o).toMatchObject({
      home: '/h',
      originator: 'agent-rollouts',
      cliVersion: ownVersion(),
      source: 'cli',
      modelProvider: undefined,
      baseInstructions: null,
      git: true,
      durability: 'flush',
      gitTimeoutMs: 5000,
      maxQueuedBytes: 4 * 1024 * 1024,
    });
    expect(o.cwd).toBe(`${process.cwd()}/some/dir`);
    expect(uuidV7Time(o.id)).toBe(o.createdAt.getTime());
  });

  it('takes createdAt from a UUIDv7 id, and an id for createdAt', () => {
    const at = new Date('2026-01-02T03:04:05.678Z');
    const id = newSessionId(at);
    expect(normalizeCreateOptions({ cwd: '/', id }).createdAt.toISOString()).toBe(at.toISOString());
    expect(uuidV7Time(normalizeCreateOptions({ cwd: '/', createdAt: at }).id)).toBe(at.getTime());
    expect(normalizeCreateOptions({ cwd: '/', id: id.toUpperCase() }).id).toBe(id);
  });

  it('wraps base instructions as { text }', () => {
    expect(normalizeCreateOptions({ cwd: '/', baseInstructions: 'be brief' }).baseInstructions).toEqual({
      text: 'be brief',
    });
  });

  const at = new Date('2026-01-02T03:04:05.678Z');
  it.each<[string, RolloutRecorderOptions, RegExp]>([
    ['no cwd', { cwd: '' }, /cwd/],
    ['an id that is not a UUID', { cwd: '/', id: 'abc' }, /id must be a UUID/],
    [
      'an id and a createdAt that disagree',
      { cwd: '/', id: newSessionId(at), createdAt: new Date(at.getTime() + 1) },
      /id and createdAt disagree/,
    ],
    ['an invalid date', { cwd: '/', createdAt: new Date(Number.NaN) }, /createdAt/],
    [
      'gitTimeoutMs with git: false',
      { cwd: '/', git: false, gitTimeoutMs: 10 },
      /gitTimeoutMs.*git is false/,
    ],
    [
      'gitTimeoutMs with git facts given',
      { cwd: '/', git: { branch: 'x' }, gitTimeoutMs: 10 },
      /git is an object/,
    ],
    ['an unknown durability', { cwd: '/', durability: 'always' as never }, /durability/],
    ['a zero maxQueuedBytes', { cwd: '/', maxQueuedBytes: 0 }, /maxQueuedBytes/],
    ['a negative gitTimeoutMs', { cwd: '/', gitTimeoutMs: -1 }, /gitTimeoutMs/],
    ['a source that is neither string nor object', { cwd: '/', source: 3 as never }, /source/],
    ['git facts in the on-disk casing', { cwd: '/', git: { commit_hash: 'abc' } as never }, /commitHash/],
    ['a git fact that is not a string', { cwd: '/', git: { branch: 7 } as never }, /git\.branch/],
  ])('rejects %s with a TypeError', (_name, options, message) => {
    expect(() => normalizeCreateOptions(options)).toThrow(TypeError);
    expect(() => normalizeCreateOptions(options)).toThrow(message);
  });
});

describe('normalizeResumeOptions', () => {
  it('applies the defaults and checks durability', () => {
    expect(normalizeResumeOptions({ home: '/h' })).toMatchObject({ home: '/h', durability: 'flush' });
    expect(() => normalizeResumeOptions({ durability: 'x' as never })).toThrow(TypeError);
  });
});
