import { defineConfig } from 'vitest/config';

/** `npm run test:e2e`: real browser against a real server; slow, so one file at a time. */
export default defineConfig({
  test: {
    include: ['e2e/**/*.spec.ts'],
    globalSetup: ['e2e/support/build.ts'],
    environment: 'node',
    testTimeout: 120_000,
    // Above the server start-up timeout (e2e/support/server.ts), so a slow start reports its own error.
    hookTimeout: 300_000,
    pool: 'forks',
    fileParallelism: false,
  },
});
