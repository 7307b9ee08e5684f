/**
 * A migration that arrives late — numbered below one the database already ran (111 merged after 140) — is still
 * applied, once, on both databases; Postgrator alone runs only versions above the database's.
 */
import { cp, mkdtemp, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate } from '../../src/db/migrate.js';
import { createTestDb, type TestDb } from '../helpers/db.js';

const MIGRATIONS = fileURLToPath(new URL('../../src/db/migrations/', import.meta.url));
const LATE = '111.do.product-position.sql';
let testDb: TestDb;
let earlier: string;

async function hasColumn(table: string, column: string): Promise<boolean> {
  const { rows } = await testDb.db.query(
    `SELECT 1 FROM information_schema.columns WHERE table_name = $1 AND column_name = $2`,
    [table, column],
  );
  return rows.length === 1;
}

beforeAll(async () => {
  // The database as it was before 111 was merged: every other migration, up to the highest.
  earlier = await mkdtemp(path.join(os.tmpdir(), 'dukaan-migrations-'));
  for (const file of await readdir(MIGRATIONS))
    if (file !== LATE) await cp(path.join(MIGRATIONS, file), path.join(earlier, file));
  testDb = await createTestDb(undefined, { migrationsDir: earlier });
});
afterAll(async () => {
  await testDb?.dispose();
  await rm(earlier, { recursive: true, force: true });
});

describe('migrate', () => {
  it('applies a migration numbered below the database version, records it, and runs it only once', async () => {
    const highest = Math.max(...(await readdir(MIGRATIONS)).map((f) => Number(f.split('.')[0])));
    expect(highest).toBeGreaterThan(111);
    expect(await hasColumn('products', 'list_rank')).toBe(false);

    expect(await migrate(testDb.db)).toEqual({ from: highest, to: highest });
    expect(await hasColumn('products', 'list_rank')).toBe(true);
    const { rows } = await testDb.db.query<{ name: string }>(`SELECT name FROM schemaversion WHERE version = 111`);
    expect(rows).toEqual([{ name: 'product-position' }]);

    // Again: nothing left to do (a second run of 111 would fail on its ADD COLUMN).
    expect(await migrate(testDb.db)).toEqual({ from: highest, to: highest });
    const count = await testDb.db.query<{ n: number }>(
      `SELECT count(*)::integer AS n FROM schemaversion WHERE version = 111`,
    );
    expect(count.rows[0]!.n).toBe(1);
  });
});
