import type { Config } from '../config.js';
import type { Db, Tx } from '../db/db.js';
import { AppError, notFound, validationFailed, type ProblemItem } from '../shared/errors.js';
import { isUuid, newId, newSecretId } from '../shared/ids.js';
import { normalizeE164 } from '../shared/phone.js';
import { getStoreBySlug, STORE_COLUMNS, type StoreRow } from '../stores/stores.service.js';
import { assertFulfillmentOffered, loadCartSnapshot, type CartSnapshot } from '../cart/cart.service.js';
import { consumeCouponUse } from '../coupons/coupons.service.js';
import { takeStock } from '../inventory/reserve.js';
import { enqueueMessage } from '../notify/outbox.js';
import { paymentMethod } from '../payments/methods.js';
import { orderPlacedForStore } from '../orders/messages.js';
import { addHistory, findOrderById, insertOrder, nextOrderNumber, storeRecipient, writeOrderLines, type StoredCustomer } from '../orders/orders.repo.js';
import { orderDashboardUrl, orderView, type OrderView } from '../orders/orders.service.js';
import type { CheckoutInput } from './checkout.schema.js';

type CheckoutConfig = Pick<Config, 'publicUrl'>;

/** Trims and checks the customer: name and address lines not blank, phone a valid E.164 number (400 otherwise). */
export function normaliseCustomer(input: CheckoutInput['customer']): StoredCustomer {
  const problems: ProblemItem[] = [];
  const name = input.name.trim();
  if (!name) problems.push({ code: 'invalid', path: '/customer/name', message: 'must not be blank' });
  const phone = normalizeE164(input.phone.trim());
  if (!phone) problems.push({ code: 'invalid', path: '/customer/phone', message: 'not a valid phone number in E.164 (e.g. +919876543210)' });
  let address: StoredCustomer['address'] = null;
  if (input.address) {
    const a = input.address;
    address = { line1: a.line1.trim(), line2: a.line2?.trim() || null, city: a.city.trim(), pincode: a.pincode.trim() };
    if (!address.line1) problems.push({ code: 'invalid', path: '/customer/address/line1', message: 'must not be blank' });
    if (!address.city) problems.push({ code: 'invalid', path: '/customer/address/city', message: 'must not be blank' });
    if (!address.pincode) problems.push({ code: 'invalid', path: '/customer/address/pincode', message: 'must not be blank' });
  }
  if (problems.length) throw validationFailed('The customer details are not valid', problems);
  return { name, phone: phone!, address };
}

function cartErrors(snapshot: CartSnapshot): ProblemItem[] {
  if (snapshot.lines.length === 0) return [{ code: 'empty_cart', message: 'the cart has no lines' }];
  return snapshot.bill.errors.map((e) => ({ code: e.code, ...(e.variantId ? { variantId: e.variantId } : {}), ...(e.available !== undefined ? { available: e.available } : {}), message: e.message }));
}

/** Rules that need the store and the fulfillment but nothing locked: 422 validation_failed. */
function checkOrderDetails(store: StoreRow, fulfillment: 'delivery' | 'pickup', customer: StoredCustomer, method: string): void {
  const problems: ProblemItem[] = [];
  const pay = paymentMethod(method);
  const refusal = pay ? pay.unavailableReason({ name: store.name, currency: store.currency, cod: store.cod, upiVpa: store.upi_vpa }) : 'unknown payment method';
  if (refusal) problems.push({ code: 'not_offered', path: '/paymentMethod', message: refusal });
  if (fulfillment === 'delivery' && !customer.address) problems.push({ code: 'required', path: '/customer/address', message: 'a delivery needs an address' });
  if (customer.address && store.currency === 'INR' && !/^\d{6}$/.test(customer.address.pincode)) {
    problems.push({ code: 'invalid', path: '/customer/address/pincode', message: 'a PIN code is 6 digits' });
  }
  if (problems.length) throw validationFailed(problems.map((p) => p.message).join('; '), problems, 422);
}

async function existingOrder(tx: Tx, orderId: string, checkoutKey: string | null, store: StoreRow, config: CheckoutConfig): Promise<OrderView> {
  const order = await findOrderById(tx, orderId);
  // The same Idempotency-Key again, after the stored answer was lost: answer the order it created.
  if (checkoutKey !== null && order.checkout_key === checkoutKey) return orderView(tx, order, store, config);
  throw new AppError(409, 'cart_already_ordered', 'This cart has already been ordered; start a new cart');
}

/**
 * Turns a cart into an order in ONE transaction of short steps: lock the cart; store open; fulfillment; snapshot
 * and bill (any error → 409 cart_has_errors, nothing taken); payment method, address (422); minimum order (422);
 * take stock with conditional UPDATEs in variant-id order; count the coupon use; number the order; write order,
 * frozen lines, `placed` history and the message to the store; mark the cart ordered. Whatever fails rolls back.
 */
export async function checkout(db: Db, config: CheckoutConfig, slug: string, cartId: string, input: CheckoutInput, checkoutKey: string | null): Promise<OrderView> {
  const customer = normaliseCustomer(input.customer);
  const note = input.note?.trim() || null;
  const storeBySlug = await getStoreBySlug(db, slug);
  if (!isUuid(cartId)) throw notFound('Cart not found');

  return db.tx(async (tx) => {
    const { rows: carts } = await tx.query<{ order_id: string | null; fulfillment: 'delivery' | 'pickup' }>(
      `SELECT order_id, fulfillment FROM carts WHERE id = $1 AND store_id = $2 FOR UPDATE`,
      [cartId, storeBySlug.id],
    );
    const cart = carts[0];
    if (!cart) throw notFound('Cart not found');
    // Settings as of now, inside the transaction (the store may have closed a moment ago).
    const store = (await tx.query<StoreRow>(`SELECT ${STORE_COLUMNS} FROM stores WHERE id = $1`, [storeBySlug.id])).rows[0]!;
    if (cart.order_id) return existingOrder(tx, cart.order_id, checkoutKey, store, config);
    if (!store.is_open) throw new AppError(409, 'store_closed', 'The store is not taking orders right now');

    const fulfillment = input.fulfillment ?? cart.fulfillment;
    assertFulfillmentOffered(store, fulfillment);
    const snapshot = await loadCartSnapshot(tx, store, cartId, { fulfillment });
    const errors = cartErrors(snapshot);
    if (errors.length) throw new AppError(409, 'cart_has_errors', 'The cart has problems to fix before ordering', errors);
    checkOrderDetails(store, fulfillment, customer, input.paymentMethod);
    const { bill } = snapshot;
    if (store.min_order !== null && bill.subtotal - bill.discount < store.min_order) {
      throw new AppError(422, 'below_minimum_order', `The minimum order is ${store.min_order} (after discount); the cart comes to ${bill.subtotal - bill.discount}`);
    }

    const shortages = await takeStock(tx, store.id, snapshot.lines.map((l) => ({ variantId: l.variantId, quantity: l.quantity })));
    if (shortages.length) {
      throw new AppError(
        409,
        'cart_has_errors',
        'Some lines sold out a moment ago',
        shortages.map((s) =>
          s.available <= 0
            ? { code: 'out_of_stock', variantId: s.variantId, available: 0, message: 'out of stock — remove or replace' }
            : { code: 'insufficient_stock', variantId: s.variantId, available: s.available, message: `only ${s.available} left — change quantity` },
        ),
      );
    }
    const coupon = snapshot.coupon;
    if (coupon && !(await consumeCouponUse(tx, coupon.id))) {
      throw new AppError(409, 'cart_has_errors', 'The coupon was used up a moment ago', [{ code: 'coupon_exhausted', message: `coupon ${coupon.code} has been used up` }]);
    }

    const orderId = newId();
    const number = await nextOrderNumber(tx, store.id);
    await insertOrder(tx, {
      id: orderId,
      storeId: store.id,
      number,
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
      billRules: {
        coupon: coupon ? { type: coupon.type, value: coupon.value, minOrder: coupon.minOrder, maxDiscount: coupon.maxDiscount } : null,
        deliveryFee: store.delivery_fee,
        freeAbove: store.free_above,
        minOrder: store.min_order,
      },
    });
    await writeOrderLines(
      tx,
      orderId,
      snapshot.lines.map((l) => ({ variantId: l.variantId, productId: l.productId, name: l.productName, variantName: l.variantName, unitPrice: l.unitPrice, quantity: l.quantity })),
    );
    await addHistory(tx, orderId, 'placed', 'customer');
    await tx.query(`UPDATE carts SET order_id = $2, fulfillment = $3, updated_at = now() WHERE id = $1`, [cartId, orderId, fulfillment]);
    const view = await orderView(tx, await findOrderById(tx, orderId), store, config);
    const recipient = await storeRecipient(tx, store);
    if (recipient) {
      await enqueueMessage(tx, { topic: 'order.placed', recipient, text: orderPlacedForStore(view, store, orderDashboardUrl(config, orderId)), data: { orderId, storeId: store.id } });
    }
    return view;
  });
}
