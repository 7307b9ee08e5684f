/**
 * The benchmark's data generator, end to end at a small size on the machine's PostgreSQL: the database it makes is
 * migrated by the app's own migrations, has the shapes the bench relies on, keeps the app's triggers working (the
 * load turns them off for its own sessions only), and the app serves the bench store from it.
 */
import { afterAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { buildApp } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { createPgDb } from '../../src/db/pg.js';
import { readSeedInfo, seedDatabase, BENCH_SLUG, FLASH_PRODUCT_SLUG, SEED_VERSION } from '../../bench/seed.js';
import { withDatabase } from '../../bench/lib/args.js';

const ADMIN = process.env.TEST_PG_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const URL_ = withDatabase(ADMIN, `dukaan_bench_test_${process.pid}`);

afterAll(async () => {
  const admin = new pg.Client({ connectionString: ADMIN });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS "dukaan_bench_test_${process.pid}" WITH (FORCE)`);
  await admin.end();
});

describe('bench data generator', () => {
  it('seeds 3,000 products in 20 stores with the bench store, the flash-sale product and a long tail', async () => {
    const result = await seedDatabase(
      { databaseUrl: URL_, stores: 20, products: 3_000, benchProducts: 200, seed: 42, force: false },
      () => {},
    );
    expect(result).toMatchObject({ version: SEED_VERSION, products: 3_000, stores: 20, benchProducts: 200 });
    expect(await readSeedInfo(URL_)).toMatchObject({
      products: 3_000,
      stores: 20,
      benchProducts: 200,
      variants: result.variants,
    });

    const c = new pg.Client({ connectionString: URL_ });
    await c.connect();
    try {
      const one = async <T>(sql: string, params: unknown[] = []) => (await c.query(sql, params)).rows[0] as T;
      expect(await one(`SELECT count(*)::int AS n FROM products`)).toEqual({ n: 3_000 });
      expect(await one(`SELECT count(*)::int AS n FROM stores`)).toEqual({ n: 20 });
      const variantsPerProduct = await one<{ lo: number; hi: number }>(
        `SELECT min(n)::int AS lo, max(n)::int AS hi FROM (SELECT count(*) AS n FROM variants GROUP BY product_id) x`,
      );
      expect(variantsPerProduct).toEqual({ lo: 1, hi: 5 });
      const bench = await one<{ id: string; n: number }>(
        `SELECT s.id, (SELECT count(*)::int FROM products p WHERE p.store_id = s.id) AS n FROM stores s WHERE s.slug =\
 $1`,
        [BENCH_SLUG],
      );
      expect(bench.n).toBe(200);
      const flash = await one<{ n: number }>(
        `SELECT count(*)::int AS n FROM variants v JOIN products p ON p.id = v.product_id WHERE p.slug = $1 AND\
 p.store_id = $2`,
        [FLASH_PRODUCT_SLUG, bench.id],
      );
      expect(flash.n).toBe(1);
      const sizes = (
        await c.query<{ n: number }>(
          `SELECT count(*)::int AS n FROM products p JOIN stores s ON s.id = p.store_id WHERE s.slug \
<> $1 GROUP BY s.id ORDER BY 1 DESC`,
          [BENCH_SLUG],
        )
      ).rows.map((r) => r.n);
      expect(sizes[0]! / sizes[sizes.length - 1]!).toBeGreaterThan(3);
      expect((await one<{ n: number }>(`SELECT count(*)::int AS n FROM variants WHERE stock = 0`)).n).toBeGreaterThan(
        0,
      );
      // The load's sessions had triggers off; the database's triggers are on: a visible change bumps the version.
      const before = await one<{ v: number }>(`SELECT catalog_version::int AS v FROM stores WHERE id = $1`, [bench.id]);
      await c.query(
        `UPDATE products SET name = name || ' (new)' WHERE id = (SELECT id FROM products WHERE store_id = $1 LIMIT 1)`,
        [bench.id],
      );
      expect(
        (await one<{ v: number }>(`SELECT catalog_version::int AS v FROM stores WHERE id = $1`, [bench.id])).v,
      ).toBeGreaterThan(before.v);
    } finally {
      await c.end();
    }

    const db = createPgDb(URL_, { max: 2 });
    const app = await buildApp({
      config: { ...loadConfig({ DATABASE_URL: URL_, OTP_CONSOLE: '1' }), logLevel: 'silent' },
      db,
      logger: false,
    });
    try {
      const res = await app.inject({ method: 'GET', url: `/api/v1/storefront/${BENCH_SLUG}/products?limit=20` });
      expect(res.statusCode).toBe(200);
      expect(res.json().items).toHaveLength(20);
    } finally {
      await app.close();
      await db.close();
    }
  });
});
