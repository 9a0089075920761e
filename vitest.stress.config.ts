import { defineConfig } from 'vitest/config';

/**
 * The stress suite (`npm run test:stress`, run by CI): many kills at random moments, a soak of
 * concurrent writers and listers, and large property runs. Each test bounds its own waits; the
 * timeouts here only stop a hung run, and allow for a machine loaded many times over.
 */
export default defineConfig({
  test: {
    include: ['test/stress/**/*.test.ts'],
    testTimeout: 1_800_000,
    hookTimeout: 600_000,
    pool: 'forks',
  },
});
