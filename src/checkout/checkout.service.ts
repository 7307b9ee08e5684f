import type { Config } from '../config.js';
import type { Db, Queryable } from '../db/db.js';
import { AppError, notFound, validationFailed, type ProblemItem, cartAlreadyOrdered } from '../shared/errors.js';
import { isUuid, newId, newSecretId } from '../shared/ids.js';
import { normalizeE164 } from '../shared/phone.js';
import { storeOpenNow, type StoreRow } from '../stores/stores.service.js';
import { assertFulfillmentOffered, loadStoreAndCart, type CartSnapshot } from '../cart/cart.service.js';
import { CART_STAMP_SQL } from '../cart/cart.repo.js';
import type { Fulfillment } from '../cart/cart.schema.js';
import { paymentMethod } from '../orders/payment-methods.js';
import { orderPlacedForCustomer, orderPlacedForStore } from '../orders/messages.js';
import { isLang } from '../i18n/index.js';
import { deliveryTo } from '../stores/profile.js';
import {
  findOrderById,
  placeOrder,
  storeRecipientSql,
  type NewOrder,
  type NewOrderLine,
  type OrderRow,
  type OrderSource,
  type PlacedOrderMessage,
  type StoredCustomer,
  type UnnumberedOrder,
} from '../orders/orders.repo.js';
import { orderDashboardUrl, orderView, toOrderView, type OrderView } from '../orders/orders.service.js';
import type { CheckoutInput } from './checkout.schema.js';
import { orderForMessage, storeForMessage } from '../notify/quote.js';
import type { IdempotencyRecord } from '../server/idempotency.js';

type CheckoutConfig = Pick<Config, 'publicUrl'>;

/**
 * Trims and checks the customer: name and address lines not blank, phone a valid E.164 number. Every problem is
 * collected (one round: the customer fixes them all at once). Tolerates a body the schema refused (missing or
 * mistyped fields read as blank), so those problems join the schema's.
 */
export function customerProblems(input: Partial<CheckoutInput['customer']> | undefined): {
  customer: StoredCustomer;
  problems: ProblemItem[];
} {
  const text = (v: unknown) => (typeof v === 'string' ? v.trim() : '');
  const problems: ProblemItem[] = [];
  const name = text(input?.name);
  if (!name) problems.push({ code: 'invalid', path: '/customer/name', message: 'must not be blank' });
  const phone = normalizeE164(text(input?.phone));
  if (!phone)
    problems.push({
      code: 'invalid',
      path: '/customer/phone',
      message: 'not a valid phone number in E.164 (e.g. +919876543210)',
    });
  let address: StoredCustomer['address'] = null;
  const a = input?.address;
  if (a && typeof a === 'object') {
    address = { line1: text(a.line1), line2: text(a.line2) || null, city: text(a.city), pincode: text(a.pincode) };
    if (!address.line1)
      problems.push({ code: 'invalid', path: '/customer/address/line1', message: 'must not be blank' });
    if (!address.city) problems.push({ code: 'invalid', path: '/customer/address/city', message: 'must not be blank' });
    if (!address.pincode)
      problems.push({ code: 'invalid', path: '/customer/address/pincode', message: 'must not be blank' });
  }
  const customer: StoredCustomer = { name, phone: phone ?? '', address };
  if (input?.whatsappUpdates === false) customer.whatsappUpdates = false;
  else customer.whatsappUpdates = true;
  return { customer, problems };
}

/** `customerProblems`, throwing 422 validation_failed with every problem. */
export function normaliseCustomer(input: CheckoutInput['customer']): StoredCustomer {
  const { customer, problems } = customerProblems(input);
  if (problems.length) throw validationFailed('The customer details are not valid', problems, 422);
  return customer;
}

/** Adds problems whose path is not reported yet (the schema and the rules may both see one field). */
function mergeProblems(into: ProblemItem[], more: readonly ProblemItem[]): ProblemItem[] {
  for (const p of more) if (!into.some((q) => q.path !== undefined && q.path === p.path)) into.push(p);
  return into;
}

function cartErrors(snapshot: CartSnapshot): ProblemItem[] {
  if (snapshot.lines.length === 0) return [{ code: 'empty_cart', message: 'the cart has no lines' }];
  return snapshot.bill.errors.map((e) => ({
    code: e.code,
    ...(e.variantId ? { variantId: e.variantId } : {}),
    ...(e.available !== undefined ? { available: e.available } : {}),
    message: e.message,
  }));
}

/** Rules that need the store and the fulfillment but nothing locked (422 validation_failed problems). */
function orderDetailProblems(
  store: StoreRow,
  fulfillment: Fulfillment,
  customer: StoredCustomer,
  method: string,
): ProblemItem[] {
  const problems: ProblemItem[] = [];
  const pay = paymentMethod(method);
  const refusal = pay
    ? pay.unavailableReason({ name: store.name, currency: store.currency, cod: store.cod, upiVpa: store.upi_vpa })
    : 'unknown payment method';
  if (refusal) problems.push({ code: 'not_offered', path: '/paymentMethod', message: refusal });
  if (fulfillment === 'delivery' && !customer.address)
    problems.push({ code: 'required', path: '/customer/address', message: 'a delivery needs an address' });
  if (
    customer.address?.pincode &&
    store.currency === 'INR' &&
    !/^\d{6}$/.test(customer.address.pincode.replace(/\s/g, ''))
  ) {
    problems.push({ code: 'invalid', path: '/customer/address/pincode', message: 'a PIN code is 6 digits' });
  }
  return problems;
}

async function existingOrder(
  q: Queryable,
  orderId: string,
  checkoutKey: string | null,
  store: StoreRow,
  config: CheckoutConfig,
): Promise<OrderView> {
  const order = await findOrderById(q, orderId);
  // The same Idempotency-Key again, after the stored answer was lost: answer the order it created.
  if (checkoutKey !== null && order.checkout_key === checkoutKey) return orderView(q, order, store, config);
  throw cartAlreadyOrdered();
}

export interface CheckoutOptions extends CheckoutOrigin {
  /** What the request schema refused: reported with the rules' problems in one 422 (one round for the customer). */
  schemaProblems?: ProblemItem[];
  /** The Idempotency-Key's record, written in the order's own statement (one durable commit per checkout). */
  record?: IdempotencyRecord | null;
}

/** How often a checkout reads the cart again when it changed between the read and the order (another tab). */
const CART_CHANGED_ATTEMPTS = 5;
const CART_CHANGED = Symbol('cart changed');

/** Where a checkout comes from (the WhatsApp bot passes `source: 'whatsapp'`) and the customer's language. */
export interface CheckoutOrigin {
  source?: OrderSource;
  lang?: string;
}

/**
 * Turns a cart into an order. First, reads without locks: the store (open?), the cart and its version stamp, the
 * snapshot and bill (any error → 409 cart_has_errors, nothing taken); payment method, address (422); minimum order
 * (422). Then ONE autocommit statement (`placeOrder`) locks the stock, the cart (still open and unchanged since the
 * read, or nothing happens) and the coupon, and writes everything. A cart changed in between is read again.
 *
 * So a hot product's row and the store's order counter stay locked for one statement and its commit, never across
 * a round trip to this process.
 */
export async function checkout(
  db: Db,
  config: CheckoutConfig,
  slug: string,
  cartId: string,
  input: CheckoutInput,
  checkoutKey: string | null,
  opts: CheckoutOptions = {},
): Promise<OrderView> {
  const { customer, problems } = customerProblems(input.customer);
  const note = typeof input.note === 'string' ? input.note.trim() || null : null;
  if (!isUuid(cartId)) throw notFound('Cart not found');
  const known = mergeProblems([...(opts.schemaProblems ?? [])], problems);
  for (let attempt = 1; ; attempt++) {
    const placed = await attemptCheckout(db, config, slug, cartId, input, customer, note, checkoutKey, known, opts);
    if (placed !== CART_CHANGED) return placed;
    if (attempt === CART_CHANGED_ATTEMPTS) {
      throw new AppError(409, 'cart_has_errors', 'The cart kept changing while it was being ordered', [
        { code: 'cart_changed', message: 'the cart changed while ordering — check it and order again' },
      ]);
    }
  }
}

async function attemptCheckout(
  db: Db,
  config: CheckoutConfig,
  slug: string,
  cartId: string,
  input: CheckoutInput,
  customer: StoredCustomer,
  note: string | null,
  checkoutKey: string | null,
  knownProblems: readonly ProblemItem[],
  origin: CheckoutOptions,
): Promise<OrderView | typeof CART_CHANGED> {
  // One read, one consistent view: the store's settings as of now (it may have closed a moment ago), the cart, its
  // version stamp, lines and bill (delivery priced for the customer's PIN), and where the store hears about orders.
  const found = await loadStoreAndCart<{ cart_stamp: number; recipient: string | null }>(db, slug, cartId, {
    fulfillment: input.fulfillment,
    pincode: customer.address?.pincode.replace(/\s/g, '') || undefined,
    extraColumns: `${CART_STAMP_SQL('c')} AS cart_stamp, ${storeRecipientSql('s')} AS recipient`,
  });
  if (!found) throw notFound('Cart not found');
  const { store, snapshot, extra } = found;
  if (snapshot.row.orderId) return existingOrder(db, snapshot.row.orderId, checkoutKey, store, config);
  if (!storeOpenNow(store)) throw new AppError(409, 'store_closed', 'The store is not taking orders right now');

  const fulfillment =
    input.fulfillment === 'pickup' || input.fulfillment === 'delivery' ? input.fulfillment : snapshot.row.fulfillment;
  const problems = mergeProblems(
    [...knownProblems],
    orderDetailProblems(store, fulfillment, customer, input.paymentMethod),
  );
  if (fulfillment === 'pickup' && !store.pickup)
    mergeProblems(problems, [
      { code: 'not_offered', path: '/fulfillment', message: 'pickup is not offered by this store' },
    ]);
  const errors = cartErrors(snapshot);
  if (errors.length) throw new AppError(409, 'cart_has_errors', 'The cart has problems to fix before ordering', errors);
  if (problems.length) throw validationFailed(problems.map((p) => p.message).join('; '), problems, 422);
  assertFulfillmentOffered(store, fulfillment);
  if (fulfillment === 'delivery' && customer.address) {
    const area = deliveryTo(store.delivery_areas, store.delivery_fee, customer.address.pincode);
    if (!area.delivers)
      throw new AppError(
        422,
        'outside_delivery_area',
        `The store does not deliver to PIN ${customer.address.pincode}`,
        [
          {
            code: 'outside_delivery_area',
            path: '/customer/address/pincode',
            message: 'the store does not deliver here',
          },
        ],
      );
  }
  const { bill } = snapshot;
  if (store.min_order !== null && bill.subtotal - bill.discount < store.min_order) {
    throw new AppError(
      422,
      'below_minimum_order',
      `The minimum order is ${store.min_order} (after discount); the cart comes to ${bill.subtotal - bill.discount}`,
    );
  }
  if (input.expectedTotal !== undefined && input.expectedTotal !== bill.total) {
    throw new AppError(
      409,
      'total_changed',
      `The total is now ${bill.total}, not ${input.expectedTotal}; check the bill and order again`,
      undefined,
      undefined,
      { cart: snapshot.cart, expectedTotal: input.expectedTotal },
    );
  }
  const { cart_stamp: cartStamp, recipient } = extra;
  const lang = chooseOrderLang(origin.lang ?? input.lang, store);

  // A coupon that does not apply right now is simply left out of the order (it never blocks).
  const coupon = bill.coupon?.applied ? snapshot.coupon : null;
  const order: UnnumberedOrder = {
    id: newId(),
    storeId: store.id,
    paymentMethod: input.paymentMethod,
    fulfillment,
    subtotal: bill.subtotal,
    discount: bill.discount,
    deliveryFee: bill.deliveryFee,
    total: bill.total,
    couponId: coupon?.id ?? null,
    couponCode: coupon?.code ?? null,
    customer,
    note,
    trackingToken: newSecretId(),
    cartId,
    checkoutKey,
    lang,
    source: origin.source ?? 'web',
    billRules: {
      coupon: coupon
        ? { type: coupon.type, value: coupon.value, minOrder: coupon.minOrder, maxDiscount: coupon.maxDiscount }
        : null,
      deliveryFee: store.delivery_fee,
      freeAbove: store.free_above,
      minOrder: store.min_order,
    },
  };
  const lines: NewOrderLine[] = snapshot.lines.map((l) => ({
    variantId: l.variantId,
    productId: l.productId,
    name: l.productName,
    variantName: l.variantName,
    unitPrice: l.unitPrice,
    quantity: l.quantity,
  }));
  const moves = lines.map((l) => ({ variantId: l.variantId, quantity: l.quantity }));
  const placed = await placeOrder(
    db,
    order,
    cartStamp,
    lines,
    moves,
    recipient ? storeMessage(order, lines, recipient, store, config) : null,
    // The WhatsApp bot's own reply is the confirmation there; a second one would repeat it.
    customer.whatsappUpdates !== false && origin.source !== 'whatsapp'
      ? customerMessage(order, lines, store, config)
      : null,
    origin.record ?? null,
  );
  if (placed.placed)
    return placedOrderView(
      { ...order, number: placed.number },
      lines,
      placed.createdAt,
      placed.placedAt,
      store,
      config,
    );

  if (placed.shortages.length) {
    throw new AppError(
      409,
      'cart_has_errors',
      'Some lines sold out a moment ago',
      placed.shortages.map((s) =>
        s.available <= 0
          ? { code: 'out_of_stock', variantId: s.variantId, available: 0, message: 'out of stock — remove or replace' }
          : {
              code: 'insufficient_stock',
              variantId: s.variantId,
              available: s.available,
              message: `only ${s.available} left — change quantity`,
            },
      ),
    );
  }
  // Ordered by a concurrent checkout (perhaps this request's own retry), or changed, or the coupon was used up a
  // moment ago: the next attempt reads it again (the coupon then shows as not applied, and a page that sent
  // expectedTotal gets 409 total_changed).
  return CART_CHANGED;
}

/** The order's language: the one asked for when there is a catalog for it, else the store's default. */
function chooseOrderLang(asked: string | undefined, store: StoreRow): string {
  if (isLang(asked)) return asked;
  return isLang(store.default_language) ? store.default_language : 'en';
}

/** The customer's confirmation at placement (opt-in, default on), written with the order like the store's. */
function customerMessage(
  order: UnnumberedOrder,
  lines: readonly NewOrderLine[],
  store: StoreRow,
  config: CheckoutConfig,
): PlacedOrderMessage {
  const slot = '{{number}}';
  const draft = placedOrderView({ ...order, number: 0 }, lines, new Date(), new Date(), store, config);
  const text = orderPlacedForCustomer(draft, store, order.lang, slot);
  const at = text.indexOf(slot);
  return {
    id: newId(),
    topic: 'order.confirmed',
    recipient: order.customer.phone,
    textBeforeNumber: text.slice(0, at),
    textAfterNumber: text.slice(at + slot.length),
    data: { orderId: order.id, storeId: store.id },
  };
}

/** The store's "new order" message, written before the database gives the order its number (it fills the gap). */
function storeMessage(
  order: UnnumberedOrder,
  lines: readonly NewOrderLine[],
  recipient: string,
  store: StoreRow,
  config: CheckoutConfig,
): PlacedOrderMessage {
  const slot = '{{number}}';
  const draft = placedOrderView({ ...order, number: 0 }, lines, new Date(), new Date(), store, config);
  const text = orderPlacedForStore(
    orderForMessage(draft),
    storeForMessage(store),
    orderDashboardUrl(config, order.id),
    slot,
  );
  // The slot is in the first line, before any text the customer wrote, so the first occurrence is ours.
  const at = text.indexOf(slot);
  return {
    id: newId(),
    topic: 'order.placed',
    recipient,
    textBeforeNumber: text.slice(0, at),
    textAfterNumber: text.slice(at + slot.length),
    data: { orderId: order.id, storeId: store.id },
  };
}

function placedOrderView(
  o: NewOrder,
  lines: readonly NewOrderLine[],
  createdAt: Date,
  placedAt: Date,
  store: StoreRow,
  config: CheckoutConfig,
): OrderView {
  const row: OrderRow = {
    id: o.id,
    store_id: o.storeId,
    number: o.number,
    status: 'placed',
    payment_status: 'pending',
    payment_method: o.paymentMethod,
    fulfillment: o.fulfillment,
    subtotal: o.subtotal,
    discount: o.discount,
    delivery_fee: o.deliveryFee,
    total: o.total,
    amount_paid: 0,
    amount_refunded: 0,
    coupon_id: o.couponId,
    coupon_code: o.couponCode,
    customer: o.customer,
    note: o.note,
    tracking_token: o.trackingToken,
    checkout_key: o.checkoutKey,
    bill_rules: o.billRules,
    seen_at: null,
    created_at: createdAt,
    lang: o.lang,
    source: o.source ?? 'web',
  };
  const lineRows = lines.map((l, position) => ({
    order_id: o.id,
    variant_id: l.variantId,
    product_id: l.productId,
    name: l.name,
    variant_name: l.variantName,
    unit_price: l.unitPrice,
    quantity: l.quantity,
    line_total: l.unitPrice * l.quantity,
    position,
  }));
  return toOrderView(
    row,
    lineRows,
    [{ order_id: o.id, status: 'placed', note: null, actor: 'customer', at: placedAt, amount: null }],
    store,
    config,
  );
}
