import { randomBytes } from 'node:crypto';
import { readFile, truncate, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  InvalidRolloutError,
  findSession,
  listSessions,
  readRollout,
  streamRollout,
  validateRollout,
  type SkipReason,
} from '../../src/index.js';
import {
  fzstdDecoder,
  napiDecoder,
  zlibDecoder,
  zstdDecoder,
  type ZstdDecoder,
} from '../../src/reader/zstd.js';
import { tempDir } from '../helpers/temp.js';
import { CODEX_FILE, CODEX_ID, placeZst, zstd3 } from '../helpers/zstd.js';

const DAY = 'sessions/2026/11/21';
const NAME = path.basename(CODEX_FILE);

async function* chunksOf(buf: Buffer, size = 4096): AsyncGenerator<Buffer> {
  for (let i = 0; i < buf.length; i += size) yield buf.subarray(i, i + size);
}
async function drain(decoder: ZstdDecoder, input: Buffer): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const c of decoder(chunksOf(input))) parts.push(Buffer.from(c));
  return Buffer.concat(parts);
}

/** A rollout of a few MB whose zstd form spans many blocks, so a cut leaves whole lines before it. */
async function bigRollout(dir: string): Promise<string> {
  const codex = (await readFile(CODEX_FILE, 'utf8')).trimEnd().split('\n');
  const lines = [...codex];
  for (let i = 0; i < 600; i++) {
    lines.push(
      JSON.stringify({
        timestamp: '2026-11-21T05:53:20.000Z',
        ordinal: codex.length + i,
        type: 'response_item',
        payload: {
          type: 'function_call_output',
          call_id: `c${i}`,
          output: randomBytes(3000).toString('base64'),
        },
      }),
    );
  }
  const file = path.join(dir, NAME);
  await writeFile(file, lines.join('\n') + '\n');
  return file;
}

const candidates: [string, ZstdDecoder | undefined][] = [
  ['fzstd', fzstdDecoder],
  ['zstd-napi', napiDecoder],
  ['node:zlib', zlibDecoder],
];
const decoders = candidates.filter((d): d is [string, ZstdDecoder] => d[1] !== undefined);

describe.each(decoders)('the %s decoder', (_name, decoder) => {
  it('gives back the exact bytes, fed in small chunks', async () => {
    const dir = await tempDir();
    const plain = await bigRollout(dir);
    zstd3(plain, `${plain}.zst`);
    expect((await drain(decoder, await readFile(`${plain}.zst`))).equals(await readFile(plain))).toBe(true);
  });

  it('throws for data cut short and for data that is not zstd', async () => {
    const dir = await tempDir();
    zstd3(CODEX_FILE, path.join(dir, 'x.zst'));
    const zst = await readFile(path.join(dir, 'x.zst'));
    await expect(drain(decoder, zst.subarray(0, zst.length - 10))).rejects.toThrow();
    await expect(drain(decoder, Buffer.from('{"not":"zstd"}\n'.repeat(100)))).rejects.toThrow();
  });
});

describe('zstd on this Node.js', () => {
  it('is always available: fzstd at least, the native decoder when it was built', () => {
    expect(fzstdDecoder).toBeTypeOf('function');
    expect(zstdDecoder).toBe(napiDecoder ?? zlibDecoder ?? fzstdDecoder);
  });
});

describe('a .jsonl.zst rollout (a real Codex 0.169 session, zstd -3)', () => {
  it('reads, streams and validates exactly as the plain file', async () => {
    const home = await tempDir();
    const zst = await placeZst(home, `${DAY}/${NAME}`, CODEX_FILE);
    const plain = await readRollout(CODEX_FILE);
    const read = await readRollout(zst);
    expect(read.errors).toEqual([]);
    expect(read.format).toBe('paginated');
    expect(read.meta.id).toBe(CODEX_ID);
    expect(read.lines).toEqual(plain.lines);
    expect(read.lastOrdinal).toBe(plain.lastOrdinal);
    const streamed = [];
    for await (const line of streamRollout(zst)) streamed.push(line);
    expect(streamed).toEqual(plain.lines);
    expect(await validateRollout(zst)).toEqual(await validateRollout(CODEX_FILE));
  });

  it('is listed live and archived, and found by prefix', async () => {
    const home = await tempDir();
    const live = await placeZst(home, `${DAY}/${NAME}`, CODEX_FILE);
    const skipped: [string, SkipReason][] = [];
    const page = await listSessions({ home, onSkip: (p, r) => skipped.push([p, r]) });
    expect(skipped).toEqual([]);
    expect(page.sessions.map((s) => [s.id, s.path])).toEqual([[CODEX_ID, live]]);
    expect(page.sessions[0]!.preview).toBe('What is in this repository? Réponds en une phrase ✓');
    expect((await findSession(CODEX_ID.slice(0, 13), { home })).path).toBe(live);

    const home2 = await tempDir();
    const archived = await placeZst(home2, `archived_sessions/${NAME}`, CODEX_FILE);
    const page2 = await listSessions({ home: home2, archived: true });
    expect(page2.sessions.map((s) => [s.path, s.archived, s.preview])).toEqual([
      [archived, true, 'What is in this repository? Réponds en une phrase ✓'],
    ]);
    expect((await findSession(CODEX_ID.slice(0, 8), { home: home2 })).path).toBe(archived);
  });

  it('cut short after some blocks: the lines before the cut, one bad-compression problem, still listed', async () => {
    const home = await tempDir();
    const dir = path.join(home, DAY);
    const zst = await placeZst(home, `${DAY}/${NAME}`, await bigRollout(await tempDir()));
    const whole = await readRollout(zst);
    await truncate(zst, Math.floor((await readFile(zst)).length / 2));
    const r = await readRollout(zst);
    expect(r.lines.length).toBeGreaterThan(10);
    expect(r.lines.length).toBeLessThan(whole.lines.length);
    expect(r.lines).toEqual(whole.lines.slice(0, r.lines.length));
    expect(r.errors).toEqual([
      {
        line: r.lineNumbers.at(-1)! + 1,
        kind: 'bad-compression',
        message: expect.stringMatching(
          /^the zstd data is damaged or cut short here \(.+\); nothing after it/,
        ),
      },
    ]);
    expect((await validateRollout(zst)).map((p) => p.kind)).toEqual(['bad-compression']);
    const page = await listSessions({ home });
    expect(page.sessions.map((s) => s.path)).toEqual([path.join(dir, `${NAME}.zst`)]);
  });

  it.each([
    ['cut inside its first block', async (f: string) => truncate(f, 40)],
    ['garbage', async (f: string) => writeFile(f, randomBytes(5000))],
    ['plain text under a .zst name', async (f: string) => writeFile(f, await readFile(CODEX_FILE))],
  ])('%s: refused by the readers, one problem for validate, skipped by the lister', async (_what, spoil) => {
    const home = await tempDir();
    const zst = await placeZst(home, `${DAY}/${NAME}`, CODEX_FILE);
    await spoil(zst);
    const err = await readRollout(zst).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InvalidRolloutError);
    expect((err as InvalidRolloutError).reason).toMatch(/zstd/);
    const problems = await validateRollout(zst);
    expect(problems).toEqual([{ line: 0, kind: 'bad-compression', message: expect.stringMatching(/zstd/) }]);
    const skipped: [string, SkipReason][] = [];
    const page = await listSessions({ home, onSkip: (p, r) => skipped.push([p, r]) });
    expect(page.sessions).toEqual([]);
    expect(skipped).toEqual([[zst, 'invalid']]);
  });

  it('an empty .zst is an empty file', async () => {
    const home = await tempDir();
    const zst = await placeZst(home, `${DAY}/${NAME}`, CODEX_FILE);
    await truncate(zst, 0);
    expect(await validateRollout(zst)).toEqual([{ line: 0, kind: 'empty', message: 'empty file' }]);
    const skipped: SkipReason[] = [];
    await listSessions({ home, onSkip: (_p, r) => skipped.push(r) });
    expect(skipped).toEqual(['empty']);
  });
});
