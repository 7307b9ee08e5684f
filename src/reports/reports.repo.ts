/** SQL of the sales report: a store's orders in a date range of its time zone (index orders_store_created_idx). */
import type { Queryable } from '../db/db.js';
import type { DayAggregate } from './sales.js';

export interface ProductFigures {
  productId: string;
  name: string;
  quantity: number;
  revenue: number;
}

// Orders created from the start of `from` to the end of `to`, both local dates in time zone $4.
const IN_RANGE = `o.store_id = $1
  AND o.created_at >= ($2::date)::timestamp AT TIME ZONE $4
  AND o.created_at < ($3::date + 1)::timestamp AT TIME ZONE $4`;
const COUNTED = `o.status NOT IN ('rejected', 'cancelled')`;

export async function salesByDay(
  q: Queryable,
  storeId: string,
  from: string,
  to: string,
  timeZone: string,
): Promise<DayAggregate[]> {
  const { rows } = await q.query<DayAggregate>(
    `SELECT to_char((o.created_at AT TIME ZONE $4)::date, 'YYYY-MM-DD') AS date,
            count(*) FILTER (WHERE ${COUNTED}) AS orders,
            coalesce(sum(o.total) FILTER (WHERE ${COUNTED}), 0)::bigint AS revenue,
            count(*) FILTER (WHERE NOT ${COUNTED}) AS cancelled
       FROM orders o
      WHERE ${IN_RANGE}
      GROUP BY 1 ORDER BY 1`,
    [storeId, from, to, timeZone],
  );
  return rows;
}

/** The best `limit` products of the range by revenue, or by quantity. */
export async function topProducts(
  q: Queryable,
  storeId: string,
  from: string,
  to: string,
  timeZone: string,
  by: 'revenue' | 'quantity',
  limit = 10,
): Promise<ProductFigures[]> {
  const order = by === 'revenue' ? 'revenue DESC, quantity DESC' : 'quantity DESC, revenue DESC';
  const { rows } = await q.query<ProductFigures>(
    `SELECT l.product_id AS "productId", max(l.name) AS name,
            sum(l.quantity)::bigint AS quantity, sum(l.line_total)::bigint AS revenue
       FROM orders o JOIN order_lines l ON l.order_id = o.id
      WHERE ${IN_RANGE} AND ${COUNTED}
      GROUP BY l.product_id
      ORDER BY ${order}, l.product_id
      LIMIT $5`,
    [storeId, from, to, timeZone, limit],
  );
  return rows;
}

/** Customers (by phone) with a counted order in the range: new ones, and those who had ordered before it. */
export async function customerCounts(
  q: Queryable,
  storeId: string,
  from: string,
  to: string,
  timeZone: string,
): Promise<{ new: number; returning: number }> {
  const { rows } = await q.query<{ new: number; returning: number }>(
    `WITH buyers AS (
       SELECT DISTINCT o.customer ->> 'phone' AS phone FROM orders o WHERE ${IN_RANGE} AND ${COUNTED}
     )
     SELECT count(*) FILTER (WHERE NOT earlier) AS new, count(*) FILTER (WHERE earlier) AS returning
       FROM (
         SELECT EXISTS (
                  SELECT 1 FROM orders p
                   WHERE p.store_id = $1 AND p.customer ->> 'phone' = b.phone
                     AND p.created_at < ($2::date)::timestamp AT TIME ZONE $4
                     AND p.status NOT IN ('rejected', 'cancelled')
                ) AS earlier
           FROM buyers b
       ) x`,
    [storeId, from, to, timeZone],
  );
  return rows[0] ?? { new: 0, returning: 0 };
}
