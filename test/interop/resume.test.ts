import { readFile } from 'node:fs/promises';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { RolloutRecorder, listSessions, readRollout } from '../../src/index.js';
import { closeAfterTest, createCodexHome, createWorkspace } from './fixtures.js';
import { describeRun, runCodex } from './codex-process.js';
import { assistantMessage, messageTexts, startModelServer } from './model-server.js';

// Proof 2: `codex exec resume <id>` continues a session written by RolloutRecorder.

let bin: string;

// Every proof holds on every Codex CLI version of the run (see codex-binary.ts).
const versions = inject('codexBins');

describe.each(versions)(
  'codex exec resume of a session written by RolloutRecorder (Codex $version)',
  ({ bin: versionBin }) => {
    beforeAll(() => {
      bin = versionBin;
    });
    it('sends the earlier turns to the model, and what Codex appends reads back with zero errors', async () => {
      const server = closeAfterTest(await startModelServer());
      const { home } = await createCodexHome({ baseUrl: server.baseUrl });
      const ws = await createWorkspace();

      const rec = await RolloutRecorder.create({ home, cwd: ws.dir, modelProvider: 'mock' });
      const firstId = await rec.recordUserMessage('List the files, s’il vous plaît');
      await rec.record([
        {
          type: 'response_item',
          payload: {
            type: 'function_call',
            name: 'exec_command',
            arguments: JSON.stringify({ cmd: 'ls' }),
            call_id: 'call_recorded_1',
          },
        },
        {
          type: 'response_item',
          payload: { type: 'function_call_output', call_id: 'call_recorded_1', output: 'README.md\n' },
        },
      ]);
      const replyId = await rec.recordAssistantMessage('There is one file: README.md');
      await rec.close();
      const before = await readFile(rec.path, 'utf8');

      server.enqueue({ items: [assistantMessage('Resumed: still one file.')] });
      const run = await runCodex(
        bin,
        ['exec', '--skip-git-repo-check', 'resume', rec.id, 'And now count them'],
        {
          home,
          cwd: ws.dir,
        },
      );
      expect(run.code, describeRun(run)).toBe(0);

      const requests = server.responsesRequests();
      expect(requests).toHaveLength(1);
      const body = requests[0]!.body!;
      const input = body.input ?? [];
      expect(messageTexts(body, 'user')).toEqual(
        expect.arrayContaining(['List the files, s’il vous plaît', 'And now count them']),
      );
      expect(messageTexts(body, 'assistant')).toContain('There is one file: README.md');
      const call = input.findIndex((i) => i.type === 'function_call' && i.call_id === 'call_recorded_1');
      const output = input.findIndex(
        (i) => i.type === 'function_call_output' && i.call_id === 'call_recorded_1',
      );
      expect(call).toBeGreaterThanOrEqual(0);
      expect(input[call]).toMatchObject({ name: 'exec_command', arguments: JSON.stringify({ cmd: 'ls' }) });
      expect(output).toBeGreaterThan(call);
      // The earlier turn comes before the new prompt, in the order recorded.
      const firstUser = input.findIndex(
        (i) => i.role === 'user' && i.content?.[0]?.text === 'List the files, s’il vous plaît',
      );
      const newUser = input.findIndex(
        (i) => i.role === 'user' && i.content?.[0]?.text === 'And now count them',
      );
      expect(firstUser).toBeLessThan(call);
      expect(output).toBeLessThan(newUser);

      // Codex appended to the same file, after our bytes, which it left untouched.
      const after = await readFile(rec.path, 'utf8');
      expect(after.startsWith(before)).toBe(true);
      expect(after.length).toBeGreaterThan(before.length);

      const read = await readRollout(rec.path);
      expect(read.errors).toEqual([]);
      expect(read.meta.id).toBe(rec.id);
      // Our message ids are read back after Codex appended to the file.
      const ids = read.items.flatMap((i) =>
        i.type === 'response_item' && i.payload.type === 'message' && i.payload.id !== undefined
          ? [i.payload.id]
          : [],
      );
      expect(ids.slice(0, 2)).toEqual([firstId, replyId]);
      const appended = read.items.slice(before.trimEnd().split('\n').length - 1);
      const events = appended
        .filter((i) => i.type === 'event_msg')
        .map((i) => i.payload as { type: string; message?: string });
      expect(events).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ type: 'user_message', message: 'And now count them' }),
          expect.objectContaining({ type: 'agent_message', message: 'Resumed: still one file.' }),
        ]),
      );

      // Still one session, listed under our first prompt.
      const page = await listSessions({ home });
      expect(page.sessions.map((s) => [s.id, s.preview])).toEqual([
        [rec.id, 'List the files, s’il vous plaît'],
      ]);
    });
  },
);
