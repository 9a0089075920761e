import { defineConfig } from 'vitest/config';

/**
 * The unit suite (`npm test`): quick, one-process-per-file tests on real files, git and processes.
 * The heavy ones (the crash test's hundreds of kills, the soak, the large property runs) are the
 * stress suite (vitest.stress.config.ts); the Codex CLI suite is the interop one. A test that
 * checks "it did not hang" bounds the wait itself; the timeout here only stops a broken run.
 */
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    exclude: ['test/interop/**', 'test/stress/**', 'test/browser/**', 'node_modules/**'],
    testTimeout: 300_000,
    hookTimeout: 300_000,
    pool: 'forks',
  },
});
