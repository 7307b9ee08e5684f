/**
 * The pure phases of a checkout attempt (src/checkout/checkout.service.ts runs them around its two I/O steps, the
 * snapshot read and the placeOrder statement):
 *
 *   1. read the store and cart            (service, one statement)
 *   2. checkOrderable: every refusal      (here, no I/O)
 *   3. draftOrder: the order as written   (here, no I/O)
 *   4. placeOrder                         (repository, one statement)
 *   5. notPlacedOutcome: why nothing was  (here, no I/O)
 *
 * Refusals come in the contract's order: closed store, cart problems (409), field problems all at once (422),
 * outside the delivery area, below the minimum order, a total the customer did not see (409 total_changed).
 */
import { shortageProblem } from '../cart/bill.js';
import type { CartSnapshot } from '../cart/cart.service.js';
import type { Fulfillment } from '../cart/cart.schema.js';
import {
  ANSWER_SLOTS,
  type NewOrderLine,
  type OrderLineRow,
  type PlaceOrderResult,
  type StoredCustomer,
  type UnnumberedOrder,
} from '../orders/orders.repo.js';
import { paymentMethod } from '../orders/payment-methods.js';
import { AppError, type ProblemItem, validationFailed } from '../shared/errors.js';
import { deliveryTo, pincodeShapeOk } from '../stores/profile.js';
import { storeOpenNow, type StoreRow } from '../stores/stores.service.js';
import type { CheckoutInput } from './checkout.schema.js';

/** Adds the problems whose path is not reported yet (the schema's own problems come first). */
export function mergeProblems(into: ProblemItem[], more: readonly ProblemItem[]): ProblemItem[] {
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
  if (fulfillment === 'pickup' && !store.pickup)
    problems.push({ code: 'not_offered', path: '/fulfillment', message: 'pickup is not offered by this store' });
  if (customer.address?.pincode && !pincodeShapeOk(store.currency, customer.address.pincode))
    problems.push({ code: 'invalid', path: '/customer/address/pincode', message: 'a PIN code is 6 digits' });
  return problems;
}

export interface OrderableInput {
  store: StoreRow;
  snapshot: CartSnapshot;
  input: Pick<CheckoutInput, 'fulfillment' | 'paymentMethod' | 'expectedTotal'>;
  customer: StoredCustomer;
  /** Problems found before the snapshot was read (the schema's, the customer's fields). */
  knownProblems: readonly ProblemItem[];
  now?: Date;
}

/** Phase 2: throws the first refusal (see the module comment for the order); returns the order's fulfillment. */
export function checkOrderable({ store, snapshot, input, customer, knownProblems, now }: OrderableInput): Fulfillment {
  if (!storeOpenNow(store, now)) throw new AppError('store_closed', 'The store is not taking orders right now');
  const fulfillment =
    input.fulfillment === 'pickup' || input.fulfillment === 'delivery' ? input.fulfillment : snapshot.row.fulfillment;
  const problems = mergeProblems(
    [...knownProblems],
    orderDetailProblems(store, fulfillment, customer, input.paymentMethod),
  );
  const errors = cartErrors(snapshot);
  if (errors.length) throw new AppError('cart_has_errors', 'The cart has problems to fix before ordering', errors);
  if (problems.length) throw validationFailed(problems.map((p) => p.message).join('; '), problems, 422);
  if (fulfillment === 'delivery' && customer.address) {
    const area = deliveryTo(store.delivery_areas, store.delivery_fee, customer.address.pincode);
    if (!area.delivers)
      throw new AppError('outside_delivery_area', `The store does not deliver to PIN ${customer.address.pincode}`, [
        {
          code: 'outside_delivery_area',
          path: '/customer/address/pincode',
          message: 'the store does not deliver here',
        },
      ]);
  }
  const { bill } = snapshot;
  if (store.min_order !== null && bill.subtotal - bill.discount < store.min_order) {
    throw new AppError(
      'below_minimum_order',
      `The minimum order is ${store.min_order} (after discount); the cart comes to ${bill.subtotal - bill.discount}`,
    );
  }
  if (input.expectedTotal !== undefined && input.expectedTotal !== bill.total) {
    throw new AppError(
      'total_changed',
      `The total is now ${bill.total}, not ${input.expectedTotal}; check the bill and order again`,
      undefined,
      { extra: { cart: snapshot.cart, expectedTotal: input.expectedTotal } },
    );
  }
  return fulfillment;
}

export interface DraftInput {
  store: StoreRow;
  snapshot: CartSnapshot;
  cartId: string;
  fulfillment: Fulfillment;
  paymentMethod: string;
  customer: StoredCustomer;
  note: string | null;
  checkoutKey: string | null;
  lang: string;
  source: UnnumberedOrder['source'];
  /** Fresh ids: the order's and its tracking token (the caller draws them, so this stays pure). */
  ids: { orderId: string; trackingToken: string };
}

/** A placed order's lines as orders.repo reads them back: each total price × quantity, positions in their order. */
export function placedLineRows(orderId: string, lines: readonly NewOrderLine[]): OrderLineRow[] {
  return lines.map((l, position) => ({
    order_id: orderId,
    variant_id: l.variantId,
    product_id: l.productId,
    name: l.name,
    variant_name: l.variantName,
    unit_price: l.unitPrice,
    quantity: l.quantity,
    line_total: l.unitPrice * l.quantity,
    position,
  }));
}

/**
 * The delivery fee frozen in an order's bill rules, the one a later line edit re-bills with: delivered to an address,
 * the fee of its PIN's delivery area (what the cart's bill charged at checkout, src/cart/cart.service.ts); a pickup
 * has no address to price, and keeps the store's fee (a pickup bill charges no delivery anyway).
 */
export function frozenDeliveryFee(
  store: Pick<StoreRow, 'delivery_areas' | 'delivery_fee'>,
  fulfillment: Fulfillment,
  customer: StoredCustomer,
): number {
  if (fulfillment !== 'delivery' || !customer.address) return store.delivery_fee;
  return deliveryTo(store.delivery_areas, store.delivery_fee, customer.address.pincode).fee;
}

/**
 * Phase 3: the order, its frozen lines and the stock to take. A coupon that does not apply right now is simply left
 * out (it never blocks); the bill's rules are frozen on the order so later edits price with them.
 */
export function draftOrder(d: DraftInput): {
  order: UnnumberedOrder;
  lines: NewOrderLine[];
  moves: { variantId: string; quantity: number }[];
} {
  const { bill } = d.snapshot;
  const coupon = bill.coupon?.applied ? d.snapshot.coupon : null;
  const order: UnnumberedOrder = {
    id: d.ids.orderId,
    storeId: d.store.id,
    paymentMethod: d.paymentMethod,
    fulfillment: d.fulfillment,
    subtotal: bill.subtotal,
    discount: bill.discount,
    deliveryFee: bill.deliveryFee,
    total: bill.total,
    couponId: coupon?.id ?? null,
    couponCode: coupon?.code ?? null,
    customer: d.customer,
    note: d.note,
    trackingToken: d.ids.trackingToken,
    cartId: d.cartId,
    checkoutKey: d.checkoutKey,
    lang: d.lang,
    source: d.source ?? 'web',
    billRules: {
      coupon: coupon
        ? { type: coupon.type, value: coupon.value, minOrder: coupon.minOrder, maxDiscount: coupon.maxDiscount }
        : null,
      deliveryFee: frozenDeliveryFee(d.store, d.fulfillment, d.customer),
      freeAbove: d.store.free_above,
      minOrder: d.store.min_order,
    },
  };
  const lines: NewOrderLine[] = d.snapshot.lines.map((l) => ({
    variantId: l.variantId,
    productId: l.productId,
    name: l.productName,
    variantName: l.variantName,
    unitPrice: l.unitPrice,
    quantity: l.quantity,
  }));
  return { order, lines, moves: lines.map((l) => ({ variantId: l.variantId, quantity: l.quantity })) };
}

/**
 * Phase 5: placeOrder changed nothing, and says why. Lines that sold out a moment ago → 409 cart_has_errors naming
 * them. The cart ordered or changed since the read, or the coupon used up a moment ago → 'read_again' (the next
 * attempt sees the order, the new lines, or the coupon as not applied — and a page that sent expectedTotal then
 * gets 409 total_changed).
 */
export function notPlacedOutcome(placed: Extract<PlaceOrderResult, { placed: false }>): 'read_again' {
  if (placed.shortages.length) {
    throw new AppError(
      'cart_has_errors',
      'Some lines sold out a moment ago',
      placed.shortages.map((s) => shortageProblem(s.variantId, s.available)),
    );
  }
  if (!placed.cartCurrent) return 'read_again';
  if (!placed.couponUsable) return 'read_again';
  throw new Error('placeOrder placed nothing, yet found the stock, the cart and the coupon all in order');
}

const NUMBER_SLOT = String(ANSWER_SLOTS.number);
const TIME_SLOTS = [ANSWER_SLOTS.createdAt.toISOString(), ANSWER_SLOTS.placedAt.toISOString()];

/**
 * True when a value the order's view is made from (the order, its lines, the store, the public URL) could put a
 * slot's text into the serialized answer, where the database would fill it as if it were the slot: any text or
 * number holding the number slot's digits (they pass through JSON and URL encoding unchanged), any text holding a
 * time slot's characters (a text that ends in a quote and the time serializes as `\"`, the time and the closing
 * quote: the slot's own text).
 * Checking the inputs instead of serializing a second view to look: one view and one serialization fewer per keyed
 * checkout.
 */
export function holdsAnswerSlotText(value: unknown): boolean {
  if (typeof value === 'string') return value.includes(NUMBER_SLOT) || TIME_SLOTS.some((time) => value.includes(time));
  if (typeof value === 'number' || typeof value === 'bigint') return String(value).includes(NUMBER_SLOT);
  // As JSON writes it (null for an invalid date, which toISOString would throw on).
  if (value instanceof Date) return holdsAnswerSlotText(value.toJSON());
  if (Array.isArray(value)) return value.some(holdsAnswerSlotText);
  if (value !== null && typeof value === 'object') return Object.values(value).some(holdsAnswerSlotText);
  return false;
}
