/** SQL of a bill: the order (by its tracking token), its store, and its lines with each product's HSN code. */
import type { Queryable } from '../db/db.js';
import type { OrderStatus } from '../orders/status.js';

export interface BillOrderRow {
  id: string;
  storeId: string;
  number: number;
  status: OrderStatus;
  paymentStatus: string;
  paymentMethod: string;
  fulfillment: string;
  subtotal: number;
  discount: number;
  deliveryFee: number;
  total: number;
  amountPaid: number;
  amountRefunded: number;
  amountWaived: number;
  couponCode: string | null;
  customer:
    | {
        name: string;
        phone: string;
        address: { line1: string; line2?: string | null; city: string; pincode: string } | null;
      }
    | string;
  lang: string;
  createdAt: Date;
  storeName: string;
  storeSlug: string;
  storeWhatsapp: string | null;
  currency: string;
  gstin: string | null;
}

export interface BillLineRow {
  name: string;
  variantName: string;
  hsn: string | null;
  unitPrice: number;
  quantity: number;
  lineTotal: number;
}

export async function findBillOrder(q: Queryable, trackingToken: string): Promise<BillOrderRow | null> {
  const { rows } = await q.query<BillOrderRow>(
    `SELECT o.id, o.store_id AS "storeId", o.number, o.status, o.payment_status AS "paymentStatus",
            o.payment_method AS "paymentMethod",
            o.fulfillment, o.subtotal, o.discount, o.delivery_fee AS "deliveryFee", o.total,
            o.amount_paid AS "amountPaid", o.amount_refunded AS "amountRefunded", o.amount_waived AS "amountWaived",
            o.coupon_code AS "couponCode", o.customer, o.lang,
            o.created_at AS "createdAt", s.name AS "storeName", s.slug AS "storeSlug",
            s.whatsapp AS "storeWhatsapp", s.currency, s.gstin
       FROM orders o JOIN stores s ON s.id = o.store_id
      WHERE o.tracking_token = $1`,
    [trackingToken],
  );
  return rows[0] ?? null;
}

export async function billLines(q: Queryable, storeId: string, orderId: string): Promise<BillLineRow[]> {
  const { rows } = await q.query<BillLineRow>(
    `SELECT l.name, l.variant_name AS "variantName", p.hsn, l.unit_price AS "unitPrice", l.quantity,
            l.line_total AS "lineTotal"
       FROM order_lines l JOIN products p ON p.id = l.product_id
      WHERE l.order_id = $1 AND l.store_id = $2
      ORDER BY l.position, l.variant_id`,
    [orderId, storeId],
  );
  return rows;
}
