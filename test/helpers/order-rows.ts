/** Orders built by hand for the repository-level tests of placing them (placeOrder, placeOrderBatch). */
import type { UnnumberedOrder } from '../../src/orders/orders.repo.js';
import { newId, newSecretId } from '../../src/shared/ids.js';

/** A pickup, cash-on-delivery order of this cart, total 300 unless `overrides` say otherwise. */
export function unnumberedOrder(
  storeId: string,
  cartId: string,
  overrides: Partial<UnnumberedOrder> = {},
): UnnumberedOrder {
  return {
    id: newId(),
    storeId,
    paymentMethod: 'cod',
    fulfillment: 'pickup',
    subtotal: 300,
    discount: 0,
    deliveryFee: 0,
    total: 300,
    couponId: null,
    couponCode: null,
    customer: { name: 'Asha', phone: '+919812345678', address: null },
    note: null,
    trackingToken: newSecretId(),
    cartId,
    checkoutKey: null,
    billRules: { coupon: null, deliveryFee: 0, freeAbove: null, minOrder: null },
    lang: 'en',
    ...overrides,
  };
}
