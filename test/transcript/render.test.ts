import { readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { renderTranscript, streamTranscript } from '../../src/index.js';
import { recordSnapshotSession, stable } from '../helpers/transcript-sessions.js';

const fixtureDir = path.resolve(import.meta.dirname, '../../fixtures/codex-0.169/sessions/2026/11/21');
const fixtures = readdirSync(fixtureDir).filter((f) => f.endsWith('.jsonl'));

describe.each(fixtures)('the real Codex 0.169 rollout %s', (name) => {
  const file = path.join(fixtureDir, name);
  it('renders as Markdown', async () => {
    const md = await renderTranscript(file, { format: 'markdown' });
    await expect(md).toMatchFileSnapshot(`__snapshots__/codex-0.169/${name.replace(/\.jsonl$/, '.md')}`);
  });
  it('renders as HTML', async () => {
    const html = await renderTranscript(file, { format: 'html' });
    await expect(html).toMatchFileSnapshot(`__snapshots__/codex-0.169/${name.replace(/\.jsonl$/, '.html')}`);
  });
});

describe('a recorded session with snapshots', () => {
  it('renders as Markdown with each snapshot diffed against the one before', async () => {
    const s = await recordSnapshotSession();
    const md = await renderTranscript(s.id, { format: 'markdown', home: s.home });
    expect(md).toContain('```diff');
    expect(md).toContain('+export const add = (a, b) => a + b;');
    expect(md).toContain('*The first snapshot of this workspace in the session.*');
    expect(md).toContain('… 20 more lines cut (full keeps them)');
    await expect(stable(md, s)).toMatchFileSnapshot('__snapshots__/recorded/snapshots.md');
    const full = await renderTranscript(s.path, { format: 'markdown', home: s.home, full: true });
    expect(full).toContain('test 60 ok');
    expect(full).not.toContain('more lines cut');
  });

  it('renders as HTML: tool calls and reasoning collapsed, long outputs under "show all", the diff drawn', async () => {
    const s = await recordSnapshotSession();
    const html = await renderTranscript({ path: s.path }, { format: 'html', home: s.home });
    expect(html).toMatch(/<details class="tool" id="L\d+"><summary>/);
    expect(html).toMatch(/<details class="reasoning"/);
    expect(html).toContain('<summary>show all 60 lines (48 more lines)</summary>');
    expect(html).toContain('class="d2h-wrapper');
    expect(html).toContain('<img src="data:image/png;base64,');
    expect(html).not.toMatch(/<script/i);
    await expect(stable(html, s)).toMatchFileSnapshot('__snapshots__/recorded/snapshots.html');
  });

  it('renders without the diffs when snapshots is false', async () => {
    const s = await recordSnapshotSession();
    const md = await renderTranscript(s.path, { format: 'markdown', home: s.home, snapshots: false });
    expect(md).toContain('**Snapshot** of message');
    expect(md).not.toContain('```diff');
  });

  it('streams the same document in chunks', async () => {
    const s = await recordSnapshotSession();
    const parts: string[] = [];
    for await (const c of streamTranscript(s.path, { format: 'html', home: s.home })) parts.push(c);
    expect(parts.join('')).toBe(await renderTranscript(s.path, { format: 'html', home: s.home }));
  });
});

describe('options', () => {
  it.each([
    [{ format: 'pdf' }, /format must be "markdown" or "html"/],
    [{ format: 'html', full: 'yes' }, /full must be a boolean/],
    [{ format: 'html', snapshots: 1 }, /snapshots must be a boolean/],
  ])('rejects %o', async (options, message) => {
    await expect(renderTranscript(path.join(fixtureDir, fixtures[0]!), options as never)).rejects.toThrow(
      message,
    );
  });
});
