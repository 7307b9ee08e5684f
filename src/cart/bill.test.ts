import { describe, expect, it } from 'vitest';
import {
  billedDeliveryFee,
  computeBill,
  couponDiscount,
  lineError,
  shortageProblem,
  unavailableProblem,
  type BillCouponInput,
  type BillLineInput,
  type BillStoreInput,
} from './bill.js';

const line = (over: Partial<BillLineInput> = {}): BillLineInput => ({
  variantId: 'v1',
  unitPrice: 1000,
  quantity: 1,
  stock: null,
  sellable: true,
  ...over,
});
const percent = (value: number, over: Partial<BillCouponInput> = {}): BillCouponInput => ({
  code: 'P',
  type: 'percent',
  value,
  minOrder: null,
  maxDiscount: null,
  ...over,
});
const flat = (value: number, over: Partial<BillCouponInput> = {}): BillCouponInput => ({
  code: 'F',
  type: 'flat',
  value,
  minOrder: null,
  maxDiscount: null,
  ...over,
});
const noDelivery: BillStoreInput = { deliveryFee: 0, freeAbove: null };

describe('lineError', () => {
  it.each<[string, Partial<BillLineInput>, ReturnType<typeof lineError>]>([
    ['untracked stock is always available', { stock: null, quantity: 999 }, null],
    ['stock exactly the quantity', { stock: 5, quantity: 5 }, null],
    ['stock above the quantity', { stock: 6, quantity: 5 }, null],
    ['one short', { stock: 4, quantity: 5 }, { code: 'insufficient_stock', available: 4 }],
    ['one left, two wanted', { stock: 1, quantity: 2 }, { code: 'insufficient_stock', available: 1 }],
    ['none left', { stock: 0, quantity: 1 }, { code: 'out_of_stock' }],
    ['not sellable wins over stock', { sellable: false, stock: 0 }, { code: 'unavailable' }],
    ['not sellable even when untracked', { sellable: false, stock: null }, { code: 'unavailable' }],
    ['not sellable even with plenty of stock', { sellable: false, stock: 100 }, { code: 'unavailable' }],
  ])('%s', (_name, over, expected) => {
    expect(lineError(line(over))).toEqual(expected);
  });
});

describe('couponDiscount', () => {
  it.each<[string, BillCouponInput, number, number]>([
    ['10% of 1000', percent(10), 1000, 100],
    ['floor: 10% of 999 = 99.9 → 99', percent(10), 999, 99],
    ['floor: 33% of 1 → 0', percent(33), 1, 0],
    ['floor: 15% of 1999 = 299.85 → 299', percent(15), 1999, 299],
    ['100% gives everything', percent(100), 4321, 4321],
    ['1% of 99 → 0', percent(1), 99, 0],
    ['percent capped by maxDiscount', percent(50, { maxDiscount: 200 }), 1000, 200],
    ['cap above the discount changes nothing', percent(10, { maxDiscount: 5000 }), 1000, 100],
    ['cap equal to the discount', percent(10, { maxDiscount: 100 }), 1000, 100],
    ['cap of 0', percent(10, { maxDiscount: 0 }), 1000, 0],
    ['flat below subtotal', flat(300), 1000, 300],
    ['flat equal to subtotal', flat(1000), 1000, 1000],
    ['flat above subtotal gives subtotal', flat(5000), 1000, 1000],
    ['flat ignores maxDiscount', flat(500, { maxDiscount: 100 }), 1000, 500],
    ['minOrder equal to subtotal applies', flat(100, { minOrder: 1000 }), 1000, 100],
    ['minOrder one above subtotal gives 0', flat(100, { minOrder: 1001 }), 1000, 0],
    ['percent minOrder not met gives 0', percent(10, { minOrder: 5000 }), 4999, 0],
    ['zero subtotal, percent', percent(10), 0, 0],
    ['zero subtotal, flat', flat(100), 0, 0],
    ['exhausted coupon gives 0', flat(100, { problem: 'coupon_exhausted' }), 1000, 0],
    ['expired coupon gives 0', percent(50, { problem: 'coupon_expired' }), 1000, 0],
    [
      'huge: 37% of 10^10 × 999 stays exact',
      percent(37),
      10_000_000_000 * 999,
      Math.floor((10_000_000_000 * 999 * 37) / 100),
    ],
    ['huge: 99% of 10^15 − 1 floors in integers', percent(99), 999_999_999_999_999, 989_999_999_999_999],
  ])('%s', (_name, coupon, subtotal, expected) => {
    const d = couponDiscount(coupon, subtotal);
    expect(d).toBe(expected);
    expect(Number.isInteger(d)).toBe(true);
  });
});

describe('computeBill', () => {
  it('an empty cart bills the delivery fee only', () => {
    const bill = computeBill({
      lines: [],
      coupon: null,
      store: { deliveryFee: 4000, freeAbove: null },
      fulfillment: 'delivery',
    });
    expect(bill).toEqual({
      lines: [],
      subtotal: 0,
      discount: 0,
      deliveryFee: 4000,
      total: 4000,
      errors: [],
      coupon: null,
    });
  });

  it('sums lines, applies the coupon, adds delivery', () => {
    const bill = computeBill({
      lines: [
        line({ variantId: 'a', unitPrice: 4999, quantity: 2 }),
        line({ variantId: 'b', unitPrice: 1500, quantity: 3 }),
      ],
      coupon: percent(10),
      store: { deliveryFee: 3000, freeAbove: null },
      fulfillment: 'delivery',
    });
    expect(bill.lines.map((l) => l.lineTotal)).toEqual([9998, 4500]);
    expect(bill.subtotal).toBe(14498);
    expect(bill.discount).toBe(1449);
    expect(bill.deliveryFee).toBe(3000);
    expect(bill.total).toBe(14498 - 1449 + 3000);
    expect(bill.errors).toEqual([]);
  });

  it.each<[string, BillStoreInput, 'delivery' | 'pickup', BillCouponInput | null, number, number]>([
    // name, store, fulfillment, coupon, subtotal (one line), expected delivery fee
    ['no threshold: fee charged', { deliveryFee: 500, freeAbove: null }, 'delivery', null, 100_000, 500],
    ['below threshold: fee charged', { deliveryFee: 500, freeAbove: 10_000 }, 'delivery', null, 9_999, 500],
    ['equal to threshold: free', { deliveryFee: 500, freeAbove: 10_000 }, 'delivery', null, 10_000, 0],
    ['above threshold: free', { deliveryFee: 500, freeAbove: 10_000 }, 'delivery', null, 10_001, 0],
    [
      'threshold judged after discount: 10000 − 1 < 10000',
      { deliveryFee: 500, freeAbove: 10_000 },
      'delivery',
      flat(1),
      10_000,
      500,
    ],
    [
      'threshold judged after discount: 10100 − 100 = 10000',
      { deliveryFee: 500, freeAbove: 10_000 },
      'delivery',
      flat(100),
      10_100,
      0,
    ],
    ['threshold 0 makes every delivery free', { deliveryFee: 500, freeAbove: 0 }, 'delivery', null, 0, 0],
    ['pickup never pays delivery', { deliveryFee: 500, freeAbove: null }, 'pickup', null, 100, 0],
    ['pickup below threshold still free', { deliveryFee: 500, freeAbove: 10_000 }, 'pickup', null, 100, 0],
    ['zero fee', { deliveryFee: 0, freeAbove: null }, 'delivery', null, 100, 0],
  ])('delivery fee: %s', (_name, store, fulfillment, coupon, subtotal, fee) => {
    const bill = computeBill({ lines: [line({ unitPrice: subtotal, quantity: 1 })], coupon, store, fulfillment });
    expect(bill.deliveryFee).toBe(fee);
    expect(bill.total).toBe(bill.subtotal - bill.discount + fee);
  });

  it('lines in error stay in the bill with their total but do not count in the subtotal', () => {
    const bill = computeBill({
      lines: [
        line({ variantId: 'ok', unitPrice: 1000, quantity: 2 }),
        line({ variantId: 'gone', unitPrice: 700, quantity: 1, sellable: false }),
        line({ variantId: 'short', unitPrice: 300, quantity: 5, stock: 2 }),
        line({ variantId: 'none', unitPrice: 50, quantity: 1, stock: 0 }),
      ],
      coupon: null,
      store: noDelivery,
      fulfillment: 'delivery',
    });
    expect(bill.subtotal).toBe(2000);
    expect(bill.total).toBe(2000);
    expect(bill.lines.map((l) => [l.variantId, l.lineTotal, l.error])).toEqual([
      ['ok', 2000, null],
      ['gone', 700, { code: 'unavailable' }],
      ['short', 1500, { code: 'insufficient_stock', available: 2 }],
      ['none', 50, { code: 'out_of_stock' }],
    ]);
    expect(bill.errors.map(({ code, variantId, available }) => ({ code, variantId, available }))).toEqual([
      { code: 'unavailable', variantId: 'gone', available: undefined },
      { code: 'insufficient_stock', variantId: 'short', available: 2 },
      { code: 'out_of_stock', variantId: 'none', available: undefined },
    ]);
    expect(bill.errors.every((e) => e.message.length > 0)).toBe(true);
    expect('available' in bill.errors[0]!).toBe(false);
  });

  it('the coupon discounts only what can be sold', () => {
    const bill = computeBill({
      lines: [
        line({ variantId: 'ok', unitPrice: 1000 }),
        line({ variantId: 'gone', unitPrice: 9000, sellable: false }),
      ],
      coupon: flat(5000),
      store: noDelivery,
      fulfillment: 'delivery',
    });
    expect(bill.discount).toBe(1000);
    expect(bill.total).toBe(0);
  });

  it.each<[string, BillCouponInput, number, { discount: number; coupon: object }]>([
    [
      'min order not met: not applied, with how much is missing',
      flat(100, { minOrder: 2000 }),
      1999,
      { discount: 0, coupon: { code: 'FLAT', applied: false, reason: 'min_order', shortBy: 1 } },
    ],
    [
      'min order met exactly: applied',
      flat(100, { minOrder: 2000 }),
      2000,
      { discount: 100, coupon: { code: 'FLAT', applied: true } },
    ],
    [
      'exhausted: not applied',
      percent(10, { problem: 'coupon_exhausted' }),
      5000,
      { discount: 0, coupon: { code: 'PCT', applied: false, reason: 'exhausted' } },
    ],
    [
      'inactive: not applied',
      percent(10, { problem: 'coupon_inactive' }),
      5000,
      { discount: 0, coupon: { code: 'PCT', applied: false, reason: 'inactive' } },
    ],
    [
      'expired and below min order: only expired',
      percent(10, { problem: 'coupon_expired', minOrder: 9000 }),
      5000,
      { discount: 0, coupon: { code: 'PCT', applied: false, reason: 'expired' } },
    ],
  ])('a coupon that cannot apply never blocks: %s', (_name, coupon, subtotal, expected) => {
    const bill = computeBill({
      lines: [line({ unitPrice: subtotal })],
      coupon,
      store: noDelivery,
      fulfillment: 'delivery',
    });
    expect(bill.discount).toBe(expected.discount);
    expect(bill.coupon).toEqual({ ...expected.coupon, code: coupon.code });
    expect(bill.errors).toEqual([]);
  });

  it('a cart whose only lines are in error is short of a coupon minimum by all of it', () => {
    const bill = computeBill({
      lines: [line({ stock: 0 })],
      coupon: flat(100, { minOrder: 1 }),
      store: noDelivery,
      fulfillment: 'delivery',
    });
    expect(bill.errors.map((e) => e.code)).toEqual(['out_of_stock']);
    expect(bill.coupon).toMatchObject({ applied: false, reason: 'min_order', shortBy: 1 });
    expect(bill.subtotal).toBe(0);
  });

  it('zero-price lines and a zero-value total', () => {
    const bill = computeBill({
      lines: [line({ unitPrice: 0, quantity: 999 })],
      coupon: percent(100),
      store: { deliveryFee: 0, freeAbove: null },
      fulfillment: 'delivery',
    });
    expect(bill).toMatchObject({ subtotal: 0, discount: 0, deliveryFee: 0, total: 0, errors: [] });
  });

  it('huge amounts stay exact integers: 100 lines of 10^10 × 999', () => {
    const lines = Array.from({ length: 100 }, (_, i) =>
      line({ variantId: `v${i}`, unitPrice: 10_000_000_000, quantity: 999 }),
    );
    const bill = computeBill({
      lines,
      coupon: percent(7, { maxDiscount: 10_000_000_000 }),
      store: { deliveryFee: 10_000_000_000, freeAbove: null },
      fulfillment: 'delivery',
    });
    const subtotal = 100 * 10_000_000_000 * 999;
    expect(bill.lines[0]!.lineTotal).toBe(9_990_000_000_000);
    expect(bill.subtotal).toBe(subtotal);
    expect(Number.isSafeInteger(bill.subtotal)).toBe(true);
    expect(bill.discount).toBe(10_000_000_000);
    expect(bill.total).toBe(subtotal - 10_000_000_000 + 10_000_000_000);
    expect(Number.isSafeInteger(bill.total)).toBe(true);
  });

  it('keeps the input order of lines', () => {
    const bill = computeBill({
      lines: ['c', 'a', 'b'].map((variantId) => line({ variantId })),
      coupon: null,
      store: noDelivery,
      fulfillment: 'pickup',
    });
    expect(bill.lines.map((l) => l.variantId)).toEqual(['c', 'a', 'b']);
  });
});

describe('shortageProblem / unavailableProblem: one wording for every layer', () => {
  it('nothing left is out_of_stock with available 0, some left names how many', () => {
    expect(shortageProblem('v1', 0)).toEqual({
      code: 'out_of_stock',
      variantId: 'v1',
      available: 0,
      message: 'out of stock — remove or replace',
    });
    expect(shortageProblem('v1', -2).code).toBe('out_of_stock');
    expect(shortageProblem('v2', 3)).toEqual({
      code: 'insufficient_stock',
      variantId: 'v2',
      available: 3,
      message: 'only 3 left — change quantity',
    });
    expect(unavailableProblem('v3')).toEqual({
      code: 'unavailable',
      variantId: 'v3',
      message: 'no longer sold — remove or replace',
    });
  });
});

describe('billedDeliveryFee', () => {
  const store = { deliveryFee: 4000, freeAbove: 50000 };
  it('charges the fee below freeAbove (after the discount), nothing from it, and nothing for a pickup', () => {
    expect(billedDeliveryFee('delivery', 49999, store)).toBe(4000);
    expect(billedDeliveryFee('delivery', 50000, store)).toBe(0);
    expect(billedDeliveryFee('pickup', 100, store)).toBe(0);
    expect(billedDeliveryFee('delivery', 10 ** 9, { deliveryFee: 4000, freeAbove: null })).toBe(4000);
  });
});
