/**
 * A line edit renews the bill with the rules the order was placed under, the delivery fee included: delivered to a
 * PIN of a delivery area with a fee of its own, that area's fee (not the store's), with free-above and pickup applied
 * to the new subtotal as at checkout, and none of the store's later changes.
 */
import { readFile } from 'node:fs/promises';
import { describe, expect } from 'vitest';
import type { TestContext } from '../helpers/app.js';
import { appTest } from '../helpers/fixture.js';
import { ADDRESS, addProduct, checkoutBody, openShop, placeOrder, type Shop } from '../helpers/order-fixtures.js';

const it = appTest();

const DELIVERY = {
  fee: 5000,
  freeAbove: null,
  pickup: true,
  // 4110…: the area's own fee; 56…: an area at the store's fee.
  areas: [{ pincodePrefix: '4110', fee: 1234 }, { pincodePrefix: '56' }],
};

/** A shop of its own per test (one test changes its fees), with one product at `price`. */
async function areaShop(ctx: TestContext, delivery: Record<string, unknown> = {}) {
  const shop = await openShop(ctx, { patch: { delivery: { ...DELIVERY, ...delivery } } });
  return { shop, v: await addProduct(shop, 'Atta 5 kg', 4000) };
}

const to = (pincode: string, over: Record<string, unknown> = {}) =>
  checkoutBody({ customer: { name: 'Asha', phone: '+919812345678', address: { ...ADDRESS, pincode } }, ...over });
const customerEdit = (shop: Shop, order: { trackingToken: string }, variantId: string, quantity: number) =>
  shop.customer.put(`/api/v1/orders/${order.trackingToken}/lines`, { lines: [{ variantId, quantity }] });
const merchantEdit = (shop: Shop, order: { id: string }, variantId: string, quantity: number) =>
  shop.api.put(`${shop.base}/orders/${order.id}/lines`, { lines: [{ variantId, quantity }] });
const bill = (res: { status: number; body: Record<string, unknown> }) => [
  res.status,
  res.body.subtotal,
  res.body.deliveryFee,
  res.body.total,
];

describe("a line edit keeps the delivery area's fee", () => {
  it("the customer's and the merchant's edits of an order to an area PIN bill the area's fee", async ({ ctx }) => {
    const { shop, v } = await areaShop(ctx);
    const order = await placeOrder(shop, [[v, 1]], to('411002'));
    expect([order.subtotal, order.deliveryFee, order.total]).toEqual([4000, 1234, 5234]);

    expect(bill(await customerEdit(shop, order, v, 2))).toEqual([200, 8000, 1234, 9234]);
    expect(bill(await merchantEdit(shop, order, v, 3))).toEqual([200, 12000, 1234, 13234]);
    const read = await shop.customer.get(`/api/v1/orders/${order.trackingToken}`);
    expect(bill(read)).toEqual([200, 12000, 1234, 13234]);
    expect(read.body.history.map((h: { status: string }) => h.status)).toEqual(['placed', 'edited', 'edited']);
  });

  it('an edit that reaches freeAbove delivers free; one that falls below pays the area fee again', async ({ ctx }) => {
    const { shop, v } = await areaShop(ctx, { freeAbove: 10000 });
    const order = await placeOrder(shop, [[v, 1]], to('411002'));
    expect([order.deliveryFee, order.total]).toEqual([1234, 5234]);

    expect(bill(await customerEdit(shop, order, v, 3))).toEqual([200, 12000, 0, 12000]);
    expect(bill(await merchantEdit(shop, order, v, 2))).toEqual([200, 8000, 1234, 9234]);
  });

  it('a PIN in an area without a fee of its own pays the store fee after an edit', async ({ ctx }) => {
    const { shop, v } = await areaShop(ctx);
    const order = await placeOrder(shop, [[v, 1]], to('560001'));
    expect([order.deliveryFee, order.total]).toEqual([5000, 9000]);

    expect(bill(await customerEdit(shop, order, v, 2))).toEqual([200, 8000, 5000, 13000]);
    expect(bill(await merchantEdit(shop, order, v, 1))).toEqual([200, 4000, 5000, 9000]);
  });

  it('a pickup to an area address stays free of delivery after an edit', async ({ ctx }) => {
    const { shop, v } = await areaShop(ctx);
    const order = await placeOrder(shop, [[v, 1]], to('411002', { fulfillment: 'pickup' }));
    expect([order.fulfillment, order.deliveryFee, order.total]).toEqual(['pickup', 0, 4000]);

    expect(bill(await customerEdit(shop, order, v, 2))).toEqual([200, 8000, 0, 8000]);
  });

  it("the store's fee changes after the order do not reach its edits", async ({ ctx }) => {
    const { shop, v } = await areaShop(ctx, { freeAbove: 10000 });
    const order = await placeOrder(shop, [[v, 1]], to('411002'));
    expect(order.deliveryFee).toBe(1234);
    const changed = await shop.api.patch(shop.base, {
      delivery: { fee: 7000, freeAbove: 50000, areas: [{ pincodePrefix: '4110', fee: 9999 }] },
    });
    expect(changed.status).toBe(200);
    // A new checkout to the same PIN pays the new area fee …
    expect((await placeOrder(shop, [[v, 1]], to('411002'))).deliveryFee).toBe(9999);

    // … the earlier order keeps its own: the area fee of 1234, free from 10000.
    expect(bill(await customerEdit(shop, order, v, 2))).toEqual([200, 8000, 1234, 9234]);
    expect(bill(await merchantEdit(shop, order, v, 3))).toEqual([200, 12000, 0, 12000]);
  });
});

describe('migration 191: orders placed before the fix', () => {
  const MIGRATION = new URL('../../src/db/migrations/191.do.orders-frozen-area-fee.sql', import.meta.url);
  const frozenFee = async (ctx: TestContext, id: string) =>
    (
      await ctx.testDb.db.query<{ fee: number }>(
        `SELECT (bill_rules ->> 'deliveryFee')::int AS fee FROM orders WHERE id = $1`,
        [id],
      )
    ).rows[0]!.fee;

  it("freezes the area's fee an unedited order was charged, and leaves every other order as it was", async ({
    ctx,
  }) => {
    const { shop, v } = await areaShop(ctx, { freeAbove: 10000 });
    const area = await placeOrder(shop, [[v, 1]], to('411002'));
    const base = await placeOrder(shop, [[v, 1]], to('560001'));
    const free = await placeOrder(shop, [[v, 3]], to('411002'));
    const pickup = await placeOrder(shop, [[v, 1]], to('411002', { fulfillment: 'pickup' }));
    const edited = await placeOrder(shop, [[v, 1]], to('411002'));
    expect([area.deliveryFee, base.deliveryFee, free.deliveryFee, pickup.deliveryFee]).toEqual([1234, 5000, 0, 0]);
    expect((await customerEdit(shop, edited, v, 2)).status).toBe(200);
    // What the code before the fix froze: the store's base fee, whatever the address.
    await ctx.testDb.db.query(
      `UPDATE orders SET bill_rules = jsonb_set(bill_rules, '{deliveryFee}', '5000') WHERE store_id = $1`,
      [shop.storeId],
    );

    await ctx.testDb.db.exec(await readFile(MIGRATION, 'utf8'));

    expect(await frozenFee(ctx, area.id)).toBe(1234);
    expect(await frozenFee(ctx, base.id)).toBe(5000);
    // Free above: the charged 0 does not say the area's fee; an edited order's charged fee is no witness either.
    expect(await frozenFee(ctx, free.id)).toBe(5000);
    expect(await frozenFee(ctx, pickup.id)).toBe(5000);
    expect(await frozenFee(ctx, edited.id)).toBe(5000);
    // And the order it repaired bills its area's fee on its next edit.
    expect(bill(await customerEdit(shop, area, v, 2))).toEqual([200, 8000, 1234, 9234]);
  });
});
