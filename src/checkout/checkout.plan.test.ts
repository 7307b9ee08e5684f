import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { computeBill } from '../cart/bill.js';
import type { CartSnapshot } from '../cart/cart.service.js';
import { planLineEdit } from '../orders/line-edit.js';
import { ANSWER_SLOT_TEXTS, type StoredCustomer } from '../orders/orders.repo.js';
import { AppError } from '../shared/errors.js';
import { deliveryTo } from '../stores/profile.js';
import { storeRow } from '../stores/store-row.fixture.js';
import {
  checkOrderable,
  draftOrder,
  frozenDeliveryFee,
  holdsAnswerSlotText,
  notPlacedOutcome,
  placedLineRows,
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

  it("freezes the delivery area's fee for the address, not the store's", () => {
    const areas = storeRow({
      delivery_fee: 5000,
      delivery_areas: [{ pincodePrefix: '4110', fee: 1234 }, { pincodePrefix: '56' }],
    });
    const to = (pincode: string) => ({ ...customer, address: { ...customer.address!, pincode } });
    const rules = (fulfillment: 'delivery' | 'pickup', who: StoredCustomer) =>
      draftOrder({
        store: areas,
        snapshot: snapshot(),
        cartId: 'c1',
        fulfillment,
        paymentMethod: 'cod',
        customer: who,
        note: null,
        checkoutKey: null,
        lang: 'en',
        source: 'web',
        ids: { orderId: 'o1', trackingToken: 't1' },
      }).order.billRules;
    expect(rules('delivery', to('411002')).deliveryFee).toBe(1234);
    expect(rules('delivery', to('4110 02')).deliveryFee).toBe(1234);
    // An area without a fee of its own charges the store's.
    expect(rules('delivery', to('560001')).deliveryFee).toBe(5000);
    // A pickup has no address to price: the store's fee (its bill charges no delivery anyway).
    expect(rules('pickup', to('411002')).deliveryFee).toBe(5000);
    expect(rules('pickup', { ...customer, address: null }).deliveryFee).toBe(5000);
    expect(frozenDeliveryFee(storeRow({ delivery_fee: 700 }), 'delivery', to('999999'))).toBe(700);
  });

  it('a line edit bills delivery as a checkout of the new lines to the same address did then', () => {
    const digits = fc.stringMatching(/^[0-9]{6}$/);
    const fee = fc.integer({ min: 0, max: 20_000 });
    const area = (pin: string) =>
      fc.record(
        {
          pincodePrefix: fc.oneof(
            fc.integer({ min: 1, max: 6 }).map((k) => pin.slice(0, k)),
            digits,
          ),
          fee,
        },
        { requiredKeys: ['pincodePrefix'] },
      );
    const quantities = fc.array(fc.integer({ min: 1, max: 9 }), { minLength: 1, maxLength: 4 });
    const scenario = digits.chain((pin) =>
      fc.record({
        pin: fc.constant(pin),
        areas: fc.array(area(pin), { maxLength: 4 }),
        storeFee: fee,
        freeAbove: fc.option(fc.integer({ min: 0, max: 200_000 })),
        prices: fc.array(fc.integer({ min: 1, max: 30_000 }), { minLength: 4, maxLength: 4 }),
        placed: quantities,
        edited: quantities,
      }),
    );
    fc.assert(
      fc.property(scenario, ({ pin, areas, storeFee, freeAbove, prices, placed, edited }) => {
        const shop = storeRow({ delivery_fee: storeFee, free_above: freeAbove, delivery_areas: areas });
        const there = deliveryTo(areas, storeFee, pin);
        fc.pre(there.delivers);
        // The bill a checkout to this PIN charges (src/cart/cart.service.ts, buildSnapshot).
        const checkoutBill = (qs: number[]) =>
          computeBill({
            lines: qs.map((quantity, i) => ({
              variantId: `v${i}`,
              unitPrice: prices[i]!,
              quantity,
              stock: null,
              sellable: true,
            })),
            coupon: null,
            store: { deliveryFee: there.fee, freeAbove },
            fulfillment: 'delivery',
          });
        const cartLines = placed.map((quantity, i) => ({
          variantId: `v${i}`,
          productId: `p${i}`,
          productName: `Item ${i}`,
          variantName: '1 kg',
          unitPrice: prices[i]!,
          quantity,
        }));
        const snap = { cart: { id: 'c1' }, row: {}, lines: cartLines, coupon: null, bill: checkoutBill(placed) };
        const { order, lines } = draftOrder({
          store: shop,
          snapshot: snap as unknown as CartSnapshot,
          cartId: 'c1',
          fulfillment: 'delivery',
          paymentMethod: 'cod',
          customer: { ...customer, address: { ...customer.address!, pincode: pin } },
          note: null,
          checkoutKey: null,
          lang: 'en',
          source: 'web',
          ids: { orderId: 'o1', trackingToken: 't1' },
        });
        expect(order.billRules.deliveryFee).toBe(there.fee);
        const before = placedLineRows('o1', lines);
        const wanted = edited.map((quantity, i) => ({ variantId: `v${i}`, quantity }));
        const variants = prices.map((price, i) => ({
          id: `v${i}`,
          product_id: `p${i}`,
          product_name: `Item ${i}`,
          variant_name: '1 kg',
          price,
          stock: null,
          sellable: true,
        }));
        const plan = planLineEdit({
          order: { coupon_code: null, fulfillment: 'delivery', bill_rules: order.billRules },
          before,
          wanted,
          variants,
          actor: 'merchant',
        });
        if (plan.unchanged) return;
        const expected = checkoutBill(edited);
        expect(plan.bill.deliveryFee).toBe(expected.deliveryFee);
        expect(plan.bill.total).toBe(expected.total);
      }),
      { numRuns: 500 },
    );
  });
});

describe('placedLineRows', () => {
  it('gives each line its total and its position, in the order given', () => {
    const line = { productId: 'p', name: 'Atta', variantName: '5 kg', unitPrice: 24500, quantity: 2 };
    expect(
      placedLineRows('o9', [
        { ...line, variantId: 'a' },
        { ...line, variantId: 'b', quantity: 1 },
      ]),
    ).toEqual([
      {
        order_id: 'o9',
        variant_id: 'a',
        product_id: 'p',
        name: 'Atta',
        variant_name: '5 kg',
        unit_price: 24500,
        quantity: 2,
        line_total: 49000,
        position: 0,
      },
      {
        order_id: 'o9',
        variant_id: 'b',
        product_id: 'p',
        name: 'Atta',
        variant_name: '5 kg',
        unit_price: 24500,
        quantity: 1,
        line_total: 24500,
        position: 1,
      },
    ]);
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
