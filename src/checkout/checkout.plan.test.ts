import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { CartSnapshot } from '../cart/cart.service.js';
import { ANSWER_SLOT_TEXTS, type StoredCustomer } from '../orders/orders.repo.js';
import { AppError } from '../shared/errors.js';
import { storeRow } from '../stores/store-row.fixture.js';
import {
  checkOrderable,
  draftOrder,
  holdsAnswerSlotText,
  notPlacedOutcome,
  type OrderableInput,
} from './checkout.plan.js';

const store = storeRow();

const customer: StoredCustomer = {
  name: 'Asha',
  phone: '+919812345678',
  address: { line1: '12 MG Road', line2: null, city: 'Bengaluru', pincode: '560001' },
};

function snapshot(over: { errors?: unknown[]; lines?: number; coupon?: boolean; applied?: boolean } = {}) {
  const lines = Array.from({ length: over.lines ?? 1 }, (_, i) => ({
    variantId: `v${i}`,
    productId: `p${i}`,
    productName: `Atta ${i}`,
    variantName: '5 kg',
    unitPrice: 10_000,
    quantity: 2,
  }));
  const subtotal = lines.length * 20_000;
  const discount = over.applied ? 1_000 : 0;
  return {
    cart: { id: 'c1' },
    row: { fulfillment: 'delivery', orderId: null },
    lines,
    coupon: over.coupon
      ? { id: 'k1', code: 'SAVE10', type: 'flat', value: 1_000, minOrder: null, maxDiscount: null }
      : null,
    bill: {
      subtotal,
      discount,
      deliveryFee: 3000,
      total: subtotal - discount + 3000,
      errors: over.errors ?? [],
      coupon: over.coupon ? { code: 'SAVE10', applied: over.applied ?? false } : null,
    },
  } as unknown as CartSnapshot;
}

const base = (over: Partial<OrderableInput> = {}): OrderableInput => ({
  store,
  snapshot: snapshot(),
  input: { paymentMethod: 'cod' },
  customer,
  knownProblems: [],
  ...over,
});

function refusal(fn: () => unknown): { status: number; code: string; paths: (string | undefined)[] } {
  try {
    fn();
  } catch (err) {
    if (!(err instanceof AppError)) throw err;
    return { status: err.status, code: err.code, paths: (err.errors ?? []).map((e) => e.path) };
  }
  throw new Error('expected a refusal');
}

describe('checkOrderable: the refusals of a checkout, in order, without a database', () => {
  it('an orderable cart gives its fulfillment', () => {
    expect(checkOrderable(base())).toBe('delivery');
    expect(
      checkOrderable(
        base({ store: { ...store, pickup: true }, input: { paymentMethod: 'cod', fulfillment: 'pickup' } }),
      ),
    ).toBe('pickup');
  });

  it('a closed store refuses before anything else', () => {
    expect(
      refusal(() => checkOrderable(base({ store: { ...store, is_open: false }, snapshot: snapshot({ lines: 0 }) }))),
    ).toMatchObject({
      status: 409,
      code: 'store_closed',
    });
  });

  it('cart problems (409) come before field problems (422)', () => {
    const r = refusal(() =>
      checkOrderable(base({ snapshot: snapshot({ lines: 0 }), input: { paymentMethod: 'upi' } })),
    );
    expect(r).toMatchObject({ status: 409, code: 'cart_has_errors' });
  });

  it('every field problem at once, the known ones first, one per path', () => {
    const r = refusal(() =>
      checkOrderable(
        base({
          input: { paymentMethod: 'upi', fulfillment: 'pickup' },
          customer: { ...customer, address: { ...customer.address!, pincode: '12' } },
          knownProblems: [{ code: 'required', path: '/customer/name', message: 'name is required' }],
        }),
      ),
    );
    expect(r).toEqual({
      status: 422,
      code: 'validation_failed',
      paths: ['/customer/name', '/paymentMethod', '/fulfillment', '/customer/address/pincode'],
    });
  });

  it('outside the delivery area, below the minimum, and a total the customer did not see', () => {
    const areas = { ...store, delivery_areas: [{ pincodePrefix: '400' }] };
    expect(refusal(() => checkOrderable(base({ store: areas })))).toMatchObject({
      status: 422,
      code: 'outside_delivery_area',
      paths: ['/customer/address/pincode'],
    });
    expect(refusal(() => checkOrderable(base({ store: { ...store, min_order: 50_000 } })))).toMatchObject({
      status: 422,
      code: 'below_minimum_order',
    });
    expect(refusal(() => checkOrderable(base({ input: { paymentMethod: 'cod', expectedTotal: 1 } })))).toMatchObject({
      status: 409,
      code: 'total_changed',
    });
    expect(checkOrderable(base({ input: { paymentMethod: 'cod', expectedTotal: 23_000 } }))).toBe('delivery');
  });
});

describe('draftOrder: the order as placeOrder writes it', () => {
  const draft = (snap: CartSnapshot) =>
    draftOrder({
      store,
      snapshot: snap,
      cartId: 'c1',
      fulfillment: 'delivery',
      paymentMethod: 'cod',
      customer,
      note: null,
      checkoutKey: 'key-1',
      lang: 'hi',
      source: 'web',
      ids: { orderId: 'o1', trackingToken: 't1' },
    });

  it('freezes lines, stock moves and the bill rules; an applied coupon goes on the order', () => {
    const { order, lines, moves } = draft(snapshot({ lines: 2, coupon: true, applied: true }));
    expect(order).toMatchObject({ id: 'o1', trackingToken: 't1', subtotal: 40_000, discount: 1_000, total: 42_000 });
    expect(order.couponCode).toBe('SAVE10');
    expect(order.billRules).toEqual({
      coupon: { type: 'flat', value: 1_000, minOrder: null, maxDiscount: null },
      deliveryFee: 3000,
      freeAbove: null,
      minOrder: null,
    });
    expect(lines.map((l) => [l.name, l.quantity])).toEqual([
      ['Atta 0', 2],
      ['Atta 1', 2],
    ]);
    expect(moves).toEqual([
      { variantId: 'v0', quantity: 2 },
      { variantId: 'v1', quantity: 2 },
    ]);
  });

  it('a coupon that does not apply right now is left out, never blocks', () => {
    const { order } = draft(snapshot({ coupon: true, applied: false }));
    expect(order.couponId).toBeNull();
    expect(order.billRules.coupon).toBeNull();
  });
});

describe('notPlacedOutcome', () => {
  it('sold-out lines are 409 naming them; anything else reads again', () => {
    const sold = refusal(() =>
      notPlacedOutcome({
        placed: false,
        shortages: [{ variantId: 'v1', requested: 2, available: 0 }],
        cartCurrent: true,
        couponUsable: true,
      }),
    );
    expect(sold).toMatchObject({ status: 409, code: 'cart_has_errors' });
    expect(notPlacedOutcome({ placed: false, shortages: [], cartCurrent: false, couponUsable: true })).toBe(
      'read_again',
    );
    expect(notPlacedOutcome({ placed: false, shortages: [], cartCurrent: true, couponUsable: false })).toBe(
      'read_again',
    );
    expect(() => notPlacedOutcome({ placed: false, shortages: [], cartCurrent: true, couponUsable: true })).toThrow(
      /placed nothing/,
    );
  });
});

describe('holdsAnswerSlotText: could a value put a slot of the stored answer into it', () => {
  it('finds a slot in any text, the number slot in any number, at any depth', () => {
    expect(holdsAnswerSlotText({ note: 'ring 9007199254740991 twice' })).toBe(true);
    expect(holdsAnswerSlotText([{ name: 'x' }, { lines: [{ name: 'Tea 90071992547409912' }] }])).toBe(true);
    expect(holdsAnswerSlotText({ price: 0.9007199254740991 })).toBe(true);
    expect(holdsAnswerSlotText({ note: '1970-01-01T00:00:00.000Z' })).toBe(true);
    // '"…000Z' serializes to '"\\"…000Z"': the slot's text, from the escaped quote to the closing one.
    expect(holdsAnswerSlotText({ note: 'at "1970-01-01T00:00:00.000Z' })).toBe(true);
    expect(holdsAnswerSlotText({ note: '1970-01-01T00:00:00.001Z' })).toBe(true);
    expect(holdsAnswerSlotText({ at: new Date(0) })).toBe(true);
    expect(holdsAnswerSlotText({ at: new Date(Number.NaN) })).toBe(false);
    expect(holdsAnswerSlotText({ note: '900719925474099', n: 42, ok: true, none: null })).toBe(false);
    expect(holdsAnswerSlotText({ customer, store })).toBe(false);
  });

  it('says true whenever the JSON or URL form of a text holds a slot text', () => {
    const pieces = fc.constantFrom('9007199254740991', '1970-01-01T00:00:00.000Z', '1970-01-01T00:00:00.001Z', '"');
    const text = fc.array(fc.oneof(pieces, fc.string(), fc.stringMatching(/^[0-9"\\]{0,6}$/)), { maxLength: 5 });
    fc.assert(
      fc.property(text, (parts) => {
        const value = parts.join('');
        const json = JSON.stringify({ a: value, b: [value] });
        const inJson = ANSWER_SLOT_TEXTS.some((slot) => json.includes(slot));
        const inUrl = encodeURIComponent(value).includes(ANSWER_SLOT_TEXTS[0]);
        if (inJson || inUrl) expect(holdsAnswerSlotText({ note: value })).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });
});
