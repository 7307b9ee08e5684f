/**
 * Where customers compete: many checkouts for the same last units, hot variants shared by many carts, a coupon's
 * usage limit, retried checkouts, racing cancels and accepts. On PostgreSQL these run truly in parallel over a
 * pool of 20 connections; on PGlite they interleave through one connection. Either way: no overselling, no
 * deadlocks, no 500s.
 */
import { afterAll, describe, expect } from 'vitest';
import type { Res } from '../helpers/app.js';
import { appTest } from '../helpers/fixture.js';
import {
  PNG_1PX,
  addProduct,
  asClient,
  checkoutBody,
  checkoutCart,
  inBatches,
  newCart,
  openShop,
  placeOrder,
  shedRetries,
  statusCounts,
  stockOf,
  upload,
  type Shop,
} from '../helpers/order-fixtures.js';

const it = appTest();
let shop: Shop;
it.beforeAll(async ({ ctx }) => {
  shop = await openShop(ctx);
});
afterAll(async () => {
  // Visible in the run's output when the machine was too busy for the pool's 2 s connection wait.
  if (shedRetries.count)
    console.info(`concurrency.test: ${shedRetries.count} requests were shed with 503 under load and retried`);
});

const checkoutAsClient = (s: Shop, cartId: string, body?: Record<string, unknown>, headers?: Record<string, string>) =>
  asClient(() => checkoutCart(s, cartId, body, headers));

describe('checkout races', () => {
  it(
    '200 concurrent checkouts of separate carts for 50 units: ' + 'exactly 50 orders, 150 cart_has_errors, stock 0',
    async ({ ctx, db }) => {
      const v = await addProduct(shop, 'Last fifty', 1000, 50);
      const carts = await inBatches(200, 25, () => newCart(shop, [[v, 1]]));
      const results = await Promise.all(carts.map((cartId) => checkoutAsClient(shop, cartId)));
      expect(statusCounts(results)).toEqual({ '201': 50, '409 cart_has_errors': 150 });
      for (const r of results.filter((r) => r.status === 409)) {
        expect(r.body.errors).toEqual([expect.objectContaining({ variantId: v, code: 'out_of_stock' })]);
      }
      expect(await stockOf(ctx, v)).toBe(0);
      const { rows } = await db.query<{ n: number; sold: number }>(
        `SELECT count(DISTINCT o.id)::int AS n, coalesce(sum(l.quantity), 0)::int AS sold
         FROM orders o JOIN order_lines l ON l.order_id = o.id WHERE l.variant_id = $1`,
        [v],
      );
      expect(rows[0]).toEqual({ n: 50, sold: 50 });
      const numbers = results.filter((r) => r.status === 201).map((r) => r.body.number as number);
      expect(new Set(numbers).size).toBe(50);
    },
  );

  it('multi-unit carts never oversell: what is sold plus what is left is what there was', async ({ ctx }) => {
    const v = await addProduct(shop, 'Multi unit', 1000, 30);
    const carts = await inBatches(40, 20, (i) => newCart(shop, [[v, 1 + (i % 4)]]));
    const results = await Promise.all(carts.map((cartId) => checkoutAsClient(shop, cartId)));
    expect(results.every((r) => r.status === 201 || (r.status === 409 && r.body.code === 'cart_has_errors'))).toBe(
      true,
    );
    const sold = results.filter((r) => r.status === 201).reduce((s, r) => s + r.body.lines[0].quantity, 0);
    const left = (await stockOf(ctx, v))!;
    expect(left).toBeGreaterThanOrEqual(0);
    expect(sold + left).toBe(30);
    // Every refused cart asked for more than was left when it was refused.
    for (const r of results.filter((r) => r.status === 409)) expect(r.body.errors[0].available ?? 0).toBeLessThan(4);
  });

  it('3-line carts sharing two hot variants, added in opposite orders: all succeed, no deadlock, no 500', async ({
    ctx,
  }) => {
    const hotA = await addProduct(shop, 'Hot A', 100, 1000);
    const hotB = await addProduct(shop, 'Hot B', 100, 1000);
    const carts = await inBatches(60, 20, async (i) => {
      const own = await addProduct(shop, `Own ${i}`, 100, 5);
      const lines: [string, number][] =
        i % 2
          ? [
              [hotA, 2],
              [hotB, 1],
              [own, 1],
            ]
          : [
              [own, 1],
              [hotB, 1],
              [hotA, 2],
            ];
      return newCart(shop, lines);
    });
    const results = await Promise.all(carts.map((cartId) => checkoutAsClient(shop, cartId)));
    expect(statusCounts(results)).toEqual({ '201': 60 });
    expect(await stockOf(ctx, hotA)).toBe(1000 - 120);
    expect(await stockOf(ctx, hotB)).toBe(1000 - 60);
  });

  it('a coupon with usageLimit 10 under 50 concurrent checkouts gives at most 10 discounts', async ({ ctx }) => {
    const v = await addProduct(shop, 'Coupon rush', 10_000, 1000);
    const coupon = await shop.api.post(`${shop.base}/coupons`, {
      code: 'RUSH10',
      type: 'percent',
      value: 10,
      usageLimit: 10,
    });
    expect(coupon.status).toBe(201);
    const carts = await inBatches(50, 25, async () => {
      const cartId = await newCart(shop, [[v, 1]]);
      const applied = await shop.customer.put(`/api/v1/storefront/${shop.slug}/carts/${cartId}/coupon`, {
        code: 'RUSH10',
      });
      expect(applied.status).toBe(200);
      return cartId;
    });
    const results = await Promise.all(carts.map((cartId) => checkoutAsClient(shop, cartId)));
    const discounted = results.filter((r) => r.status === 201 && r.body.discount > 0);
    expect(discounted.length).toBeLessThanOrEqual(10);
    expect(discounted.length).toBe(10);
    // A used-up coupon never blocks: the other 40 check out at full price.
    expect(statusCounts(results)).toEqual({ '201': 50 });
    expect(results.filter((r) => r.body.discount === 0).length).toBe(40);
    expect((await shop.api.get(`${shop.base}/coupons/${coupon.body.id}`)).body.usedCount).toBe(10);
    expect(await stockOf(ctx, v)).toBe(950);
  });

  it(
    'the same checkout retried 5 times in parallel with one ' + 'Idempotency-Key: one order, five identical answers',
    async ({ ctx, db }) => {
      const v = await addProduct(shop, 'Retried', 1000, 10);
      const cartId = await newCart(shop, [[v, 1]]);
      const headers = { 'idempotency-key': `retry-${cartId}` };
      const results = await Promise.all(
        Array.from({ length: 5 }, () => checkoutAsClient(shop, cartId, checkoutBody(), headers)),
      );
      expect(results.map((r) => r.status)).toEqual([201, 201, 201, 201, 201]);
      expect(new Set(results.map((r) => r.text)).size).toBe(1);
      const { rows } = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM orders WHERE cart_id = $1`, [
        cartId,
      ]);
      expect(rows[0]!.n).toBe(1);
      expect(await stockOf(ctx, v)).toBe(9);
    },
  );

  it('the same cart checked out 5 times in parallel without a key: one order, four cart_already_ordered', async ({
    ctx,
  }) => {
    const v = await addProduct(shop, 'Double click', 1000, 10);
    const cartId = await newCart(shop, [[v, 1]]);
    const results = await Promise.all(Array.from({ length: 5 }, () => checkoutAsClient(shop, cartId)));
    expect(statusCounts(results)).toEqual({ '201': 1, '409 cart_already_ordered': 4 });
    expect(await stockOf(ctx, v)).toBe(9);
  });
});

describe('order races', () => {
  it('two concurrent cancels: one wins, stock comes back once', async ({ ctx }) => {
    const v = await addProduct(shop, 'Cancel race', 1000, 20);
    for (let round = 0; round < 5; round++) {
      const order = await placeOrder(shop, [[v, 3]]);
      const url = `/api/v1/orders/${order.trackingToken}/cancel`;
      const results = await Promise.all([
        asClient(() => shop.customer.post(url)),
        asClient(() => shop.customer.post(url)),
      ]);
      expect(statusCounts(results)).toEqual({ '200': 1, '409 invalid_transition': 1 });
      expect(await stockOf(ctx, v)).toBe(20);
    }
  });

  it('customer cancel racing merchant accept: exactly one wins, the other gets invalid_transition', async ({ ctx }) => {
    const v = await addProduct(shop, 'Accept race', 1000, 50);
    for (let round = 0; round < 8; round++) {
      const order = await placeOrder(shop, [[v, 2]]);
      const [cancel, accept] = await Promise.all([
        asClient(() => shop.customer.post(`/api/v1/orders/${order.trackingToken}/cancel`)),
        asClient(() => shop.api.post(`${shop.base}/orders/${order.id}/transitions`, { to: 'accepted' })),
      ]);
      expect([cancel.status, accept.status].sort()).toEqual([200, 409]);
      const loser = cancel.status === 409 ? cancel : accept;
      expect(loser.body.code).toBe('invalid_transition');
      const final = (await shop.customer.get(`/api/v1/orders/${order.trackingToken}`)).body;
      expect(final.status).toBe(cancel.status === 200 ? 'cancelled' : 'accepted');
      expect(final.history).toHaveLength(2);
      expect(await stockOf(ctx, v)).toBe(cancel.status === 200 ? 50 : 48);
      if (accept.status === 200)
        await shop.api.post(`${shop.base}/orders/${order.id}/transitions`, { to: 'cancelled' });
      expect(await stockOf(ctx, v)).toBe(50);
    }
  });

  it('a line edit racing a cancel leaves the stock exactly as it was', async ({ ctx }) => {
    const v = await addProduct(shop, 'Edit race', 1000, 40);
    for (let round = 0; round < 6; round++) {
      const order = await placeOrder(shop, [[v, 2]]);
      const [edit, cancel] = await Promise.all([
        asClient(() =>
          shop.customer.put(`/api/v1/orders/${order.trackingToken}/lines`, { lines: [{ variantId: v, quantity: 5 }] }),
        ),
        asClient(() => shop.api.post(`${shop.base}/orders/${order.id}/transitions`, { to: 'cancelled' })),
      ]);
      expect(cancel.status).toBe(200);
      expect([200, 409]).toContain(edit.status);
      expect(await stockOf(ctx, v)).toBe(40);
    }
  });

  it('concurrent edits of one order keep stock and lines consistent', async ({ ctx }) => {
    const v = await addProduct(shop, 'Edit edit', 1000, 100);
    const order = await placeOrder(shop, [[v, 1]]);
    const results = await Promise.all(
      [2, 7, 4, 9, 3].map((quantity) =>
        asClient(() =>
          shop.customer.put(`/api/v1/orders/${order.trackingToken}/lines`, { lines: [{ variantId: v, quantity }] }),
        ),
      ),
    );
    expect(results.every((r) => r.status === 200)).toBe(true);
    const final = (await shop.customer.get(`/api/v1/orders/${order.trackingToken}`)).body;
    expect((await stockOf(ctx, v))! + final.lines[0].quantity).toBe(100);
  });
});

describe('bad input never gets a 500', () => {
  it("answers every malformed or impossible request with the contract's error", async ({ ctx }) => {
    const v = await addProduct(shop, 'Bad input', 1000, 10);
    const other = await openShop(ctx);
    const foreign = await addProduct(other, 'Foreign', 1000, 10);
    const cartId = await newCart(shop, [[v, 1]]);
    const lineUrl = (variantId: string) => `/api/v1/storefront/${shop.slug}/carts/${cartId}/lines/${variantId}`;
    const checks: [string, () => Promise<Res>, number, string][] = [];
    for (const quantity of [-1, 1000, 1.5, '3']) {
      checks.push([
        `cart quantity ${JSON.stringify(quantity)}`,
        () => shop.customer.put(lineUrl(v), { quantity }),
        400,
        'validation_failed',
      ]);
    }
    checks.push([
      "another store's variant in a cart",
      () => shop.customer.put(lineUrl(foreign), { quantity: 1 }),
      404,
      'not_found',
    ]);
    checks.push(['unknown cart', () => checkoutCart(shop, '00000000-0000-4000-8000-000000000000'), 404, 'not_found']);
    checks.push([
      'delivery without address',
      () => checkoutCart(shop, cartId, checkoutBody({ customer: { name: 'A', phone: '+919812345678' } })),
      422,
      'validation_failed',
    ]);
    const closed = await openShop(ctx);
    const closedCart = await newCart(closed, [[await addProduct(closed, 'Closed', 100), 1]]);
    await closed.api.patch(closed.base, { isOpen: false });
    checks.push(['store closed', () => checkoutCart(closed, closedCart), 409, 'store_closed']);
    for (const [name, run, status, code] of checks) {
      const res = await run();
      expect(res.status, name).toBe(status);
      expect(res.body.code, name).toBe(code);
    }

    const order = await placeOrder(shop, [[v, 1]]);
    const edits: [string, unknown, number, string][] = [
      ['edit quantity -1', { lines: [{ variantId: v, quantity: -1 }] }, 400, 'validation_failed'],
      ['edit quantity 1000', { lines: [{ variantId: v, quantity: 1000 }] }, 400, 'validation_failed'],
      ['edit quantity 1.5', { lines: [{ variantId: v, quantity: 1.5 }] }, 400, 'validation_failed'],
      ['edit quantity "3"', { lines: [{ variantId: v, quantity: '3' }] }, 400, 'validation_failed'],
      ["edit another store's variant", { lines: [{ variantId: foreign, quantity: 1 }] }, 404, 'not_found'],
    ];
    for (const [name, body, status, code] of edits) {
      const res = await shop.customer.put(`/api/v1/orders/${order.trackingToken}/lines`, body);
      expect(res.status, name).toBe(status);
      expect(res.body.code, name).toBe(code);
    }
    const ordered = await newCart(shop, [[v, 1]]);
    expect((await checkoutCart(shop, ordered)).status).toBe(201);
    const again = await checkoutCart(shop, ordered);
    expect([again.status, again.body.code]).toEqual([409, 'cart_already_ordered']);

    const text = await upload(
      ctx,
      `/api/v1/orders/${order.trackingToken}/payment-proof`,
      Buffer.from('not an image at all'),
      { filename: 'receipt.jpg', contentType: 'image/jpeg' },
    );
    expect([text.status, text.body.code]).toEqual([415, 'unsupported_media_type']);
    const huge = await upload(
      ctx,
      `/api/v1/orders/${order.trackingToken}/payment-proof`,
      Buffer.concat([PNG_1PX, Buffer.alloc(6 * 1024 * 1024)]),
    );
    expect([huge.status, huge.body.code]).toEqual([413, 'payload_too_large']);
    expect(await stockOf(ctx, foreign)).toBe(10);
  });
});
