/** SQL of products and variants shared by other domains' repositories, and the catalog's slug lookup. */
import type { Queryable } from '../db/db.js';

/**
 * SQL: a variant the storefront sells — it and its product live (not archived) and the product active. Over the
 * aliases `v` (variants) and `p` (products).
 */
export const SELLABLE_SQL = '(v.archived_at IS NULL AND p.archived_at IS NULL AND p.is_active)';

/** A product as the catalog reads it (PRODUCT_COLUMNS, over the alias `p`). */
export interface ProductRow {
  id: string;
  slug: string;
  name: string;
  description: string;
  category_id: string | null;
  unit: string | null;
  images: string[];
  is_active: boolean;
  search_terms: string[];
  hsn: string | null;
  pinned: boolean;
  position: number | null;
  /** The list order as one number, higher first (migration 111): pinned, then by position, then the rest. */
  list_rank: number;
}

/** The columns of a ProductRow, for every query that reads one. */
export const PRODUCT_COLUMNS =
  'p.id, p.slug, p.name, p.description, p.category_id, p.unit, p.images, p.is_active, p.search_terms, p.hsn, ' +
  'p.pinned, p.position, p.list_rank';

/** The slugs of the store's products or categories that are `base` or `base-<n>` (to pick a free one). */
export async function slugsLike(
  q: Queryable,
  table: 'products' | 'categories',
  storeId: string,
  base: string,
): Promise<Set<string>> {
  // Slugs are [a-z0-9-] only, so the base is safe inside the regular expression.
  const { rows } = await q.query<{ slug: string }>(
    `SELECT slug FROM ${table} WHERE store_id = $1 AND (slug = $2 OR slug ~ ('^' || $2 || '-[0-9]+$'))`,
    [storeId, base],
  );
  return new Set(rows.map((r) => r.slug));
}
