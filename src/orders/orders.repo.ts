import { againOnDeadlock, type Queryable } from '../db/db.js';
import { KeptTexts, SqlParams } from '../db/params.js';
import { AppError, notFound } from '../shared/errors.js';
import { isUuid, newId } from '../shared/ids.js';
import type { StoreRow } from '../stores/stores.repo.js';
import type { PaymentStatus } from './payment-status.js';
import type { Actor, OrderStatus } from './status.js';
import { takeStockCtes } from '../inventory/stock.repo.js';
import { COUPON_HAS_USE_LEFT } from '../coupons/coupons.repo.js';
import { CART_STAMP_SQL } from '../cart/cart.repo.js';
import { SELLABLE_SQL } from '../catalog/catalog.repo.js';

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
  /** false: the customer asked for no WhatsApp messages about this order (absent on older orders = yes) */
  whatsappUpdates?: boolean;
}

/** The pricing an order was placed under; see migration 030. */
export interface BillRules {
  coupon: { type: 'percent' | 'flat'; value: number; minOrder: number | null; maxDiscount: number | null } | null;
  deliveryFee: number;
  freeAbove: number | null;
  minOrder: number | null;
}

export type { Fulfillment } from '../cart/cart.schema.js';
import type { Fulfillment } from '../cart/cart.schema.js';

/** Where an order was placed: the storefront pages, the JSON API, or a WhatsApp chat (src/whatsapp). */
export type OrderSource = 'web' | 'api' | 'whatsapp';

export interface OrderRow {
  id: string;
  source: OrderSource;
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
  /** refunds given back so far (migration 082); amount_paid is what the store still holds */
  amount_refunded: number;
  /** what refunds beyond what was due took off what the customer owes, for good (migration 192) */
  amount_waived: number;
  coupon_id: string | null;
  coupon_code: string | null;
  customer: StoredCustomer;
  note: string | null;
  tracking_token: string;
  checkout_key: string | null;
  bill_rules: BillRules;
  seen_at: Date | null;
  created_at: Date;
  /** the language the customer ordered in; their messages use it (migration 071) */
  lang: string;
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
  /** the amount of a payment action (paid, refunded, proof_submitted), minor units */
  amount: number | null;
}

/** One money entry of an order (migration 082). */
export interface PaymentEntryRow {
  order_id: string;
  kind: 'payment' | 'refund';
  amount: number;
  reference: string | null;
  at: Date;
}

/** The newest payment proof of an order: the total it was sent for and the UPI reference typed with it. */
export interface ProofSummaryRow {
  order_id: string;
  order_total: number | null;
  reference: string | null;
  created_at: Date;
}

export const ORDER_COLUMNS =
  'id, store_id, number, status, payment_status, payment_method, fulfillment, subtotal, discount, delivery_fee, total, amount_paid, coupon_id, coupon_code, customer, note, tracking_token, checkout_key, bill_rules, seen_at, created_at' +
  ', lang, source, amount_refunded, amount_waived';

/** How a request names an order: the customer by tracking token, the merchant by store and id. */
export type OrderRef = { by: 'token'; trackingToken: string } | { by: 'store'; storeId: string; orderId: string };

function parseJson<T>(value: T | string): T {
  return typeof value === 'string' ? (JSON.parse(value) as T) : value;
}

function normalise(row: OrderRow): OrderRow {
  return {
    ...row,
    customer: parseJson(row.customer),
    bill_rules: parseJson(row.bill_rules),
  };
}

/** The order a ref names, optionally locked FOR UPDATE; 404 not_found when there is none (or the ref is malformed). */
export async function findOrder(q: Queryable, ref: OrderRef, opts: { lock?: boolean } = {}): Promise<OrderRow> {
  const lock = opts.lock ? ' FOR UPDATE' : '';
  let rows: OrderRow[] = [];
  if (ref.by === 'token') {
    if (isUuid(ref.trackingToken))
      rows = (
        await q.query<OrderRow>(`SELECT ${ORDER_COLUMNS} FROM orders WHERE tracking_token = $1${lock}`, [
          ref.trackingToken,
        ])
      ).rows;
  } else if (isUuid(ref.storeId) && isUuid(ref.orderId)) {
    rows = (
      await q.query<OrderRow>(`SELECT ${ORDER_COLUMNS} FROM orders WHERE id = $1 AND store_id = $2${lock}`, [
        ref.orderId,
        ref.storeId,
      ])
    ).rows;
  }
  if (!rows[0]) throw notFound('Order not found');
  return normalise(rows[0]);
}

export async function findOrderById(q: Queryable, orderId: string): Promise<OrderRow> {
  const { rows } = await q.query<OrderRow>(`SELECT ${ORDER_COLUMNS} FROM orders WHERE id = $1`, [orderId]);
  if (!rows[0]) throw notFound('Order not found');
  return normalise(rows[0]);
}

export async function orderLines(q: Queryable, storeId: string, orderIds: readonly string[]): Promise<OrderLineRow[]> {
  if (orderIds.length === 0) return [];
  const { rows } = await q.query<OrderLineRow>(
    `SELECT order_id, variant_id, product_id, name, variant_name, unit_price, quantity, line_total, position
       FROM order_lines WHERE order_id = ANY($1::uuid[]) AND store_id = $2 ORDER BY order_id, position, variant_id`,
    [orderIds, storeId],
  );
  return rows;
}

export async function orderHistory(q: Queryable, storeId: string, orderIds: readonly string[]): Promise<HistoryRow[]> {
  if (orderIds.length === 0) return [];
  const { rows } = await q.query<HistoryRow>(
    `SELECT order_id, status, note, actor, at, amount FROM order_history
      WHERE order_id = ANY($1::uuid[]) AND store_id = $2 ORDER BY order_id, at, id`,
    [orderIds, storeId],
  );
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
  lang: string;
  /** default 'web' */
  source?: OrderSource;
}

export interface NewOrderLine {
  variantId: string;
  productId: string;
  name: string;
  variantName: string;
  unitPrice: number;
  quantity: number;
}

/**
 * INSERT of an order's lines, bound as six arrays (one text for any number of lines, so it stays prepared): line
 * totals are price × quantity, positions the array order. `from` adds a relation the insert depends on
 * (`placed_order, ` in placeOrder: no order, no lines).
 */
function insertOrderLinesSql(
  p: SqlParams,
  orderId: string,
  storeId: string,
  lines: readonly NewOrderLine[],
  from = '',
): string {
  const variantIds = p.add(
    lines.map((l) => l.variantId),
    'uuid[]',
  );
  const productIds = p.add(
    lines.map((l) => l.productId),
    'uuid[]',
  );
  const names = p.add(
    lines.map((l) => l.name),
    'text[]',
  );
  const variantNames = p.add(
    lines.map((l) => l.variantName),
    'text[]',
  );
  const prices = p.add(
    lines.map((l) => l.unitPrice),
    'bigint[]',
  );
  const quantities = p.add(
    lines.map((l) => l.quantity),
    'int[]',
  );
  return `INSERT INTO order_lines (order_id, store_id, variant_id, product_id, name, variant_name, unit_price, quantity,
                                   line_total, position)
           SELECT ${orderId}, ${storeId}, x.variant_id, x.product_id, x.name, x.variant_name, x.unit_price, x.quantity,
                  x.unit_price * x.quantity, x.ord - 1
             FROM ${from}unnest(${variantIds}, ${productIds}, ${names}, ${variantNames}, ${prices}, ${quantities})
                  WITH ORDINALITY AS x(variant_id, product_id, name, variant_name, unit_price, quantity, ord)`;
}

/** A checkout's order before the database numbers it. */
export type UnnumberedOrder = Omit<NewOrder, 'number'>;

/** The store's message about a new order, split where the order number goes (known only inside the statement). */
export interface PlacedOrderMessage {
  id: string;
  topic: string;
  recipient: string;
  textBeforeNumber: string;
  textAfterNumber: string;
  data: Record<string, unknown>;
}

/**
 * The stored answer of a keyed checkout is written by the order's own statement, before the database has given the
 * order its number and times: the caller serializes the answer with these in their place and the statement puts
 * the real ones in. Each appears in a JSON answer only where the caller put it (the caller checks that the
 * customer's own text does not contain one).
 */
export const ANSWER_SLOTS = {
  number: 9007199254740991, // Number.MAX_SAFE_INTEGER: longer than a phone number or any UUID part
  createdAt: new Date(0),
  placedAt: new Date(1),
} as const;

/** The slots as a serialized answer holds them: the JSON number, then the two times as JSON strings. */
export const ANSWER_SLOT_TEXTS = [
  String(ANSWER_SLOTS.number),
  JSON.stringify(ANSWER_SLOTS.createdAt),
  JSON.stringify(ANSWER_SLOTS.placedAt),
] as const;

/**
 * SQL: the answer `answer` (an SQL expression) with the order's number and times in its slots, the times as
 * Date#toJSON writes them (UTC, milliseconds), so the text is what serializing the numbered order would give.
 */
export function fillAnswerSlotsSql(
  answer: string,
  at: { number: string; createdAt: string; placedAt: string },
): string {
  const json = (column: string) =>
    `'"' || to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') || '"'`;
  const [number, createdAt, placedAt] = ANSWER_SLOT_TEXTS;
  return `replace(replace(replace(${answer}, '${number}', ${at.number}::text),
                 '${createdAt}', ${json(at.createdAt)}), '${placedAt}', ${json(at.placedAt)})`;
}

/** The Idempotency-Key's record a checkout writes in its order's statement; `answer` has ANSWER_SLOTS in it. */
export interface PlacedOrderRecord {
  scope: string;
  key: string;
  requestHash: string;
  answer?: string | null;
}

export type PlaceOrderResult =
  | {
      placed: true;
      number: number;
      createdAt: Date;
      placedAt: Date;
      /** the stored answer with the order's number and times in it; null when none was given or stored */
      answer: string | null;
    }
  /** Nothing was changed. `cartCurrent` false: the cart was ordered or changed since `cartStamp` was read. */
  | {
      placed: false;
      shortages: { variantId: string; requested: number; available: number }[];
      cartCurrent: boolean;
      couponUsable: boolean;
    };

/** placeOrder's text: the same for every order (every list an array parameter), built once. */
const placeOrderTexts = new KeptTexts();

/**
 * Places an order in ONE autocommit statement, which is the whole contended part of a checkout. It locks, in this
 * order (the order every other writer uses): the lines' variants by id (`takeStockCtes`), the cart — still open and
 * unchanged since `cartStamp` — and the coupon, if any, with a use left. Only when all of that holds does it count
 * the coupon's use, take the store's next order number (its counter row is locked last), write the order, its frozen
 * lines, the first history entry, the cart's mark and the message to the store, and take the stock. Otherwise it
 * changes nothing and says why.
 *
 * Not in an explicit transaction: the database commits as the statement ends, so the hot rows (a flash-sale
 * variant, the store's order counter) stay locked for one statement and its WAL flush — no client round trip.
 * With BEGIN … COMMIT each step was a round trip while the locks were held, which capped a store at ~100
 * checkouts/s. Every list is an array parameter, so the text is the same for every cart (plan cached).
 *
 * PostgreSQL can still pick it as a deadlock's victim, with no lock order of ours at fault: it locks the variants'
 * newest row versions, then its stock UPDATE meets the version its snapshot saw and walks the update chain to the
 * newest again, asking for the old version's tuple lock — which a second placement holds while it waits for this one
 * (it waited on the old version's locker group, a stock change plus a cart line's foreign-key lock, and then follows
 * the chain). The detector ends one after deadlock_timeout; as it wrote nothing, it runs again. So `q` runs it as
 * a statement of its own (a pool or a session), never as a part of a caller's transaction.
 */
export async function placeOrder(
  q: Queryable,
  o: UnnumberedOrder,
  cartStamp: number,
  lines: readonly NewOrderLine[],
  stockMoves: readonly { variantId: string; quantity: number }[],
  message: PlacedOrderMessage | null,
  customerMessage: PlacedOrderMessage | null = null,
  /** The Idempotency-Key's record, written in this statement when the order is (one durable commit for both). */
  idempotency: PlacedOrderRecord | null = null,
): Promise<PlaceOrderResult> {
  if (!o.cartId) throw new Error('placeOrder needs the cart it orders');
  const moves = stockMoves.filter((m) => m.quantity > 0);
  const p = new SqlParams();
  const orderId = p.add(o.id, 'uuid');
  const storeId = p.add(o.storeId, 'uuid');
  const cartId = p.add(o.cartId, 'uuid');
  const couponId = p.add(o.couponId, 'uuid');
  const fulfillment = p.add(o.fulfillment, 'text');
  const stock = takeStockCtes({
    storeId,
    variantIds: p.add(
      moves.map((m) => m.variantId),
      'uuid[]',
    ),
    quantities: p.add(
      moves.map((m) => m.quantity),
      'int[]',
    ),
    when: 'EXISTS (SELECT 1 FROM placed_order)',
  });
  const cartStampNow = `${CART_STAMP_SQL('carts')} = ${p.add(cartStamp, 'bigint')}`;
  const orderValues = [
    orderId,
    storeId,
    'numbered.number',
    "'placed'",
    p.add(o.paymentMethod, 'text'),
    fulfillment,
    p.add(o.subtotal, 'bigint'),
    p.add(o.discount, 'bigint'),
    p.add(o.deliveryFee, 'bigint'),
    p.add(o.total, 'bigint'),
    couponId,
    p.add(o.couponCode, 'text'),
    p.add(JSON.stringify(o.customer), 'jsonb'),
    p.add(o.note, 'text'),
    p.add(o.trackingToken, 'uuid'),
    cartId,
    p.add(o.checkoutKey, 'text'),
    p.add(JSON.stringify(o.billRules), 'jsonb'),
    p.add(o.lang, 'text'),
    p.add(o.source ?? 'web', 'text'),
  ].join(', ');
  const linesSql = insertOrderLinesSql(p, orderId, storeId, lines, 'placed_order, ');
  // The audience (the store's own number or the customer) is what the daily message caps count by (migration 083).
  const messageRow = (m: PlacedOrderMessage | null, audience: 'store' | 'customer') =>
    `(${p.add(m?.id ?? null, 'uuid')}, ${p.add(m?.topic ?? null, 'text')}, ${p.add(m?.recipient ?? null, 'text')}, ` +
    `${p.add(m?.textBeforeNumber ?? null, 'text')}, ${p.add(m?.textAfterNumber ?? null, 'text')}, '${audience}')`;
  const storeMessage = messageRow(message, 'store');
  const customerConfirmation = messageRow(customerMessage, 'customer');
  const messageData = p.add(message ? JSON.stringify(message.data) : null, 'jsonb');
  const keyScope = p.add(idempotency?.scope ?? null, 'text');
  const keyName = p.add(idempotency?.key ?? null, 'text');
  const keyRecord = `${keyScope}, ${keyName}, ${p.add(idempotency?.requestHash ?? null, 'text')}`;
  const historyId = p.add(newId(), 'uuid');
  const answer = fillAnswerSlotsSql(p.add(idempotency?.answer ?? null, 'text'), {
    number: 'placed_order.number',
    createdAt: 'placed_order.created_at',
    placedAt: 'first_history.at',
  });

  // The statement is autocommit, so a deadlock's victim wrote nothing and runs again (see the comment above).
  const { rows } = await againOnDeadlock(() =>
    q.query<{
      cart_current: boolean;
      coupon_usable: boolean;
      number: number | null;
      created_at: Date | null;
      at: Date | null;
      short: { id: string; qty: number; available: number }[];
      answer: string | null;
    }>(
      placeOrderTexts.text(
        '',
        `WITH ${stock.lockAndCheck},
     cart_locked AS (SELECT id FROM carts
                      WHERE id = ${cartId} AND store_id = ${storeId} AND order_id IS NULL AND ${cartStampNow}
                        AND NOT EXISTS (SELECT 1 FROM stock_short)
                        FOR UPDATE),
     coupon_locked AS (SELECT id FROM coupons
                        WHERE id = ${couponId} AND store_id = ${storeId} AND ${COUPON_HAS_USE_LEFT}
                          AND EXISTS (SELECT 1 FROM cart_locked)
                          FOR UPDATE),
     checks AS (SELECT EXISTS (SELECT 1 FROM cart_locked)
                       -- A record of this key already (a refusal stored a moment ago): read again, answer as a repeat.
                       AND NOT EXISTS (SELECT 1 FROM idempotency_keys k WHERE k.scope = ${keyScope} AND k.key = ${keyName})
                       AS cart_current,
                       (${couponId} IS NULL OR EXISTS (SELECT 1 FROM coupon_locked)) AS coupon_usable),
     numbered AS (INSERT INTO store_order_counters AS sc (store_id, next_order_number)
                  SELECT ${storeId}, 2 FROM checks WHERE checks.cart_current AND checks.coupon_usable
                  ON CONFLICT (store_id) DO UPDATE SET next_order_number = sc.next_order_number + 1
                  RETURNING sc.next_order_number - 1 AS number),
     placed_order AS (INSERT INTO orders (id, store_id, number, status, payment_method, fulfillment, subtotal, discount,
                                         delivery_fee, total, coupon_id, coupon_code, customer, note, tracking_token,
                                         cart_id, checkout_key, bill_rules, lang, source)
                      SELECT ${orderValues} FROM numbered
                      RETURNING number, created_at),
     ${stock.take},
     coupon_use AS (UPDATE coupons SET used_count = used_count + 1 FROM placed_order WHERE coupons.id = ${couponId}),
     cart_ordered AS (UPDATE carts SET order_id = ${orderId}, fulfillment = ${fulfillment}, updated_at = now()
                        FROM placed_order WHERE carts.id = ${cartId}),
     lines_written AS (${linesSql}),
     first_history AS (INSERT INTO order_history (id, order_id, store_id, status, actor)
                       SELECT ${historyId}, ${orderId}, ${storeId}, 'placed', 'customer' FROM placed_order
                       RETURNING at),
     messages AS (INSERT INTO outbox (id, topic, recipient, payload, audience, store_id)
                  SELECT x.id, x.topic, x.recipient,
                         jsonb_build_object('text', x.before || placed_order.number || x.after, 'data', ${messageData}),
                         x.audience, ${storeId}
                    FROM placed_order, (VALUES ${storeMessage}, ${customerConfirmation})
                         AS x(id, topic, recipient, before, after, audience)
                   WHERE x.recipient IS NOT NULL),
     idempotency_record AS (INSERT INTO idempotency_keys (scope, key, request_hash, state, locked_until,
                                                         response_status, response_type, response_body)
                            SELECT ${keyRecord}, 'done', now(), 201, 'application/json; charset=utf-8', ${answer}
                              FROM placed_order, first_history WHERE ${keyScope} IS NOT NULL
                            ON CONFLICT (scope, key) DO NOTHING
                            RETURNING response_body)
     SELECT checks.cart_current, checks.coupon_usable, placed_order.number, placed_order.created_at,
            first_history.at, (SELECT coalesce(json_agg(s), '[]'::json) FROM stock_short s) AS short,
            (SELECT response_body FROM idempotency_record) AS answer
       FROM checks LEFT JOIN placed_order ON true LEFT JOIN first_history ON true`,
      ),
      p.values,
    ),
  );
  const row = rows[0]!;
  if (row.number === null || row.created_at === null || row.at === null) {
    return {
      placed: false,
      shortages: row.short.map((s) => ({ variantId: s.id, requested: s.qty, available: Math.max(0, s.available) })),
      cartCurrent: row.cart_current,
      couponUsable: row.coupon_usable,
    };
  }
  return { placed: true, number: row.number, createdAt: row.created_at, placedAt: row.at, answer: row.answer };
}

/** Replaces an order's lines (in the given order) with one multi-row INSERT. */
export async function writeOrderLines(
  q: Queryable,
  order: { id: string; storeId: string },
  lines: readonly NewOrderLine[],
  opts: { replace?: boolean } = {},
): Promise<void> {
  if (opts.replace)
    await q.query(`DELETE FROM order_lines WHERE order_id = $1 AND store_id = $2`, [order.id, order.storeId]);
  if (lines.length === 0) return;
  const p = new SqlParams();
  const sql = insertOrderLinesSql(p, p.add(order.id, 'uuid'), p.add(order.storeId, 'uuid'), lines);
  await q.query(sql, p.values);
}

export async function addHistory(
  q: Queryable,
  order: { id: string; storeId: string },
  status: string,
  actor: Actor,
  note: string | null = null,
  amount: number | null = null,
): Promise<void> {
  await q.query(
    `INSERT INTO order_history (id, order_id, store_id, status, note, actor, amount) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
    [newId(), order.id, order.storeId, status, note, actor, amount],
  );
}

export async function insertPaymentEntry(
  q: Queryable,
  e: {
    orderId: string;
    storeId: string;
    kind: 'payment' | 'refund';
    amount: number;
    reference: string | null;
    actor: Actor;
  },
): Promise<void> {
  await q.query(
    `INSERT INTO order_payments (id, order_id, store_id, kind, amount, reference, actor)
     VALUES ($1, $2, $3, $4, $5, $6, $7)`,
    [newId(), e.orderId, e.storeId, e.kind, e.amount, e.reference, e.actor],
  );
}

export async function orderPaymentEntries(
  q: Queryable,
  storeId: string,
  orderIds: readonly string[],
): Promise<PaymentEntryRow[]> {
  if (orderIds.length === 0) return [];
  const { rows } = await q.query<PaymentEntryRow>(
    `SELECT order_id, kind, amount, reference, at FROM order_payments
      WHERE order_id = ANY($1::uuid[]) AND store_id = $2 ORDER BY order_id, at, id`,
    [orderIds, storeId],
  );
  return rows;
}

/** The newest proof of each order. */
export async function latestProofSummaries(
  q: Queryable,
  storeId: string,
  orderIds: readonly string[],
): Promise<ProofSummaryRow[]> {
  if (orderIds.length === 0) return [];
  const { rows } = await q.query<ProofSummaryRow>(
    `SELECT DISTINCT ON (order_id) order_id, order_total, reference, created_at FROM payment_proofs
      WHERE order_id = ANY($1::uuid[]) AND store_id = $2 ORDER BY order_id, created_at DESC, id DESC`,
    [orderIds, storeId],
  );
  return rows;
}

/**
 * SQL expression: where the store `alias` hears about orders — its WhatsApp number once verified (migration 083),
 * else its owner's phone.
 */
export const storeRecipientSql = (alias: string) =>
  `coalesce(CASE WHEN ${alias}.whatsapp_verified_at IS NOT NULL THEN ${alias}.whatsapp END, (SELECT m.phone FROM store_members sm JOIN merchants m ON m.id = sm.merchant_id
                                 WHERE sm.store_id = ${alias}.id ORDER BY (sm.role = 'owner') DESC, sm.created_at LIMIT 1))`;

/** Where the store hears about orders: its WhatsApp number once verified, else its owner's phone. */
export async function storeRecipient(
  q: Queryable,
  store: Pick<StoreRow, 'id' | 'whatsapp' | 'whatsapp_verified_at'>,
): Promise<string | null> {
  if (store.whatsapp && store.whatsapp_verified_at) return store.whatsapp;
  const { rows } = await q.query<{ phone: string | null }>(
    `SELECT ${storeRecipientSql('s')} AS phone FROM stores s WHERE s.id = $1`,
    [store.id],
  );
  return rows[0]?.phone ?? null;
}

export function invalidTransition(message: string): AppError {
  return new AppError('invalid_transition', message);
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

/** The order's payment moves to `proof_submitted` (the caller checked the transition under the row lock). */
export async function markProofSubmitted(q: Queryable, orderId: string): Promise<void> {
  await q.query(`UPDATE orders SET payment_status = 'proof_submitted', updated_at = now() WHERE id = $1`, [orderId]);
}

/** Opening an order in the dashboard marks it seen. */
export async function markOrderSeen(q: Queryable, storeId: string, orderId: string): Promise<void> {
  await q.query(`UPDATE orders SET seen_at = now() WHERE id = $1 AND store_id = $2 AND seen_at IS NULL`, [
    orderId,
    storeId,
  ]);
}

/** New orders: not opened yet, and not already over (a customer who cancels before the owner looks is not news). */
export async function countUnseen(q: Queryable, storeId: string): Promise<number> {
  const { rows } = await q.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM orders
      WHERE store_id = $1 AND seen_at IS NULL AND status NOT IN ('cancelled', 'rejected')`,
    [storeId],
  );
  return rows[0]?.n ?? 0;
}

/** Newest first, keyset on (store_id, number DESC); with `status`, on (store_id, status, number DESC). */
export async function selectOrderPage(
  q: Queryable,
  storeId: string,
  status: OrderStatus | null,
  beforeNumber: number | null,
  limit: number,
): Promise<OrderRow[]> {
  const params: unknown[] = [storeId];
  const where = ['store_id = $1'];
  if (status) {
    params.push(status);
    where.push(`status = $${params.length}`);
  }
  if (beforeNumber !== null) {
    params.push(beforeNumber);
    where.push(`number < $${params.length}`);
  }
  params.push(limit);
  const { rows } = await q.query<OrderRow>(
    `SELECT ${ORDER_COLUMNS} FROM orders WHERE ${where.join(' AND ')} ORDER BY number DESC LIMIT $${params.length}`,
    params,
  );
  return rows;
}

/** Moves the status only while it is one of `from` (of two racing changes one wins); false when it was not. */
export async function moveOrderStatus(
  q: Queryable,
  orderId: string,
  storeId: string,
  to: OrderStatus,
  from: readonly OrderStatus[],
): Promise<boolean> {
  const { rowCount } = await q.query(
    `UPDATE orders SET status = $2, updated_at = now() WHERE id = $1 AND store_id = $4 AND status = ANY($3::text[])`,
    [orderId, to, from, storeId],
  );
  return rowCount === 1;
}

export interface VariantInfo {
  id: string;
  product_id: string;
  product_name: string;
  variant_name: string;
  price: number;
  stock: number | null;
  sellable: boolean;
}

/** The store's variants with these ids, with their product's name and whether they are sold. */
export async function selectVariantsOfStore(
  q: Queryable,
  storeId: string,
  variantIds: readonly string[],
): Promise<VariantInfo[]> {
  const { rows } = await q.query<VariantInfo>(
    `SELECT v.id, v.product_id, p.name AS product_name, v.name AS variant_name, v.price, v.stock,
            ${SELLABLE_SQL} AS sellable
       FROM variants v JOIN products p ON p.id = v.product_id
      WHERE v.id = ANY($1::uuid[]) AND v.store_id = $2`,
    [variantIds, storeId],
  );
  return rows;
}

export async function updateOrderBill(
  q: Queryable,
  orderId: string,
  bill: { subtotal: number; discount: number; deliveryFee: number; total: number },
  paymentStatus: PaymentStatus,
): Promise<void> {
  await q.query(
    `UPDATE orders SET subtotal = $2, discount = $3, delivery_fee = $4, total = $5, payment_status = $6, updated_at = now() WHERE id = $1`,
    [orderId, bill.subtotal, bill.discount, bill.deliveryFee, bill.total, paymentStatus],
  );
}

export async function updateOrderPayment(
  q: Queryable,
  order: { id: string; storeId: string },
  to: PaymentStatus,
  amounts: { amountPaid: number; amountRefunded: number; amountWaived: number },
): Promise<void> {
  await q.query(
    `UPDATE orders SET payment_status = $3, amount_paid = $4, amount_refunded = $5, amount_waived = $6,
                       updated_at = now()
      WHERE id = $1 AND store_id = $2`,
    [order.id, order.storeId, to, amounts.amountPaid, amounts.amountRefunded, amounts.amountWaived],
  );
}
