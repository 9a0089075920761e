/**
 * A real headless Chromium for page tests: Debian's `chromium` (scripts/install-test-deps.sh
 * installs it) driven by playwright-core, which downloads nothing. A fresh profile per launch.
 */
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { BrowserContext } from 'playwright-core';
import { chromium } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';

const FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Launches Chromium with a new profile folder; `close()` stops it and removes the folder. */
export async function launchBrowser(): Promise<{ context: BrowserContext; close(): Promise<void> }> {
  const profile = await mkdtemp(path.join(os.tmpdir(), 'ar-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    // playwright passes the profile as --user-data-dir itself (it refuses the flag in args).
    args: FLAGS,
    viewport: { width: 1100, height: 900 },
  });
  return {
    context,
    close: async () => {
      await context.close();
      await rm(profile, { recursive: true, force: true, maxRetries: 3 });
    },
  };
}

/** Where screenshots go: `temp/screenshots/` in the repository (ignored by git), kept as artifacts. */
export async function screenshotPath(name: string): Promise<string> {
  const dir = path.resolve(import.meta.dirname, '../../temp/screenshots');
  await mkdir(dir, { recursive: true });
  return path.join(dir, name);
}
