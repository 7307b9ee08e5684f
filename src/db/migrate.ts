import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Postgrator from 'postgrator';
import type { Db } from './db.js';

const migrationsDir = path.join(path.dirname(fileURLToPath(import.meta.url)), 'migrations');

/**
 * Applies the committed SQL migrations (NNN.do.name.sql) not yet recorded in `schemaversion`, all in one
 * transaction under an advisory lock, so several workers or servers starting together migrate exactly once.
 *
 * Postgrator runs only the versions above the database's highest one. Migration numbers are handed out in ranges
 * per piece of work, so one numbered below an applied one can arrive later (111 merged after 140 ran): those are
 * run too, in number order, and recorded the same way, so an existing database gets every migration a fresh one has.
 * `dir` is for tests.
 */
export async function migrate(db: Db, dir: string = migrationsDir): Promise<{ from: number; to: number }> {
  return db.tx(async (tx) => {
    await tx.query('SELECT pg_advisory_xact_lock(727271)');
    const postgrator = new Postgrator({
      migrationPattern: path.join(dir, '*.sql'),
      driver: 'pg',
      schemaTable: 'schemaversion',
      execQuery: async (query: string) => tx.query(query),
      execSqlScript: async (sql: string) => tx.exec(sql),
    });
    const from = Number(await postgrator.getDatabaseVersion());
    const applied = await postgrator.migrate();
    const { rows } = await tx.query<{ version: string | number }>('SELECT version FROM schemaversion');
    const done = new Set(rows.map((r) => Number(r.version)));
    const late = (await postgrator.getMigrations())
      .filter((m) => m.action === 'do' && m.version > 0 && !done.has(m.version))
      .sort((a, b) => a.version - b.version);
    for (const m of late) {
      await tx.exec(m.getSql());
      await tx.query('INSERT INTO schemaversion (version, name, md5, run_at) VALUES ($1, $2, $3, now())', [
        m.version,
        m.name,
        m.md5,
      ]);
    }
    const to = applied.length ? Number(applied[applied.length - 1]!.version) : from;
    return { from, to: Math.max(to, ...late.map((m) => m.version)) };
  });
}
