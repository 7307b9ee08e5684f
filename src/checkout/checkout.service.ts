import type { Config } from '../config.js';
import type { Db, Queryable } from '../db/db.js';
import { AppError, notFound, validationFailed, type ProblemItem, cartAlreadyOrdered } from '../shared/errors.js';
import { isUuid, newId, newSecretId } from '../shared/ids.js';
import { normalizeE164 } from '../shared/phone.js';
import type { StoreRow } from '../stores/stores.service.js';
import { loadStoreAndCart } from '../cart/cart.service.js';
import { CART_STAMP_SQL } from '../cart/cart.repo.js';
import { orderPlacedForCustomer, orderPlacedForStore } from '../orders/messages.js';
import { isLang } from '../i18n/index.js';
import {
  ANSWER_SLOTS,
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
import { placeOrderBatched } from '../orders/place-batch.js';
import type { CheckoutInput } from './checkout.schema.js';
import {
  checkOrderable,
  draftOrder,
  holdsAnswerSlotText,
  mergeProblems,
  notPlacedOutcome,
  placedLineRows,
} from './checkout.plan.js';
import { orderForMessage, storeForMessage } from '../notify/quote.js';
import { fromStoreNumber } from '../notify/channels.js';
import type { IdempotencyRecord, RecordedKey } from '../server/idempotency.js';

/** `checkoutBatch` absent (the WhatsApp bot, the bench's explain run): each order placed alone. */
type CheckoutConfig = Pick<Config, 'publicUrl'> & Partial<Pick<Config, 'checkoutBatch'>>;

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
  /**
   * Given with `record`: SQL reading the record the key already has (as JSON, null when none) over the key's scope
   * and key at the two parameters named (src/server/idempotency.ts, recordedKeySql). The checkout's first read
   * carries it, so a keyed checkout costs no statement of its own for its key; a record found is reported
   * (`{ recorded }`) before anything else is looked at, and the route answers it.
   */
  recordSql?: (scopeParam: string, keyParam: string) => string;
  /**
   * How the route serializes an order it answers. Given with `record`, the answer itself is stored in the order's
   * statement too, and `checkoutAnswered` returns it: the exact bytes to send (no second statement to store them).
   */
  serialize?: (order: OrderView) => string;
}

/**
 * A placed (or found) order, and the stored answer to send as it is when the order's statement wrote one. The
 * order's view is built when asked for: a caller that sends `answer` never needs it.
 */
export interface CheckoutAnswer {
  order: () => OrderView;
  answer: string | null;
}

/** The checkout's first read found the Idempotency-Key's record (CheckoutOptions.recordSql): nothing was done. */
export interface KeyAlreadyRecorded {
  recorded: RecordedKey;
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
  opts: Omit<CheckoutOptions, 'recordSql'> = {},
): Promise<OrderView> {
  const done = await checkoutAnswered(db, config, slug, cartId, input, checkoutKey, opts);
  if ('recorded' in done) throw new Error('checkout: a key record was reported without recordSql');
  return done.order();
}

/**
 * `checkout`, with the stored answer when the order's statement wrote it (see CheckoutOptions.serialize), or the
 * Idempotency-Key's record when its first read found one (see CheckoutOptions.recordSql).
 */
export async function checkoutAnswered(
  db: Db,
  config: CheckoutConfig,
  slug: string,
  cartId: string,
  input: CheckoutInput,
  checkoutKey: string | null,
  opts: CheckoutOptions = {},
): Promise<CheckoutAnswer | KeyAlreadyRecorded> {
  const { customer, problems } = customerProblems(input.customer);
  const note = typeof input.note === 'string' ? input.note.trim() || null : null;
  if (!isUuid(cartId)) throw notFound('Cart not found');
  const known = mergeProblems([...(opts.schemaProblems ?? [])], problems);
  for (let attempt = 1; ; attempt++) {
    const placed = await attemptCheckout(db, config, slug, cartId, input, customer, note, checkoutKey, known, opts);
    if (placed !== CART_CHANGED) return placed;
    if (attempt === CART_CHANGED_ATTEMPTS) {
      throw new AppError('cart_has_errors', 'The cart kept changing while it was being ordered', [
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
): Promise<CheckoutAnswer | KeyAlreadyRecorded | typeof CART_CHANGED> {
  // 1. One read, one consistent view: the store's settings as of now (it may have closed a moment ago), the cart,
  // its version stamp, lines and bill (delivery priced for the customer's PIN), where the store hears about orders,
  // and the Idempotency-Key's record if it has one. Each attempt reads the record again: a concurrent request with
  // the same key that ordered this cart wrote its record in the same statement, so a read that sees the cart
  // ordered sees that record too (and answers as a repeat), never the order behind the key's back.
  const keyed = origin.record && origin.recordSql ? origin.record : null;
  const keyColumn = keyed ? `, ${origin.recordSql!('$3', '$4')} AS key_record` : '';
  const found = await loadStoreAndCart<{
    cart_stamp: number;
    recipient: string | null;
    key_record?: RecordedKey | null;
  }>(db, slug, cartId, {
    // A refusal names the lines' errors, never their replacements (the page that shows them reads the cart).
    suggestions: false,
    fulfillment: input.fulfillment,
    pincode: customer.address?.pincode.replace(/\s/g, '') || undefined,
    extraColumns: `${CART_STAMP_SQL('c')} AS cart_stamp, ${storeRecipientSql('s')} AS recipient${keyColumn}`,
    extraParams: keyed ? [keyed.scope, keyed.key] : [],
  });
  // No store or cart: no row, so no record read either. The refusal's record then meets the key's record when it
  // is stored, and the onSend hook answers from that one (src/server/idempotency.ts, answerLateRecord).
  if (!found) throw notFound('Cart not found');
  const { store, snapshot, extra } = found;
  if (extra.key_record) return { recorded: extra.key_record };
  if (snapshot.row.orderId) {
    const existing = await existingOrder(db, snapshot.row.orderId, checkoutKey, store, config);
    return { order: () => existing, answer: null };
  }

  // 2–3. Every refusal, then the order as it will be written (pure: src/checkout/checkout.plan.ts).
  const fulfillment = checkOrderable({ store, snapshot, input, customer, knownProblems });
  const { order, lines, moves } = draftOrder({
    store,
    snapshot,
    cartId,
    fulfillment,
    paymentMethod: input.paymentMethod,
    customer,
    note,
    checkoutKey,
    lang: chooseOrderLang(origin.lang ?? input.lang, store),
    source: origin.source ?? 'web',
    ids: { orderId: newId(), trackingToken: newSecretId() },
  });

  // 4. One statement locks and writes everything, or changes nothing. Checkouts arriving together, of one store or
  // of many, share that statement and its durable commit (src/orders/place-batch.ts).
  const { recipient } = extra;
  // The order as it will read, with ANSWER_SLOTS where the database's number and times go: the answer template, and
  // the messages' text (which take the number as a slot of their own and show no time).
  const slotted = placedOrderView(
    { ...order, number: ANSWER_SLOTS.number },
    lines,
    ANSWER_SLOTS.createdAt,
    ANSWER_SLOTS.placedAt,
    store,
    config,
  );
  const record = origin.record
    ? { ...origin.record, answer: answerTemplate(order, lines, slotted, store, config, origin) }
    : null;
  const placed = await (config.checkoutBatch ? placeOrderBatched : placeOrder)(
    db,
    order,
    extra.cart_stamp,
    lines,
    moves,
    recipient ? storeMessage(order, slotted, recipient, store, config) : null,
    // The WhatsApp bot's own reply is the confirmation there; a second one would repeat it.
    customer.whatsappUpdates !== false && origin.source !== 'whatsapp' ? customerMessage(order, slotted, store) : null,
    record,
  );
  if (placed.placed) {
    const { number, createdAt, placedAt } = placed;
    return {
      order: () => placedOrderView({ ...order, number }, lines, createdAt, placedAt, store, config),
      answer: placed.answer,
    };
  }
  // 5. Sold out a moment ago → 409; otherwise read again.
  notPlacedOutcome(placed);
  return CART_CHANGED;
}

/**
 * The answer as the route will send it, with ANSWER_SLOTS where the order's number and times go (`slotted`); null
 * (stored after, as before) without a serializer, or when a text or number the order is made from holds a slot's
 * text (the database would fill it too).
 */
function answerTemplate(
  order: UnnumberedOrder,
  lines: readonly NewOrderLine[],
  slotted: OrderView,
  store: StoreRow,
  config: CheckoutConfig,
  origin: CheckoutOptions,
): string | null {
  if (!origin.serialize) return null;
  if (holdsAnswerSlotText([order, lines, store, config.publicUrl])) return null;
  return origin.serialize(slotted);
}

/** The order's language: the one asked for when there is a catalog for it, else the store's default. */
function chooseOrderLang(asked: string | undefined, store: StoreRow): string {
  if (isLang(asked)) return asked;
  return isLang(store.default_language) ? store.default_language : 'en';
}

/** The customer's confirmation at placement (opt-in, default on), written with the order like the store's. */
function customerMessage(order: UnnumberedOrder, view: OrderView, store: StoreRow): PlacedOrderMessage {
  const slot = '{{number}}';
  const text = orderPlacedForCustomer(view, store, order.lang, slot);
  const at = text.indexOf(slot);
  return {
    id: newId(),
    topic: 'order.confirmed',
    recipient: order.customer.phone,
    textBeforeNumber: text.slice(0, at),
    textAfterNumber: text.slice(at + slot.length),
    data: { orderId: order.id, storeId: store.id, ...fromStoreNumber(store) },
  };
}

/** The store's "new order" message, written before the database gives the order its number (it fills the gap). */
function storeMessage(
  order: UnnumberedOrder,
  view: OrderView,
  recipient: string,
  store: StoreRow,
  config: CheckoutConfig,
): PlacedOrderMessage {
  const slot = '{{number}}';
  const text = orderPlacedForStore(
    orderForMessage(view),
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
    amount_waived: 0,
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
  const lineRows = placedLineRows(o.id, lines);
  return toOrderView(
    row,
    lineRows,
    [{ order_id: o.id, status: 'placed', note: null, actor: 'customer', at: placedAt, amount: null }],
    store,
    config,
  );
}
