/** What the scenarios need to know about the seeded `bench` store, read from the database. */
import type pg from 'pg';
import { BENCH_SLUG, FLASH_PRODUCT_SLUG, PLENTIFUL_STOCK } from '../seed.js';

export interface BenchStore {
  storeId: string;
  slug: string;
  /** Slugs of the products the storefront shows. */
  productSlugs: string[];
  /** Sellable variants with plentiful stock (not the flash-sale one): carts and checkouts draw from these. */
  variantIds: string[];
  flashVariantId: string;
}

export async function loadBenchStore(pool: pg.Pool): Promise<BenchStore> {
  const store = await pool.query<{ id: string }>(`SELECT id FROM stores WHERE slug = $1`, [BENCH_SLUG]);
  const storeId = store.rows[0]?.id;
  if (!storeId) throw new Error(`no store "${BENCH_SLUG}": seed the database first (npm run bench:seed)`);
  const products = await pool.query<{ slug: string }>(
    `SELECT slug FROM products WHERE store_id = $1 AND archived_at IS NULL AND is_active AND slug <> $2 ORDER BY id`,
    [storeId, FLASH_PRODUCT_SLUG],
  );
  const variants = await pool.query<{ id: string }>(
    `SELECT v.id FROM variants v JOIN products p ON p.id = v.product_id
      WHERE v.store_id = $1 AND v.archived_at IS NULL AND p.archived_at IS NULL AND p.is_active AND v.stock >= $2 / 2
        AND p.slug <> $3
      ORDER BY v.id`,
    [storeId, PLENTIFUL_STOCK, FLASH_PRODUCT_SLUG],
  );
  const flash = await pool.query<{ id: string }>(
    `SELECT v.id FROM variants v JOIN products p ON p.id = v.product_id WHERE p.store_id = $1 AND p.slug = $2 ORDER BY v.position LIMIT 1`,
    [storeId, FLASH_PRODUCT_SLUG],
  );
  if (!flash.rows[0]) throw new Error(`no product "${FLASH_PRODUCT_SLUG}" in the bench store: reseed`);
  return {
    storeId,
    slug: BENCH_SLUG,
    productSlugs: products.rows.map((r) => r.slug),
    variantIds: variants.rows.map((r) => r.id),
    flashVariantId: flash.rows[0].id,
  };
}
