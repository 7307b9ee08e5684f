import { inTx, type DbOrTx, type Queryable, type Tx } from '../db/db.js';
import { AppError, notFound, validationFailed, cartAlreadyOrdered, type ProblemItem } from '../shared/errors.js';
import { isUuid, newSecretId } from '../shared/ids.js';
import { getStoreBySlug, type StoreRow } from '../stores/stores.service.js';
import {
  couponProblem,
  findCouponByCode,
  toCouponSnapshot,
  type CouponProblem,
  type CouponSnapshot,
} from '../coupons/coupons.service.js';
import {
  deleteCartLines,
  insertCartOfSlug,
  insertCartWithLines,
  lockCartOfSlug,
  putLineRow,
  selectCartWithLines,
  selectStoreAndCart,
  selectVariantState,
  updateCartCoupon,
  updateCartFulfillment,
  upsertCartLine,
  type CartCouponJoinRow,
  type LineRow,
  type VariantState,
} from './cart.repo.js';
import { computeBill, type Bill, type BillCouponInput } from './bill.js';
import { deliveryTo } from '../stores/profile.js';
import { MAX_CART_LINES, type CartView, type Fulfillment } from './cart.schema.js';

export type { CouponSnapshot } from '../coupons/coupons.service.js';
export type { CartView } from './cart.schema.js';
export type { Fulfillment } from './cart.schema.js';

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
 * Loads a cart of this store with current prices/stock, its bill and the suggestions of its lines that can no
 * longer be bought: one query (cart + coupon, with the lines and their suggestions as a JSON column). 404 not_found
 * when unknown or of another store. `fulfillment` bills as if the cart had that fulfillment.
 */
export async function loadCartSnapshot(
  q: Queryable,
  store: StoreRow,
  cartId: string,
  opts: { fulfillment?: Fulfillment } = {},
): Promise<CartSnapshot> {
  if (!isUuid(cartId)) throw notFound('Cart not found');
  const found = await selectCartWithLines(q, store.id, cartId);
  if (!found) throw notFound('Cart not found');
  const { lines, ...cartRow } = found;
  return buildSnapshot(store, cartRow, lines, opts.fulfillment);
}

/** Line errors that show replacement suggestions: nothing of that item can be bought. */
const REPLACEABLE = new Set(['out_of_stock', 'unavailable']);

/**
 * Puts each line's suggestions, which came with the line from its read, on the Cart's lines: up to 3 in-stock
 * variants, nearest price first, none already in the cart, from the line's own product (its other variants) and the
 * other products of its category (a product without a category: its own other variants only). The rule is the SQL
 * function cart_line_suggestions_except (migration 190), which LINE_SUGGESTIONS_SQL in cart.repo.ts calls only for
 * the lines this bill calls replaceable.
 */
function attachSuggestions(cart: CartView, lineRows: readonly LineRow[]): void {
  cart.lines.forEach((line, i) => {
    if (!line.error || !REPLACEABLE.has(line.error.code)) return;
    line.suggestions = (lineRows[i]!.suggestions ?? []).map((r) => ({
      variantId: r.variant_id,
      productSlug: r.product_slug,
      name: r.name,
      variantName: r.variant_name,
      price: Number(r.price),
    }));
  });
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
  attachSuggestions(cart, lineRows);
  return { cart, row, lines, coupon, bill };
}

/**
 * The store (by slug) and a snapshot of its cart, suggestions included (unless `suggestions: false`), in ONE
 * statement and so one consistent view: the storefront's cart read and the checkout's read before placing, a sold-out
 * refusal included (each was three round trips, then one plus one for suggestions). `extraColumns` adds columns
 * over `s` (stores) and `c` (carts) that come back as `extra`, binding `extraParams` as `$3`, `$4`, …. null when the
 * store or the cart is unknown.
 */
export async function loadStoreAndCart<E extends Record<string, unknown> = Record<string, never>>(
  q: Queryable,
  slug: string,
  cartId: string,
  opts: LoadStoreAndCartOptions = {},
): Promise<{ store: StoreRow; snapshot: CartSnapshot; extra: E } | null> {
  if (!isUuid(cartId)) return null;
  const found = await selectStoreAndCart(q, slug, cartId, opts);
  if (!found) return null;
  const { store, lines, ...rest } = found;
  const snapshot = buildSnapshot(store, rest, lines, opts.fulfillment, opts.pincode);
  return { store, snapshot, extra: rest as unknown as E };
}

interface LoadStoreAndCartOptions {
  /**
   * false: the lines come without replacement suggestions (each is a probe of the line's product and its category,
   * run for every sold-out line: a flash sale's every loser). For a reader that never shows them.
   */
  suggestions?: boolean;
  fulfillment?: Fulfillment;
  extraColumns?: string;
  extraParams?: readonly unknown[];
  pincode?: string;
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

// ---- storefront operations: each resolves the store by slug, changes the cart under its row lock, answers the new
// Cart ----

/** A line a new cart is created with (POST .../carts with `lines`). */
export interface NewCartLine {
  variantId: string;
  quantity: number;
}

/**
 * A new cart; with `lines`, holding them (distinct variants, each sold by this store), written and answered in one
 * statement: a client that knows what the customer wants (a shared list, a reorder, a chat order) makes its cart
 * in one round trip instead of one per line. Every line the store does not sell is reported at once in one
 * `422 validation_failed`, and then nothing is created.
 */
export async function createCart(db: DbOrTx, slug: string, lines: readonly NewCartLine[] = []): Promise<CartView> {
  if (lines.length > 0) return createCartWithLines(db, slug, lines);
  const id = newSecretId();
  // The store by slug and the new cart in it (no store, no cart), in one statement whose commit does not wait for
  // the WAL flush (a cart a crash may lose, never an order).
  const store = await insertCartOfSlug(db, slug, id);
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

async function createCartWithLines(db: DbOrTx, slug: string, lines: readonly NewCartLine[]): Promise<CartView> {
  const problems = newLineProblems(lines);
  if (problems.length) throw validationFailed('The cart lines are not valid', problems, 422);
  const id = newSecretId();
  const found = await insertCartWithLines(db, slug, id, lines);
  if (!found) throw notFound('Store not found');
  const { store, refused, lines: lineRows, ...cartRow } = found;
  if (refused.length) {
    throw validationFailed(
      'The store does not sell some of these variants',
      refused.map((i) => unsoldLine(i, lines[i]!.variantId)),
      422,
    );
  }
  return buildSnapshot(store, cartRow, lineRows, undefined).cart;
}

/** What is wrong with a new cart's lines before any is looked up: more than a cart holds, a variant twice. */
function newLineProblems(lines: readonly NewCartLine[]): ProblemItem[] {
  const problems: ProblemItem[] = [];
  if (lines.length > MAX_CART_LINES)
    problems.push({ code: 'too_many_lines', path: '/lines', message: `at most ${MAX_CART_LINES} lines` });
  const seen = new Set<string>();
  lines.forEach((line, i) => {
    if (seen.has(line.variantId))
      problems.push({
        code: 'duplicate',
        path: `/lines/${i}/variantId`,
        message: 'this variant is already a line above',
      });
    // An id that is no uuid cannot be a variant the store sells; refused here, before the statement casts it.
    else if (!isUuid(line.variantId)) problems.push(unsoldLine(i, line.variantId));
    seen.add(line.variantId);
  });
  return problems;
}

function unsoldLine(position: number, variantId: string): ProblemItem {
  return {
    code: 'not_found',
    path: `/lines/${position}/variantId`,
    variantId,
    message: 'no such variant in this store',
  };
}

/**
 * The cart's bill. `billedAs` prices it as a checkout would with those settings (the fulfillment it will set, the
 * customer's PIN code for a delivery area's fee) without changing the cart: what a chat shows before it orders.
 */
export async function getCart(
  db: DbOrTx,
  slug: string,
  cartId: string,
  billedAs: Pick<LoadStoreAndCartOptions, 'fulfillment' | 'pincode'> = {},
): Promise<CartView> {
  const found = await loadStoreAndCart(db, slug, cartId, billedAs);
  if (found) return found.snapshot.cart;
  await getStoreBySlug(db, slug); // only a miss pays a second read, to tell an unknown store from an unknown cart
  throw notFound('Cart not found');
}

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
  const found = await lockCartOfSlug(tx, slug, cartId);
  if (!found) {
    await getStoreBySlug(tx, slug);
    throw notFound('Cart not found');
  }
  const { cart_order_id: orderId, ...store } = found;
  if (orderId !== null) throw cartAlreadyOrdered();
  return store;
}

async function changeCart(
  db: DbOrTx,
  slug: string,
  cartId: string,
  change: (tx: Tx, store: StoreRow) => Promise<void>,
): Promise<CartView> {
  // A cart edit a crash may lose (never an order): its commit does not wait for the WAL flush.
  return inTx(
    db,
    async (tx) => {
      const store = await lockOpenCart(tx, slug, cartId);
      await change(tx, store);
      return (await loadCartSnapshot(tx, store, cartId)).cart;
    },
    { durable: false },
  );
}

async function variantOfStore(tx: Tx, storeId: string, cartId: string, variantId: string): Promise<VariantState> {
  if (!isUuid(variantId)) throw notFound('Variant not found');
  const state = await selectVariantState(tx, storeId, cartId, variantId);
  if (!state) throw notFound('Variant not found');
  return state;
}

/** The put in one statement, answering the cart it leaves; 'changed' when the cart changed while it waited. */
async function putLine(
  db: DbOrTx,
  slug: string,
  cartId: string,
  variantId: string,
  quantity: number,
): Promise<CartView | 'changed'> {
  const found = await putLineRow(db, slug, cartId, variantId, quantity, MAX_CART_LINES);
  if (!found) throw notFound('Store not found');
  const { store, cart_found, cart_order_id, sellable, in_cart, line_count, current, put, lines, ...cartRow } = found;
  if (put) return buildSnapshot(store, cartRow, lines, undefined).cart;
  if (!cart_found) throw notFound('Cart not found');
  if (!current) return 'changed';
  if (cart_order_id !== null) throw cartAlreadyOrdered();
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
 * A put is one statement (`putLine`) that also reads the cart it leaves, suggestions included; only when the cart
 * changed while that statement waited (several puts on one cart at once) does it fall back to a transaction that
 * waits its turn.
 */
export async function setCartLine(
  db: DbOrTx,
  slug: string,
  cartId: string,
  variantId: string,
  quantity: number,
): Promise<CartView> {
  if (quantity > 0 && isUuid(cartId) && isUuid(variantId)) {
    const cart = await putLine(db, slug, cartId, variantId, quantity);
    if (cart !== 'changed') return cart;
  }
  return changeCart(db, slug, cartId, async (tx, store) => {
    const variant = await variantOfStore(tx, store.id, cartId, variantId);
    if (quantity === 0) {
      await deleteCartLines(tx, store.id, cartId, [variantId]);
      return;
    }
    checkLineAllowed(variant);
    await upsertCartLine(tx, store.id, cartId, variantId, quantity);
  });
}

/**
 * Removes these variants' lines in one transaction and one DELETE, whatever their number (the WhatsApp bot's
 * "clear", and its removals). A variant without a line, or not a variant id at all, is passed over.
 */
export async function removeCartLines(
  db: DbOrTx,
  slug: string,
  cartId: string,
  variantIds: readonly string[],
): Promise<CartView> {
  return changeCart(db, slug, cartId, async (tx, store) => {
    await deleteCartLines(tx, store.id, cartId, variantIds.filter(isUuid));
  });
}

/** Removes a line. Removing a line that is not there (a retry) answers the cart as it is. */
export async function removeCartLine(db: DbOrTx, slug: string, cartId: string, variantId: string): Promise<CartView> {
  return changeCart(db, slug, cartId, async (tx, store) => {
    await variantOfStore(tx, store.id, cartId, variantId);
    await deleteCartLines(tx, store.id, cartId, [variantId]);
  });
}

export async function setCartFulfillment(
  db: DbOrTx,
  slug: string,
  cartId: string,
  fulfillment: Fulfillment,
): Promise<CartView> {
  return changeCart(db, slug, cartId, async (tx, store) => {
    assertFulfillmentOffered(store, fulfillment);
    await updateCartFulfillment(tx, cartId, fulfillment);
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
export async function applyCartCoupon(db: DbOrTx, slug: string, cartId: string, rawCode: string): Promise<CartView> {
  return changeCart(db, slug, cartId, async (tx, store) => {
    const code = rawCode.trim();
    const found = code ? await findCouponByCode(tx, store.id, code) : null;
    if (!found)
      throw new AppError('invalid_coupon', 'No such coupon in this store', [
        { code: 'unknown_coupon', path: '/code', message: 'no such coupon' },
      ]);
    if (found.problem)
      throw new AppError('invalid_coupon', COUPON_REFUSALS[found.problem], [
        { code: found.problem, path: '/code', message: COUPON_REFUSALS[found.problem] },
      ]);
    await updateCartCoupon(tx, cartId, found.coupon.code);
  });
}

export async function removeCartCoupon(db: DbOrTx, slug: string, cartId: string): Promise<CartView> {
  return changeCart(db, slug, cartId, async (tx) => {
    await updateCartCoupon(tx, cartId, null);
  });
}
