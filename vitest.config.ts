import { defineConfig } from 'vitest/config';

// One suite, two databases: every API test file runs once on embedded PGlite and once on real PostgreSQL.
export default defineConfig({
  test: {
    testTimeout: 60_000,
    hookTimeout: 60_000,
    projects: [
      { test: { name: 'unit', include: ['src/**/*.test.ts', 'bench/**/*.test.ts', 'deploy/**/*.test.ts'] } },
      {
        test: {
          name: 'integration-pglite',
          include: ['test/integration/**/*.test.ts'],
          env: { TEST_DB: 'pglite' },
          testTimeout: 120_000,
          hookTimeout: 60_000,
        },
      },
      {
        test: {
          name: 'integration-postgres',
          include: ['test/integration/**/*.test.ts'],
          env: { TEST_DB: 'postgres' },
          testTimeout: 120_000,
          hookTimeout: 60_000,
        },
      },
      {
        test: {
          name: 'process',
          include: ['test/process/**/*.test.ts'],
          testTimeout: 120_000,
          hookTimeout: 120_000,
          fileParallelism: false,
        },
      },
      // Debian's chromium through playwright-core against a real server in the test process (see
      // test/helpers/browser.ts).
      {
        test: {
          name: 'browser',
          include: ['test/browser/**/*.test.ts'],
          testTimeout: 300_000,
          hookTimeout: 120_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
