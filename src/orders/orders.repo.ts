import type { Queryable } from '../db/db.js';
import { AppError, notFound } from '../shared/errors.js';
import { isUuid, newId } from '../shared/ids.js';
import type { StoreRow } from '../stores/stores.service.js';
import type { PaymentStatus } from '../payments/status.js';
import type { Actor, OrderStatus } from './status.js';

/** SQL for orders, their lines and history. Services own the transactions and call these with their `tx`. */

export interface StoredAddress {
  line1: string;
  line2: string | null;
  city: string;
  pincode: string;
}

export interface StoredCustomer {
  name: string;
  phone: string;
  address: StoredAddress | null;
}

/** The pricing an order was placed under; see migration 030. */
export interface BillRules {
  coupon: { type: 'percent' | 'flat'; value: number; minOrder: number | null; maxDiscount: number | null } | null;
  deliveryFee: number;
  freeAbove: number | null;
  minOrder: number | null;
}

export type Fulfillment = 'delivery' | 'pickup';

export interface OrderRow {
  id: string;
  store_id: string;
  number: number;
  status: OrderStatus;
  payment_status: PaymentStatus;
  payment_method: string;
  fulfillment: Fulfillment;
  subtotal: number;
  discount: number;
  delivery_fee: number;
  total: number;
  amount_paid: number;
  coupon_id: string | null;
  coupon_code: string | null;
  customer: StoredCustomer;
  note: string | null;
  tracking_token: string;
  checkout_key: string | null;
  bill_rules: BillRules | null;
  seen_at: Date | null;
  created_at: Date;
}

export interface OrderLineRow {
  order_id: string;
  variant_id: string;
  product_id: string;
  name: string;
  variant_name: string;
  unit_price: number;
  quantity: number;
  line_total: number;
  position: number;
}

export interface HistoryRow {
  order_id: string;
  status: string;
  note: string | null;
  actor: Actor;
  at: Date;
}

export const ORDER_COLUMNS =
  'id, store_id, number, status, payment_status, payment_method, fulfillment, subtotal, discount, delivery_fee, total, amount_paid, coupon_id, coupon_code, customer, note, tracking_token, checkout_key, bill_rules, seen_at, created_at';

/** How a request names an order: the customer by tracking token, the merchant by store and id. */
export type OrderRef = { by: 'token'; trackingToken: string } | { by: 'store'; storeId: string; orderId: string };

function parseJson<T>(value: T | string): T {
  return typeof value === 'string' ? (JSON.parse(value) as T) : value;
}

function normalise(row: OrderRow): OrderRow {
  return { ...row, customer: parseJson(row.customer), bill_rules: row.bill_rules === null ? null : parseJson(row.bill_rules) };
}

/** The order a ref names, optionally locked FOR UPDATE; 404 not_found when there is none (or the ref is malformed). */
export async function findOrder(q: Queryable, ref: OrderRef, opts: { lock?: boolean } = {}): Promise<OrderRow> {
  const lock = opts.lock ? ' FOR UPDATE' : '';
  let rows: OrderRow[] = [];
  if (ref.by === 'token') {
    if (isUuid(ref.trackingToken)) rows = (await q.query<OrderRow>(`SELECT ${ORDER_COLUMNS} FROM orders WHERE tracking_token = $1${lock}`, [ref.trackingToken])).rows;
  } else if (isUuid(ref.storeId) && isUuid(ref.orderId)) {
    rows = (await q.query<OrderRow>(`SELECT ${ORDER_COLUMNS} FROM orders WHERE id = $1 AND store_id = $2${lock}`, [ref.orderId, ref.storeId])).rows;
  }
  if (!rows[0]) throw notFound('Order not found');
  return normalise(rows[0]);
}

export async function findOrderById(q: Queryable, orderId: string): Promise<OrderRow> {
  const { rows } = await q.query<OrderRow>(`SELECT ${ORDER_COLUMNS} FROM orders WHERE id = $1`, [orderId]);
  if (!rows[0]) throw notFound('Order not found');
  return normalise(rows[0]);
}

export async function orderLines(q: Queryable, orderIds: readonly string[]): Promise<OrderLineRow[]> {
  if (orderIds.length === 0) return [];
  const { rows } = await q.query<OrderLineRow>(
    `SELECT order_id, variant_id, product_id, name, variant_name, unit_price, quantity, line_total, position
       FROM order_lines WHERE order_id = ANY($1::uuid[]) ORDER BY order_id, position, variant_id`,
    [orderIds],
  );
  return rows;
}

export async function orderHistory(q: Queryable, orderIds: readonly string[]): Promise<HistoryRow[]> {
  if (orderIds.length === 0) return [];
  const { rows } = await q.query<HistoryRow>(`SELECT order_id, status, note, actor, at FROM order_history WHERE order_id = ANY($1::uuid[]) ORDER BY order_id, at, id`, [orderIds]);
  return rows;
}

export interface NewOrder {
  id: string;
  storeId: string;
  number: number;
  paymentMethod: string;
  fulfillment: Fulfillment;
  subtotal: number;
  discount: number;
  deliveryFee: number;
  total: number;
  couponId: string | null;
  couponCode: string | null;
  customer: StoredCustomer;
  note: string | null;
  trackingToken: string;
  cartId: string | null;
  checkoutKey: string | null;
  billRules: BillRules;
}

export interface NewOrderLine {
  variantId: string;
  productId: string;
  name: string;
  variantName: string;
  unitPrice: number;
  quantity: number;
}

function lineValues(params: unknown[], orderParam: string, lines: readonly NewOrderLine[]): string {
  return lines
    .map((l, i) => {
      params.push(l.variantId, l.productId, l.name, l.variantName, l.unitPrice, l.quantity, l.unitPrice * l.quantity, i);
      const b = params.length - 8;
      return `(${orderParam}, $${b + 1}, $${b + 2}, $${b + 3}, $${b + 4}, $${b + 5}, $${b + 6}, $${b + 7}, $${b + 8})`;
    })
    .join(', ');
}

/**
 * Writes a new order in ONE statement: the order, its frozen lines, the first history entry, the cart marked
 * ordered and the outbox message. Checkout calls it while holding the hot stock and order-number locks, so the
 * fewer round trips here, the shorter every other customer waits. Answers the database's timestamps.
 */
export async function insertPlacedOrder(
  q: Queryable,
  o: NewOrder,
  lines: readonly NewOrderLine[],
  message: { id: string; topic: string; recipient: string; payload: string } | null,
): Promise<{ createdAt: Date; placedAt: Date }> {
  const params: unknown[] = [
    o.id, o.storeId, o.number, o.paymentMethod, o.fulfillment, o.subtotal, o.discount, o.deliveryFee, o.total, o.couponId, o.couponCode,
    JSON.stringify(o.customer), o.note, o.trackingToken, o.cartId, o.checkoutKey, JSON.stringify(o.billRules), newId(),
  ];
  const values = lineValues(params, '$1', lines);
  let outbox = '';
  if (message) {
    params.push(message.id, message.topic, message.recipient, message.payload);
    const b = params.length - 4;
    outbox = `, m AS (INSERT INTO outbox (id, topic, recipient, payload) VALUES ($${b + 1}, $${b + 2}, $${b + 3}, $${b + 4}))`;
  }
  const { rows } = await q.query<{ created_at: Date; at: Date }>(
    `WITH o AS (
       INSERT INTO orders (id, store_id, number, status, payment_method, fulfillment, subtotal, discount, delivery_fee, total,
                           coupon_id, coupon_code, customer, note, tracking_token, cart_id, checkout_key, bill_rules)
       VALUES ($1, $2, $3, 'placed', $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)
       RETURNING created_at),
     l AS (INSERT INTO order_lines (order_id, variant_id, product_id, name, variant_name, unit_price, quantity, line_total, position) VALUES ${values}),
     h AS (INSERT INTO order_history (id, order_id, status, actor) VALUES ($18, $1, 'placed', 'customer') RETURNING at),
     c AS (UPDATE carts SET order_id = $1, fulfillment = $5, updated_at = now() WHERE id = $15)${outbox}
     SELECT o.created_at, h.at FROM o, h`,
    params,
  );
  return { createdAt: rows[0]!.created_at, placedAt: rows[0]!.at };
}

/** Replaces an order's lines (in the given order) with one multi-row INSERT. */
export async function writeOrderLines(q: Queryable, orderId: string, lines: readonly NewOrderLine[], opts: { replace?: boolean } = {}): Promise<void> {
  if (opts.replace) await q.query(`DELETE FROM order_lines WHERE order_id = $1`, [orderId]);
  if (lines.length === 0) return;
  const params: unknown[] = [orderId];
  const values = lineValues(params, '$1', lines);
  await q.query(`INSERT INTO order_lines (order_id, variant_id, product_id, name, variant_name, unit_price, quantity, line_total, position) VALUES ${values}`, params);
}

export async function addHistory(q: Queryable, orderId: string, status: string, actor: Actor, note: string | null = null): Promise<void> {
  await q.query(`INSERT INTO order_history (id, order_id, status, note, actor) VALUES ($1, $2, $3, $4, $5)`, [newId(), orderId, status, note, actor]);
}

/** The next per-store order number. The stores row lock this takes is the last step of a checkout: held briefly. */
export async function nextOrderNumber(q: Queryable, storeId: string): Promise<number> {
  const { rows } = await q.query<{ number: number }>(`UPDATE stores SET next_order_number = next_order_number + 1 WHERE id = $1 RETURNING next_order_number - 1 AS number`, [storeId]);
  if (!rows[0]) throw notFound('Store not found');
  return rows[0].number;
}

/** SQL expression: where the store `alias` wants to hear about orders — its WhatsApp number, else its owner's phone. */
export const storeRecipientSql = (alias: string) =>
  `coalesce(${alias}.whatsapp, (SELECT m.phone FROM store_members sm JOIN merchants m ON m.id = sm.merchant_id
                                 WHERE sm.store_id = ${alias}.id ORDER BY (sm.role = 'owner') DESC, sm.created_at LIMIT 1))`;

/** Where the store wants to hear about orders: its WhatsApp number, else its owner's phone. */
export async function storeRecipient(q: Queryable, store: Pick<StoreRow, 'id' | 'whatsapp'>): Promise<string | null> {
  if (store.whatsapp) return store.whatsapp;
  const { rows } = await q.query<{ phone: string | null }>(`SELECT ${storeRecipientSql('s')} AS phone FROM stores s WHERE s.id = $1`, [store.id]);
  return rows[0]?.phone ?? null;
}

export function invalidTransition(message: string): AppError {
  return new AppError(409, 'invalid_transition', message);
}

/** The tracking token of the order a cart became (a second "Place order" press lands on that order). */
export async function orderTokenForCart(q: Queryable, storeId: string, cartId: string): Promise<string | null> {
  if (!isUuid(cartId)) return null;
  const { rows } = await q.query<{ tracking_token: string }>(
    `SELECT o.tracking_token FROM carts c JOIN orders o ON o.id = c.order_id WHERE c.id = $1 AND c.store_id = $2 AND o.store_id = $2`,
    [cartId, storeId],
  );
  return rows[0]?.tracking_token ?? null;
}
