import { NON_DURABLE_COMMIT_SQL, type Db, type Queryable, type Tx } from '../db/db.js';
import { AppError, notFound, validationFailed } from '../shared/errors.js';
import { isUuid, newSecretId } from '../shared/ids.js';
import { getStoreBySlug, STORE_COLUMNS, storeColumnsOf, type StoreRow } from '../stores/stores.service.js';
import {
  COUPON_COLUMNS,
  couponExpiredSql,
  couponProblem,
  findCouponByCode,
  toCouponSnapshot,
  type CouponProblem,
  type CouponRow,
  type CouponSnapshot,
} from '../coupons/coupons.service.js';
import { computeBill, type Bill, type BillCouponInput } from './bill.js';
import { deliveryTo } from '../stores/profile.js';
import { MAX_CART_LINES, type CartView } from './cart.schema.js';

export type { CouponSnapshot } from '../coupons/coupons.service.js';
export type { CartView } from './cart.schema.js';
export type Fulfillment = 'delivery' | 'pickup';

export interface CartLineSnapshot {
  variantId: string;
  productId: string;
  productName: string;
  variantName: string;
  unitPrice: number;
  quantity: number;
  /** null = not tracked */
  stock: number | null;
  /** false when the variant or its product is archived, or the product inactive */
  sellable: boolean;
}

export interface CartRowSnapshot {
  id: string;
  storeId: string;
  fulfillment: Fulfillment;
  couponCode: string | null;
  orderId: string | null;
}

export interface CartSnapshot {
  /** The contract's Cart JSON, bill included. */
  cart: CartView;
  row: CartRowSnapshot;
  /** In display order (added_at, variant_id). */
  lines: CartLineSnapshot[];
  /** null when no coupon is applied, or the applied code no longer names a live coupon. */
  coupon: CouponSnapshot | null;
  bill: Bill;
}

type CartCouponJoinRow = {
  id: string;
  store_id: string;
  fulfillment: Fulfillment;
  coupon_code: string | null;
  order_id: string | null;
} & { [K in keyof CouponRow as `cp_${K}`]: CouponRow[K] | null } & { cp_expired: boolean | null };

interface LineRow {
  variant_id: string;
  product_id: string;
  product_name: string;
  variant_name: string;
  price: number;
  quantity: number;
  stock: number | null;
  sellable: boolean;
}

/** SQL: a cart row's version — `updated_at` in microseconds; every change to a cart stamps it (lockOpenCart, putLine). */
export const CART_STAMP_SQL = (alias: string): string => `(extract(epoch FROM ${alias}.updated_at) * 1000000)::bigint`;

function cartQuery(lock: boolean, at: { cartId: string; storeId: string } = { cartId: '$1', storeId: '$2' }): string {
  const couponColumns = COUPON_COLUMNS.split(', ')
    .map((c) => `co.${c} AS cp_${c}`)
    .join(', ');
  // The applied coupon rides along with the cart row: a coupon deleted since leaves the coupon columns null.
  return `SELECT c.id, c.store_id, c.fulfillment, c.coupon_code, c.order_id, ${couponColumns}, ${couponExpiredSql('co')} AS cp_expired
            FROM carts c
            LEFT JOIN coupons co ON c.coupon_code IS NOT NULL AND co.store_id = c.store_id
                                AND lower(co.code) = lower(c.coupon_code) AND co.deleted_at IS NULL
           WHERE c.id = ${at.cartId} AND c.store_id = ${at.storeId}${lock ? ' FOR UPDATE OF c' : ''}`;
}

/**
 * A cart's lines with their variant and product, each looked up by primary key. The lookup is a LATERAL subquery
 * with LIMIT 1 so the planner cannot flatten it into a join it may then run as a scan of all the store's variants
 * (it did, at 1M products, when stale statistics made it expect ~100 lines per cart: 5 ms instead of 0.1 ms). A cart
 * holds at most 100 lines; one index probe each is always the right plan.
 */
const LINE_VARIANT_SQL = (storeIdSql: string) => `
    CROSS JOIN LATERAL (
      SELECT v.product_id, v.name, v.price, v.stock, p.name AS product_name,
             (v.archived_at IS NULL AND p.archived_at IS NULL AND p.is_active) AS sellable
        FROM variants v JOIN products p ON p.id = v.product_id
       WHERE v.id = cl.variant_id AND v.store_id = ${storeIdSql}
       LIMIT 1) v`;

const LINES_SQL = `
  SELECT cl.variant_id, v.product_id, v.product_name, v.name AS variant_name, v.price, cl.quantity, v.stock, v.sellable
    FROM cart_lines cl${LINE_VARIANT_SQL('$2')}
   WHERE cl.cart_id = $1
   ORDER BY cl.added_at, cl.variant_id`;

function couponFromJoin(row: CartCouponJoinRow): { coupon: CouponSnapshot | null; problem: CouponProblem } {
  if (row.coupon_code === null) return { coupon: null, problem: null };
  if (row.cp_id === null) return { coupon: null, problem: 'coupon_expired' };
  const coupon = toCouponSnapshot({
    id: row.cp_id,
    code: row.cp_code!,
    type: row.cp_type!,
    value: row.cp_value!,
    min_order: row.cp_min_order,
    max_discount: row.cp_max_discount,
    usage_limit: row.cp_usage_limit,
    used_count: row.cp_used_count!,
    expires_at: row.cp_expires_at,
    is_active: row.cp_is_active!,
  });
  return { coupon, problem: couponProblem(coupon, row.cp_expired === true) };
}

/** The bill's view of the applied coupon. A vanished coupon still shows its code, as expired, discounting nothing. */
function billCoupon(
  code: string | null,
  coupon: CouponSnapshot | null,
  problem: CouponProblem,
): BillCouponInput | null {
  if (code === null) return null;
  if (!coupon) return { code, type: 'flat', value: 0, minOrder: null, maxDiscount: null, problem: 'coupon_expired' };
  return {
    code: coupon.code,
    type: coupon.type,
    value: coupon.value,
    minOrder: coupon.minOrder,
    maxDiscount: coupon.maxDiscount,
    problem,
  };
}

export function toCartView(input: {
  id: string;
  currency: string;
  fulfillment: Fulfillment;
  couponCode: string | null;
  lines: CartLineSnapshot[];
  bill: Bill;
}): CartView {
  const { bill } = input;
  return {
    id: input.id,
    currency: input.currency,
    fulfillment: input.fulfillment,
    lines: input.lines.map((line, i) => {
      const billed = bill.lines[i]!;
      return {
        variantId: line.variantId,
        productId: line.productId,
        name: line.productName,
        variantName: line.variantName,
        unitPrice: billed.unitPrice,
        quantity: billed.quantity,
        lineTotal: billed.lineTotal,
        error: billed.error,
        suggestions: [],
      };
    }),
    couponCode: input.couponCode,
    coupon: bill.coupon,
    subtotal: bill.subtotal,
    discount: bill.discount,
    deliveryFee: bill.deliveryFee,
    total: bill.total,
    errors: bill.errors,
    canCheckout: bill.errors.length === 0 && input.lines.length > 0,
  };
}

/**
 * Loads a cart of this store with current prices/stock and its bill: one query (cart + coupon, with the lines as a
 * JSON column). 404 not_found when unknown or of another store. With lock: true, takes FOR UPDATE on the cart row
 * and reads the lines in a second query, after the lock (a subquery of the locking statement would read them as of
 * before a wait for the lock). `fulfillment` bills as if the cart had that fulfillment.
 */
export async function loadCartSnapshot(
  q: Queryable,
  store: StoreRow,
  cartId: string,
  opts: { lock?: boolean; fulfillment?: Fulfillment } = {},
): Promise<CartSnapshot> {
  if (!isUuid(cartId)) throw notFound('Cart not found');
  if (opts.lock) {
    const { rows } = await q.query<CartCouponJoinRow>(cartQuery(true), [cartId, store.id]);
    if (!rows[0]) throw notFound('Cart not found');
    const lineRows = await q.query<LineRow>(LINES_SQL, [cartId, store.id]);
    return withSuggestions(q, store.id, buildSnapshot(store, rows[0], lineRows.rows, opts.fulfillment));
  }
  const { rows } = await q.query<CartCouponJoinRow & { lines: LineRow[] }>(
    `SELECT cc.*, ${linesJsonSql('cc')} AS lines FROM (${cartQuery(false)}) cc`,
    [cartId, store.id],
  );
  const found = rows[0];
  if (!found) throw notFound('Cart not found');
  const { lines, ...cartRow } = found;
  return withSuggestions(q, store.id, buildSnapshot(store, cartRow, lines, opts.fulfillment));
}

/** Line errors that get replacement suggestions: nothing of that item can be bought. */
const REPLACEABLE = new Set(['out_of_stock', 'unavailable']);

/**
 * Up to 3 replacements for each line nothing of which can be bought: in-stock variants of other active products
 * of the same category, nearest price first, not already in the cart (the seed's "replace item" step). One query,
 * run only when such a line exists.
 */
const SUGGESTIONS_SQL = `
  SELECT e.variant_id AS for_variant, s.variant_id, s.product_slug, s.name, s.variant_name, s.price
    FROM unnest($2::uuid[], $3::bigint[]) AS e(variant_id, price)
    JOIN variants ev ON ev.id = e.variant_id AND ev.store_id = $1
    JOIN products ep ON ep.id = ev.product_id
   CROSS JOIN LATERAL (
     SELECT v.id AS variant_id, p.slug AS product_slug, p.name, v.name AS variant_name, v.price
       FROM products p JOIN variants v ON v.product_id = p.id
      WHERE p.category_id = ep.category_id AND p.store_id = $1 AND p.id <> ep.id
        AND p.archived_at IS NULL AND p.is_active AND v.archived_at IS NULL
        AND (v.stock IS NULL OR v.stock > 0) AND v.id <> ALL($4::uuid[])
      ORDER BY abs(v.price - e.price), v.price, v.id
      LIMIT 3) s
   ORDER BY e.variant_id, abs(s.price - e.price), s.price, s.variant_id`;

async function withSuggestions(q: Queryable, storeId: string, snapshot: CartSnapshot): Promise<CartSnapshot> {
  const wanting = snapshot.cart.lines.filter((l) => l.error && REPLACEABLE.has(l.error.code));
  if (wanting.length === 0) return snapshot;
  const { rows } = await q.query<{
    for_variant: string;
    variant_id: string;
    product_slug: string;
    name: string;
    variant_name: string;
    price: number;
  }>(SUGGESTIONS_SQL, [
    storeId,
    wanting.map((l) => l.variantId),
    wanting.map((l) => l.unitPrice),
    snapshot.cart.lines.map((l) => l.variantId),
  ]);
  for (const line of wanting) {
    line.suggestions = rows
      .filter((r) => r.for_variant === line.variantId)
      .map((r) => ({
        variantId: r.variant_id,
        productSlug: r.product_slug,
        name: r.name,
        variantName: r.variant_name,
        price: Number(r.price),
      }));
  }
  return snapshot;
}

function buildSnapshot(
  store: StoreRow,
  cartRow: CartCouponJoinRow,
  lineRows: readonly LineRow[],
  fulfillmentAsked: Fulfillment | undefined,
  pincode?: string,
): CartSnapshot {
  const lines = lineRows.map(
    (r): CartLineSnapshot => ({
      variantId: r.variant_id,
      productId: r.product_id,
      productName: r.product_name,
      variantName: r.variant_name,
      unitPrice: r.price,
      quantity: r.quantity,
      stock: r.stock,
      sellable: r.sellable,
    }),
  );
  const { coupon, problem } = couponFromJoin(cartRow);
  const fulfillment = fulfillmentAsked ?? cartRow.fulfillment;
  const bill = computeBill({
    lines: lines.map((l) => ({
      variantId: l.variantId,
      unitPrice: l.unitPrice,
      quantity: l.quantity,
      stock: l.stock,
      sellable: l.sellable,
    })),
    coupon: billCoupon(cartRow.coupon_code, coupon, problem),
    // Delivered to a known PIN, the fee of its delivery area (when the store lists areas with fees).
    store: {
      deliveryFee: pincode ? deliveryTo(store.delivery_areas, store.delivery_fee, pincode).fee : store.delivery_fee,
      freeAbove: store.free_above,
    },
    fulfillment,
  });
  const row: CartRowSnapshot = {
    id: cartRow.id,
    storeId: cartRow.store_id,
    fulfillment: cartRow.fulfillment,
    couponCode: cartRow.coupon_code,
    orderId: cartRow.order_id,
  };
  const cart = toCartView({
    id: row.id,
    currency: store.currency,
    fulfillment,
    couponCode: row.couponCode,
    lines,
    bill,
  });
  return { cart, row, lines, coupon, bill };
}

/** The same lines as LINES_SQL, as one JSON array column of the cart row `c` (any alias with id and store_id). */
const linesJsonSql = (c: string) => `
  (SELECT coalesce(json_agg(json_build_object(
            'variant_id', cl.variant_id, 'product_id', v.product_id, 'product_name', v.product_name, 'variant_name', v.name,
            'price', v.price, 'quantity', cl.quantity, 'stock', v.stock, 'sellable', v.sellable)
          ORDER BY cl.added_at, cl.variant_id), '[]'::json)
     FROM cart_lines cl${LINE_VARIANT_SQL(`${c}.store_id`)}
    WHERE cl.cart_id = ${c}.id)`;

/**
 * The store (by slug) and a snapshot of its cart, in ONE statement and so one consistent view: the storefront's
 * cart read and the checkout's read before placing (each was three round trips). `extraColumns` adds columns over
 * `s` (stores) and `c` (carts) that come back as `extra`. null when the store or the cart is unknown.
 */
export async function loadStoreAndCart<E extends Record<string, unknown> = Record<string, never>>(
  q: Queryable,
  slug: string,
  cartId: string,
  opts: { fulfillment?: Fulfillment; extraColumns?: string; pincode?: string } = {},
): Promise<{ store: StoreRow; snapshot: CartSnapshot; extra: E } | null> {
  if (!isUuid(cartId)) return null;
  // The store comes back as one JSON column (its fields are all JSON-safe: text, numbers, booleans); the cart and
  // coupon columns as themselves, so their timestamps stay Dates.
  const { rows } = await q.query<{ store: StoreRow; lines: LineRow[] } & CartCouponJoinRow & Record<string, unknown>>(
    `SELECT row_to_json(s.*) AS store, ${linesJsonSql('c')} AS lines, cc.*${opts.extraColumns ? `, ${opts.extraColumns}` : ''}
       FROM (SELECT ${STORE_COLUMNS} FROM stores WHERE slug = $1) s
       JOIN carts c ON c.store_id = s.id AND c.id = $2
       CROSS JOIN LATERAL (${cartQuery(false, { cartId: '$2', storeId: 's.id' })}) cc`,
    [slug, cartId],
  );
  const found = rows[0];
  if (!found) return null;
  const { store, lines, ...rest } = found;
  const snapshot = await withSuggestions(
    q,
    store.id,
    buildSnapshot(store, rest, lines, opts.fulfillment, opts.pincode),
  );
  return { store, snapshot, extra: rest as unknown as E };
}

/** 422 validation_failed unless the store offers this fulfillment. */
export function assertFulfillmentOffered(store: StoreRow, fulfillment: Fulfillment, path = '/fulfillment'): void {
  if (fulfillment === 'pickup' && !store.pickup) {
    throw validationFailed(
      'This store does not offer pickup',
      [{ code: 'not_offered', path, message: 'pickup is not offered by this store' }],
      422,
    );
  }
}

// ---- storefront operations: each resolves the store by slug, changes the cart under its row lock, answers the new Cart ----

export async function createCart(db: Db, slug: string): Promise<CartView> {
  const id = newSecretId();
  // One statement: the store by slug and the new cart in it (no store, no cart); its commit does not wait for the
  // WAL flush (a cart a crash may lose, never an order).
  const { rows } = await db.query<StoreRow>(
    `WITH s AS (SELECT ${STORE_COLUMNS} FROM stores WHERE slug = $1),
          ins AS (INSERT INTO carts (id, store_id) SELECT $2, s.id FROM s)
     SELECT * FROM s WHERE ${NON_DURABLE_COMMIT_SQL} IS NOT NULL`,
    [slug, id],
  );
  const store = rows[0];
  if (!store) throw notFound('Store not found');
  return toCartView({
    id,
    currency: store.currency,
    fulfillment: 'delivery',
    couponCode: null,
    lines: [],
    bill: computeBill({
      lines: [],
      coupon: null,
      store: { deliveryFee: store.delivery_fee, freeAbove: store.free_above },
      fulfillment: 'delivery',
    }),
  });
}

export async function getCart(db: Db, slug: string, cartId: string): Promise<CartView> {
  const found = await loadStoreAndCart(db, slug, cartId);
  if (found) return found.snapshot.cart;
  await getStoreBySlug(db, slug); // only a miss pays a second read, to tell an unknown store from an unknown cart
  throw notFound('Cart not found');
}

const LOCK_OPEN_CART_SQL = `
  UPDATE carts c SET updated_at = now()
    FROM stores s
   WHERE s.slug = $1 AND c.store_id = s.id AND c.id = $2
  RETURNING c.order_id AS cart_order_id, ${storeColumnsOf('s')}`;

/**
 * In one statement: finds the store by slug, locks its cart row (the UPDATE's row lock, taken before any change,
 * as FOR UPDATE would) and stamps updated_at (now() is the transaction's start either way; a refused change rolls
 * the stamp back). Refuses a cart that has become an order. Only a miss costs a second read, to tell an unknown
 * store from an unknown cart.
 */
async function lockOpenCart(tx: Tx, slug: string, cartId: string): Promise<StoreRow> {
  if (!isUuid(cartId)) {
    await getStoreBySlug(tx, slug);
    throw notFound('Cart not found');
  }
  const { rows } = await tx.query<StoreRow & { cart_order_id: string | null }>(LOCK_OPEN_CART_SQL, [slug, cartId]);
  const found = rows[0];
  if (!found) {
    await getStoreBySlug(tx, slug);
    throw notFound('Cart not found');
  }
  const { cart_order_id: orderId, ...store } = found;
  if (orderId !== null)
    throw new AppError(409, 'cart_already_ordered', 'This cart has already been ordered; start a new cart');
  return store;
}

async function changeCart(
  db: Db,
  slug: string,
  cartId: string,
  change: (tx: Tx, store: StoreRow) => Promise<void>,
): Promise<CartView> {
  // A cart edit a crash may lose (never an order): its commit does not wait for the WAL flush.
  return db.tx(
    async (tx) => {
      const store = await lockOpenCart(tx, slug, cartId);
      await change(tx, store);
      return (await loadCartSnapshot(tx, store, cartId)).cart;
    },
    { durable: false },
  );
}

interface VariantState {
  sellable: boolean;
  in_cart: boolean;
  /** lines in the cart now (read under the cart's lock) */
  line_count: number;
}

async function variantOfStore(tx: Tx, storeId: string, cartId: string, variantId: string): Promise<VariantState> {
  if (!isUuid(variantId)) throw notFound('Variant not found');
  const { rows } = await tx.query<VariantState>(
    `SELECT (v.archived_at IS NULL AND p.archived_at IS NULL AND p.is_active) AS sellable,
            EXISTS (SELECT 1 FROM cart_lines cl WHERE cl.cart_id = $3 AND cl.variant_id = v.id) AS in_cart,
            (SELECT count(*)::int FROM cart_lines cl WHERE cl.cart_id = $3) AS line_count
       FROM variants v JOIN products p ON p.id = v.product_id
      WHERE v.id = $1 AND v.store_id = $2`,
    [variantId, storeId, cartId],
  );
  if (!rows[0]) throw notFound('Variant not found');
  return rows[0];
}

/** What the one-statement line put found; see `putLine`. */
interface PutLineRow extends StoreRow {
  cart_found: boolean;
  cart_order_id: string | null;
  /** false too when the variant is not this store's */
  sellable: boolean;
  in_cart: boolean;
  line_count: number;
  /** false: the cart changed while this statement waited for its lock; nothing was written */
  current: boolean;
  put: boolean;
}

/**
 * Puts a line (quantity > 0) in ONE autocommit statement: finds the store by slug, locks the cart row, checks the
 * variant (sold here, or already in the cart) and the line cap, and only then writes the line and stamps the cart.
 * Its reads use the statement's snapshot, taken before any wait for the cart lock; if a change to this cart
 * committed during that wait (the locked row is newer than the one the snapshot shows), it writes nothing and says
 * so, and the caller runs it again with a fresh snapshot — as strict as the transaction it replaces, in one round
 * trip instead of four (BEGIN, lock, check, write, COMMIT). Its commit does not wait for the WAL flush
 * (NON_DURABLE_COMMIT_SQL): a crash may lose the last cart edits, never an order.
 */
const PUT_LINE_SQL = `
  WITH s AS (SELECT ${STORE_COLUMNS} FROM stores WHERE slug = $1),
       seen AS (SELECT c.updated_at, c.order_id FROM carts c JOIN s ON c.store_id = s.id WHERE c.id = $2),
       locked AS (SELECT c.updated_at, c.order_id FROM carts c JOIN s ON c.store_id = s.id WHERE c.id = $2 FOR UPDATE OF c),
       v AS (SELECT (v.archived_at IS NULL AND p.archived_at IS NULL AND p.is_active) AS sellable,
                    EXISTS (SELECT 1 FROM cart_lines cl WHERE cl.cart_id = $2 AND cl.variant_id = v.id) AS in_cart,
                    (SELECT count(*)::int FROM cart_lines cl WHERE cl.cart_id = $2) AS line_count
               FROM variants v JOIN products p ON p.id = v.product_id JOIN s ON v.store_id = s.id
              WHERE v.id = $3),
       ok AS (SELECT 1 FROM locked, seen, v
               WHERE locked.updated_at = seen.updated_at AND locked.order_id IS NULL
                 AND (v.in_cart OR (v.sellable AND v.line_count < $5))),
       put AS (INSERT INTO cart_lines (cart_id, variant_id, quantity) SELECT $2, $3, $4 FROM ok
               ON CONFLICT (cart_id, variant_id) DO UPDATE SET quantity = EXCLUDED.quantity RETURNING 1),
       stamp AS (UPDATE carts SET updated_at = now() FROM ok WHERE carts.id = $2)
  SELECT s.*, locked.updated_at IS NOT NULL AS cart_found, locked.order_id AS cart_order_id,
         coalesce(v.sellable, false) AS sellable, coalesce(v.in_cart, false) AS in_cart,
         coalesce(v.line_count, 0) AS line_count,
         (locked.updated_at IS NULL OR seen.updated_at IS NOT DISTINCT FROM locked.updated_at) AS current,
         EXISTS (SELECT 1 FROM put) AS put
    FROM s LEFT JOIN locked ON true LEFT JOIN seen ON true LEFT JOIN v ON true
   WHERE ${NON_DURABLE_COMMIT_SQL} IS NOT NULL`;

/** The put in one statement; 'changed' when the cart changed while it waited (nothing written). */
async function putLine(
  db: Db,
  slug: string,
  cartId: string,
  variantId: string,
  quantity: number,
): Promise<StoreRow | 'changed'> {
  const { rows } = await db.query<PutLineRow>(PUT_LINE_SQL, [slug, cartId, variantId, quantity, MAX_CART_LINES]);
  const found = rows[0];
  if (!found) throw notFound('Store not found');
  const { cart_found, cart_order_id, sellable, in_cart, line_count, current, put, ...store } = found;
  if (put) return store;
  if (!cart_found) throw notFound('Cart not found');
  if (!current) return 'changed';
  if (cart_order_id !== null)
    throw new AppError(409, 'cart_already_ordered', 'This cart has already been ordered; start a new cart');
  checkLineAllowed({ sellable, in_cart, line_count });
  throw new Error('cart line put refused for no known reason');
}

/** 404 for a variant the storefront does not sell (unless already in the cart); 422 past the line cap. */
function checkLineAllowed(variant: VariantState): void {
  if (!variant.in_cart && !variant.sellable) throw notFound('Variant not found');
  if (!variant.in_cart && variant.line_count >= MAX_CART_LINES) {
    throw validationFailed(
      `A cart holds at most ${MAX_CART_LINES} lines`,
      [{ code: 'too_many_lines', path: '/lines', message: `at most ${MAX_CART_LINES} lines` }],
      422,
    );
  }
}

/**
 * Sets a line's quantity (0 removes it). A variant the storefront does not show (archived, or its product archived
 * or inactive) cannot be added: 404, as if unknown. A line already in the cart keeps taking quantity changes even
 * after its variant stopped being sold; the bill marks it `unavailable` until the customer removes it.
 * A put is one statement (`putLine`) and the answer one read of the cart after it; only when the cart changed while
 * that statement waited (several puts on one cart at once) does it fall back to a transaction that waits its turn.
 */
export async function setCartLine(
  db: Db,
  slug: string,
  cartId: string,
  variantId: string,
  quantity: number,
): Promise<CartView> {
  if (quantity > 0 && isUuid(cartId) && isUuid(variantId)) {
    const store = await putLine(db, slug, cartId, variantId, quantity);
    if (store !== 'changed') return (await loadCartSnapshot(db, store, cartId)).cart;
  }
  return changeCart(db, slug, cartId, async (tx, store) => {
    const variant = await variantOfStore(tx, store.id, cartId, variantId);
    if (quantity === 0) {
      await tx.query(`DELETE FROM cart_lines WHERE cart_id = $1 AND variant_id = $2`, [cartId, variantId]);
      return;
    }
    checkLineAllowed(variant);
    await tx.query(
      `INSERT INTO cart_lines (cart_id, variant_id, quantity) VALUES ($1, $2, $3)
       ON CONFLICT (cart_id, variant_id) DO UPDATE SET quantity = EXCLUDED.quantity`,
      [cartId, variantId, quantity],
    );
  });
}

/** Removes a line. Removing a line that is not there (a retry) answers the cart as it is. */
export async function removeCartLine(db: Db, slug: string, cartId: string, variantId: string): Promise<CartView> {
  return changeCart(db, slug, cartId, async (tx, store) => {
    await variantOfStore(tx, store.id, cartId, variantId);
    await tx.query(`DELETE FROM cart_lines WHERE cart_id = $1 AND variant_id = $2`, [cartId, variantId]);
  });
}

export async function setCartFulfillment(
  db: Db,
  slug: string,
  cartId: string,
  fulfillment: Fulfillment,
): Promise<CartView> {
  return changeCart(db, slug, cartId, async (tx, store) => {
    assertFulfillmentOffered(store, fulfillment);
    await tx.query(`UPDATE carts SET fulfillment = $2 WHERE id = $1`, [cartId, fulfillment]);
  });
}

const COUPON_REFUSALS: Record<Exclude<CouponProblem, null>, string> = {
  coupon_expired: 'This coupon has expired',
  coupon_exhausted: 'This coupon has been used up',
  coupon_inactive: 'This coupon is not active',
};

/**
 * Applies a coupon by code (case-insensitive). Unknown, deleted, inactive, expired or used-up codes → 422
 * invalid_coupon. A coupon whose minimum order the cart does not reach yet is kept but not applied
 * (`coupon: { applied: false, reason: 'min_order', shortBy }`) until the customer adds enough.
 */
export async function applyCartCoupon(db: Db, slug: string, cartId: string, rawCode: string): Promise<CartView> {
  return changeCart(db, slug, cartId, async (tx, store) => {
    const code = rawCode.trim();
    const found = code ? await findCouponByCode(tx, store.id, code) : null;
    if (!found)
      throw new AppError(422, 'invalid_coupon', 'No such coupon in this store', [
        { code: 'unknown_coupon', path: '/code', message: 'no such coupon' },
      ]);
    if (found.problem)
      throw new AppError(422, 'invalid_coupon', COUPON_REFUSALS[found.problem], [
        { code: found.problem, path: '/code', message: COUPON_REFUSALS[found.problem] },
      ]);
    await tx.query(`UPDATE carts SET coupon_code = $2 WHERE id = $1`, [cartId, found.coupon.code]);
  });
}

export async function removeCartCoupon(db: Db, slug: string, cartId: string): Promise<CartView> {
  return changeCart(db, slug, cartId, async (tx) => {
    await tx.query(`UPDATE carts SET coupon_code = NULL WHERE id = $1`, [cartId]);
  });
}
