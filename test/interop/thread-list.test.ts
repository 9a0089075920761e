import { beforeAll, describe, expect, inject, it } from 'vitest';
import { utimes } from 'node:fs/promises';
import { RolloutRecorder, archiveSession, listSessions, type SessionSummary } from '../../src/index.js';
import { AppServerClient, type AppServerThread } from './app-server.js';
import { closeAfterTest, createCodexHome, createWorkspace } from './fixtures.js';
import { startModelServer } from './model-server.js';
import type { Workspace } from './workspace.js';

// Proof 1: sessions written by RolloutRecorder are listed by `codex app-server` `thread/list` with
// the same ids, order, preview, cwd and git info as listSessions, page by page.

let bin: string;

// Every proof holds on every Codex CLI version of the run (see codex-binary.ts).
const versions = inject('codexBins');

interface Planned {
  /** Offset from the base instant, in milliseconds. */
  at: number;
  text: string | null;
  provider?: string;
}

// Several sessions in one second (ids then order by their millisecond), others across seconds,
// minutes and a day boundary; Unicode text; one session with no user message and one from another
// provider, which both listings must leave out.
const PLAN: Planned[] = [
  { at: 0, text: 'First session: fix the parser' },
  { at: 120, text: 'Same second, later: naïve café — 日本語 ✓' },
  { at: 480, text: 'Same second again 🚀 emoji' },
  { at: 910, text: 'Still the same second, Ελληνικά' },
  { at: 1_000, text: 'Next second' },
  { at: 61_000, text: 'A minute later' },
  { at: 62_000, text: null },
  { at: 63_000, text: 'Another provider', provider: 'other' },
  { at: 3_600_000, text: 'An hour later; quotes " and \\ backslashes' },
  { at: 86_400_000, text: 'The next day' },
  { at: 86_400_500, text: 'The next day, same second' },
];

async function recordPlanned(home: string, ws: Workspace, base: number): Promise<void> {
  for (const p of PLAN) {
    const rec = await RolloutRecorder.create({
      home,
      cwd: ws.dir,
      createdAt: new Date(base + p.at),
      modelProvider: p.provider ?? 'mock',
      git: true,
    });
    if (p.text !== null) await rec.recordUserMessage(p.text);
    await rec.recordAssistantMessage('Done.');
    await rec.close();
  }
}

function expectSameSession(ours: SessionSummary, theirs: AppServerThread, ws: Workspace): void {
  expect(theirs.id).toBe(ours.id);
  expect(theirs.preview).toBe(ours.preview);
  expect(theirs.cwd).toBe(ours.cwd);
  expect(theirs.createdAt).toBe(Math.floor(Date.parse(ours.createdAt) / 1000));
  expect(theirs.modelProvider).toBe(ours.modelProvider);
  expect(theirs.gitInfo).toEqual({
    sha: ours.git?.commitHash ?? null,
    branch: ours.git?.branch ?? null,
    originUrl: ours.git?.repositoryUrl ?? null,
  });
  expect(ours.git).toEqual({ commitHash: ws.commit, branch: ws.branch, repositoryUrl: ws.originUrl });
}

describe.each(versions)(
  'sessions written by RolloutRecorder, listed by codex app-server thread/list (Codex $version)',
  ({ bin: versionBin }) => {
    beforeAll(() => {
      bin = versionBin;
    });
    it('have the same ids, order, preview, cwd and git info, and the same pages', async () => {
      const server = closeAfterTest(await startModelServer());
      const { home } = await createCodexHome({ baseUrl: server.baseUrl });
      const ws = await createWorkspace();
      // A base instant well in the past and on a whole second, so the same-second plan holds.
      const base = Math.floor((Date.now() - 5 * 86_400_000) / 1000) * 1000;
      await recordPlanned(home, ws, base);

      const appServer = closeAfterTest(await AppServerClient.start(bin, { home, cwd: ws.dir }));
      const filters = { modelProviders: ['mock'] };
      const theirs = (await appServer.threadListAll({ ...filters, limit: 100 })).flatMap((p) => p.data);
      const ours = (await listSessions({ home, ...filters, defaultProvider: 'mock', pageSize: 100 }))
        .sessions;

      const expectedTexts = PLAN.filter((p) => p.text !== null && p.provider === undefined).map(
        (p) => p.text,
      );
      expect(ours.map((s) => s.preview)).toEqual([...expectedTexts].reverse());
      expect(theirs.map((t) => t.id)).toEqual(ours.map((s) => s.id));
      ours.forEach((s, i) => expectSameSession(s, theirs[i]!, ws));

      for (const pageSize of [1, 2, 3, 4]) {
        const theirPages = (await appServer.threadListAll({ ...filters, limit: pageSize })).map((p) =>
          p.data.map((t) => t.id),
        );
        const ourPages: string[][] = [];
        let cursor: string | null = null;
        do {
          const page = await listSessions({ home, ...filters, defaultProvider: 'mock', pageSize, cursor });
          ourPages.push(page.sessions.map((s) => s.id));
          cursor = page.nextCursor;
        } while (cursor !== null);
        // Codex may end with an empty page when the last page is exactly full; so may we.
        const trim = (pages: string[][]): string[][] => pages.filter((p, i) => p.length > 0 || i === 0);
        expect(trim(ourPages), `page size ${pageSize}`).toEqual(trim(theirPages));
      }
    });

    it('take the whole first user message, trimmed, as preview', async () => {
      const server = closeAfterTest(await startModelServer());
      const { home } = await createCodexHome({ baseUrl: server.baseUrl });
      const ws = await createWorkspace();
      const texts = ['  Two lines:\n  first, then   second  \n', `Long ${'é'.repeat(300)} end`];
      let at = Date.now() - 60_000;
      for (const text of texts) {
        const rec = await RolloutRecorder.create({ home, cwd: ws.dir, createdAt: new Date((at += 1000)) });
        await rec.recordUserMessage(text);
        await rec.close();
      }
      const appServer = closeAfterTest(await AppServerClient.start(bin, { home, cwd: ws.dir }));
      const theirs = (await appServer.threadListAll({ limit: 10 })).flatMap((p) => p.data);
      const ours = (await listSessions({ home, pageSize: 10 })).sessions;
      expect(theirs.map((t) => t.id)).toEqual(ours.map((s) => s.id));
      // Codex neither collapses whitespace nor shortens the preview: it is the first user message
      // with only its ends trimmed.
      expect(theirs.map((t) => t.preview)).toEqual(ours.map((s) => s.firstUserMessage?.trim()));
    });

    it('agree on the order by update time, page by page, and on archived sessions', async () => {
      const server = closeAfterTest(await startModelServer());
      const { home } = await createCodexHome({ baseUrl: server.baseUrl });
      const ws = await createWorkspace();
      const base = Date.now() - 600_000;
      const recs: RolloutRecorder[] = [];
      for (let i = 0; i < 7; i++) {
        const rec = await RolloutRecorder.create({ home, cwd: ws.dir, createdAt: new Date(base + i * 1000) });
        await rec.recordUserMessage(`Session ${i}`);
        await rec.close();
        recs.push(rec);
      }
      // Update times in another order than creation, three of them within one second: Codex orders
      // by the millisecond, as we do.
      const touch = [4, 0, 6, 2, 5, 1, 3];
      const second = Math.floor(Date.now() / 1000) * 1000 - 30_000;
      const offsets = [0, 2000, 4000, 4100, 4500, 4900, 7000];
      for (const [k, i] of touch.entries()) {
        const t = new Date(second + offsets[k]!);
        await utimes(recs[i]!.path, t, t);
      }
      await archiveSession(recs[5]!.id, { home });

      const appServer = closeAfterTest(await AppServerClient.start(bin, { home, cwd: ws.dir }));
      for (const pageSize of [2, 3, 10]) {
        const theirPages = (await appServer.threadListAll({ limit: pageSize, sortKey: 'updated_at' })).map(
          (p) => p.data.map((t) => t.id),
        );
        const ourPages: string[][] = [];
        let cursor: string | null = null;
        do {
          const page = await listSessions({ home, pageSize, cursor, sortKey: 'updated' });
          ourPages.push(page.sessions.map((s) => s.id));
          cursor = page.nextCursor;
        } while (cursor !== null);
        const trim = (pages: string[][]): string[][] => pages.filter((p, i) => p.length > 0 || i === 0);
        expect(trim(ourPages), `page size ${pageSize}`).toEqual(trim(theirPages));
        expect(ourPages.flat()).toEqual(
          [...touch]
            .reverse()
            .filter((i) => i !== 5)
            .map((i) => recs[i]!.id),
        );
      }

      const theirArchived = (await appServer.threadListAll({ limit: 10, archived: true })).flatMap(
        (p) => p.data,
      );
      const ourArchived = (await listSessions({ home, archived: true })).sessions;
      expect(theirArchived.map((t) => [t.id, t.preview])).toEqual([[recs[5]!.id, 'Session 5']]);
      expect(ourArchived.map((s) => [s.id, s.preview])).toEqual([[recs[5]!.id, 'Session 5']]);
    });
  },
);
