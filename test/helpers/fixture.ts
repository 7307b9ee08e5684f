/**
 * The integration tests' app as a vitest fixture: `ctx` is one app on a fresh, migrated database (PGlite or
 * PostgreSQL, as TEST_DB says) with its own data directory, built the first time a test or an `it.beforeAll` of
 * the file asks for it and closed after the file's last test. A file writes
 *
 *   const it = appTest({ publicUrl: 'https://dukaan.test' });
 *   it.beforeAll(async ({ ctx }) => { shop = await openShop(ctx); });
 *   it('…', async ({ ctx }) => { … });
 *
 * instead of creating and closing the app in beforeAll/afterAll itself.
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { test } from 'vitest';
import type { Config } from '../../src/config.js';
import { createTestApp, type TestContext } from './app.js';
import { startFakeWhatsApp, type FakeWhatsApp } from './fake-whatsapp.js';

export interface AppOptions {
  /** Runs after the routes are registered and before app.ready() (extra test-only routes). */
  beforeReady?: (app: FastifyInstance) => void | Promise<void>;
}

/**
 * Builds the app (with a data directory of its own unless `overrides.dataDir` names one) and registers its
 * closing, and the directory's removal, with the fixture's cleanup.
 */
async function openTestApp(
  overrides: Partial<Config>,
  onCleanup: (fn: () => Promise<void>) => void,
  opts: AppOptions = {},
): Promise<TestContext> {
  const dataDir = overrides.dataDir ?? (await fs.mkdtemp(path.join(os.tmpdir(), 'dukaan-test-')));
  const ctx = await createTestApp({ ...overrides, dataDir }, undefined, opts.beforeReady);
  onCleanup(async () => {
    await ctx.close();
    if (!overrides.dataDir) await fs.rm(dataDir, { recursive: true, force: true });
  });
  return ctx;
}

/** vitest's `it` with file-scoped fixtures: `ctx`, the app this file's tests talk to, and `db`, its database. */
export function appTest(overrides: Partial<Config> = {}, opts: AppOptions = {}) {
  return (
    test
      // biome-ignore lint/correctness/noEmptyPattern: vitest reads a fixture's dependencies from this pattern (none)
      .extend('ctx', { scope: 'file' }, ({}, { onCleanup }) => openTestApp(overrides, onCleanup, opts))
      .extend('db', { scope: 'file' }, ({ ctx }) => ctx.testDb.db)
  );
}

/**
 * appTest with a fake WhatsApp Cloud API as the file-scoped `fake` fixture, started before the app so the app's
 * config can point at it: `whatsappTest((fake) => ({ whatsapp: { apiUrl: fake.url, … } }))`.
 */
export function whatsappTest(overrides: (fake: FakeWhatsApp) => Partial<Config>, opts: AppOptions = {}) {
  return (
    test
      // biome-ignore lint/correctness/noEmptyPattern: vitest reads a fixture's dependencies from this pattern (none)
      .extend('fake', { scope: 'file' }, async ({}, { onCleanup }) => {
        const fake = await startFakeWhatsApp();
        onCleanup(() => fake.close());
        return fake;
      })
      .extend('ctx', { scope: 'file' }, ({ fake }, { onCleanup }) => openTestApp(overrides(fake), onCleanup, opts))
      .extend('db', { scope: 'file' }, ({ ctx }) => ctx.testDb.db)
  );
}
