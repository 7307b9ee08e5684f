/**
 * `npm start`: one process, the embedded database (or DATABASE_URL), a demo store on first run, URLs printed.
 * For production use `npm run serve` (the worker pool).
 */
import { loadConfig } from './config.js';
import { startServer } from './start.js';
import { ensureDemoStore, DEMO_PHONE, DEMO_CODE } from './demo/seed.js';

const config = loadConfig();
if (config.demo) config.otpTestNumbers.set(DEMO_PHONE, DEMO_CODE);

const server = await startServer(config, {
  beforeListen: async (_app, db) => {
    if (config.demo) await ensureDemoStore(db);
  },
});

const base = config.publicUrl;
const lines = [
  '',
  `dukaan is running (${config.databaseUrl ? 'PostgreSQL' : `embedded PostgreSQL in ${config.dataDir}`})`,
  `  storefront:  ${base}/demo`,
  `  dashboard:   ${base}/dashboard`,
  `  API docs:    ${base}/api/v1/docs`,
];
if (config.demo) lines.push(`  demo merchant: sign in with phone ${DEMO_PHONE} and code ${DEMO_CODE}`);
process.stdout.write(lines.join('\n') + '\n\n');

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    server.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  });
}
