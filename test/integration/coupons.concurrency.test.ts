/**
 * A coupon's use count through the real entry points: checkout counts a use in the order's own statement, a
 * checkout that fails counts nothing, a cancel gives the use back (never below zero). The 50-checkout race on a
 * usage limit lives in concurrency.test.ts.
 */
import { describe, expect } from 'vitest';
import { appTest } from '../helpers/fixture.js';
import { addProduct, checkoutCart, newCart, openShop, placeOrder, type Shop } from '../helpers/order-fixtures.js';

const it = appTest();
let shop: Shop;
it.beforeAll(async ({ ctx }) => {
  shop = await openShop(ctx);
});

async function coupon(body: Record<string, unknown>): Promise<string> {
  const res = await shop.api.post(`${shop.base}/coupons`, { type: 'flat', value: 100, ...body });
  expect(res.status).toBe(201);
  return res.body.id as string;
}
const usedCount = async (id: string): Promise<number> =>
  (await shop.api.get(`${shop.base}/coupons/${id}`)).body.usedCount as number;

async function cartWithCoupon(lines: [string, number][], code: string): Promise<string> {
  const cartId = await newCart(shop, lines);
  const res = await shop.customer.put(`/api/v1/storefront/${shop.slug}/carts/${cartId}/coupon`, { code });
  expect(res.status).toBe(200);
  return cartId;
}

describe('coupon uses counted by checkout and given back by cancel', () => {
  it('a checkout that fails on a line counts no use; the next one does', async () => {
    const id = await coupon({ code: 'FAILFIRST', usageLimit: 1 });
    const scarce = await addProduct(shop, 'Scarce ghee', 50_000, 1);
    const cartId = await cartWithCoupon([[scarce, 1]], 'FAILFIRST');
    // The last unit goes to another customer first, so this checkout fails with a line problem.
    await placeOrder(shop, [[scarce, 1]]);
    const failed = await checkoutCart(shop, cartId);
    expect(failed.status).toBe(409);
    expect(failed.body.code).toBe('cart_has_errors');
    expect(await usedCount(id)).toBe(0);

    const plenty = await addProduct(shop, 'Atta 5 kg', 30_000, 100);
    const ok = await checkoutCart(shop, await cartWithCoupon([[plenty, 1]], 'FAILFIRST'));
    expect(ok.status).toBe(201);
    expect(ok.body.discount).toBe(100);
    expect(await usedCount(id)).toBe(1);
  });

  it('without a usage limit every concurrent checkout gets the discount and counts', async () => {
    const id = await coupon({ code: 'UNLIMITED' });
    const v = await addProduct(shop, 'Tea 250 g', 12_000, 1000);
    const carts: string[] = [];
    for (let i = 0; i < 20; i++) carts.push(await cartWithCoupon([[v, 1]], 'UNLIMITED'));
    const results = await Promise.all(carts.map((cartId) => checkoutCart(shop, cartId)));
    expect(results.map((r) => r.status)).toEqual(Array(20).fill(201));
    expect(results.every((r) => r.body.discount === 100)).toBe(true);
    expect(await usedCount(id)).toBe(20);
  });

  it('cancelling an order gives its use back once, and the freed use can be taken again', async () => {
    const id = await coupon({ code: 'GIVEBACK', usageLimit: 1 });
    const v = await addProduct(shop, 'Rice 1 kg', 9_000, 100);
    const first = await checkoutCart(shop, await cartWithCoupon([[v, 1]], 'GIVEBACK'));
    expect(first.status).toBe(201);
    expect(await usedCount(id)).toBe(1);

    const cancel = `/api/v1/orders/${first.body.trackingToken}/cancel`;
    expect((await shop.customer.post(cancel)).status).toBe(200);
    expect(await usedCount(id)).toBe(0);
    // A second cancel is refused and gives nothing back: the count never goes below zero.
    expect((await shop.customer.post(cancel)).status).toBeGreaterThanOrEqual(400);
    expect(await usedCount(id)).toBe(0);

    const again = await checkoutCart(shop, await cartWithCoupon([[v, 1]], 'GIVEBACK'));
    expect(again.status).toBe(201);
    expect(again.body.discount).toBe(100);
    expect(await usedCount(id)).toBe(1);
  });
});
