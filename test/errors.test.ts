import { mkdir, readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { RolloutRecorder, SnapshotStore, findSession, listSessions, newSessionId } from '../src/index.js';
import { tempDir } from './helpers/temp.js';

const usage = { name: 'TypeError', code: 'ERR_INVALID_ARG_VALUE' };

/** A recorder on a fresh home, for the record() cases. */
async function recorder(): Promise<RolloutRecorder> {
  const home = await tempDir();
  return RolloutRecorder.create({ cwd: home, home, git: false });
}

/** A store on a fresh workspace, for the store cases. */
async function store(): Promise<SnapshotStore> {
  const home = await tempDir();
  const workspace = await tempDir();
  return SnapshotStore.open({ workspace, home });
}

describe('bad arguments are TypeErrors with code ERR_INVALID_ARG_VALUE', () => {
  it.each<[string, () => Promise<unknown>]>([
    ['newSessionId(Invalid Date)', async () => newSessionId(new Date(Number.NaN))],
    ['findSession(a short prefix)', async () => findSession('019a', { home: await tempDir() })],
    ['findSession(not a string)', async () => findSession(7 as unknown as string, { home: await tempDir() })],
    ['RolloutRecorder.resume("")', async () => RolloutRecorder.resume('', { home: await tempDir() })],
    ['create() without options', async () => RolloutRecorder.create(undefined as never)],
    ['create({ cwd: "" })', async () => RolloutRecorder.create({ cwd: '' })],
    ['create({ id: "x" })', async () => RolloutRecorder.create({ cwd: '/', id: 'x' })],
    ['create({ durability })', async () => RolloutRecorder.create({ cwd: '/', durability: 'x' as never })],
    [
      'create({ createdAt })',
      async () => RolloutRecorder.create({ cwd: '/', createdAt: new Date(Number.NaN) }),
    ],
    [
      'create({ id, createdAt }) disagreeing',
      async () => RolloutRecorder.create({ cwd: '/', id: newSessionId(new Date(1)), createdAt: new Date(2) }),
    ],
    ['create({ git: [] })', async () => RolloutRecorder.create({ cwd: '/', git: [] as never })],
    [
      'create({ git: false, gitTimeoutMs })',
      async () => RolloutRecorder.create({ cwd: '/', git: false, gitTimeoutMs: 5 }),
    ],
    ['create({ source: 5 })', async () => RolloutRecorder.create({ cwd: '/', source: 5 as never })],
    [
      'create({ baseInstructions: 1 })',
      async () => RolloutRecorder.create({ cwd: '/', baseInstructions: 1 as never }),
    ],
    ['record(not an array)', async () => (await recorder()).record({} as never)],
    ['record([{ type: "" }])', async () => (await recorder()).record([{ type: '', payload: {} } as never])],
    [
      'record([session_meta])',
      async () => (await recorder()).record([{ type: 'session_meta', payload: {} } as never]),
    ],
    [
      'record([a BigInt payload])',
      async () => (await recorder()).record([{ type: 'x', payload: 1n } as never]),
    ],
    [
      'record([an undefined payload])',
      async () => (await recorder()).record([{ type: 'x', payload: undefined } as never]),
    ],
    ['recordUserMessage(1)', async () => (await recorder()).recordUserMessage(1 as never)],
    ['recordAssistantMessage(1)', async () => (await recorder()).recordAssistantMessage(1 as never)],
    [
      'listSessions({ sortKey })',
      async () => listSessions({ home: await tempDir(), sortKey: 'size' as never }),
    ],
    ['listSessions({ since: "soon" })', async () => listSessions({ home: await tempDir(), since: 'soon' })],
    [
      'listSessions({ since > until })',
      async () => listSessions({ home: await tempDir(), since: '2026-01-02', until: '2026-01-01' }),
    ],
    ['listSessions({ pageSize: 0 })', async () => listSessions({ home: await tempDir(), pageSize: 0 })],
    [
      'listSessions({ sources: [1] })',
      async () => listSessions({ home: await tempDir(), sources: [1] as never }),
    ],
    ['listSessions({ cwd: 1 })', async () => listSessions({ home: await tempDir(), cwd: 1 as never })],
    ['listSessions({ search: 1 })', async () => listSessions({ home: await tempDir(), search: 1 as never })],
    ['listSessions({ onSkip: 1 })', async () => listSessions({ home: await tempDir(), onSkip: 1 as never })],
    ['SnapshotStore.open({ workspace: "" })', async () => SnapshotStore.open({ workspace: '' })],
    [
      'SnapshotStore.open(the snapshots folder)',
      async () => {
        const home = await tempDir();
        await mkdir(path.join(home, 'snapshots'));
        return SnapshotStore.open({ workspace: path.join(home, 'snapshots'), home });
      },
    ],
    [
      'SnapshotStore.open({ maxFileSize: -1 })',
      async () => SnapshotStore.open({ workspace: await tempDir(), home: await tempDir(), maxFileSize: -1 }),
    ],
    ['capture({ sessionId: "" })', async () => (await store()).capture({ sessionId: '', messageId: 'm' })],
    [
      'capture({ messageId: a lone surrogate })',
      async () => (await store()).capture({ sessionId: 's', messageId: '\ud800' }),
    ],
    [
      'capture({ metadata: 1 })',
      async () => (await store()).capture({ sessionId: 's', messageId: 'm', metadata: 1 as never }),
    ],
    [
      'restore({ dest, inPlace })',
      async () =>
        (await store()).restore({ sessionId: 's', messageId: 'm' }, { dest: '/x', inPlace: true } as never),
    ],
    ['restore({})', async () => (await store()).restore({ sessionId: 's', messageId: 'm' }, {} as never)],
    ['push("")', async () => (await store()).push('')],
  ])('%s', async (_name, call) => {
    await expect(call()).rejects.toMatchObject(usage);
  });

  it('src throws no TypeError without the code (every one goes through invalidArgument)', async () => {
    const src = path.resolve(import.meta.dirname, '../src');
    const files = (await readdir(src, { recursive: true })).filter((f) => f.endsWith('.ts'));
    const raw: string[] = [];
    for (const f of files) {
      if (f === 'errors.ts') continue;
      const text = await readFile(path.join(src, f), 'utf8');
      if (text.includes('new TypeError(')) raw.push(f);
    }
    expect(raw).toEqual([]);
  });
});
