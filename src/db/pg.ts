/** PostgreSQL through node-postgres: a pool, named prepared statements, one client per transaction. */
import { createHash } from 'node:crypto';
import pg from 'pg';
import { beginSql, isDbUnavailableError, type Db, type Tx, type TxOptions } from './db.js';
import type { PlanCacheMode } from '../config.js';

// int8 (counts, money) as JS numbers: money stays far below 2^53 (prices ≤ 10^10 × 999 per line).
pg.types.setTypeParser(20, (v) => Number(v));

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

const noop = (): void => {};

/** What node-postgres is given: a named statement when the text has parameters and naming is on. */
function pgQuery(names: StatementNames | null, sql: string, params?: readonly unknown[]): pg.QueryConfig {
  const values = params as unknown[] | undefined;
  const name = names && values && values.length > 0 ? names.nameFor(sql) : undefined;
  return name ? { name, text: sql, values } : { text: sql, values };
}

export function createPgDb(
  url: string,
  opts: {
    max?: number;
    connectionTimeoutMillis?: number;
    preparedStatements?: boolean;
    /**
     * plan_cache_mode of every connection (named statements only; default force_generic_plan). PostgreSQL's `auto`
     * plans a named statement anew on EVERY execution while a plan made for its parameters looks cheaper than the
     * generic one, and for a statement over `unnest($n)` arrays it always does: the planner estimates an array
     * parameter at 10 elements but a known array at its length. That is ~1 ms of planning per execution of the
     * cart and checkout statements (docs/write-path.md, "Planned once, not on every execution").
     */
    planCacheMode?: PlanCacheMode;
    /** A statement without an answer this long fails ('Query read timeout'); unset: it waits (the primary). */
    queryTimeoutMillis?: number;
  } = {},
): Db {
  // Off behind a pooler that hands a connection to another client between transactions (PgBouncer < 1.21 in
  // transaction mode): a statement prepared on one server connection would be missing on the next.
  const names = opts.preparedStatements === false ? null : new StatementNames();
  // Set on each new connection before the pool hands it out (pg-pool awaits `onConnect`; a query sent from the
  // 'connect' event instead ran beside the first caller's, which node-postgres deprecates). Unnamed statements are
  // planned for their parameters every time anyway, so without names there is nothing to set (and behind a
  // transaction-mode pooler a session setting would leak to other clients).
  const planCacheMode = opts.planCacheMode ?? 'force_generic_plan';
  const setPlanCacheMode = names && planCacheMode !== 'auto' ? `SET plan_cache_mode = ${planCacheMode}` : null;
  const pool = new pg.Pool({
    connectionString: url,
    max: opts.max ?? 10,
    connectionTimeoutMillis: opts.connectionTimeoutMillis ?? 2000,
    idleTimeoutMillis: 30_000,
    ...(opts.queryTimeoutMillis ? { query_timeout: opts.queryTimeoutMillis } : {}),
    ...(setPlanCacheMode
      ? {
          // A server that refuses the setting still serves (its statements are planned as PostgreSQL chooses).
          onConnect: (client: pg.ClientBase) => client.query(setPlanCacheMode).then(noop, noop),
        }
      : {}),
  });
  // A backend dying (database restart) must not crash the process; the next query reconnects.
  pool.on('error', noop);
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
        // A connection to a server that is going or read-only is not handed out again (pool.query drops one after
        // any error; a transaction's client is released here).
        if (isDbUnavailableError(err)) broken = true;
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
