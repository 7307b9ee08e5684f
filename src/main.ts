/**
 * `npm start`: one process, the embedded database (or DATABASE_URL), a demo store on first run in embedded mode,
 * and a banner with the URLs that answer. For production use `npm run serve` (the worker pool).
 */
import { loadConfigOrExit } from './config.js';
import { startServer } from './start.js';
import { describeDatabase, describeOtpChannel, startBanner } from './server/banner.js';
import { ensureDemoStore, DEMO_PHONE, DEMO_CODE, DEMO_SLUG } from './demo/seed.js';
import { getStoreBySlug } from './stores/stores.service.js';

const config = loadConfigOrExit('dukaan start');
if (config.demo) config.otpTestNumbers.set(DEMO_PHONE, DEMO_CODE);

const server = await startServer(config, {
  beforeListen: async (_app, db) => {
    if (config.demo) await ensureDemoStore(db);
  },
});

const demoExists = await getStoreBySlug(server.db, DEMO_SLUG).then(
  () => true,
  () => false,
);
process.stdout.write(
  startBanner({
    publicUrl: config.publicUrl,
    database: describeDatabase(config.databaseUrl, config.dataDir),
    demoSlug: demoExists ? DEMO_SLUG : null,
    demoOwner: demoExists ? { phone: DEMO_PHONE, code: config.otpTestNumbers.get(DEMO_PHONE) ?? null } : null,
    codesArrive:
      server.app.services.otpChannel.description ??
      describeOtpChannel(server.app.services.otpChannel.name ?? 'configured'),
  }),
);

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    server.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  });
}
