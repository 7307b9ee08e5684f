/** SQL of the dashboard's live orders list: the newest order and the newest change of each watched store. */
import type { Queryable } from '../db/db.js';

export interface StoreOrderMark {
  storeId: string;
  /** The highest order number; 0 when the store has no order yet. */
  lastNumber: number;
  /** The latest `orders.updated_at` as PostgreSQL prints it (full precision); '' when none. */
  lastChange: string;
}

/** One statement for every watched store: two index lookups each (orders_store_id_number_key, …_updated_idx). */
export async function storeOrderMarks(q: Queryable, storeIds: readonly string[]): Promise<StoreOrderMark[]> {
  if (storeIds.length === 0) return [];
  const { rows } = await q.query<{ store_id: string; last_number: number | null; last_change: string | null }>(
    `SELECT s.id AS store_id,
            (SELECT o.number FROM orders o WHERE o.store_id = s.id ORDER BY o.number DESC LIMIT 1) AS last_number,
            (SELECT max(o.updated_at) FROM orders o WHERE o.store_id = s.id)::text AS last_change
       FROM unnest($1::uuid[]) AS s(id)`,
    [storeIds],
  );
  return rows.map((r) => ({ storeId: r.store_id, lastNumber: r.last_number ?? 0, lastChange: r.last_change ?? '' }));
}
