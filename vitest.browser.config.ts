import { defineConfig } from 'vitest/config';

/**
 * The browser suite (`npm run test:browser`): the viewer and the HTML transcripts in a real
 * headless Chromium (Debian's `chromium`, installed by scripts/install-test-deps.sh) driven by
 * playwright-core. Separate from the unit suite because a browser start costs seconds here.
 */
export default defineConfig({
  test: {
    include: ['test/browser/**/*.test.ts'],
    testTimeout: 180_000,
    hookTimeout: 180_000,
    pool: 'forks',
    fileParallelism: false,
  },
});
