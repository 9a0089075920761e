import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { runGit } from '../../src/files/git.js';
import { SnapshotStore } from '../../src/snapshot/snapshot-store.js';
import { makeHome, makeRepo, writeTree } from '../helpers/snapshot-fixtures.js';

/** Property runs; each captures a handful of snapshots (a few git processes apiece). */
const RUNS = 40;

/** Ids a ref name, a path or a command line would choke on, if an id ever reached one. */
const NASTY = [
  '/',
  '//',
  '.',
  '..',
  '../..',
  'a/../b',
  '-',
  '--',
  '-n',
  '--help',
  '--end-of-options',
  ' ',
  '  ',
  '\t',
  '\n',
  '\r\n',
  ' \u00a0\u2028\u3000',
  '\u0000',
  'a\u0000b',
  'HEAD',
  '@',
  '@{-1}',
  'x.lock',
  'refs/heads/main',
  '~^:?*[\\',
  'é',
  'e\u0301',
  '🧑‍💻',
  '\u{10ffff}',
  '\ufeff',
  'x'.repeat(300),
  'ü/'.repeat(20_000),
];

/** Any well-formed string: arbitrary code points, graphemes, path-like runs, and the list above. */
const anyId: fc.Arbitrary<string> = fc.oneof(
  fc.string({ unit: 'binary', minLength: 1, maxLength: 40 }),
  fc.string({ unit: 'grapheme', minLength: 1, maxLength: 20 }),
  fc.string({
    unit: fc.constantFrom('/', '.', '-', ' ', '\n', '\r', '\t', 'a', 'é'),
    minLength: 1,
    maxLength: 12,
  }),
  fc.constantFrom(...NASTY),
);

/** (session, message) pairs, all distinct, a few sessions with several messages. */
const pairs = fc
  .array(fc.tuple(anyId, fc.array(anyId, { minLength: 1, maxLength: 3 })), { minLength: 1, maxLength: 3 })
  .map((sessions) => {
    const out: [string, string][] = [];
    const seen = new Set<string>();
    for (const [s, messages] of sessions)
      for (const m of messages) {
        const key = JSON.stringify([s, m]);
        if (!seen.has(key)) {
          seen.add(key);
          out.push([s, m]);
        }
      }
    return out;
  });

const LONE_SURROGATE = /\p{Surrogate}/u;
const REF_RE = /^refs\/rollouts\/[0-9a-f]{64}\/[0-9a-f]{64}$/;

async function messageRefs(store: SnapshotStore): Promise<string[]> {
  const out = await runGit(['for-each-ref', '--format=%(refname)', 'refs/rollouts/'], { gitDir: store.path });
  return out.stdout.split('\n').filter((l) => l !== '');
}

const sortPairs = (list: [string, string][]): [string, string][] =>
  [...list].sort((a, b) => {
    const x = JSON.stringify(a);
    const y = JSON.stringify(b);
    return x < y ? -1 : x > y ? 1 : 0;
  });

describe('snapshot ids of arbitrary strings', () => {
  let store: SnapshotStore;
  let workspace: string;
  // One small workspace and store for every run (removed after the test, as tempDir() does); each
  // run ends by deleting what it captured.
  beforeAll(async () => {
    workspace = await makeRepo({ 'a.txt': 'one\n', 'dir/b.txt': 'two\n' });
    store = await SnapshotStore.open({ workspace, home: await makeHome() });
  });

  it('list() returns exactly the ids captured, one valid and distinct ref per (session, message)', async () => {
    let captures = 0;
    await fc.assert(
      fc.asyncProperty(pairs, async (list) => {
        try {
          for (const [i, [sessionId, messageId]] of list.entries()) {
            await writeTree(workspace, { 'a.txt': `capture ${captures} ${i}\n` });
            const snap = await store.capture({ sessionId, messageId });
            captures++;
            expect(snap.sessionId).toBe(sessionId);
            expect(snap.messageId).toBe(messageId);
          }
          const listed = (await store.list()).map((s): [string, string] => [s.sessionId, s.messageId]);
          expect(sortPairs(listed)).toEqual(sortPairs(list));
          // Per session too: the session filter finds its own messages and nothing else.
          for (const sessionId of new Set(list.map(([s]) => s))) {
            const mine = (await store.list({ sessionId })).map((s) => s.messageId).sort();
            expect(mine).toEqual(
              list
                .filter(([s]) => s === sessionId)
                .map(([, m]) => m)
                .sort(),
            );
          }
          const refs = await messageRefs(store);
          expect(refs).toHaveLength(list.length);
          expect(new Set(refs).size).toBe(list.length);
          for (const ref of refs) {
            expect(ref).toMatch(REF_RE);
            await runGit(['check-ref-format', ref], { cwd: workspace });
          }
        } finally {
          for (const s of new Set((await store.list()).map((x) => x.sessionId)))
            await store.delete({ sessionId: s });
        }
        expect(await messageRefs(store)).toEqual([]);
      }),
      { numRuns: RUNS, endOnFailure: true },
    );
    expect(captures).toBeGreaterThanOrEqual(RUNS);
    console.info(`snapshot ids: ${RUNS} runs, ${captures} captures of arbitrary ids`);
  });

  it('ids that differ only in unpaired UTF-16 surrogates are not merged into one snapshot', async () => {
    // A lone surrogate has no UTF-8 form; encoded naively it becomes U+FFFD, the same bytes as
    // every other lone surrogate and as U+FFFD itself. Such an id must be refused outright or kept
    // apart, never silently take another id's ref.
    const home = await makeHome();
    const ws = await makeRepo({ 'a.txt': 'x\n' });
    const s = await SnapshotStore.open({ workspace: ws, home });
    const ids = ['\ud800', '\udfff', '\ufffd', 'a\ud83d', 'a\ufffd'];
    const kept: string[] = [];
    for (const messageId of ids) {
      try {
        await s.capture({ sessionId: 'session', messageId });
        kept.push(messageId);
      } catch (error) {
        // Refusing an ill-formed id up front is fine; any other failure is the collision.
        expect(LONE_SURROGATE.test(messageId), String(error)).toBe(true);
        expect(error).toBeInstanceOf(TypeError);
      }
    }
    expect(kept).toContain('\ufffd');
    expect(kept).toContain('a\ufffd');
    expect((await s.list()).map((x) => x.messageId).sort()).toEqual([...kept].sort());
    expect(await messageRefs(s)).toHaveLength(kept.length);
  });
});
