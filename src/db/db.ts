import { createHash } from 'node:crypto';
import fs from 'node:fs';
import pg from 'pg';

export interface QueryResult<T> {
  rows: T[];
  rowCount: number;
}

/** Anything that runs SQL: the pool itself or one transaction. Parameters are always bound, never interpolated. */
export interface Queryable {
  query<T = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<QueryResult<T>>;
}

/** A transaction: also runs multi-statement scripts (migrations). */
export interface Tx extends Queryable {
  exec(sql: string): Promise<void>;
}

export interface PoolStats {
  total: number;
  idle: number;
  waiting: number;
}

export interface TxOptions {
  /**
   * false: the commit does not wait for its WAL flush (`SET LOCAL synchronous_commit = off`, this transaction only).
   * Only for writes a crash may lose (a cart edit), never an order, stock, a coupon use, an idempotency record or a
   * merchant's write. Costs no round trip: sent with the BEGIN. Default true.
   */
  durable?: boolean;
}

/**
 * An SQL expression that makes the transaction of the statement evaluating it commit without waiting for its WAL
 * flush: `set_config(…, is_local => true)` lasts until that transaction ends, so it works for one autocommit
 * statement (its implicit transaction) and through PgBouncer in transaction mode, and never leaks to the next
 * statement on the connection. Only for cart writes (see TxOptions.durable). It must be evaluated: put it in the
 * statement's SELECT list or a CTE the statement reads.
 */
export const NON_DURABLE_COMMIT_SQL = `set_config('synchronous_commit', 'off', true)`;

/** The BEGIN of a transaction with these options: one simple-protocol message, so one round trip either way. */
export function beginSql(opts: TxOptions = {}): string {
  return opts.durable === false ? 'BEGIN; SET LOCAL synchronous_commit TO off' : 'BEGIN';
}

export interface Db extends Queryable {
  readonly kind: 'postgres' | 'pglite';
  /** Runs fn in one transaction; commits when it resolves, rolls back when it throws. */
  tx<T>(fn: (tx: Tx) => Promise<T>, opts?: TxOptions): Promise<T>;
  /** Runs a multi-statement SQL script (migrations). */
  exec(sql: string): Promise<void>;
  ping(timeoutMs?: number): Promise<boolean>;
  stats(): PoolStats;
  close(): Promise<void>;
}

// int8 (counts, money) as JS numbers: money stays far below 2^53 (prices ≤ 10^10 × 999 per line).
pg.types.setTypeParser(20, (v) => Number(v));

const TRANSIENT_CODES = new Set(['40001', '40P01']);

export function isTransientDbError(err: unknown): boolean {
  return typeof err === 'object' && err !== null && TRANSIENT_CODES.has((err as { code?: string }).code ?? '');
}

export function isDbUnavailableError(err: unknown): boolean {
  if (typeof err !== 'object' || err === null) return false;
  const e = err as { code?: string; message?: string };
  if (
    e.code &&
    [
      'ECONNREFUSED',
      'ECONNRESET',
      'ETIMEDOUT',
      'EPIPE',
      '57P01',
      '57P02',
      '57P03',
      '08006',
      '08001',
      '08003',
      '08000',
    ].includes(e.code)
  )
    return true;
  return /Connection terminated|connection timeout|timeout exceeded when trying to connect|Client has encountered a connection error/i.test(
    e.message ?? '',
  );
}

/**
 * Names for server-side prepared statements, one per distinct SQL text. A named statement is parsed and planned
 * once per connection, then only bound and run: on the checkout flow, parse and plan were about half of the
 * database's time per statement. Texts built at run time (a multi-row VALUES of n rows) each take a name too, so
 * the number of names is capped; past the cap a text goes unnamed (parsed every time), as before.
 */
export class StatementNames {
  private readonly names = new Map<string, string>();
  constructor(private readonly cap = 400) {}

  nameFor(sql: string): string | undefined {
    const known = this.names.get(sql);
    if (known !== undefined || this.names.size >= this.cap) return known;
    const name = `dk${this.names.size}_${createHash('sha1').update(sql).digest('hex').slice(0, 12)}`;
    this.names.set(sql, name);
    return name;
  }
}

/** What node-postgres is given: a named statement when the text has parameters and naming is on. */
function pgQuery(names: StatementNames | null, sql: string, params?: readonly unknown[]): pg.QueryConfig {
  const values = params as unknown[] | undefined;
  const name = names && values && values.length > 0 ? names.nameFor(sql) : undefined;
  return name ? { name, text: sql, values } : { text: sql, values };
}

export function createPgDb(
  url: string,
  opts: { max?: number; connectionTimeoutMillis?: number; preparedStatements?: boolean } = {},
): Db {
  // Off behind a pooler that hands a connection to another client between transactions (PgBouncer < 1.21 in
  // transaction mode): a statement prepared on one server connection would be missing on the next.
  const names = opts.preparedStatements === false ? null : new StatementNames();
  const pool = new pg.Pool({
    connectionString: url,
    max: opts.max ?? 10,
    connectionTimeoutMillis: opts.connectionTimeoutMillis ?? 2000,
    idleTimeoutMillis: 30_000,
  });
  // A backend dying (database restart) must not crash the process; the next query reconnects.
  pool.on('error', () => {});
  const db: Db = {
    kind: 'postgres',
    async query<T>(sql: string, params?: readonly unknown[]) {
      const r = await pool.query(pgQuery(names, sql, params));
      return { rows: r.rows as T[], rowCount: r.rowCount ?? 0 };
    },
    async tx<T>(fn: (tx: Tx) => Promise<T>, txOpts?: TxOptions): Promise<T> {
      const client = await pool.connect();
      let broken = false;
      // A checked-out client has no listener of the pool's: a server dying between two statements (a failover)
      // would emit 'error' unheard and crash the worker. Heard here, the client is discarded on release.
      const onError = () => {
        broken = true;
      };
      client.on('error', onError);
      try {
        await client.query(beginSql(txOpts));
        const q: Tx = {
          async query<R>(sql: string, params?: readonly unknown[]) {
            const r = await client.query(pgQuery(names, sql, params));
            return { rows: r.rows as R[], rowCount: r.rowCount ?? 0 };
          },
          async exec(sql: string) {
            await client.query(sql);
          },
        };
        const result = await fn(q);
        await client.query('COMMIT');
        return result;
      } catch (err) {
        try {
          await client.query('ROLLBACK');
        } catch {
          broken = true;
        }
        throw err;
      } finally {
        client.off('error', onError);
        client.release(broken);
      }
    },
    async exec(sql: string) {
      await pool.query(sql);
    },
    async ping(timeoutMs = 1000) {
      try {
        await Promise.race([
          pool.query('SELECT 1'),
          new Promise((_, reject) => setTimeout(() => reject(new Error('ping timeout')), timeoutMs).unref()),
        ]);
        return true;
      } catch {
        return false;
      }
    },
    stats: () => ({ total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount }),
    close: () => pool.end(),
  };
  return db;
}

/** PGlite is one connection in one process: every statement and transaction takes turns through one queue. */
/**
 * PGlite 0.5's own start parameters, plus shared_buffers=16MB instead of PostgreSQL's 128MB. The buffer pool lives
 * in the WebAssembly memory, so it is resident: measured on the demo database, one PGlite went from 279 to 164 MB
 * RSS (`npm start` from 582 to ~470 MB). One process and a demo-sized catalog never need 128 MB of buffers; the
 * operating system's page cache still holds the files. Keep the list in step with PGlite's defaults on upgrade.
 */
const PGLITE_START_PARAMS = [
  '--single',
  '-F',
  '-O',
  '-j',
  ...['search_path=public', 'exit_on_error=false', 'log_checkpoints=false', 'max_worker_processes=0'],
  ...['max_parallel_workers=0', 'max_parallel_workers_per_gather=0', 'io_method=sync'],
  ...['max_parallel_maintenance_workers=0', 'shared_buffers=16MB'],
].flatMap((p) => (p.startsWith('-') ? [p] : ['-c', p]));

export async function createPgliteDb(dataDir: string | null): Promise<Db> {
  if (dataDir) fs.mkdirSync(dataDir, { recursive: true });
  // Loaded here, not at the top: a server on PostgreSQL never needs PGlite in memory.
  const [{ PGlite, types: pgliteTypes }, { pg_trgm }, { btree_gin }] = await Promise.all([
    import('@electric-sql/pglite'),
    import('@electric-sql/pglite/contrib/pg_trgm'),
    import('@electric-sql/pglite/contrib/btree_gin'),
  ]);
  const lite = await PGlite.create({
    dataDir: dataDir ?? undefined,
    extensions: { pg_trgm, btree_gin },
    startParams: PGLITE_START_PARAMS,
    parsers: { [pgliteTypes.INT8]: (v: string) => Number(v) },
  });
  let tail: Promise<unknown> = Promise.resolve();
  let waiting = 0;
  let busy = false;
  function serial<T>(fn: () => Promise<T>): Promise<T> {
    waiting++;
    const run = tail.then(async () => {
      waiting--;
      busy = true;
      try {
        return await fn();
      } finally {
        busy = false;
      }
    });
    tail = run.catch(() => {});
    return run;
  }
  const raw: Tx = {
    async query<R>(sql: string, params?: readonly unknown[]) {
      const r = await lite.query<R>(sql, params as unknown[] | undefined);
      return { rows: r.rows, rowCount: r.affectedRows ?? r.rows.length };
    },
    async exec(sql: string) {
      await lite.exec(sql);
    },
  };
  let closed = false;
  return {
    kind: 'pglite',
    query: (sql, params) => serial(() => raw.query(sql, params)),
    tx: (fn, txOpts) =>
      serial(async () => {
        await lite.exec(beginSql(txOpts));
        try {
          const result = await fn(raw);
          await lite.exec('COMMIT');
          return result;
        } catch (err) {
          await lite.exec('ROLLBACK');
          throw err;
        }
      }),
    exec: (sql) => serial(async () => void (await lite.exec(sql))),
    async ping() {
      if (closed) return false;
      try {
        await serial(() => lite.query('SELECT 1'));
        return true;
      } catch {
        return false;
      }
    },
    stats: () => ({ total: 1, idle: busy ? 0 : 1, waiting }),
    async close() {
      closed = true;
      await serial(() => lite.close());
    },
  };
}

export async function openDb(config: {
  databaseUrl: string | null;
  dataDir: string;
  dbPoolMax?: number;
  dbPreparedStatements?: boolean;
}): Promise<Db> {
  if (config.databaseUrl)
    return createPgDb(config.databaseUrl, { max: config.dbPoolMax, preparedStatements: config.dbPreparedStatements });
  return createPgliteDb(`${config.dataDir}/pglite`);
}
