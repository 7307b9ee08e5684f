import { inTx, type DbOrTx, type Queryable } from '../db/db.js';
import { notFound } from '../shared/errors.js';
import { isUuid, newId } from '../shared/ids.js';
import { baseSlug, cleanName, insertWithFreeSlug } from './catalog.util.js';
import type { Category, CreateCategoryInput, UpdateCategoryInput } from './catalog.schema.js';

const CATEGORY_COLUMNS = 'id, name, slug, position';

/** Categories of a store in display order (a short list: returned whole). */
export async function listCategories(q: Queryable, storeId: string): Promise<Category[]> {
  const { rows } = await q.query<Category>(
    `SELECT ${CATEGORY_COLUMNS} FROM categories WHERE store_id = $1 ORDER BY position, id`,
    [storeId],
  );
  return rows;
}

export async function getCategory(q: Queryable, storeId: string, categoryId: string): Promise<Category> {
  if (!isUuid(categoryId)) throw notFound('Category not found');
  const { rows } = await q.query<Category>(
    `SELECT ${CATEGORY_COLUMNS} FROM categories WHERE id = $1 AND store_id = $2`,
    [categoryId, storeId],
  );
  if (!rows[0]) throw notFound('Category not found');
  return rows[0];
}

/** The slug is derived from the name once (numeric suffix on a clash) and kept on rename, so shared links stay valid. */
export async function createCategory(db: DbOrTx, storeId: string, input: CreateCategoryInput): Promise<Category> {
  const name = cleanName(input.name, '/name');
  return inTx(db, (tx) =>
    insertWithFreeSlug(tx, 'categories', storeId, baseSlug(name, 'category', 60), async (slug) => {
      // Without a position the category goes last.
      const { rows } = await tx.query<Category>(
        `INSERT INTO categories (id, store_id, name, slug, position)
         VALUES ($1, $2, $3, $4, COALESCE($5::integer, (SELECT COALESCE(max(position) + 1, 0) FROM categories WHERE store_id = $2)))
         ON CONFLICT (store_id, slug) DO NOTHING
         RETURNING ${CATEGORY_COLUMNS}`,
        [newId(), storeId, name, slug, input.position ?? null],
      );
      return rows[0] ?? null;
    }),
  );
}

export async function updateCategory(
  q: Queryable,
  storeId: string,
  categoryId: string,
  input: UpdateCategoryInput,
): Promise<Category> {
  if (!isUuid(categoryId)) throw notFound('Category not found');
  const name = input.name === undefined ? null : cleanName(input.name, '/name');
  const { rows } = await q.query<Category>(
    `UPDATE categories SET name = COALESCE($3, name), position = COALESCE($4::integer, position)
      WHERE id = $1 AND store_id = $2 RETURNING ${CATEGORY_COLUMNS}`,
    [categoryId, storeId, name, input.position ?? null],
  );
  if (!rows[0]) throw notFound('Category not found');
  return rows[0];
}

/** Deletes the category; its products stay, uncategorised (the foreign key sets category_id to NULL). */
export async function deleteCategory(q: Queryable, storeId: string, categoryId: string): Promise<void> {
  if (!isUuid(categoryId)) throw notFound('Category not found');
  const { rowCount } = await q.query(`DELETE FROM categories WHERE id = $1 AND store_id = $2`, [categoryId, storeId]);
  if (rowCount === 0) throw notFound('Category not found');
}
