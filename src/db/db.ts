export interface QueryResult<T> {
  rows: T[];
  rowCount: number;
}

/** Anything that runs SQL: the pool itself or one transaction. Parameters are always bound, never interpolated. */
export interface Queryable {
  query<T = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<QueryResult<T>>;
  /**
   * Names the server behind a per-request handle (a replica, src/db/replicas.ts), so that concurrent requests on
   * that server may share a read (CoalescedReads). Absent: the object itself names it.
   */
  readonly serverKey?: object;
}

/** What concurrent reads through `q` may be shared by: its server (see Queryable.serverKey). */
export const serverKeyOf = (q: Queryable): object => q.serverKey ?? q;

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

/**
 * How transactions are passed: a service takes a `DbOrTx` and runs its writes in `inTx(db, …)`, which opens a
 * transaction on a pool or joins the caller's when it is handed one (PGlite cannot nest). Repositories take a
 * `Queryable` and never open one.
 */
export type DbOrTx = Db | Tx;

/**
 * How a service that does other work first (files, a message sent) commits its transaction when its caller wants
 * to add to it: a route passes `(work) => app.answerWithWork(request, reply, status, work)`, so a keyed POST's
 * stored answer commits with the work; `work`'s value is then exactly what the route answers. Without one the
 * service uses `(work) => work(db)`, and its own `inTx` opens the transaction.
 */
export type Commit = <T>(work: (q: DbOrTx) => Promise<T>) => Promise<T>;

/** Runs fn in a transaction: a new one on a pool, or the caller's when given one. */
export function inTx<T>(q: DbOrTx, fn: (tx: Tx) => Promise<T>, opts?: TxOptions): Promise<T> {
  return 'tx' in q ? q.tx(fn, opts) : fn(q);
}

/** A unique constraint refused the write (SQLSTATE 23505). */
export function isUniqueViolation(err: unknown): boolean {
  return sqlState(err) === '23505';
}

const sqlState = (err: unknown): string | undefined =>
  typeof err === 'object' && err !== null ? (err as { code?: string }).code : undefined;

/** PostgreSQL's deadlock detector ended the statement (SQLSTATE 40P01): it and its transaction were rolled back. */
export const isDeadlock = (err: unknown): boolean => sqlState(err) === '40P01';

/**
 * PostgreSQL undid the work whole (a deadlock's victim, 40P01, or a serialization failure, 40001): nothing of its
 * transaction was written, so the same request may be sent again.
 */
export const isUndoneByDatabase = (err: unknown): boolean => isDeadlock(err) || sqlState(err) === '40001';

/**
 * Runs one AUTOCOMMIT statement again when PostgreSQL ended it as a deadlock's victim (nothing of it was written),
 * at most `attempts` times in all. Only for a statement outside a transaction: inside one, the whole transaction
 * was rolled back and must be run again by its owner.
 */
export async function againOnDeadlock<T>(statement: () => Promise<T>, attempts = 3): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await statement();
    } catch (err) {
      if (!isDeadlock(err) || attempt >= attempts) throw err;
    }
  }
}

/** node-postgres's words for a connection that went away or never came (it sets no code for these). */
const CONNECTION_LOST = new RegExp(
  [
    'Connection terminated',
    'connection timeout',
    'timeout exceeded when trying to connect',
    'Client has encountered a connection error',
  ].join('|'),
  'i',
);

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
      // read_only_sql_transaction: the server reached is not (or not yet) the primary. Behind HAProxy and Patroni,
      // the new leader passes the primary check the moment it holds the lock, some tens of ms before its promotion
      // ends, and writes sent to it meanwhile are refused as read-only: a failover in progress, as for a retry.
      '25006',
    ].includes(e.code)
  )
    return true;
  // Over a Unix socket (`?host=/var/run/postgresql`), a server that is down has no socket file to connect to.
  if (e.code === 'ENOENT' && (err as { syscall?: string }).syscall === 'connect') return true;
  return CONNECTION_LOST.test(e.message ?? '');
}
