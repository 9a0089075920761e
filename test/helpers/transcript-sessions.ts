/**
 * Sessions for transcript and viewer tests: one recorded with the real recorder and real snapshots
 * (a workspace changed between two captures), one full of hostile content, and many small files.
 */
import { appendFile, mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { RolloutRecorder } from '../../src/index.js';
import { tempDir } from './temp.js';
import { writeRollout } from './rollout-files.js';

/** A 1×1 transparent PNG as a data URL. */
export const PNG =
  'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=';

export interface RecordedSession {
  home: string;
  workspace: string;
  id: string;
  path: string;
  /** The messages whose snapshots were taken, in order. */
  snapshotMessages: string[];
}

/** A session recorded by the recorder, with two snapshots of a workspace changed in between. */
export async function recordSnapshotSession(): Promise<RecordedSession> {
  const home = await tempDir('ar-tr-home-');
  const workspace = path.join(await tempDir('ar-tr-ws-'), 'project');
  await mkdir(path.join(workspace, 'src'), { recursive: true });
  await writeFile(path.join(workspace, 'src', 'add.js'), 'export const add = (a, b) => a - b;\n');
  await writeFile(path.join(workspace, 'README.md'), '# project\n');
  const rec = await RolloutRecorder.create({
    cwd: workspace,
    home,
    git: false,
    createdAt: new Date(Date.UTC(2026, 10, 21, 9, 0)),
  });
  const first = await rec.recordUserMessage('Fix `add` in src/add.js: it subtracts.', { images: [PNG] });
  await rec.snapshot(first);
  await rec.record([
    {
      type: 'response_item',
      payload: { type: 'reasoning', summary: [{ type: 'summary_text', text: 'The operator is wrong.' }] },
    },
    {
      type: 'response_item',
      payload: {
        type: 'function_call',
        name: 'shell',
        arguments: '{"command":["npm","test"]}',
        call_id: 'call-1',
      },
    },
    {
      type: 'response_item',
      payload: {
        type: 'function_call_output',
        call_id: 'call-1',
        output: Array.from({ length: 60 }, (_, k) => `test ${k + 1} ok`).join('\n'),
      },
    },
  ]);
  await writeFile(path.join(workspace, 'src', 'add.js'), 'export const add = (a, b) => a + b;\n');
  await writeFile(path.join(workspace, 'CHANGES.md'), '- add adds\n');
  const second = await rec.recordAssistantMessage(
    'Fixed: `add` now **adds**. See [the docs](https://example.com/docs).',
  );
  await rec.snapshot(second);
  await rec.record([{ type: 'compacted', payload: { message: 'summary of the work so far' } }]);
  await rec.close();
  return { home, workspace, id: rec.id, path: rec.path, snapshotMessages: [first, second] };
}

/** Text that tries every way out of its block. */
export const HOSTILE = [
  '<script>window.__pwned = 1; alert(1)</script>',
  '<img src=x onerror="alert(2)">',
  '[click me](javascript:alert(3)) and <a href="javascript:alert(4)">link</a>',
  '</textarea></pre></details></section><script>alert(5)</script>',
  '![remote](http://example.invalid/tracker.png)',
  '"><svg onload=alert(6)>',
  'bell\u0007 escape\u001b[31mred\u001b[0m nul\u0000 c1\u009b',
  'bidi \u202eevil\u202c and isolate \u2067x\u2069',
  '```\n</code></pre><script>alert(7)</script>\n```',
].join('\n');

/** A home with one session whose every field a reader sees holds hostile text. */
export async function hostileSession(): Promise<{ home: string; id: string; path: string }> {
  const home = await tempDir('ar-tr-hostile-');
  const written = await writeRollout(home, {
    createdAt: Date.UTC(2026, 10, 21, 8, 0),
    cwd: '/work/<script>alert(8)</script>',
    userMessage: HOSTILE,
    images: ['javascript:alert(9)', 'data:text/html;base64,PHNjcmlwdD5hbGVydCgxMCk8L3NjcmlwdD4='],
  });
  const t = new Date(Date.UTC(2026, 10, 21, 8, 1)).toISOString();
  const line = (type: string, payload: unknown): string =>
    `${JSON.stringify({ timestamp: t, type, payload })}\n`;
  await appendFile(
    written.path,
    line('response_item', {
      type: 'message',
      role: 'assistant',
      content: [{ type: 'output_text', text: HOSTILE }],
    }) +
      line('response_item', { type: 'reasoning', summary: [{ type: 'summary_text', text: HOSTILE }] }) +
      line('response_item', {
        type: 'function_call',
        name: '<script>alert(11)</script>',
        arguments: HOSTILE,
        call_id: '"><b>',
      }) +
      line('response_item', { type: 'function_call_output', call_id: '</pre>', output: HOSTILE }) +
      line('workspace_snapshot', {
        message_id: '<script>alert(12)</script>',
        commit: '<b>',
        tree: 'x',
        workspace: '/nowhere/<i>',
        store: '/nowhere',
      }),
  );
  return { home, id: written.id, path: written.path };
}

/** Replaces what differs between runs (times, ids, hashes, temp paths) with stable names. */
export function stable(text: string, s: { home: string; workspace: string; id: string }): string {
  return text
    .split(s.workspace)
    .join('[workspace]')
    .split(s.home)
    .join('[home]')
    .split(s.id)
    .join('[session]')
    .replace(/\[home\]\/snapshots\/[\w.-]+/g, '[store]')
    .replace(/msg_[0-9a-f-]+/gi, '[message]')
    .replace(/\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z/g, '[time]')
    .replace(/\b[0-9a-f]{40}\b/g, '[commit]')
    .replace(/\b[0-9a-f]{12}\b/g, '[short]');
}
