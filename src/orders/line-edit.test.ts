import { describe, expect, it } from 'vitest';
import { AppError } from '../shared/errors.js';
import { lineEditShortages, planLineEdit, type LineEditInput } from './line-edit.js';
import type { OrderLineRow, VariantInfo } from './orders.repo.js';

const line = (variantId: string, quantity: number, unitPrice: number): OrderLineRow => ({
  order_id: 'o1',
  variant_id: variantId,
  product_id: `p-${variantId}`,
  name: `Frozen ${variantId}`,
  variant_name: '1 kg',
  unit_price: unitPrice,
  quantity,
  line_total: unitPrice * quantity,
  position: 0,
});
const variant = (id: string, price: number, sellable = true): VariantInfo => ({
  id,
  product_id: `p-${id}`,
  product_name: `Today ${id}`,
  variant_name: '1 kg',
  price,
  stock: 10,
  sellable,
});

const base: LineEditInput = {
  order: {
    coupon_code: null,
    fulfillment: 'delivery',
    bill_rules: { coupon: null, deliveryFee: 3000, freeAbove: null, minOrder: null },
  },
  before: [line('rice', 2, 5000), line('dal', 1, 12000)],
  wanted: [],
  variants: [variant('rice', 9999), variant('dal', 9999), variant('ghee', 60000)],
  actor: 'merchant',
};

function refusal(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    if (err instanceof AppError) return `${err.status} ${err.code}`;
    throw err;
  }
  return 'no refusal';
}

describe('planLineEdit: an order line edit without a database', () => {
  it("kept lines keep their frozen price and names, added lines take today's, stock moves by the difference", () => {
    const plan = planLineEdit({
      ...base,
      wanted: [
        { variantId: 'rice', quantity: 3 },
        { variantId: 'ghee', quantity: 1 },
      ],
    });
    if (plan.unchanged) throw new Error('expected a change');
    expect(plan.next.map((l) => [l.variantId, l.name, l.unitPrice, l.quantity])).toEqual([
      ['rice', 'Frozen rice', 5000, 3],
      ['ghee', 'Today ghee', 60000, 1],
    ]);
    expect(plan.bill).toMatchObject({ subtotal: 75000, deliveryFee: 3000, total: 78000 });
    expect(plan.stockDeltas).toEqual([
      { variantId: 'rice', delta: 1 },
      { variantId: 'dal', delta: -1 },
      { variantId: 'ghee', delta: 1 },
    ]);
  });

  it('the same lines in the same order are no change', () => {
    const same = [
      { variantId: 'rice', quantity: 2 },
      { variantId: 'dal', quantity: 1 },
    ];
    expect(planLineEdit({ ...base, wanted: same })).toEqual({ unchanged: true });
  });

  it('a line no longer sold may be kept or lowered, not raised or added; an unknown variant is 404', () => {
    const variants = [variant('rice', 5000, false), variant('dal', 12000), variant('ghee', 60000, false)];
    const lowered = planLineEdit({ ...base, variants, wanted: [{ variantId: 'rice', quantity: 1 }] });
    expect(lowered.unchanged).toBe(false);
    expect(refusal(() => planLineEdit({ ...base, variants, wanted: [{ variantId: 'rice', quantity: 3 }] }))).toBe(
      '409 cart_has_errors',
    );
    expect(refusal(() => planLineEdit({ ...base, variants, wanted: [{ variantId: 'ghee', quantity: 1 }] }))).toBe(
      '409 cart_has_errors',
    );
    expect(refusal(() => planLineEdit({ ...base, wanted: [{ variantId: 'nope', quantity: 1 }] }))).toBe(
      '404 not_found',
    );
  });

  it('the frozen rules renew the bill: coupon on the new subtotal, the minimum for the customer only', () => {
    const order = {
      coupon_code: 'SAVE10',
      fulfillment: 'delivery' as const,
      bill_rules: {
        coupon: { type: 'percent' as const, value: 10, minOrder: null, maxDiscount: null },
        deliveryFee: 3000,
        freeAbove: 20000,
        minOrder: 15000,
      },
    };
    const plan = planLineEdit({ ...base, order, wanted: [{ variantId: 'rice', quantity: 5 }] });
    if (plan.unchanged) throw new Error('expected a change');
    expect(plan.bill).toMatchObject({ subtotal: 25000, discount: 2500, deliveryFee: 0, total: 22500 });
    const small = [{ variantId: 'rice', quantity: 1 }];
    expect(refusal(() => planLineEdit({ ...base, order, actor: 'customer', wanted: small }))).toBe(
      '422 below_minimum_order',
    );
    expect(planLineEdit({ ...base, order, actor: 'merchant', wanted: small }).unchanged).toBe(false);
  });

  it('units the order already holds count as available when the stock runs short', () => {
    const before = [line('rice', 2, 5000)];
    expect(lineEditShortages([{ variantId: 'rice', requested: 5, available: 1 }], before)).toEqual([
      { code: 'insufficient_stock', variantId: 'rice', available: 3, message: 'only 3 left — change quantity' },
    ]);
    expect(lineEditShortages([{ variantId: 'ghee', requested: 1, available: 0 }], before)[0]!.code).toBe(
      'out_of_stock',
    );
  });
});
