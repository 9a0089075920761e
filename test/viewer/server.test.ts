import { describe, expect, it } from 'vitest';
import { startViewer } from '../../src/viewer/server.js';
import { tokenMatches } from '../../src/viewer/token.js';
import { seedSessions } from '../cli/helpers.js';
import { tempDir } from '../helpers/temp.js';

describe('the viewer server', () => {
  it('serves every page only under its token, with the strict headers on every answer', async () => {
    const home = await tempDir();
    const [id] = await seedSessions(home, 3);
    const viewer = await startViewer({ home, port: 0 });
    try {
      const origin = `http://127.0.0.1:${viewer.port}`;
      const list = await fetch(viewer.url);
      expect(list.status).toBe(200);
      expect(list.headers.get('content-security-policy')).toBe(
        "default-src 'none'; style-src 'self'; img-src data:; form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
      );
      expect(list.headers.get('referrer-policy')).toBe('no-referrer');
      const body = await list.text();
      expect(body).not.toMatch(/<script|\son\w+=/i);
      expect(body.match(/<tr class="session">/g)?.length).toBe(3);

      const session = await fetch(`${viewer.url}s/${id}`);
      expect(session.status).toBe(200);
      expect(session.headers.get('content-length')).toBeNull(); // streamed, not buffered
      expect(await session.text()).toContain('<details class="tool"');

      const css = await fetch(`${viewer.url}assets/app.css`);
      expect(css.headers.get('content-type')).toBe('text/css; charset=utf-8');
      expect(await css.text()).toContain('.d2h-wrapper');

      for (const [url, status] of [
        [`${origin}/`, 403],
        [`${origin}/s/${id}`, 403],
        [`${viewer.url}s/01a0f755-0000-7000-8000-000000000000`, 404],
        [`${viewer.url}s/not-an-id`, 404],
        [`${viewer.url}s/${id}/snap/msg_nope`, 404],
        [`${viewer.url}?cursor=garbage`, 400],
        [`${viewer.url}nothing-here`, 404],
      ] as const) {
        const r = await fetch(url);
        expect(r.status, url).toBe(status);
        expect(r.headers.get('content-security-policy'), url).toContain("default-src 'none'");
      }
      expect((await fetch(viewer.url, { method: 'POST' })).status).toBe(405);
    } finally {
      await viewer.close();
    }
  });

  it('filters and sorts the list by the query', async () => {
    const home = await tempDir();
    await seedSessions(home, 4);
    const viewer = await startViewer({ home, port: 0 });
    try {
      const text = async (q: string): Promise<string> => (await fetch(`${viewer.url}?${q}`)).text();
      expect((await text('q=number%202')).match(/<tr class="session">/g)?.length).toBe(1);
      expect(await text('q=number%202')).toContain('<mark>number 2</mark>');
      expect(await text('cwd=/nowhere')).toContain('no sessions match');
      expect(await text('source=exec')).toContain('no sessions match');
      expect(await text('until=2026-11-19')).toContain('no sessions match');
      expect((await text('since=2026-11-20&sort=updated')).match(/<tr class="session">/g)?.length).toBe(4);
    } finally {
      await viewer.close();
    }
  });

  it('compares tokens whole', () => {
    expect(tokenMatches('abc', 'abc')).toBe(true);
    expect(tokenMatches('abd', 'abc')).toBe(false);
    expect(tokenMatches('ab', 'abc')).toBe(false);
    expect(tokenMatches('', 'abc')).toBe(false);
  });
});
