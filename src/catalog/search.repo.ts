import type { Db, Queryable } from '../db/db.js';
import { escapeLike } from './catalog.util.js';
import { PRODUCT_COLUMNS, type ProductRow } from './catalog.repo.js';

/**
 * The lowest word similarity (pg_trgm) a product needs to match a search. 0.35: "aata" vs "Atta" is 0.4, "panner"
 * vs "Paneer" 0.43, "daal" vs "Dal" 0.5; the default 0.6 would miss all three. Set per transaction (`SET LOCAL`),
 * because the `%>` operator reads it from the session, which is what lets the index answer.
 */
export const WORD_SIMILARITY_THRESHOLD = 0.35;
/** Search results are ranked, so they page by offset; past this many a search answers no further pages. */
export const MAX_SEARCH_RESULTS = 200;

/** The spelling skeleton the index holds (migration 130's search_skeleton): lower case, repeated letters once. */
export function searchSkeleton(words: string): string {
  return words.toLowerCase().replace(/([a-z])\1+/g, '$1');
}

export interface SearchFilter {
  /** the words as typed (trimmed, non-empty) */
  text: string;
  activeOnly: boolean;
  categoryId?: string | null;
  limit: number;
  offset?: number;
}

export interface SearchRow extends ProductRow {
  score: number;
}

function isDb(q: Queryable | Db): q is Db {
  return typeof (q as Partial<Db>).tx === 'function';
}

/** The WHERE of a search (over the alias `p`) and its parameters: $1 store, $2 skeleton, $3 LIKE pattern, then more. */
function searchWhere(
  storeId: string,
  filter: Omit<SearchFilter, 'limit' | 'offset'>,
): {
  where: string[];
  params: unknown[];
} {
  const skeleton = searchSkeleton(filter.text);
  const params: unknown[] = [storeId, skeleton, escapeLike(skeleton)];
  const doc = 'search_skeleton(product_search_text(p.name, p.search_terms, p.description))';
  const where = ['p.store_id = $1', 'p.archived_at IS NULL', `(${doc} %> $2 OR ${doc} LIKE '%' || $3 || '%')`];
  if (filter.activeOnly) where.push('p.is_active');
  if (filter.categoryId) {
    params.push(filter.categoryId);
    where.push(`p.category_id = $${params.length}`);
  }
  return { where, params };
}

function inSearchTx<T>(q: Queryable | Db, run: (tx: Queryable) => Promise<T>): Promise<T> {
  const go = async (tx: Queryable): Promise<T> => {
    await tx.query(`SELECT set_config('pg_trgm.word_similarity_threshold', $1, true)`, [
      String(WORD_SIMILARITY_THRESHOLD),
    ]);
    return run(tx);
  };
  return isDb(q) ? q.tx((tx) => go(tx)) : go(q);
}

/**
 * How many products of the store a search matches, counted up to `cap` (the same candidates as searchProductRows,
 * from the same index; nothing is ranked). For "nothing in Dairy — 3 results in all products".
 */
export async function countSearchMatches(
  q: Queryable | Db,
  storeId: string,
  filter: Omit<SearchFilter, 'limit' | 'offset'>,
  cap: number = MAX_SEARCH_RESULTS,
): Promise<number> {
  return inSearchTx(q, async (tx) => {
    const { where, params } = searchWhere(storeId, filter);
    params.push(cap);
    const { rows } = await tx.query<{ n: number }>(
      `SELECT count(*)::integer AS n
         FROM (SELECT 1 FROM products p WHERE ${where.join(' AND ')} LIMIT $${params.length}) m`,
      params,
    );
    return rows[0]?.n ?? 0;
  });
}

/**
 * The products of one store matching `text`, best first: a name match beats a search-term match beats a description
 * match (×0.8); ties newest first. Candidates come from
 * products_store_search_trgm_idx (migration 130 explains the plan): trigram word similarity OR substring.
 */
export async function searchProductRows(
  q: Queryable | Db,
  storeId: string,
  filter: SearchFilter,
): Promise<SearchRow[]> {
  return inSearchTx(q, async (tx) => {
    const { where, params } = searchWhere(storeId, filter);
    params.push(filter.limit, filter.offset ?? 0);
    const { rows } = await tx.query<SearchRow>(
      `SELECT ${PRODUCT_COLUMNS}, s.score
         FROM products p
         CROSS JOIN LATERAL (SELECT GREATEST(
             word_similarity($2, search_skeleton(p.name)),
             word_similarity($2, search_skeleton(array_to_string(p.search_terms, ' '))),
             0.8 * word_similarity($2, search_skeleton(p.description)))::float8 AS score) s
        WHERE ${where.join(' AND ')}
        ORDER BY s.score DESC, p.id DESC
        LIMIT $${params.length - 1} OFFSET $${params.length}`,
      params,
    );
    return rows;
  });
}
