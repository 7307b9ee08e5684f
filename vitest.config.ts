import { defineConfig } from 'vitest/config';

// One suite, two databases: every API test file runs once on embedded PGlite and once on real PostgreSQL.
//
// isolate: false for the unit and integration projects: the files of one worker share its module graph, so the app's
// modules are loaded once per worker instead of once per file (~4 s a file on the 2-core CI box; the integration
// projects went from 7m52 to 4m00 (PGlite) and the unit project from 35 s to 15 s). Each file still gets its own
// app and its own database (test/helpers/fixture.ts); no test file may change process-wide state it does not restore.
export default defineConfig({
  test: {
    testTimeout: 60_000,
    hookTimeout: 60_000,
    projects: [
      {
        test: {
          name: 'unit',
          include: ['src/**/*.test.ts', 'bench/**/*.test.ts', 'deploy/**/*.test.ts'],
          isolate: false,
        },
      },
      {
        test: {
          name: 'integration-pglite',
          include: ['test/integration/**/*.test.ts'],
          env: { TEST_DB: 'pglite' },
          isolate: false,
          testTimeout: 120_000,
          hookTimeout: 60_000,
        },
      },
      {
        test: {
          name: 'integration-postgres',
          include: ['test/integration/**/*.test.ts'],
          env: { TEST_DB: 'postgres' },
          isolate: false,
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
