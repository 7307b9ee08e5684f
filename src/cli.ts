/** `dukaan <command>`: migrate | serve | start */
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
} else {
  process.stdout.write('usage: dukaan migrate | serve | start\n');
  process.exitCode = command === 'help' ? 0 : 2;
}
