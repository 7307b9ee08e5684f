/** SQL of the product CSV import and export: the store's live catalog read at once, the plan written in batches. */
import type { Queryable } from '../db/db.js';
import { newId } from '../shared/ids.js';
import type { ExistingProduct, ExistingVariant, ExportVariant, ImportPlan } from './import-plan.js';

/** One import per store at a time: the store's row lock, held to the end of the import's transaction. */
export async function lockStoreForImport(q: Queryable, storeId: string): Promise<void> {
  await q.query(`SELECT id FROM stores WHERE id = $1 FOR UPDATE`, [storeId]);
}

export async function loadCatalogForImport(q: Queryable, storeId: string) {
  const [products, variants, categories, slugs] = await Promise.all([
    q.query<ExistingProduct>(
      `SELECT p.id, p.slug, p.name, c.name AS category, p.search_terms AS "searchTerms", p.hsn
         FROM products p LEFT JOIN categories c ON c.id = p.category_id
        WHERE p.store_id = $1 AND p.archived_at IS NULL ORDER BY p.id`,
      [storeId],
    ),
    q.query<ExistingVariant>(
      `SELECT v.id, v.product_id AS "productId", v.name, v.price, v.mrp, v.stock, v.sku
         FROM variants v JOIN products p ON p.id = v.product_id
        WHERE v.store_id = $1 AND v.archived_at IS NULL AND p.archived_at IS NULL
        ORDER BY v.product_id, v.position, v.id`,
      [storeId],
    ),
    q.query<{ id: string; name: string }>(`SELECT id, name FROM categories WHERE store_id = $1 ORDER BY position, id`, [
      storeId,
    ]),
    q.query<{ slug: string }>(`SELECT slug FROM products WHERE store_id = $1`, [storeId]),
  ]);
  return {
    products: products.rows,
    variants: variants.rows,
    categories: categories.rows,
    productSlugs: new Set(slugs.rows.map((r) => r.slug)),
  };
}

/** Lower-cased category name → id, after creating the missing ones (slugs chosen by the caller). */
export async function insertCategories(
  q: Queryable,
  storeId: string,
  categories: readonly { name: string; slug: string }[],
): Promise<void> {
  if (!categories.length) return;
  await q.query(
    `INSERT INTO categories (id, store_id, name, slug, position)
     SELECT c.id, $1, c.name, c.slug,
            (SELECT COALESCE(max(position), -1) FROM categories WHERE store_id = $1) + c.n
       FROM unnest($2::uuid[], $3::text[], $4::text[]) WITH ORDINALITY AS c(id, name, slug, n)`,
    [storeId, categories.map(() => newId()), categories.map((c) => c.name), categories.map((c) => c.slug)],
  );
}

export async function categorySlugs(q: Queryable, storeId: string): Promise<Set<string>> {
  const { rows } = await q.query<{ slug: string }>(`SELECT slug FROM categories WHERE store_id = $1`, [storeId]);
  return new Set(rows.map((r) => r.slug));
}

/** Runs the plan's writes: new products and their sizes, added sizes, changed sizes and product fields. */
export async function writeImport(
  q: Queryable,
  storeId: string,
  plan: ImportPlan,
  slugs: readonly string[],
  categoryIdOf: (name: string | null) => string | null,
): Promise<void> {
  const products = plan.createProducts.map((p, i) => ({ ...p, id: newId(), slug: slugs[i]! }));
  if (products.length) {
    await q.query(
      `INSERT INTO products (id, store_id, category_id, slug, name, search_terms, hsn)
       SELECT p.id, $1, p.category_id, p.slug, p.name, ARRAY(SELECT jsonb_array_elements_text(p.terms::jsonb)), p.hsn
         FROM unnest($2::uuid[], $3::uuid[], $4::text[], $5::text[], $6::text[], $7::text[])
           AS p(id, category_id, slug, name, terms, hsn)`,
      [
        storeId,
        products.map((p) => p.id),
        products.map((p) => categoryIdOf(p.category)),
        products.map((p) => p.slug),
        products.map((p) => p.name),
        products.map((p) => JSON.stringify(p.searchTerms)),
        products.map((p) => p.hsn),
      ],
    );
  }
  const newVariants = [
    ...products.flatMap((p) => p.variants.map((v, i) => ({ ...v, productId: p.id, position: i }))),
    ...plan.addVariants.map((v) => ({ ...v, position: null as number | null })),
  ];
  if (newVariants.length) {
    await q.query(
      `INSERT INTO variants (id, product_id, store_id, name, price, mrp, stock, sku, position)
       SELECT v.id, v.product_id, $1, v.name, v.price, v.mrp, v.stock, v.sku,
              COALESCE(v.position,
                       (SELECT COALESCE(max(position) + 1, 0) FROM variants WHERE product_id = v.product_id))
         FROM unnest($2::uuid[], $3::uuid[], $4::text[], $5::bigint[], $6::bigint[], $7::integer[], $8::text[],
                     $9::integer[])
           AS v(id, product_id, name, price, mrp, stock, sku, position)`,
      [
        storeId,
        newVariants.map(() => newId()),
        newVariants.map((v) => v.productId),
        newVariants.map((v) => v.name),
        newVariants.map((v) => v.price),
        newVariants.map((v) => v.mrp),
        newVariants.map((v) => v.stock),
        newVariants.map((v) => v.sku),
        newVariants.map((v) => v.position),
      ],
    );
  }
  if (plan.updateVariants.length) {
    // The stock is set, as POST …/variants/{id}/stock { set } does: one statement, no read-modify-write. The rows
    // are locked first in variant-id order, the order every checkout locks stock in: an update in the join's order
    // could hold one variant a checkout wants while waiting for another that checkout holds.
    await q.query(
      `WITH locked AS (SELECT id FROM variants WHERE id = ANY($2::uuid[]) AND store_id = $1
                        ORDER BY id FOR NO KEY UPDATE)
       UPDATE variants v SET price = u.price, mrp = u.mrp, stock = u.stock, sku = u.sku
         FROM unnest($2::uuid[], $3::bigint[], $4::bigint[], $5::integer[], $6::text[]) AS u(id, price, mrp, stock, sku)
        WHERE v.id = u.id AND v.store_id = $1 AND v.id IN (SELECT id FROM locked)`,
      [
        storeId,
        plan.updateVariants.map((v) => v.id),
        plan.updateVariants.map((v) => v.price),
        plan.updateVariants.map((v) => v.mrp),
        plan.updateVariants.map((v) => v.stock),
        plan.updateVariants.map((v) => v.sku),
      ],
    );
  }
  if (plan.updateProducts.length) {
    await q.query(
      `UPDATE products p SET category_id = u.category_id, hsn = u.hsn, updated_at = now(),
              search_terms = ARRAY(SELECT jsonb_array_elements_text(u.terms::jsonb))
         FROM unnest($2::uuid[], $3::uuid[], $4::text[], $5::text[]) AS u(id, category_id, terms, hsn)
        WHERE p.id = u.id AND p.store_id = $1`,
      [
        storeId,
        plan.updateProducts.map((p) => p.id),
        plan.updateProducts.map((p) => categoryIdOf(p.category)),
        plan.updateProducts.map((p) => JSON.stringify(p.searchTerms)),
        plan.updateProducts.map((p) => p.hsn),
      ],
    );
  }
}

/** Every live size of every live product, in catalog order, for the CSV export. */
export async function exportRows(q: Queryable, storeId: string): Promise<ExportVariant[]> {
  const { rows } = await q.query<ExportVariant>(
    `SELECT p.name AS product, v.name AS size, v.price, v.mrp, v.stock, c.name AS category, v.sku,
            p.search_terms AS "searchTerms", p.hsn, p.slug
       FROM products p
       JOIN variants v ON v.product_id = p.id AND v.archived_at IS NULL
       LEFT JOIN categories c ON c.id = p.category_id
      WHERE p.store_id = $1 AND p.archived_at IS NULL
      ORDER BY p.id, v.position, v.id`,
    [storeId],
  );
  return rows;
}
