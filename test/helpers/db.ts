import { randomBytes } from 'node:crypto';
import pg from 'pg';
import type { Db, Queryable } from '../../src/db/db.js';
import { createPgDb } from '../../src/db/pg.js';
import { createPgliteDb } from '../../src/db/pglite.js';
import { migrate } from '../../src/db/migrate.js';

export type Backend = 'pglite' | 'postgres';
export const TEST_BACKEND: Backend = process.env.TEST_DB === 'postgres' ? 'postgres' : 'pglite';
export const PG_ADMIN_URL = process.env.TEST_PG_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

export interface TestDb {
  db: Db;
  url: string | null;
  dispose(): Promise<void>;
}

let pgliteTemplate: Promise<Blob> | undefined;

/**
 * One migrated embedded database per test process, as a tarball every later PGlite test database starts from:
 * loading it skips initdb and the migrations (~0.7 s a database instead of ~3.3 s on the 2-core CI box).
 */
function migratedPgliteTemplate(): Promise<Blob> {
  pgliteTemplate ??= (async () => {
    const db = await createPgliteDb(null);
    try {
      await migrate(db);
      await db.exec('CHECKPOINT');
      return await db.dumpDataDir();
    } finally {
      await db.close();
    }
  })();
  return pgliteTemplate;
}

/**
 * A fresh, migrated database for one test file: in-memory PGlite, or a new database on the PostgreSQL server.
 * `migrationsDir`: migrate from another folder of migrations (tests of the migrator).
 */
export async function createTestDb(
  backend: Backend = TEST_BACKEND,
  opts: { poolMax?: number; migrationsDir?: string } = {},
): Promise<TestDb> {
  if (backend === 'pglite') {
    if (opts.migrationsDir) {
      const db = await createPgliteDb(null);
      await migrate(db, opts.migrationsDir);
      return { db, url: null, dispose: () => db.close() };
    }
    const db = await createPgliteDb(null, { loadDataDir: await migratedPgliteTemplate() });
    // The template is this tree's migrations already; migrate() confirms it and costs one version read.
    await migrate(db);
    return { db, url: null, dispose: () => db.close() };
  }
  const name = `dukaan_test_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: PG_ADMIN_URL });
  try {
    await admin.connect();
  } catch (err) {
    throw new Error(
      `TEST_DB=postgres needs a PostgreSQL server at ${PG_ADMIN_URL} (set TEST_PG_ADMIN_URL): \
${(err as Error).message}`,
    );
  }
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(PG_ADMIN_URL);
  url.pathname = `/${name}`;
  const db = createPgDb(url.toString(), { max: opts.poolMax ?? 20 });
  await migrate(db, opts.migrationsDir);
  return {
    db,
    url: url.toString(),
    async dispose() {
      await db.close();
      const a = new pg.Client({ connectionString: PG_ADMIN_URL });
      await a.connect();
      await a.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await a.end();
    },
  };
}

/**
 * The same Db handle (a Db, not a bare Queryable: it also has tx), its statements counted, those of its
 * transactions too; each transaction is recorded as a 'BEGIN' before its statements.
 */
export function countedDb(db: Db): { counted: Db; sql: string[] } {
  const sql: string[] = [];
  const counting = <Q extends Queryable>(q: Q): Q => {
    const c = Object.create(q) as Q;
    c.query = (text, params) => {
      sql.push(text);
      return q.query(text, params);
    };
    return c;
  };
  const counted = counting(db);
  counted.tx = (fn, opts) =>
    db.tx((tx) => {
      sql.push('BEGIN');
      return fn(counting(tx));
    }, opts);
  return { counted, sql };
}
