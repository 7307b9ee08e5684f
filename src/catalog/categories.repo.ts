/** The SQL of categories (the rules: src/catalog/categories.service.ts). Every statement is scoped to the store. */
import type { Queryable } from '../db/db.js';
import type { Category } from './catalog.schema.js';

const CATEGORY_COLUMNS = 'id, name, slug, position';

/** Categories of a store in display order (a short list: returned whole). */
export async function selectCategories(q: Queryable, storeId: string): Promise<Category[]> {
  const { rows } = await q.query<Category>(
    `SELECT ${CATEGORY_COLUMNS} FROM categories WHERE store_id = $1 ORDER BY position, id`,
    [storeId],
  );
  return rows;
}

export async function selectCategory(q: Queryable, storeId: string, categoryId: string): Promise<Category | null> {
  const { rows } = await q.query<Category>(
    `SELECT ${CATEGORY_COLUMNS} FROM categories WHERE id = $1 AND store_id = $2`,
    [categoryId, storeId],
  );
  return rows[0] ?? null;
}

export async function categoryExists(q: Queryable, storeId: string, categoryId: string): Promise<boolean> {
  const { rows } = await q.query(`SELECT 1 FROM categories WHERE id = $1 AND store_id = $2`, [categoryId, storeId]);
  return rows.length > 0;
}

/** The id of the store's category with this slug (slugs are lower case), or null. */
export async function categoryIdBySlug(q: Queryable, storeId: string, slug: string): Promise<string | null> {
  const { rows } = await q.query<{ id: string }>(`SELECT id FROM categories WHERE store_id = $1 AND slug = $2`, [
    storeId,
    slug,
  ]);
  return rows[0]?.id ?? null;
}

/**
 * Inserts a category unless its slug is taken in the store (null then). Without a position it goes last.
 */
export async function insertCategoryRow(
  q: Queryable,
  c: { id: string; storeId: string; name: string; slug: string; position: number | null },
): Promise<Category | null> {
  const { rows } = await q.query<Category>(
    `INSERT INTO categories (id, store_id, name, slug, position)
     VALUES ($1, $2, $3, $4,
             COALESCE($5::integer, (SELECT COALESCE(max(position) + 1, 0) FROM categories WHERE store_id = $2)))
     ON CONFLICT (store_id, slug) DO NOTHING
     RETURNING ${CATEGORY_COLUMNS}`,
    [c.id, c.storeId, c.name, c.slug, c.position],
  );
  return rows[0] ?? null;
}

/** Renames and/or moves a category (null = keep); null when there is no such category. */
export async function updateCategoryRow(
  q: Queryable,
  storeId: string,
  categoryId: string,
  change: { name: string | null; position: number | null },
): Promise<Category | null> {
  const { rows } = await q.query<Category>(
    `UPDATE categories SET name = COALESCE($3, name), position = COALESCE($4::integer, position)
      WHERE id = $1 AND store_id = $2 RETURNING ${CATEGORY_COLUMNS}`,
    [categoryId, storeId, change.name, change.position],
  );
  return rows[0] ?? null;
}

/** Deletes a category (its products stay, uncategorised: the foreign key sets NULL); false when there was none. */
export async function deleteCategoryRow(q: Queryable, storeId: string, categoryId: string): Promise<boolean> {
  const { rowCount } = await q.query(`DELETE FROM categories WHERE id = $1 AND store_id = $2`, [categoryId, storeId]);
  return rowCount > 0;
}
