/** SQL of products and variants shared by other domains' repositories. */

/**
 * SQL: a variant the storefront sells — it and its product live (not archived) and the product active. Over the
 * aliases `v` (variants) and `p` (products).
 */
export const SELLABLE_SQL = '(v.archived_at IS NULL AND p.archived_at IS NULL AND p.is_active)';
