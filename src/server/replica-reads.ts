/**
 * Storefront reads on replicas, with read-your-writes by WAL position (docs/scaling.md).
 *
 * `app.readDb(request)` is the server for the storefront reads of one request: a replica (DATABASE_REPLICA_URLS)
 * that has replayed the client's last write, else the primary. Without replicas it is the primary. Every write
 * answers, when replicas are configured, with the primary's WAL position after it: the `X-Dukaan-Lsn` header (API
 * clients send it back as the same request header) and the `dukaan_lsn` cookie (browsers send it back by
 * themselves). Everything else — writes and the reads a decision rests on — keeps using `app.db`, the primary.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import client, { type Registry } from 'prom-client';
import type { Config } from '../config.js';
import type { Db, Queryable } from '../db/db.js';
import { clientLsn } from '../db/read-routing.js';
import { ReplicaSet } from '../db/replicas.js';

export const LSN_HEADER = 'x-dukaan-lsn';
export const LSN_COOKIE = 'dukaan_lsn';
/** How long a browser keeps its last write position: far longer than any lag worth serving. */
const LSN_COOKIE_SECONDS = 3600;
const WRITE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

export async function registerReplicaReads(
  app: FastifyInstance,
  db: Db,
  config: Config,
  registry: Registry,
  opts: { checkMs?: number } = {},
): Promise<void> {
  if (config.databaseReplicaUrls.length === 0) {
    const primary: Promise<Queryable> = Promise.resolve(db);
    app.decorate('readDb', (_request: FastifyRequest) => primary);
    return;
  }
  if (db.kind !== 'postgres')
    throw new Error('DATABASE_REPLICA_URLS needs PostgreSQL as the primary: the embedded database has no replicas');
  const replicas = new ReplicaSet(db, config.databaseReplicaUrls, {
    poolMax: config.dbPoolMax,
    preparedStatements: config.dbPreparedStatements,
    planCacheMode: config.dbPlanCacheMode,
    checkMs: opts.checkMs,
    onChange: (name, healthy, detail) =>
      healthy
        ? app.log.info({ replica: name }, 'read replica in rotation')
        : app.log.warn({ replica: name, detail }, 'read replica out of rotation: its reads go to the primary'),
  });
  await replicas.start();
  app.addHook('onClose', async () => replicas.close());

  const reads = new client.Counter({
    name: 'db_reads_total',
    help: 'Storefront requests by the server their reads went to (primary or a replica)',
    labelNames: ['target'],
    registers: [registry],
  });
  const gauge = (name: string, help: string, aggregator: 'max' | 'min', value: (i: number) => number | null) =>
    new client.Gauge({
      name,
      help,
      labelNames: ['replica'],
      registers: [registry],
      aggregator,
      collect() {
        this.reset();
        replicas.status().forEach((r, i) => {
          const v = value(i);
          if (v !== null) this.set({ replica: r.name }, v);
        });
      },
    });
  gauge('db_replica_up', '1 while the replica answers its health check as a standby', 'min', (i) =>
    replicas.status()[i]!.healthy ? 1 : 0,
  );
  gauge(
    'db_replica_lag_bytes',
    'WAL bytes the replica has yet to replay (primary position − replay position)',
    'max',
    (i) => replicas.status()[i]!.lagBytes,
  );
  gauge(
    'db_replica_lag_seconds',
    'Seconds since the last transaction the replica replayed, 0 when caught up',
    'max',
    (i) => replicas.status()[i]!.lagSeconds,
  );

  const chosen = new WeakMap<FastifyRequest, Promise<Queryable>>();
  app.decorate('readDb', (request: FastifyRequest): Promise<Queryable> => {
    let handle = chosen.get(request);
    if (!handle) {
      const need = clientLsn(request.headers[LSN_HEADER], request.cookies?.[LSN_COOKIE]);
      handle = replicas.readFor(need).then((chosen) => {
        reads.inc({ target: chosen.target });
        return chosen.q;
      });
      chosen.set(request, handle);
    }
    return handle;
  });

  // The primary's position after a write: its commit is done by the time the response is sent. The insert position,
  // not pg_current_wal_lsn() (the write position): a commit that does not wait for its flush (a cart edit,
  // synchronous_commit off) may not be written yet, and a replica at the write position would not have it.
  app.addHook('onSend', async (request, reply, payload) => {
    if (!WRITE_METHODS.has(request.method) || reply.statusCode >= 400) return payload;
    const lsn = await db
      .query<{ lsn: string }>('SELECT pg_current_wal_insert_lsn()::text AS lsn')
      .then((r) => r.rows[0]?.lsn ?? null)
      .catch(() => null);
    if (!lsn) return payload;
    reply.header(LSN_HEADER, lsn);
    if (!request.url.startsWith('/api/'))
      reply.setCookie(LSN_COOKIE, lsn, {
        path: '/',
        httpOnly: true,
        sameSite: 'lax',
        secure: request.protocol === 'https',
        maxAge: LSN_COOKIE_SECONDS,
      });
    return payload;
  });
}
