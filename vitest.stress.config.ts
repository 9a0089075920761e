import { defineConfig } from 'vitest/config';

/**
 * The stress suite (`npm run test:stress`, run by CI): many kills at random moments, a soak of
 * concurrent writers and listers, and large property runs. Each test bounds its own waits.
 */
export default defineConfig({
  test: {
    include: ['test/stress/**/*.test.ts'],
    testTimeout: 600_000,
    hookTimeout: 120_000,
    pool: 'forks',
  },
});
