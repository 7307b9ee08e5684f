/** The primary process of `dukaan serve` (src/serve.ts): migrate once, fork the workers, handle signals. */
import cluster from 'node:cluster';
import pino from 'pino';
import { logOptions } from './logger.js';
import { loadConfigOrExit, NO_OTP_CHANNEL_MESSAGE, otpChannelKind } from '../config.js';
import { isDbUnavailableError } from '../db/db.js';
import { openDb } from '../db/open.js';
import { migrate } from '../db/migrate.js';
import { WorkerPool } from './pool.js';
import { shutdownTimeoutMs } from './pool-settings.js';

const DEFAULT_WORKER_HEAP_MB = 192;

/**
 * WORKER_HEAP_MB: each worker's V8 old-generation limit (`--max-old-space-size`); 0 leaves V8's default.
 * Why a limit: a worker's live heap is ~30 MB, but under load V8 lets garbage pile up to ~110 MB before a full
 * collection (RSS ~210–230 MB). With a limit it collects earlier and stays at ~140 MB RSS, with no measurable
 * loss of throughput. A worker whose live data outgrew the limit would die (out of memory) and be replaced.
 */
function workerHeapMb(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env.WORKER_HEAP_MB;
  if (raw === undefined || raw === '') return DEFAULT_WORKER_HEAP_MB;
  const n = Number(raw);
  if (!Number.isInteger(n) || (n !== 0 && n < 64))
    throw new Error(`WORKER_HEAP_MB must be 0 (V8's default) or an integer of at least 64, got "${raw}"`);
  return n;
}

/** The flags the workers start with: the primary's own, plus the heap limit unless one was given already. */
function workerExecArgv(
  heapMb: number,
  execArgv: readonly string[] = process.execArgv,
  nodeOptions = process.env.NODE_OPTIONS ?? '',
): string[] {
  const given = [...execArgv, nodeOptions].some((arg) => /--max[-_]old[-_]space[-_]size/.test(arg));
  return heapMb > 0 && !given ? [...execArgv, `--max-old-space-size=${heapMb}`] : [...execArgv];
}

export async function runPrimary(): Promise<void> {
  const config = loadConfigOrExit('dukaan serve');
  const timeoutMs = shutdownTimeoutMs();
  cluster.setupPrimary({ execArgv: workerExecArgv(workerHeapMb()) });
  const log = pino({ ...logOptions(config.logLevel), base: { pid: process.pid, role: 'primary' } });
  if (!otpChannelKind(config)) {
    process.stderr.write(`dukaan serve: refusing to start. ${NO_OTP_CHANNEL_MESSAGE}\n`);
    process.exit(78);
  }
  const singleProcessDb = !config.databaseUrl;
  if (singleProcessDb) {
    const asked = process.env.WEB_CONCURRENCY;
    const why = `the embedded database (PGlite in \
${config.dataDir}) can be opened by one process only, so the pool runs exactly 1 worker; set DATABASE_URL to PostgreSQL\
 to run several`;
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
      process.stdout.write(
        `dukaan pool listening on http://${host}:${address.port} with ${size} worker${size === 1 ? '' : 's'}\n`,
      );
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
