/** `dukaan <command>`: migrate | serve | start | demo | backup --out FILE | restore FILE [--force] */
import { parseArgs } from 'node:util';
import { loadConfig } from './config.js';
import { openDb } from './db/open.js';
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
  await import('./serve.js');
} else if (command === 'start') {
  await import('./main.js');
} else if (command === 'backup' || command === 'restore') {
  await embeddedBackupCommand(command, process.argv.slice(3));
} else if (command === 'demo') {
  // The demo store on any database (embedded or DATABASE_URL): idempotent, migrates first.
  const { ensureDemoStore, DEMO_CODE, DEMO_PHONE, DEMO_SLUG } = await import('./demo/seed.js');
  const { getStoreBySlug } = await import('./stores/stores.service.js');
  const { otpChannelKind } = await import('./config.js');
  const { demoBanner, describeDatabase, describeOtpChannel } = await import('./server/banner.js');
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
      codesArrive: describeOtpChannel(otpChannelKind(config)),
    }),
  );
} else {
  process.stdout.write('usage: dukaan migrate | serve | start | demo | backup --out FILE | restore FILE [--force]\n');
  process.exitCode = command === 'help' ? 0 : 2;
}

/** Embedded mode only: PostgreSQL servers are backed up with pgBackRest (`npm run db -- backup`). */
async function embeddedBackupCommand(which: 'backup' | 'restore', args: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { out: { type: 'string' }, force: { type: 'boolean' } },
  });
  const config = loadConfig();
  const fail = (message: string) => {
    process.stderr.write(`dukaan ${which}: ${message}\n`);
    process.exitCode = 1;
  };
  if (config.databaseUrl)
    return fail('DATABASE_URL is set: back up PostgreSQL with pgBackRest (npm run db -- backup, deploy/README.md)');
  const { backupEmbedded, restoreEmbedded } = await import('./db/embedded-backup.js');
  try {
    if (which === 'backup') {
      if (!values.out) return fail('usage: dukaan backup --out FILE (stop the server first)');
      const { bytes } = await backupEmbedded(config.dataDir, values.out);
      process.stdout.write(`wrote ${values.out} (${bytes} bytes) from ${config.dataDir}/pglite\n`);
    } else {
      const file = positionals[0];
      if (!file) return fail('usage: dukaan restore FILE [--force] (stop the server first)');
      const { movedAside } = await restoreEmbedded(config.dataDir, file, { force: values.force ?? false });
      process.stdout.write(
        `restored ${file} into ${config.dataDir}/pglite${movedAside ? ` (the old one is in ${movedAside})` : ''}\n`,
      );
    }
  } catch (err) {
    fail((err as Error).message);
  }
}
