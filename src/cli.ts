/** `dukaan <command>`: migrate | serve | start | backup --out FILE | restore FILE [--force] */
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
} else {
  process.stdout.write('usage: dukaan migrate | serve | start | backup --out FILE | restore FILE [--force]\n');
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
