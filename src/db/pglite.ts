/** Embedded PostgreSQL (PGlite, WebAssembly) behind the same Db interface. */
import fs from 'node:fs';
import { beginSql, type Db, type Tx } from './db.js';

/** PGlite is one connection in one process: every statement and transaction takes turns through one queue. */
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
