/**
 * The app (in this process, over app.inject) on a database the test made itself — a private cluster, a restored
 * copy, an embedded directory — with the same OTP capture as createTestApp, so the usual helpers
 * (signIn, openShop, placeOrder) work on it. close() closes the app and the database.
 */
import { buildApp } from '../../src/app.js';
import type { Config } from '../../src/config.js';
import type { Db } from '../../src/db/db.js';
import { migrate } from '../../src/db/migrate.js';
import { capturingOtpChannel, testConfig, type TestContext } from './app.js';

export async function appOnDb(
  db: Db,
  url: string | null,
  overrides: Partial<Config> = {},
  appOptions: { replicaCheckMs?: number } = {},
): Promise<TestContext> {
  await migrate(db);
  const config = testConfig(overrides);
  const { sentCodes, otpChannel } = capturingOtpChannel();
  const app = await buildApp({ config, db, otpChannel, logger: false, ...appOptions });
  await app.ready();
  return {
    app,
    testDb: { db, url, dispose: () => db.close() },
    config,
    sentCodes,
    async close() {
      await app.close();
      await db.close();
    },
  };
}
