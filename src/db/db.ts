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

export interface Db extends Queryable {
  readonly kind: 'postgres' | 'pglite';
  /** Runs fn in one transaction; commits when it resolves, rolls back when it throws. */
  tx<T>(fn: (tx: Tx) => Promise<T>): Promise<T>;
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

/** Runs fn in a transaction: a new one on a pool, or the caller's when given one. */
export function inTx<T>(q: DbOrTx, fn: (tx: Tx) => Promise<T>): Promise<T> {
  return 'tx' in q ? q.tx(fn) : fn(q);
}

/** A unique constraint refused the write (SQLSTATE 23505). */
export function isUniqueViolation(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { code?: string }).code === '23505';
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
