/**
 * Operations on a home for the session-index property tests. The invariant of the session index: after any sequence of what happens to a home (our recorder
 * creating and resuming sessions, a foreign writer appending under the writer lock as the Codex CLI
 * does, archive, unarchive, delete, rename, a file damaged, the index deleted), every listing the
 * index answers equals the file walk's answer, for every sort, filter and a search.
 */
import {
  appendFileSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { expect } from 'vitest';
import {
  RolloutRecorder,
  archiveSession,
  deleteSession,
  listSessions,
  newSessionId,
  setSessionName,
  unarchiveSession,
  type ListSessionsOptions,
  type SessionSummary,
} from '../../src/index.js';
import { acquireSessionLock } from '../../src/files/session-lock.js';
import { indexCounters } from '../../src/lister/indexed.js';
import { indexPath } from '../../src/search-index/store.js';
import { placement } from './rollout-files.js';
import { tempDir } from './temp.js';

const WORDS = ['alpha', 'Needle in it', 'beta gamma', 'NEEDLE', 'the parser', 'needl', 'delta'];

type Op =
  | { kind: 'record'; text: number; cwd: number; source: number; provider: number }
  | { kind: 'resume'; target: number; text: number }
  | { kind: 'foreign'; target: number; text: number }
  | { kind: 'archive' | 'unarchive' | 'delete' | 'damage'; target: number }
  | { kind: 'rename'; target: number; text: number }
  | { kind: 'revert' | 'fork'; target: number; text: number }
  | { kind: 'drop-index' };

const word = fc.nat(WORDS.length - 1);
const target = fc.nat(20);
export const op: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant('record' as const),
      text: word,
      cwd: fc.nat(1),
      source: fc.nat(2),
      provider: fc.nat(1),
    }),
  },
  fc.record({ kind: fc.constant('resume' as const), target, text: word }),
  fc.record({ kind: fc.constant('foreign' as const), target, text: word }),
  fc.record({
    kind: fc.constantFrom('archive' as const, 'unarchive' as const, 'delete' as const, 'damage' as const),
    target,
  }),
  fc.record({ kind: fc.constant('rename' as const), target, text: word }),
  fc.record({ kind: fc.constant('revert' as const), target, text: word }),
  fc.record({ kind: fc.constant('fork' as const), target, text: word }),
  fc.constant({ kind: 'drop-index' as const }),
);

/** Every session of a listing, following its cursors page by page. */
export async function allPages(options: ListSessionsOptions, pageSize: number): Promise<SessionSummary[]> {
  const out: SessionSummary[] = [];
  let cursor: string | null = null;
  do {
    const page = await listSessions({ ...options, pageSize, cursor });
    out.push(...page.sessions);
    cursor = page.nextCursor;
  } while (cursor !== null);
  return out;
}

const all = (options: ListSessionsOptions): Promise<SessionSummary[]> => allPages(options, 4);

/** The rollout of a session, live or archived. */
function find(home: string, id: string): string | undefined {
  const walk = (dir: string): string | undefined => {
    let names: string[];
    try {
      names = readdirSync(dir);
    } catch {
      return undefined;
    }
    for (const n of names) {
      const full = path.join(dir, n);
      if (n.includes(id) && n.endsWith('.jsonl')) return full;
      if (statSync(full).isDirectory()) {
        const hit = walk(full);
        if (hit) return hit;
      }
    }
    return undefined;
  };
  return walk(path.join(home, 'sessions')) ?? walk(path.join(home, 'archived_sessions'));
}

export async function apply(home: string, cwds: string[], ids: string[], o: Op, step: number): Promise<void> {
  const pick = (t: number): string | undefined => (ids.length === 0 ? undefined : ids[t % ids.length]);
  const quiet = async (f: () => Promise<unknown>): Promise<void> => {
    try {
      await f();
    } catch {
      // An operation that does not apply (archive an archived session, resume a damaged one) is a no-op.
    }
  };
  switch (o.kind) {
    case 'record': {
      const rec = await RolloutRecorder.create({
        cwd: cwds[o.cwd]!,
        home,
        git: false,
        source: ['cli', 'exec', 'vscode'][o.source]!,
        modelProvider: ['openai', 'azure'][o.provider]!,
      });
      await rec.recordUserMessage(`${WORDS[o.text]!} ${step}`);
      await rec.recordAssistantMessage(`answer ${WORDS[(o.text + 1) % WORDS.length]!}`);
      await rec.close();
      ids.push(rec.id);
      return;
    }
    case 'resume': {
      const id = pick(o.target);
      if (id === undefined) return;
      await quiet(async () => {
        const { recorder } = await RolloutRecorder.resume(id, { home });
        await recorder.recordAssistantMessage(`resumed ${WORDS[o.text]!}`);
        await recorder.close();
      });
      return;
    }
    case 'foreign': {
      const id = pick(o.target);
      const file = id === undefined ? undefined : find(home, id);
      if (id === undefined || file === undefined) return;
      // As the Codex CLI writes: under the session's writer lock, appending in place.
      await quiet(async () => {
        const lock = acquireSessionLock(home, id);
        try {
          const line = {
            timestamp: new Date().toISOString(),
            type: 'event_msg',
            payload: { type: 'agent_message', message: `foreign ${WORDS[o.text]!}` },
          };
          appendFileSync(file, JSON.stringify(line) + '\n');
        } finally {
          lock.release();
        }
      });
      return;
    }
    case 'archive':
    case 'unarchive':
    case 'delete': {
      const id = pick(o.target);
      if (id === undefined) return;
      if (o.kind === 'archive') await quiet(() => archiveSession(id, { home }));
      else if (o.kind === 'unarchive') await quiet(() => unarchiveSession(id, { home }));
      else await quiet(() => deleteSession(id, { home }));
      return;
    }
    case 'rename': {
      const id = pick(o.target);
      if (id !== undefined) await quiet(() => setSessionName(id, `named ${WORDS[o.text]!}`, { home }));
      return;
    }
    case 'revert':
    case 'fork': {
      // As the Codex CLI 0.171 continues a thread after `thread/revert` (a new rollout
      // `rollout-<now>-<thread>_<rollout>.jsonl`) or forks a paginated thread (a new thread naming
      // its source in forked_from_id): a file whose history_base names the thread's first rollout,
      // its own lines after (the older history is read from that file).
      const id = pick(o.target);
      const base = id === undefined ? undefined : find(home, `-${id}.jsonl`);
      if (id === undefined || base === undefined) return;
      let meta: { payload: Record<string, unknown> };
      try {
        meta = JSON.parse(readFileSync(base, 'utf8').split('\n', 1)[0]!) as typeof meta;
      } catch {
        return; // Damaged: Codex would not continue it either.
      }
      const now = new Date();
      const ts = now.toISOString();
      const forkId = newSessionId(now);
      const payload = {
        ...meta.payload,
        ...(o.kind === 'fork' ? { id: forkId, session_id: forkId, forked_from_id: id } : {}),
        timestamp: ts,
        history_base: {
          thread_id: id,
          end_ordinal_exclusive: 1_000_000,
          end_byte_offset: statSync(base).size,
        },
      };
      const text = `${o.kind === 'fork' ? 'forked' : 'reverted'} ${WORDS[o.text]!} ${step}`;
      const lines = [
        { timestamp: ts, type: 'session_meta', payload },
        {
          timestamp: ts,
          type: 'response_item',
          payload: { type: 'message', role: 'user', content: [{ type: 'input_text', text }] },
        },
        { timestamp: ts, type: 'event_msg', payload: { type: 'user_message', message: text, images: null } },
      ];
      const [folder, name] = placement(now.getTime(), o.kind === 'fork' ? forkId : `${id}_${forkId}`);
      const dir = path.join(home, 'sessions', folder);
      mkdirSync(dir, { recursive: true });
      writeFileSync(path.join(dir, name), lines.map((l) => JSON.stringify(l)).join('\n') + '\n');
      if (o.kind === 'fork') ids.push(forkId);
      return;
    }
    case 'damage': {
      const id = pick(o.target);
      const file = id === undefined ? undefined : find(home, id);
      if (file === undefined) return;
      // A tool rewriting the file (temp file and rename, as editors and copies do) with junk first.
      const text = readFileSync(file, 'utf8');
      const tmp = path.join(path.dirname(file), '.damage.tmp');
      writeFileSync(tmp, (step % 2 === 0 ? 'not json\n' : '') + text.slice(0, Math.floor(text.length / 2)));
      renameSync(tmp, file);
      return;
    }
    case 'drop-index':
      rmSync(path.dirname(indexPath(home)), { recursive: true, force: true });
      return;
  }
}

/**
 * Applies `ops` to a new home one by one; after each, every listing (each sort, filter and a
 * search) through the index must equal the file walk's, and must have been answered by the index.
 * `pauseMs` between steps lets files leave their racy tick, so the reconcile's stat comparisons
 * (not only its re-check of recent files) are what finds each change.
 */
export async function checkOps(ops: Op[], pauseMs = 0): Promise<void> {
  const root = await tempDir();
  const home = path.join(root, 'home');
  const cwds = [path.join(root, 'a'), path.join(root, 'b')];
  for (const d of [home, ...cwds]) mkdirSync(d, { recursive: true });
  const ids: string[] = [];
  const cases: ListSessionsOptions[] = [
    {},
    { sortKey: 'updated' },
    { archived: true },
    { archived: true, sortKey: 'updated' },
    { cwd: cwds[0]! },
    { sources: ['exec'] },
    { modelProviders: ['azure'] },
    { search: 'needle' },
    { search: 'NEEDLE', sortKey: 'updated' },
    { search: 'needle', archived: true },
    { includeEmpty: true },
  ];
  for (const [step, o] of ops.entries()) {
    if (pauseMs > 0) await new Promise((r) => setTimeout(r, pauseMs));
    await apply(home, cwds, ids, o, step);
    for (const c of cases) {
      // One page: a walk lists a thread of several rollouts once within a call (across its pages,
      // an older rollout on a later page is listed again; the index does not do that).
      const walked = await allPages({ home, ...c, index: false }, 100_000);
      const before = indexCounters.fellBack;
      const indexed = await all({ home, ...c });
      expect(indexCounters.fellBack, 'the index answered').toBe(before);
      expect(
        indexed,
        `after ${JSON.stringify(ops.slice(0, step + 1))}, listing ${JSON.stringify(c)}`,
      ).toEqual(walked);
    }
  }
}
