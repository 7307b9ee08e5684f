import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Postgrator from 'postgrator';
import type { Db } from './db.js';

const migrationsDir = path.join(path.dirname(fileURLToPath(import.meta.url)), 'migrations');

/**
 * Applies the committed SQL migrations (NNN.do.name.sql) not yet recorded in `schemaversion`, all in one
 * transaction under an advisory lock, so several workers or servers starting together migrate exactly once.
 */
export async function migrate(db: Db): Promise<{ from: number; to: number }> {
  return db.tx(async (tx) => {
    await tx.query('SELECT pg_advisory_xact_lock(727271)');
    const postgrator = new Postgrator({
      migrationPattern: path.join(migrationsDir, '*.sql'),
      driver: 'pg',
      schemaTable: 'schemaversion',
      execQuery: async (query: string) => tx.query(query),
      execSqlScript: async (sql: string) => tx.exec(sql),
    });
    const from = Number(await postgrator.getDatabaseVersion());
    const applied = await postgrator.migrate();
    const to = applied.length ? Number(applied[applied.length - 1]!.version) : from;
    return { from, to };
  });
}
