import { inTx, type DbOrTx, type Queryable } from '../db/db.js';
import { notFound } from '../shared/errors.js';
import { isUuid, newId } from '../shared/ids.js';
import {
  deleteCategoryRow,
  insertCategoryRow,
  selectCategories,
  selectCategory,
  updateCategoryRow,
} from './categories.repo.js';
import { baseSlug, cleanName, insertWithFreeSlug } from './catalog.util.js';
import type { Category, CreateCategoryInput, UpdateCategoryInput } from './catalog.schema.js';

/** Categories of a store in display order (a short list: returned whole). */
export function listCategories(q: Queryable, storeId: string): Promise<Category[]> {
  return selectCategories(q, storeId);
}

export async function getCategory(q: Queryable, storeId: string, categoryId: string): Promise<Category> {
  const category = isUuid(categoryId) ? await selectCategory(q, storeId, categoryId) : null;
  if (!category) throw notFound('Category not found');
  return category;
}

/** The slug is derived from the name once (numeric suffix on a clash) and kept on rename, so shared links stay valid.
 * */
export async function createCategory(db: DbOrTx, storeId: string, input: CreateCategoryInput): Promise<Category> {
  const name = cleanName(input.name, '/name');
  return inTx(db, (tx) =>
    insertWithFreeSlug(tx, 'categories', storeId, baseSlug(name, 'category', 60), (slug) =>
      insertCategoryRow(tx, { id: newId(), storeId, name, slug, position: input.position ?? null }),
    ),
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
  const updated = await updateCategoryRow(q, storeId, categoryId, { name, position: input.position ?? null });
  if (!updated) throw notFound('Category not found');
  return updated;
}

/** Deletes the category; its products stay, uncategorised (the foreign key sets category_id to NULL). */
export async function deleteCategory(q: Queryable, storeId: string, categoryId: string): Promise<void> {
  if (!isUuid(categoryId) || !(await deleteCategoryRow(q, storeId, categoryId))) throw notFound('Category not found');
}
