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
// What an order brought in: what it cost its customer, its total less what a goodwill refund waived (customerCost
// in orders/payment-status.ts). A refund that was due (an edit lowered the total) is in the total already.
const ORDER_REVENUE = 'greatest(o.total - o.amount_waived, 0)';

/**
 * For the rest of the report's transaction: no JIT. PostgreSQL's default JIT compiled these statements for 3.1-3.5 s
 * of a 4.3 s report at 1M orders (bench/README.md) and never paid that back. Ends with the transaction; PGlite
 * accepts it.
 */
export async function withoutJit(tx: Queryable): Promise<void> {
  await tx.query('SET LOCAL jit = off');
}

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
            coalesce(sum(${ORDER_REVENUE}) FILTER (WHERE ${COUNTED}), 0)::bigint AS revenue,
            count(*) FILTER (WHERE NOT ${COUNTED}) AS cancelled
       FROM orders o
      WHERE ${IN_RANGE}
      GROUP BY 1 ORDER BY 1`,
    [storeId, from, to, timeZone],
  );
  return rows;
}

/**
 * The best `limit` products of the range by revenue and by quantity, from one pass over the range's lines (each
 * list was its own statement before: the same lines read twice). A product renamed within the range goes by the name
 * its latest order there gave it.
 */
export async function topProducts(
  q: Queryable,
  storeId: string,
  from: string,
  to: string,
  timeZone: string,
  limit = 10,
): Promise<{ byRevenue: ProductFigures[]; byQuantity: ProductFigures[] }> {
  const { rows } = await q.query<ProductFigures & { revenueRank: number; quantityRank: number }>(
    `WITH per_product AS (
       SELECT l.product_id, (array_agg(l.name ORDER BY o.created_at DESC, o.id DESC))[1] AS name,
              sum(l.quantity)::bigint AS quantity,
              sum(l.line_total)::bigint AS revenue
         FROM orders o JOIN order_lines l ON l.order_id = o.id AND l.store_id = o.store_id
        WHERE ${IN_RANGE} AND ${COUNTED}
        GROUP BY l.product_id
     ), ranked AS (
       SELECT p.*, row_number() OVER (ORDER BY revenue DESC, quantity DESC, product_id) AS revenue_rank,
              row_number() OVER (ORDER BY quantity DESC, revenue DESC, product_id) AS quantity_rank
         FROM per_product p
     )
     SELECT product_id AS "productId", name, quantity, revenue,
            revenue_rank::int AS "revenueRank", quantity_rank::int AS "quantityRank"
       FROM ranked
      WHERE revenue_rank <= $5 OR quantity_rank <= $5`,
    [storeId, from, to, timeZone, limit],
  );
  const pick = (rank: 'revenueRank' | 'quantityRank'): ProductFigures[] =>
    rows
      .filter((r) => r[rank] <= limit)
      .sort((a, b) => a[rank] - b[rank])
      .map(({ productId, name, quantity, revenue }) => ({ productId, name, quantity, revenue }));
  return { byRevenue: pick('revenueRank'), byQuantity: pick('quantityRank') };
}

/**
 * Customers (by phone) with a counted order in the range: new ones (their first counted order, kept in
 * store_customers by a trigger on orders, is in the range) and returning ones (the others: they ordered before).
 */
export async function customerCounts(
  q: Queryable,
  storeId: string,
  from: string,
  to: string,
  timeZone: string,
): Promise<{ new: number; returning: number }> {
  const { rows } = await q.query<{ new: number; returning: number }>(
    `WITH buyers AS (
       SELECT count(DISTINCT o.customer ->> 'phone') AS n FROM orders o WHERE ${IN_RANGE} AND ${COUNTED}
     ), fresh AS (
       SELECT count(*) AS n FROM store_customers c
        WHERE c.store_id = $1
          AND c.first_order_at >= ($2::date)::timestamp AT TIME ZONE $4
          AND c.first_order_at < ($3::date + 1)::timestamp AT TIME ZONE $4
     )
     SELECT fresh.n AS new, buyers.n - fresh.n AS returning FROM buyers, fresh`,
    [storeId, from, to, timeZone],
  );
  return rows[0] ?? { new: 0, returning: 0 };
}

export interface ExportOrder {
  id: string;
  number: number;
  /** `YYYY-MM-DD HH:MM` in the store's time zone. */
  placedAt: string;
  /**
   * `created_at` as PostgreSQL writes it, to the microsecond: the export's keyset. A JS Date keeps milliseconds
   * only, and a cursor cut to them sits before its own row, so the page's last orders came again on the next page.
   */
  createdAtKey: string;
  status: string;
  paymentStatus: string;
  paymentMethod: string;
  fulfillment: string;
  source: string;
  customer: {
    name: string;
    phone: string;
    address: { line1: string; line2?: string | null; city: string; pincode: string } | null;
  };
  note: string | null;
  couponCode: string | null;
  subtotal: number;
  discount: number;
  deliveryFee: number;
  total: number;
  amountPaid: number;
}

export interface ExportLine {
  orderId: string;
  name: string;
  variantName: string;
  hsn: string | null;
  unitPrice: number;
  quantity: number;
  lineTotal: number;
}

/**
 * One page of the range's orders, oldest first, after the keyset (created_at, id) of the previous page's last
 * order (`createdAtKey`, exact to the microsecond).
 */
export async function exportOrderPage(
  q: Queryable,
  storeId: string,
  from: string,
  to: string,
  timeZone: string,
  after: { createdAtKey: string; id: string } | null,
  limit: number,
): Promise<ExportOrder[]> {
  const { rows } = await q.query<ExportOrder>(
    `SELECT o.id, o.number, to_char(o.created_at AT TIME ZONE $4, 'YYYY-MM-DD HH24:MI') AS "placedAt",
            o.created_at::text AS "createdAtKey", o.status, o.payment_status AS "paymentStatus",
            o.payment_method AS "paymentMethod", o.fulfillment, o.source, o.customer, o.note,
            o.coupon_code AS "couponCode", o.subtotal, o.discount, o.delivery_fee AS "deliveryFee", o.total,
            o.amount_paid AS "amountPaid"
       FROM orders o
      WHERE ${IN_RANGE}
        AND ($5::timestamptz IS NULL OR (o.created_at, o.id) > ($5::timestamptz, $6::uuid))
      ORDER BY o.created_at, o.id
      LIMIT $7`,
    [storeId, from, to, timeZone, after?.createdAtKey ?? null, after?.id ?? null, limit],
  );
  return rows;
}

export async function exportOrderLines(
  q: Queryable,
  storeId: string,
  orderIds: readonly string[],
): Promise<ExportLine[]> {
  if (!orderIds.length) return [];
  const { rows } = await q.query<ExportLine>(
    `SELECT l.order_id AS "orderId", l.name, l.variant_name AS "variantName", p.hsn,
            l.unit_price AS "unitPrice", l.quantity, l.line_total AS "lineTotal"
       FROM order_lines l JOIN products p ON p.id = l.product_id
      WHERE l.order_id = ANY($1::uuid[]) AND l.store_id = $2
      ORDER BY l.order_id, l.position, l.variant_id`,
    [orderIds, storeId],
  );
  return rows;
}
