import { defineConfig } from 'vitest/config';

/**
 * The interop suite: drives the real Codex CLI (pinned, installed into `.cache/` by the global
 * setup) against a loopback model stand-in. Separate from the unit tests because it needs the npm
 * registry once and spawns many processes.
 */
export default defineConfig({
  test: {
    include: ['test/interop/**/*.test.ts'],
    globalSetup: ['test/interop/global-setup.ts'],
    testTimeout: 180_000,
    hookTimeout: 300_000,
    pool: 'forks',
    // Codex processes are heavy and each test owns its home and stand-in; one file at a time
    // keeps timings far from the limits on small CI machines.
    fileParallelism: false,
  },
});
