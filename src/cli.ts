/** `dukaan <command>`: migrate | serve | start | demo */
import { loadConfig } from './config.js';
import { openDb } from './db/db.js';
import { migrate } from './db/migrate.js';

const command = process.argv[2] ?? 'help';

if (command === 'migrate') {
  const config = loadConfig();
  const db = await openDb(config);
  const { from, to } = await migrate(db);
  await db.close();
  process.stdout.write(
    from === to ? `database is at version ${to}; nothing to do\n` : `migrated from version ${from} to ${to}\n`,
  );
} else if (command === 'serve') {
  await import('./server/cluster.js');
} else if (command === 'start') {
  await import('./main.js');
} else if (command === 'demo') {
  // The demo store on any database (embedded or DATABASE_URL): idempotent, migrates first.
  const { ensureDemoStore, DEMO_CODE, DEMO_PHONE, DEMO_SLUG } = await import('./demo/seed.js');
  const { getStoreBySlug } = await import('./stores/stores.service.js');
  const { CONSOLE_OTP_DELIVERY } = await import('./merchants/otp-channel.js');
  const { demoBanner, describeDatabase } = await import('./server/banner.js');
  const config = loadConfig();
  const db = await openDb(config);
  await migrate(db);
  const existed = await getStoreBySlug(db, DEMO_SLUG).then(
    () => true,
    () => false,
  );
  await ensureDemoStore(db);
  await db.close();
  const fixedCode = config.otpTestNumbers.get(DEMO_PHONE) ?? (config.demo ? DEMO_CODE : null);
  process.stdout.write(
    demoBanner({
      created: !existed,
      publicUrl: config.publicUrl,
      database: describeDatabase(config.databaseUrl, config.dataDir),
      demoSlug: DEMO_SLUG,
      demoOwner: { phone: DEMO_PHONE, code: fixedCode },
      codesArrive: CONSOLE_OTP_DELIVERY,
    }),
  );
} else {
  process.stdout.write('usage: dukaan migrate | serve | start | demo\n');
  process.exitCode = command === 'help' ? 0 : 2;
}
