/**
 * The SQL of products and variants: lists (keyset on list_rank, id), single rows (optionally locked), and the
 * writes of the product service (src/catalog/products.service.ts holds the rules). Every statement is scoped to
 * the store.
 */
import type { Queryable } from '../db/db.js';
import { PRODUCT_COLUMNS, type ProductRow } from './catalog.repo.js';

export interface VariantRow {
  id: string;
  product_id: string;
  name: string;
  price: number;
  mrp: number | null;
  stock: number | null;
  sku: string | null;
}

const VARIANT_COLUMNS = 'v.id, v.product_id, v.name, v.price, v.mrp, v.stock, v.sku';

/** The live variants of many products in ONE query, in display order, grouped by product id. */
export async function loadVariants(
  q: Queryable,
  storeId: string,
  productIds: readonly string[],
): Promise<Map<string, VariantRow[]>> {
  const byProduct = new Map<string, VariantRow[]>(productIds.map((id) => [id, []]));
  if (productIds.length === 0) return byProduct;
  const { rows } = await q.query<VariantRow>(
    `SELECT ${VARIANT_COLUMNS} FROM variants v
      WHERE v.store_id = $1 AND v.product_id = ANY($2::uuid[]) AND v.archived_at IS NULL
      ORDER BY v.product_id, v.position, v.id`,
    [storeId, productIds],
  );
  for (const row of rows) byProduct.get(row.product_id)?.push(row);
  return byProduct;
}

export interface ProductPageFilter {
  activeOnly: boolean;
  categoryId?: string | null;
  /** The last row of the previous page. */
  after: { rank: number; id: string } | null;
  /** Rows to read (the caller asks one more than it shows, to know whether a next page exists). */
  limit: number;
}

/**
 * Products of a store in the merchant's order (list_rank DESC, id DESC; migration 111), keyset after `after`. Walks
 * products_store_id_idx / products_storefront_idx / products_category_idx.
 */
export async function selectProductPage(q: Queryable, storeId: string, f: ProductPageFilter): Promise<ProductRow[]> {
  const params: unknown[] = [storeId];
  const where = ['p.store_id = $1', 'p.archived_at IS NULL'];
  if (f.activeOnly) where.push('p.is_active');
  if (f.after) {
    params.push(f.after.rank, f.after.id);
    where.push(`(p.list_rank, p.id) < ($${params.length - 1}::integer, $${params.length}::uuid)`);
  }
  if (f.categoryId) {
    params.push(f.categoryId);
    where.push(`p.category_id = $${params.length}`);
  }
  params.push(f.limit);
  const { rows } = await q.query<ProductRow>(
    `SELECT ${PRODUCT_COLUMNS} FROM products p WHERE ${where.join(' AND ')}
      ORDER BY p.list_rank DESC, p.id DESC LIMIT $${params.length}`,
    params,
  );
  return rows;
}

/** A live product of the store, optionally locked FOR UPDATE; null when there is none. */
export async function selectProduct(
  q: Queryable,
  storeId: string,
  productId: string,
  opts: { lock?: boolean } = {},
): Promise<ProductRow | null> {
  const { rows } = await q.query<ProductRow>(
    `SELECT ${PRODUCT_COLUMNS} FROM products p
      WHERE p.id = $1 AND p.store_id = $2 AND p.archived_at IS NULL${opts.lock ? ' FOR UPDATE' : ''}`,
    [productId, storeId],
  );
  return rows[0] ?? null;
}

/** An active, live product of the store by its slug (the storefront's product page). */
export async function selectActiveProductBySlug(
  q: Queryable,
  storeId: string,
  slug: string,
): Promise<ProductRow | null> {
  const { rows } = await q.query<ProductRow>(
    `SELECT ${PRODUCT_COLUMNS}
       FROM products p WHERE p.store_id = $1 AND p.slug = $2 AND p.archived_at IS NULL AND p.is_active`,
    [storeId, slug],
  );
  return rows[0] ?? null;
}

export interface NewProductRow {
  id: string;
  storeId: string;
  categoryId: string | null;
  slug: string;
  name: string;
  description: string;
  unit: string | null;
  images: readonly string[];
  isActive: boolean;
  searchTerms: readonly string[];
  hsn: string | null;
  pinned: boolean;
  position: number | null;
}

/** Inserts the product unless its slug is taken in the store; false when it was. */
export async function insertProductRow(q: Queryable, p: NewProductRow): Promise<boolean> {
  const { rowCount } = await q.query(
    `INSERT INTO products (id, store_id, category_id, slug, name, description, unit, images, is_active, search_terms,
                           hsn, pinned, position)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8::jsonb, $9, $10::text[], $11, $12, $13)
     ON CONFLICT (store_id, slug) DO NOTHING`,
    [
      p.id,
      p.storeId,
      p.categoryId,
      p.slug,
      p.name,
      p.description,
      p.unit,
      JSON.stringify(p.images),
      p.isActive,
      p.searchTerms,
      p.hsn,
      p.pinned,
      p.position,
    ],
  );
  return rowCount === 1;
}

export interface NewVariantRow {
  id: string;
  name: string;
  price: number;
  mrp: number | null;
  stock: number | null;
  sku: string | null;
  position: number;
}

/** Inserts variants of one product in one statement (a name taken in the product raises a unique violation). */
export async function insertVariantRows(
  q: Queryable,
  storeId: string,
  productId: string,
  variants: readonly NewVariantRow[],
): Promise<VariantRow[]> {
  const { rows } = await q.query<VariantRow>(
    `INSERT INTO variants (id, product_id, store_id, name, price, mrp, stock, sku, position)
     SELECT v.id, $1, $2, v.name, v.price, v.mrp, v.stock, v.sku, v.position
       FROM unnest($3::uuid[], $4::text[], $5::bigint[], $6::bigint[], $7::integer[], $8::text[], $9::integer[])
         AS v(id, name, price, mrp, stock, sku, position)
     RETURNING id, product_id, name, price, mrp, stock, sku`,
    [
      productId,
      storeId,
      variants.map((v) => v.id),
      variants.map((v) => v.name),
      variants.map((v) => v.price),
      variants.map((v) => v.mrp),
      variants.map((v) => v.stock),
      variants.map((v) => v.sku),
      variants.map((v) => v.position),
    ],
  );
  return rows;
}

/** `SET a = $n, …` from the fields that are present (undefined = leave as is, null = clear). */
function setClause(params: unknown[], fields: Record<string, unknown>): string[] {
  const sets: string[] = [];
  for (const [column, value] of Object.entries(fields)) {
    if (value === undefined) continue;
    params.push(value);
    sets.push(`${column} = $${params.length}`);
  }
  return sets;
}

/** Product columns to change (by column name; undefined = leave as is). Touches updated_at when any is given. */
export async function updateProductColumns(
  q: Queryable,
  storeId: string,
  productId: string,
  columns: Record<string, unknown>,
): Promise<void> {
  const params: unknown[] = [productId, storeId];
  const sets = setClause(params, columns);
  if (sets.length === 0) return;
  await q.query(
    `UPDATE products SET ${[...sets, 'updated_at = now()'].join(', ')} WHERE id = $1 AND store_id = $2`,
    params,
  );
}

/** The ids of a product's live variants. */
export async function liveVariantIds(q: Queryable, storeId: string, productId: string): Promise<string[]> {
  const { rows } = await q.query<{ id: string }>(
    `SELECT id FROM variants WHERE product_id = $1 AND store_id = $2 AND archived_at IS NULL`,
    [productId, storeId],
  );
  return rows.map((r) => r.id);
}

/** Variant columns to change (undefined = leave as is); the variant after, or null when nothing was given. */
export async function updateVariantColumns(
  q: Queryable,
  storeId: string,
  variantId: string,
  columns: Record<string, unknown>,
): Promise<VariantRow | null> {
  const params: unknown[] = [variantId, storeId];
  const sets = setClause(params, columns);
  if (sets.length === 0) return null;
  const { rows } = await q.query<VariantRow>(
    `UPDATE variants v SET ${sets.join(', ')} WHERE v.id = $1 AND v.store_id = $2 RETURNING ${VARIANT_COLUMNS}`,
    params,
  );
  return rows[0] ?? null;
}

/** Archives a live product; false when there was none. */
export async function archiveProductRow(q: Queryable, storeId: string, productId: string): Promise<boolean> {
  const { rowCount } = await q.query(
    `UPDATE products SET archived_at = now(), updated_at = now()
      WHERE id = $1 AND store_id = $2 AND archived_at IS NULL`,
    [productId, storeId],
  );
  return rowCount > 0;
}

/** A live variant of a product of the store, or null. */
export async function selectVariant(
  q: Queryable,
  storeId: string,
  productId: string,
  variantId: string,
): Promise<VariantRow | null> {
  const { rows } = await q.query<VariantRow>(
    `SELECT ${VARIANT_COLUMNS} FROM variants v
      WHERE v.id = $1 AND v.product_id = $2 AND v.store_id = $3 AND v.archived_at IS NULL`,
    [variantId, productId, storeId],
  );
  return rows[0] ?? null;
}

/** How many live variants a product has, and the position a new one takes (after every variant, archived too). */
export async function variantSlots(
  q: Queryable,
  storeId: string,
  productId: string,
): Promise<{ live: number; nextPosition: number }> {
  const { rows } = await q.query<{ live: number; next_position: number }>(
    `SELECT count(*) FILTER (WHERE archived_at IS NULL)::integer AS live,
            COALESCE(max(position) + 1, 0)::integer AS next_position
       FROM variants WHERE product_id = $1 AND store_id = $2`,
    [productId, storeId],
  );
  return { live: rows[0]!.live, nextPosition: rows[0]!.next_position };
}

export async function archiveVariantRow(q: Queryable, storeId: string, variantId: string): Promise<void> {
  await q.query(`UPDATE variants SET archived_at = now() WHERE id = $1 AND store_id = $2`, [variantId, storeId]);
}
