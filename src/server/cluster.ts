/**
 * `dukaan serve`: the worker pool. In the primary process: migrate once, fork the workers, handle signals.
 * In a worker (node:cluster runs this same entry again): start one server.
 */
import cluster from 'node:cluster';
import pino from 'pino';
import { loadConfig } from '../config.js';
import { isDbUnavailableError, openDb } from '../db/db.js';
import { migrate } from '../db/migrate.js';
import { WorkerPool } from './pool.js';
import { shutdownTimeoutMs } from './pool-settings.js';
import { runWorker } from './pool-worker.js';

async function runPrimary(): Promise<void> {
  const config = loadConfig();
  const timeoutMs = shutdownTimeoutMs();
  const log = pino({ level: config.logLevel, base: { pid: process.pid, role: 'primary' } });
  const singleProcessDb = !config.databaseUrl;
  if (singleProcessDb) {
    const asked = process.env.WEB_CONCURRENCY;
    const why = `the embedded database (PGlite in ${config.dataDir}) can be opened by one process only, so the pool runs exactly 1 worker; set DATABASE_URL to PostgreSQL to run several`;
    if (asked && Number(asked) > 1) log.warn({ webConcurrency: asked }, `WEB_CONCURRENCY=${asked} ignored: ${why}`);
    else log.info(why);
  }

  // Migrate once, here, before any worker serves. The embedded database must be closed again before the worker
  // opens the same data dir. If PostgreSQL is unreachable the workers are started anyway: each one migrates
  // (under the same advisory lock) before it listens, and they back off until the database answers.
  try {
    const db = await openDb(config);
    try {
      const { from, to } = await migrate(db);
      log.info({ from, to }, from === to ? `database is at version ${to}` : `migrated from version ${from} to ${to}`);
    } finally {
      await db.close();
    }
  } catch (err) {
    if (!(config.databaseUrl && isDbUnavailableError(err))) {
      log.fatal({ err }, 'migration failed; not starting the pool');
      process.exit(1);
    }
    log.error({ err }, 'database unreachable; starting the workers anyway, they retry with backoff');
  }

  const pool = new WorkerPool({
    size: config.webConcurrency,
    singleProcessDb,
    shutdownTimeoutMs: timeoutMs,
    log,
    onUp(address, size) {
      const host = address.address.includes(':') ? `[${address.address}]` : address.address;
      process.stdout.write(`dukaan pool listening on http://${host}:${address.port} with ${size} worker${size === 1 ? '' : 's'}\n`);
    },
  });
  process.on('SIGHUP', () => {
    log.info('SIGHUP: reloading the workers');
    void pool.reload();
  });
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.on(signal, () => {
      log.info(`${signal}: stopping`);
      pool.stop();
    });
  }
  pool.start();
}

if (cluster.isPrimary) await runPrimary();
else await runWorker();
