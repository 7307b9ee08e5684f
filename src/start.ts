import type { FastifyInstance } from 'fastify';
import { buildApp } from './app.js';
import type { Config } from './config.js';
import type { Db } from './db/db.js';
import { openDb } from './db/open.js';
import { migrate } from './db/migrate.js';
import { channelFor, startOutboxWorker, type OutboxWorker } from './notify/worker.js';
import { startInboxWorker, type InboxWorker } from './whatsapp/inbox.js';
import { purgeOldIdempotencyKeys } from './server/idempotency.js';
import { purgeExpired } from './server/retention.js';
import type { StartedServer } from './server/pool-worker.js';

export interface RunningServer extends StartedServer {
  app: FastifyInstance;
  db: Db;
}

/** Opens the database, applies migrations, builds the app, starts background work and listens. */
export async function startServer(
  config: Config,
  opts: { beforeListen?: (app: FastifyInstance, db: Db) => Promise<void> } = {},
): Promise<RunningServer> {
  const db = await openDb(config);
  await migrate(db);
  const app = await buildApp({ config, db });
  if (opts.beforeListen) await opts.beforeListen(app, db);
  const outbox: OutboxWorker = startOutboxWorker(db, config, app.log);
  const inbox: InboxWorker = startInboxWorker(db, config, app.log, channelFor(config, app.log));
  const maintenance = setInterval(
    () => {
      purgeOldIdempotencyKeys(db).catch((err) => app.log.warn({ err }, 'purging idempotency keys failed'));
      purgeExpired(db, config.dataDir).then(
        (r) => r.ran && app.log.info({ deleted: r.deleted }, 'retention purge'),
        (err) => app.log.warn({ err }, 'retention purge failed'),
      );
    },
    60 * 60 * 1000,
  );
  maintenance.unref();
  await app.listen({ port: config.port, host: config.host });
  let closing: Promise<void> | null = null;
  return {
    app,
    db,
    close(timeoutMs = 10_000) {
      closing ??= (async () => {
        clearInterval(maintenance);
        const timer = setTimeout(() => app.server.closeAllConnections?.(), timeoutMs);
        timer.unref();
        try {
          await app.close();
        } finally {
          clearTimeout(timer);
          await inbox.stop();
          await outbox.stop();
          await db.close();
        }
      })();
      return closing;
    },
  };
}
