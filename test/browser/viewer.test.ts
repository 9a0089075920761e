import { readFile } from 'node:fs/promises';
import { request } from 'node:http';
import path from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderTranscript } from '../../src/index.js';
import { LIST_PAGE_SIZE } from '../../src/viewer/list-page.js';
import type { Viewer } from '../../src/viewer/server.js';
import { startViewer } from '../../src/viewer/server.js';
import { launchBrowser, screenshotPath } from '../helpers/browser.js';
import { writeRollout } from '../helpers/rollout-files.js';
import { tempDir } from '../helpers/temp.js';
import { hostileSession, recordSnapshotSession } from '../helpers/transcript-sessions.js';

let browser: Awaited<ReturnType<typeof launchBrowser>>;
let context: BrowserContext;

beforeAll(async () => {
  browser = await launchBrowser();
  context = browser.context;
});
afterAll(async () => {
  await browser?.close();
});

/** Runs `body` with a viewer of `home` and a new page; both closed after. */
async function withViewer(home: string, body: (viewer: Viewer, page: Page) => Promise<void>): Promise<void> {
  const viewer = await startViewer({ home, port: 0 });
  const page = await context.newPage();
  try {
    await body(viewer, page);
  } finally {
    await page.close();
    await viewer.close();
  }
}

describe('the viewer in a real Chromium', () => {
  it('pages through 1,000 sessions with the lister cursor, newest first, each once', async () => {
    const home = await tempDir();
    const start = Date.UTC(2026, 9, 1);
    for (let i = 0; i < 1000; i++) {
      await writeRollout(home, { createdAt: start + i * 60_000, userMessage: `session number ${i}` });
    }
    await withViewer(home, async (viewer, page) => {
      await page.goto(viewer.url);
      await page.screenshot({ path: await screenshotPath('list.png'), fullPage: false });
      const seen: string[] = [];
      for (let pageNo = 0; ; pageNo++) {
        const titles = await page.locator('tr.session a.preview').allTextContents();
        expect(titles.length).toBe(Math.min(LIST_PAGE_SIZE, 1000 - seen.length));
        seen.push(...titles);
        const next = page.locator('a.next');
        if ((await next.count()) === 0) break;
        await next.click();
        await page.waitForLoadState('domcontentloaded');
      }
      expect(seen.length).toBe(1000);
      expect(new Set(seen).size).toBe(1000);
      expect(seen[0]).toBe('session number 999');
      expect(seen.at(-1)).toBe('session number 0');
    });
  });

  it('finds a planted phrase by search and shows it in a snippet, marked', async () => {
    const home = await tempDir();
    for (let i = 0; i < 30; i++) {
      await writeRollout(home, {
        createdAt: Date.UTC(2026, 9, 1, 0, i),
        userMessage: i === 17 ? 'please paint the purple elephant in the README' : `ordinary task ${i}`,
      });
    }
    await withViewer(home, async (viewer, page) => {
      await page.goto(viewer.url);
      await page.fill('input[name="q"]', 'purple elephant');
      await page.click('form.filters button[type="submit"]');
      await page.waitForLoadState('domcontentloaded');
      const rows = page.locator('tr.session');
      expect(await rows.count()).toBe(1);
      expect(await page.locator('.snippet mark').first().textContent()).toBe('purple elephant');
      expect(await page.locator('.snippet').first().textContent()).toContain('paint the purple elephant in');
    });
  });

  it('shows a session with its tool call collapsed, expands it, and shows a snapshot page with the diff', async () => {
    const s = await recordSnapshotSession();
    await withViewer(s.home, async (viewer, page) => {
      await page.goto(viewer.url);
      await page.click('tr.session a.preview');
      await page.waitForLoadState('domcontentloaded');
      expect(page.url()).toBe(`${viewer.url}s/${s.id}`);
      const tool = page.locator('details.tool').first();
      expect(await tool.getAttribute('open')).toBeNull();
      const args = tool.locator('pre').first();
      expect(await args.isVisible()).toBe(false);
      await page.screenshot({ path: await screenshotPath('session.png'), fullPage: true });
      await tool.locator('summary').click();
      expect(await tool.getAttribute('open')).not.toBeNull();
      expect(await args.isVisible()).toBe(true);
      expect(await args.textContent()).toContain('"command": [\n    "npm",');
      // The long output: 12 lines shown, the rest under "show all".
      const more = page.locator('details.more').first();
      expect(await more.locator('pre').isVisible()).toBe(false);
      await more.locator('summary').click();
      expect(await more.locator('pre').textContent()).toContain('test 60 ok');

      // Readable in the dark too: the system preference switches the palette.
      const background = async (): Promise<string> =>
        String(await page.evaluate('getComputedStyle(document.body).backgroundColor'));
      expect(await background()).toBe('rgb(255, 255, 255)');
      await page.emulateMedia({ colorScheme: 'dark' });
      expect(await background()).toBe('rgb(13, 17, 23)');
      await page.screenshot({ path: await screenshotPath('session-dark.png'), fullPage: true });
      await page.emulateMedia({ colorScheme: 'light' });

      await page.locator('.snapshot a', { hasText: 'snapshot page' }).last().click();
      await page.waitForLoadState('domcontentloaded');
      expect(page.url()).toBe(`${viewer.url}s/${s.id}/snap/${s.snapshotMessages[1]}`);
      expect(await page.locator('.d2h-wrapper').isVisible()).toBe(true);
      expect(await page.locator('.d2h-ins').count()).toBeGreaterThan(0);
      expect(await page.locator('.d2h-file-diff').last().textContent()).toContain(
        'export const add = (a, b) => a + b;',
      );
      expect(await page.locator('ul.files li').allTextContents()).toEqual([
        expect.stringContaining('CHANGES.md'),
        expect.stringContaining('src/add.js'),
      ]);
      const commands = await page.locator('pre.command').allTextContents();
      expect(commands[0]).toContain(
        `rollouts restore ${s.workspace} --session ${s.id} --message ${s.snapshotMessages[1]}`,
      );
      expect(commands[0]).toContain('--dest ');
      expect(commands[1]).toContain('--in-place');
      await page.screenshot({ path: await screenshotPath('snapshot.png'), fullPage: true });
    });
  });

  it('answers 403 without the token, with a wrong one, and for a foreign Host', async () => {
    const home = await tempDir();
    await writeRollout(home, { createdAt: Date.UTC(2026, 9, 1), userMessage: 'secret transcript' });
    await withViewer(home, async (viewer, page) => {
      const root = `http://127.0.0.1:${viewer.port}/`;
      const token = viewer.url.slice(root.length, -1);
      const wrong = `${token[0] === 'A' ? 'B' : 'A'}${token.slice(1)}`;
      for (const url of [
        root,
        `${root}assets/app.css`,
        `${root}${wrong}/`,
        `${root}${token.slice(0, -1)}/`,
      ]) {
        const r = await page.goto(url);
        expect(r?.status(), url).toBe(403);
        expect(await page.content()).not.toContain('secret transcript');
      }
      // A page of another origin that resolves to 127.0.0.1 (DNS rebinding) sends its own Host.
      const foreign = await new Promise<number>((resolve, reject) => {
        const req = request(viewer.url, { headers: { Host: `evil.example:${viewer.port}` } }, (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        });
        req.on('error', reject);
        req.end();
      });
      expect(foreign).toBe(403);
      const ok = await page.goto(viewer.url);
      expect(ok?.status()).toBe(200);
      expect(ok?.headers()['content-security-policy']).toContain("default-src 'none'");
    });
  });

  it('runs nothing of a hostile session: no dialog, no navigation, no request leaves 127.0.0.1', async () => {
    const s = await hostileSession();
    await withViewer(s.home, async (viewer, page) => {
      const dialogs: string[] = [];
      const requests: string[] = [];
      const navigations: string[] = [];
      page.on('dialog', (d) => {
        dialogs.push(d.message());
        void d.dismiss();
      });
      page.on('request', (r) => requests.push(r.url()));
      page.on('framenavigated', (f) => navigations.push(f.url()));
      const target = `${viewer.url}s/${s.id}`;
      await page.goto(target);
      await page.waitForLoadState('load');
      // Open everything a reader could open, click every link-looking thing that is not ours.
      for (const summary of await page.locator('summary').all()) await summary.click();
      await page.waitForTimeout(300);
      expect(dialogs).toEqual([]);
      expect(await page.evaluate(() => (globalThis as { __pwned?: unknown }).__pwned)).toBeUndefined();
      expect(navigations.every((u) => u === target)).toBe(true);
      const origin = `http://127.0.0.1:${viewer.port}/`;
      expect(requests.filter((u) => !u.startsWith(origin))).toEqual([]);
      expect(await page.locator('script').count()).toBe(0);
      expect(await page.locator('.msg.user .text').first().textContent()).toContain(
        '<script>window.__pwned = 1;',
      );
      await page.screenshot({ path: await screenshotPath('hostile.png'), fullPage: true });
    });
  });

  it('the exported HTML file of a hostile session runs nothing and loads nothing either', async () => {
    const s = await hostileSession();
    const dir = await tempDir();
    const file = path.join(dir, 'hostile.html');
    const { writeFile } = await import('node:fs/promises');
    await writeFile(file, await renderTranscript(s.path, { format: 'html', home: s.home }));
    const page = await context.newPage();
    try {
      const dialogs: string[] = [];
      const requests: string[] = [];
      page.on('dialog', (d) => {
        dialogs.push(d.message());
        void d.dismiss();
      });
      page.on('request', (r) => requests.push(r.url()));
      await page.goto(`file://${file}`);
      for (const summary of await page.locator('summary').all()) await summary.click();
      await page.waitForTimeout(300);
      expect(dialogs).toEqual([]);
      expect(requests.filter((u) => !u.startsWith('file://') && !u.startsWith('data:'))).toEqual([]);
      expect(await page.evaluate(() => (globalThis as { __pwned?: unknown }).__pwned)).toBeUndefined();
      expect((await readFile(file, 'utf8')).length).toBeGreaterThan(0);
    } finally {
      await page.close();
    }
  });
});
