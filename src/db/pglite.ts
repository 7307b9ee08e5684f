/** Embedded PostgreSQL (PGlite, WebAssembly) behind the same Db interface. */
import fs from 'node:fs';
import { beginSql, type Db, type Tx } from './db.js';

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

/** The embedded Db, which can also hand out a tarball of its data directory (PGlite's `dumpDataDir`). */
export interface PgliteDb extends Db {
  dumpDataDir(compression?: 'gzip' | 'none'): Promise<Blob>;
}

/**
 * PGlite is one connection in one process: every statement and transaction takes turns through one queue.
 * `loadDataDir`: start from a tarball made by `dumpDataDir` instead of an empty cluster (a restored backup; in the
 * tests, a migrated template: ~0.7 s a database against ~3.3 s for initdb and the migrations on a 2-core box).
 */
export async function createPgliteDb(dataDir: string | null, opts: { loadDataDir?: Blob } = {}): Promise<PgliteDb> {
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
    ...(opts.loadDataDir ? { loadDataDir: opts.loadDataDir } : {}),
  });
  let tail: Promise<unknown> = Promise.resolve();
  // A turn of the event loop before each statement. PGlite runs a statement synchronously and resolves in
  // microtasks, so without it a queue of statements ran back to back in ONE microtask drain, and the server read no
  // new request or connection until the queue was empty: under the bench's checkout load, the first request on
  // each new connection waited up to 8.3 s (create-cart p99) while everything already read was answered in < 0.5 s.
  // With a turn between statements that p99 was 0.48 s (bench/results/2026-11-30-vm-session5.notes.md).
  const turn = () => new Promise<void>((resolve) => setImmediate(resolve));
  let waiting = 0;
  let busy = false;
  function serial<T>(fn: () => Promise<T>): Promise<T> {
    waiting++;
    const run = tail.then(turn).then(async () => {
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
    dumpDataDir: (compression = 'none') => serial(async () => lite.dumpDataDir(compression)),
    async close() {
      closed = true;
      await serial(() => lite.close());
    },
  };
}
