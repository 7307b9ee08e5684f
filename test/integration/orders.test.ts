import { describe, expect } from 'vitest';
import { appTest } from '../helpers/fixture.js';
import {
  CUSTOMER_PHONE,
  addProduct,
  checkoutBody,
  openShop,
  outboxFor,
  placeOrder,
  stockOf,
  type Shop,
} from '../helpers/order-fixtures.js';

const it = appTest();
let shop: Shop;
it.beforeAll(async ({ ctx }) => {
  shop = await openShop(ctx, {
    create: { whatsapp: '+919876543210' },
    patch: { delivery: { fee: 3000, freeAbove: null, pickup: true } },
  });
});

const track = (order: { trackingToken: string }, rest = '') => `/api/v1/orders/${order.trackingToken}${rest}`;
const merchantUrl = (order: { id: string }, rest = '', s: Shop = shop) => `${s.base}/orders/${order.id}${rest}`;
const transition = (order: { id: string }, to: string, note?: string) =>
  shop.api.post(merchantUrl(order, '/transitions'), { to, ...(note === undefined ? {} : { note }) });
const NIL = '00000000-0000-4000-8000-000000000000';

describe('the customer, by tracking token', () => {
  it('reads the order; unknown and malformed tokens are 404', async () => {
    const v = await addProduct(shop, 'Read', 500);
    const order = await placeOrder(shop, [[v, 2]]);
    const res = await shop.customer.get(track(order));
    expect(res.status).toBe(200);
    expect(res.body).toEqual(order);
    for (const token of [NIL, 'nope', 'x'.repeat(190)]) {
      const r = await shop.customer.get(`/api/v1/orders/${token}`);
      expect(r.status).toBe(404);
      expect(r.body.code).toBe('not_found');
    }
  });

  it('cancels while placed: stock back once, history, messages to customer and store', async ({ ctx }) => {
    const v = await addProduct(shop, 'Cancel me', 500, 10);
    const order = await placeOrder(shop, [[v, 3]]);
    expect(await stockOf(ctx, v)).toBe(7);
    const res = await shop.customer.post(track(order, '/cancel'));
    expect(res.status).toBe(200);
    expect(res.body.status).toBe('cancelled');
    expect(res.body.history.map((h: { status: string }) => h.status)).toEqual(['placed', 'cancelled']);
    expect(await stockOf(ctx, v)).toBe(10);
    const again = await shop.customer.post(track(order, '/cancel'));
    expect(again.status).toBe(409);
    expect(again.body.code).toBe('invalid_transition');
    expect(await stockOf(ctx, v)).toBe(10);
    const messages = await outboxFor(ctx, order.id);
    expect(messages.map((m) => [m.topic, m.recipient])).toEqual([
      ['order.placed', '+919876543210'],
      ['order.confirmed', CUSTOMER_PHONE],
      ['order.status_changed', CUSTOMER_PHONE],
      ['order.status_changed', '+919876543210'],
    ]);
    expect(messages[2]!.text).toContain('has been cancelled');
  });

  it('cannot cancel once accepted (409 invalid_transition); the merchant still can', async ({ ctx }) => {
    const v = await addProduct(shop, 'Accepted', 500, 4);
    const order = await placeOrder(shop, [[v, 1]]);
    expect((await transition(order, 'accepted')).status).toBe(200);
    const res = await shop.customer.post(track(order, '/cancel'));
    expect(res.status).toBe(409);
    expect(res.body.code).toBe('invalid_transition');
    expect(res.body.detail).toMatch(/contact the store/);
    const byMerchant = await transition(order, 'cancelled', 'Customer called');
    expect(byMerchant.status).toBe(200);
    expect(byMerchant.body.history.at(-1)).toMatchObject({ status: 'cancelled', note: 'Customer called' });
    expect(await stockOf(ctx, v)).toBe(4);
  });

  it('gives the coupon use back when an order is cancelled', async () => {
    const v = await addProduct(shop, 'Coupon back', 10_000);
    const coupon = await shop.api.post(`${shop.base}/coupons`, {
      code: 'BACK',
      type: 'flat',
      value: 1000,
      usageLimit: 1,
    });
    const cart = await shop.customer.post(`/api/v1/storefront/${shop.slug}/carts`);
    await shop.customer.put(`/api/v1/storefront/${shop.slug}/carts/${cart.body.id}/lines/${v}`, { quantity: 1 });
    await shop.customer.put(`/api/v1/storefront/${shop.slug}/carts/${cart.body.id}/coupon`, { code: 'BACK' });
    const order = (
      await shop.customer.post(`/api/v1/storefront/${shop.slug}/carts/${cart.body.id}/checkout`, checkoutBody())
    ).body;
    expect(order.discount).toBe(1000);
    expect((await shop.api.get(`${shop.base}/coupons/${coupon.body.id}`)).body.usedCount).toBe(1);
    await shop.customer.post(track(order, '/cancel'));
    expect((await shop.api.get(`${shop.base}/coupons/${coupon.body.id}`)).body.usedCount).toBe(0);
  });
});

describe('merchant transitions', () => {
  it('walks placed → accepted → shipped → delivered with notes, messaging the customer each time', async ({ ctx }) => {
    const v = await addProduct(shop, 'Walk', 500, 5);
    const order = await placeOrder(shop, [[v, 1]]);
    for (const [to, note] of [
      ['accepted', undefined],
      ['shipped', 'Via Dunzo'],
      ['delivered', undefined],
    ] as const) {
      const res = await transition(order, to, note);
      expect(res.status).toBe(200);
      expect(res.body.status).toBe(to);
    }
    const final = await shop.customer.get(track(order));
    expect(final.body.history.map((h: { status: string; note?: string }) => [h.status, h.note])).toEqual([
      ['placed', undefined],
      ['accepted', undefined],
      ['shipped', 'Via Dunzo'],
      ['delivered', undefined],
    ]);
    expect(await stockOf(ctx, v)).toBe(4); // delivered keeps the stock taken
    const toCustomer = (await outboxFor(ctx, order.id)).filter((m) => m.recipient === CUSTOMER_PHONE);
    expect(toCustomer.map((m) => m.text.split('\n')[0])).toEqual([
      `Thank you! ${String(shop.store.name)} has your order #${order.number}:`,
      expect.stringContaining('has been accepted'),
      expect.stringContaining('is on its way'),
      expect.stringContaining('has been delivered'),
    ]);
    expect(toCustomer[2]!.text).toContain('Note from the shop: “Via Dunzo”');
  });

  it('refuses moves the lifecycle does not have with 409 invalid_transition', async ({ ctx }) => {
    const v = await addProduct(shop, 'Invalid', 500, 5);
    const order = await placeOrder(shop, [[v, 1]]);
    for (const to of ['shipped', 'delivered', 'placed']) {
      const res = await transition(order, to);
      expect(res.status).toBe(409);
      expect(res.body.code).toBe('invalid_transition');
    }
    expect((await transition(order, 'rejected', 'Out of delivery area')).status).toBe(200);
    expect(await stockOf(ctx, v)).toBe(5);
    for (const to of ['accepted', 'cancelled', 'rejected', 'shipped'])
      expect((await transition(order, to)).status).toBe(409);
    expect(await stockOf(ctx, v)).toBe(5);
  });

  it('refuses bad bodies with 400 and unknown orders with 404', async () => {
    const v = await addProduct(shop, 'Bad transition', 500);
    const order = await placeOrder(shop, [[v, 1]]);
    for (const body of [
      {},
      { to: 'teleported' },
      { to: 'accepted', extra: 1 },
      { to: 'accepted', note: 'n'.repeat(501) },
      { to: 'accepted', note: 'x'.repeat(10_240) },
      { to: 5 },
      { to: ['accepted'] },
    ]) {
      const res = await shop.api.post(merchantUrl(order, '/transitions'), body);
      expect(res.status).toBe(400);
      expect(res.body.code).toBe('validation_failed');
    }
    for (const id of [NIL, 'not-a-uuid']) {
      const res = await shop.api.post(`${shop.base}/orders/${id}/transitions`, { to: 'accepted' });
      expect(res.status).toBe(404);
    }
    expect((await shop.customer.get(track(order))).body.status).toBe('placed');
  });

  it('keeps orders to their store: another merchant gets 404 everywhere', async ({ ctx }) => {
    const v = await addProduct(shop, 'Mine', 500);
    const order = await placeOrder(shop, [[v, 1]]);
    const other = await openShop(ctx);
    // Another store's member asking for this order through their own store id.
    expect((await other.api.get(merchantUrl(order, '', other))).status).toBe(404);
    expect((await other.api.post(merchantUrl(order, '/transitions', other), { to: 'accepted' })).status).toBe(404);
    expect((await other.api.post(merchantUrl(order, '/payment', other), { status: 'paid' })).status).toBe(404);
    expect(
      (await other.api.put(merchantUrl(order, '/lines', other), { lines: [{ variantId: v, quantity: 2 }] })).status,
    ).toBe(404);
    // ...and through this store's id.
    expect((await other.api.get(merchantUrl(order))).status).toBe(404);
    expect((await other.api.get(`${shop.base}/orders`)).status).toBe(404);
    const anonymous = await shop.customer.get(`${shop.base}/orders`);
    expect(anonymous.status).toBe(401);
    expect((await shop.customer.get(track(order))).body.status).toBe('placed');
  });
});

describe('merchant list and reading', () => {
  let listShop: Shop;
  const numbers: number[] = [];
  it.beforeAll(async ({ ctx }) => {
    listShop = await openShop(ctx);
    const v = await addProduct(listShop, 'Listed', 100);
    for (let i = 0; i < 7; i++) numbers.push((await placeOrder(listShop, [[v, 1]])).number);
  });

  it('lists newest first with keyset pagination', async () => {
    const seen: number[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const res: { status: number; body: any } = await listShop.api.get(
        `${listShop.base}/orders?limit=3${cursor ? `&cursor=${cursor}` : ''}`,
      );
      expect(res.status).toBe(200);
      seen.push(...res.body.items.map((o: { number: number }) => o.number));
      cursor = res.body.nextCursor;
      pages++;
    } while (cursor);
    expect(pages).toBe(3);
    expect(seen).toEqual([...numbers].reverse());
    const first = await listShop.api.get(`${listShop.base}/orders`);
    expect(first.body.items).toHaveLength(7);
    expect(first.body.nextCursor).toBeNull();
    expect(first.body.items[0].lines[0]).toMatchObject({ name: 'Listed', quantity: 1 });
    expect(first.body.items[0].history[0].status).toBe('placed');
  });

  it('filters by status', async () => {
    const all = (await listShop.api.get(`${listShop.base}/orders`)).body.items;
    await listShop.api.post(`${listShop.base}/orders/${all[0].id}/transitions`, { to: 'accepted' });
    await listShop.api.post(`${listShop.base}/orders/${all[2].id}/transitions`, { to: 'accepted' });
    const accepted = await listShop.api.get(`${listShop.base}/orders?status=accepted&limit=1`);
    expect(accepted.body.items.map((o: { number: number }) => o.number)).toEqual([all[0].number]);
    const next = await listShop.api.get(
      `${listShop.base}/orders?status=accepted&limit=1&cursor=${accepted.body.nextCursor}`,
    );
    expect(next.body.items.map((o: { number: number }) => o.number)).toEqual([all[2].number]);
    expect((await listShop.api.get(`${listShop.base}/orders?status=placed`)).body.items).toHaveLength(5);
    expect((await listShop.api.get(`${listShop.base}/orders?status=shipped`)).body).toEqual({
      items: [],
      nextCursor: null,
    });
  });

  it('refuses bad list parameters with 400 validation_failed', async () => {
    for (const q of [
      'limit=0',
      'limit=101',
      'limit=1.5',
      'limit=abc',
      'status=lost',
      'cursor=garbage',
      `cursor=${'x'.repeat(600)}`,
    ]) {
      const res = await listShop.api.get(`${listShop.base}/orders?${q}`);
      expect(res.status, q).toBe(400);
      expect(res.body.code).toBe('validation_failed');
    }
  });

  it('marks an order seen when the merchant opens it', async ({ db }) => {
    const { rows: before } = await db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM orders WHERE store_id = $1 AND seen_at IS NULL`,
      [listShop.storeId],
    );
    expect(before[0]!.n).toBe(7);
    const order = (await listShop.api.get(`${listShop.base}/orders`)).body.items[3];
    const res = await listShop.api.get(`${listShop.base}/orders/${order.id}`);
    expect(res.status).toBe(200);
    expect(res.body.id).toBe(order.id);
    expect(res.body).not.toHaveProperty('seenAt');
    const { rows } = await db.query<{ seen: boolean }>(`SELECT seen_at IS NOT NULL AS seen FROM orders WHERE id = $1`, [
      order.id,
    ]);
    expect(rows[0]!.seen).toBe(true);
    const { countUnseenOrders } = await import('../../src/orders/orders.service.js');
    expect(await countUnseenOrders(db, listShop.storeId)).toBe(6);
    // The customer reading it does not.
    const other = (await listShop.api.get(`${listShop.base}/orders`)).body.items[4];
    await listShop.customer.get(`/api/v1/orders/${other.trackingToken}`);
    expect(await countUnseenOrders(db, listShop.storeId)).toBe(6);
  });
});

describe('line edits', () => {
  it(
    'the customer replaces the lines: kept lines keep their frozen ' + "price, added lines take today's, stock moves",
    async ({ ctx, db }) => {
      const a = await addProduct(shop, 'Kept', 1000, 10);
      const b = await addProduct(shop, 'Dropped', 2000, 10);
      const c = await addProduct(shop, 'Added', 3000, 10);
      const order = await placeOrder(shop, [
        [a, 2],
        [b, 1],
      ]);
      expect(order.total).toBe(4000 + 3000);
      // Prices change after the order was placed.
      await db.query(`UPDATE variants SET price = 9999 WHERE id = ANY($1::uuid[])`, [[a, b]]);
      const res = await shop.customer.put(track(order, '/lines'), {
        lines: [
          { variantId: a, quantity: 5 },
          { variantId: b, quantity: 0 },
          { variantId: c, quantity: 1 },
        ],
      });
      expect(res.status).toBe(200);
      expect(res.body.lines).toEqual([
        { variantId: a, name: 'Kept', variantName: expect.any(String), unitPrice: 1000, quantity: 5, lineTotal: 5000 },
        { variantId: c, name: 'Added', variantName: expect.any(String), unitPrice: 3000, quantity: 1, lineTotal: 3000 },
      ]);
      expect(res.body).toMatchObject({
        subtotal: 8000,
        discount: 0,
        deliveryFee: 3000,
        total: 11000,
        balanceDue: 11000,
      });
      expect(res.body.history.map((h: { status: string }) => h.status)).toEqual(['placed', 'edited']);
      expect([await stockOf(ctx, a), await stockOf(ctx, b), await stockOf(ctx, c)]).toEqual([5, 10, 9]);
      const messages = await outboxFor(ctx, order.id);
      expect(messages.filter((m) => m.topic === 'order.edited').map((m) => m.recipient)).toEqual([
        CUSTOMER_PHONE,
        '+919876543210',
      ]);
      expect(messages.find((m) => m.topic === 'order.edited')!.text).toContain('New total: ₹110.00');
      // A line left out of the list is dropped too.
      const dropped = await shop.customer.put(track(order, '/lines'), { lines: [{ variantId: c, quantity: 2 }] });
      expect(dropped.status).toBe(200);
      expect(dropped.body.lines.map((l: { variantId: string }) => l.variantId)).toEqual([c]);
      expect([await stockOf(ctx, a), await stockOf(ctx, c)]).toEqual([10, 8]);
      // A line without quantity is dropped.
      const missingQty = await shop.customer.put(track(order, '/lines'), {
        lines: [{ variantId: c }, { variantId: a, quantity: 1 }],
      });
      expect(missingQty.body.lines.map((l: { variantId: string }) => l.variantId)).toEqual([a]);
      expect([await stockOf(ctx, a), await stockOf(ctx, c)]).toEqual([9, 10]);
    },
  );

  it('refuses an increase beyond stock with 409 cart_has_errors and moves nothing', async ({ ctx }) => {
    const a = await addProduct(shop, 'Scarce', 1000, 3);
    const b = await addProduct(shop, 'Plenty', 1000, 50);
    const order = await placeOrder(shop, [
      [a, 2],
      [b, 5],
    ]);
    const res = await shop.customer.put(track(order, '/lines'), {
      lines: [
        { variantId: a, quantity: 4 },
        { variantId: b, quantity: 1 },
      ],
    });
    expect(res.status).toBe(409);
    expect(res.body.code).toBe('cart_has_errors');
    expect(res.body.errors).toEqual([
      expect.objectContaining({ code: 'insufficient_stock', variantId: a, available: 3 }),
    ]);
    expect([await stockOf(ctx, a), await stockOf(ctx, b)]).toEqual([1, 45]);
    const out = await addProduct(shop, 'None left', 1000, 0);
    const none = await shop.customer.put(track(order, '/lines'), {
      lines: [
        { variantId: a, quantity: 2 },
        { variantId: out, quantity: 1 },
      ],
    });
    expect(none.status).toBe(409);
    expect(none.body.errors).toEqual([expect.objectContaining({ code: 'out_of_stock', variantId: out, available: 0 })]);
    expect((await shop.customer.get(track(order))).body.lines.map((l: { quantity: number }) => l.quantity)).toEqual([
      2, 5,
    ]);
  });

  it(
    'refuses adding a product no longer sold (409), unknown or foreign ' +
      'variants (404), duplicates and empty sets (422)',
    async ({ ctx, db }) => {
      const a = await addProduct(shop, 'Base', 1000, 10);
      const archived = await addProduct(shop, 'Archived', 1000, 10);
      await db.query(`UPDATE variants SET archived_at = now() WHERE id = $1`, [archived]);
      const order = await placeOrder(shop, [[a, 1]]);
      const gone = await shop.customer.put(track(order, '/lines'), {
        lines: [
          { variantId: a, quantity: 1 },
          { variantId: archived, quantity: 1 },
        ],
      });
      expect(gone.status).toBe(409);
      expect(gone.body.errors[0]).toMatchObject({ code: 'unavailable', variantId: archived });
      const other = await openShop(ctx);
      const foreign = await addProduct(other, 'Foreign', 100, 10);
      for (const variantId of [foreign, NIL, 'not-a-uuid']) {
        const res = await shop.customer.put(track(order, '/lines'), { lines: [{ variantId, quantity: 1 }] });
        expect(res.status, variantId).toBe(404);
        expect(res.body.code).toBe('not_found');
      }
      expect(await stockOf(ctx, foreign)).toBe(10);
      const dup = await shop.customer.put(track(order, '/lines'), {
        lines: [
          { variantId: a, quantity: 1 },
          { variantId: a, quantity: 2 },
        ],
      });
      expect(dup.status).toBe(422);
      expect(dup.body.code).toBe('validation_failed');
      for (const lines of [[], [{ variantId: a, quantity: 0 }], [{ variantId: a }]]) {
        const res = await shop.customer.put(track(order, '/lines'), { lines });
        expect(res.status).toBe(422);
        expect(res.body.code).toBe('validation_failed');
      }
      expect(await stockOf(ctx, a)).toBe(9);
    },
  );

  it('refuses malformed bodies with 400 validation_failed', async ({ ctx }) => {
    const a = await addProduct(shop, 'Malformed', 1000, 10);
    const order = await placeOrder(shop, [[a, 1]]);
    const bodies: unknown[] = [
      {},
      { lines: 'all' },
      { lines: [{ variantId: a, quantity: -1 }] },
      { lines: [{ variantId: a, quantity: 1000 }] },
      { lines: [{ variantId: a, quantity: 1.5 }] },
      { lines: [{ variantId: a, quantity: '3' }] },
      { lines: [{ variantId: a, quantity: 1, price: 1 }] },
      { lines: [{ quantity: 1 }] },
      { lines: [{ variantId: 'x'.repeat(10_240), quantity: 1 }] },
      { lines: [{ variantId: a, quantity: 1 }], extra: true },
      { lines: Array.from({ length: 101 }, () => ({ variantId: a, quantity: 1 })) },
    ];
    for (const body of bodies) {
      const res = await shop.customer.put(track(order, '/lines'), body);
      expect(res.status, JSON.stringify(body).slice(0, 80)).toBe(400);
      expect(res.body.code).toBe('validation_failed');
    }
    expect(await stockOf(ctx, a)).toBe(9);
  });

  it('an edit that changes nothing writes nothing', async ({ ctx }) => {
    const a = await addProduct(shop, 'Same', 1000, 10);
    const order = await placeOrder(shop, [[a, 2]]);
    const res = await shop.customer.put(track(order, '/lines'), { lines: [{ variantId: a, quantity: 2 }] });
    expect(res.status).toBe(200);
    expect(res.body.history).toHaveLength(1);
    expect((await outboxFor(ctx, order.id)).filter((m) => m.topic === 'order.edited')).toHaveLength(0);
  });

  it('only while placed for the customer, while placed or accepted for the merchant', async ({ ctx }) => {
    const a = await addProduct(shop, 'Phase', 1000, 20);
    const order = await placeOrder(shop, [[a, 1]]);
    await transition(order, 'accepted');
    const customer = await shop.customer.put(track(order, '/lines'), { lines: [{ variantId: a, quantity: 2 }] });
    expect(customer.status).toBe(409);
    expect(customer.body.code).toBe('invalid_transition');
    const merchant = await shop.api.put(merchantUrl(order, '/lines'), { lines: [{ variantId: a, quantity: 3 }] });
    expect(merchant.status).toBe(200);
    expect(merchant.body.lines[0].quantity).toBe(3);
    expect(await stockOf(ctx, a)).toBe(17);
    // Messages from a merchant edit go to the customer only.
    expect((await outboxFor(ctx, order.id)).filter((m) => m.topic === 'order.edited').map((m) => m.recipient)).toEqual([
      CUSTOMER_PHONE,
    ]);
    await transition(order, 'shipped');
    const late = await shop.api.put(merchantUrl(order, '/lines'), { lines: [{ variantId: a, quantity: 1 }] });
    expect(late.status).toBe(409);
    expect(late.body.code).toBe('invalid_transition');
    const cancelled = await placeOrder(shop, [[a, 1]]);
    await shop.customer.post(track(cancelled, '/cancel'));
    expect(
      (await shop.api.put(merchantUrl(cancelled, '/lines'), { lines: [{ variantId: a, quantity: 1 }] })).status,
    ).toBe(409);
    expect(await stockOf(ctx, a)).toBe(17);
  });

  it("renews the discount with the order's own coupon rule, on the new subtotal", async ({ ctx }) => {
    const couponShop = await openShop(ctx, { patch: { delivery: { fee: 5000, freeAbove: 30000 } } });
    const v = await addProduct(couponShop, 'Discounted', 10000, 100);
    const created = await couponShop.api.post(`${couponShop.base}/coupons`, {
      code: 'TEN',
      type: 'percent',
      value: 10,
      maxDiscount: 2500,
      minOrder: 15000,
    });
    expect(created.status).toBe(201);
    const cart = await couponShop.customer.post(`/api/v1/storefront/${couponShop.slug}/carts`);
    await couponShop.customer.put(`/api/v1/storefront/${couponShop.slug}/carts/${cart.body.id}/lines/${v}`, {
      quantity: 2,
    });
    await couponShop.customer.put(`/api/v1/storefront/${couponShop.slug}/carts/${cart.body.id}/coupon`, {
      code: 'TEN',
    });
    const order = (
      await couponShop.customer.post(
        `/api/v1/storefront/${couponShop.slug}/carts/${cart.body.id}/checkout`,
        checkoutBody(),
      )
    ).body;
    expect(order).toMatchObject({
      subtotal: 20000,
      discount: 2000,
      deliveryFee: 5000,
      total: 23000,
      couponCode: 'TEN',
    });
    // The store changes the coupon and the delivery fee afterwards: the order keeps its own rules.
    await couponShop.api.patch(`${couponShop.base}/coupons/${created.body.id}`, { value: 50 });
    await couponShop.api.patch(couponShop.base, { delivery: { fee: 9000 } });
    const up = await couponShop.customer.put(track(order, '/lines'), { lines: [{ variantId: v, quantity: 4 }] });
    expect(up.status).toBe(200);
    // 10% of 40000 = 4000, capped at 2500; 37500 ≥ 30000 → free delivery.
    expect(up.body).toMatchObject({ subtotal: 40000, discount: 2500, deliveryFee: 0, total: 37500 });
    // Below the coupon's minimum the coupon gives nothing.
    const down = await couponShop.customer.put(track(order, '/lines'), { lines: [{ variantId: v, quantity: 1 }] });
    expect(down.body).toMatchObject({ subtotal: 10000, discount: 0, deliveryFee: 5000, total: 15000 });
  });

  it("holds a customer edit to the minimum order, not the store's edit", async ({ ctx }) => {
    const minShop = await openShop(ctx, { patch: { delivery: { minOrder: 5000 } } });
    const v = await addProduct(minShop, 'Min', 3000, 10);
    const order = await placeOrder(minShop, [[v, 2]]);
    const res = await minShop.customer.put(track(order, '/lines'), { lines: [{ variantId: v, quantity: 1 }] });
    expect(res.status).toBe(422);
    expect(res.body.code).toBe('below_minimum_order');
    expect(await stockOf(ctx, v)).toBe(8);
    const merchant = await minShop.api.put(merchantUrl(order, '/lines', minShop), {
      lines: [{ variantId: v, quantity: 1 }],
    });
    expect(merchant.status).toBe(200);
    expect(await stockOf(ctx, v)).toBe(9);
  });
});

describe('payment status', () => {
  const pay = (order: { id: string }, status: unknown) => shop.api.post(merchantUrl(order, '/payment'), { status });

  it('paid records the total as received; refunded gives it back', async ({ ctx }) => {
    const v = await addProduct(shop, 'Paid', 5000, 10);
    const order = await placeOrder(shop, [[v, 1]]);
    const paid = await pay(order, 'paid');
    expect(paid.status).toBe(200);
    expect(paid.body).toMatchObject({ paymentStatus: 'paid', amountPaid: 8000, balanceDue: 0 });
    const twice = await pay(order, 'paid');
    expect(twice.status).toBe(409);
    expect(twice.body.code).toBe('invalid_transition');
    const refunded = await pay(order, 'refunded');
    // Nothing of it was due (the order still costs 8000), so it is all waived: the customer owes nothing back.
    expect(refunded.body).toMatchObject({
      paymentStatus: 'refunded',
      amountPaid: 0,
      amountWaived: 8000,
      balanceDue: 0,
    });
    expect((await pay(order, 'paid')).status).toBe(409);
    expect((await pay(order, 'refunded')).status).toBe(409);
    const messages = (await outboxFor(ctx, order.id)).filter((m) => m.topic === 'order.payment_updated');
    expect(messages.map((m) => m.recipient)).toEqual([CUSTOMER_PHONE, CUSTOMER_PHONE]);
    expect(messages[0]!.text).toContain('Payment of ₹80.00 received');
  });

  it('cannot refund an unpaid order or mark a cancelled one paid', async () => {
    const v = await addProduct(shop, 'Unpaid', 5000, 10);
    const order = await placeOrder(shop, [[v, 1]]);
    expect((await pay(order, 'refunded')).status).toBe(409);
    await shop.customer.post(track(order, '/cancel'));
    expect((await pay(order, 'paid')).status).toBe(409);
  });

  it('a paid order stays refundable after cancellation', async () => {
    const v = await addProduct(shop, 'Refund after cancel', 5000, 10);
    const order = await placeOrder(shop, [[v, 1]]);
    await pay(order, 'paid');
    expect((await transition(order, 'cancelled')).status).toBe(200);
    const refunded = await pay(order, 'refunded');
    expect(refunded.status).toBe(200);
    expect(refunded.body.paymentStatus).toBe('refunded');
  });

  it(
    'after an edit: a higher total reopens the payment with the ' +
      'balance due; a lower one leaves a negative balance',
    async () => {
      const v = await addProduct(shop, 'Edited after pay', 5000, 10);
      const order = await placeOrder(shop, [[v, 2]]);
      await pay(order, 'paid');
      const up = await shop.customer.put(track(order, '/lines'), { lines: [{ variantId: v, quantity: 3 }] });
      expect(up.body).toMatchObject({ total: 18000, amountPaid: 13000, balanceDue: 5000, paymentStatus: 'pending' });
      const repaid = await pay(order, 'paid');
      expect(repaid.body).toMatchObject({ amountPaid: 18000, balanceDue: 0, paymentStatus: 'paid' });
      const down = await shop.customer.put(track(order, '/lines'), { lines: [{ variantId: v, quantity: 1 }] });
      expect(down.body).toMatchObject({ total: 8000, amountPaid: 18000, balanceDue: -10000, paymentStatus: 'paid' });
    },
  );

  it('refuses bad bodies with 400', async () => {
    const v = await addProduct(shop, 'Pay bad', 5000);
    const order = await placeOrder(shop, [[v, 1]]);
    for (const body of [
      {},
      { status: 'pending' },
      { status: 'proof_submitted' },
      { status: 'paid', amount: 5 },
      { status: 1 },
    ]) {
      const res = await shop.api.post(merchantUrl(order, '/payment'), body);
      expect(res.status).toBe(400);
      expect(res.body.code).toBe('validation_failed');
    }
  });
});

describe('orders in the OpenAPI document', () => {
  it('documents every order endpoint', async () => {
    const res = await shop.customer.get('/api/v1/openapi.json');
    const paths = Object.keys(res.body.paths);
    for (const p of [
      '/api/v1/storefront/{slug}/carts/{cartId}/checkout',
      '/api/v1/orders/{trackingToken}',
      '/api/v1/orders/{trackingToken}/cancel',
      '/api/v1/orders/{trackingToken}/lines',
      '/api/v1/orders/{trackingToken}/payment-proof',
      '/api/v1/orders/{trackingToken}/upi-qr.svg',
      '/api/v1/stores/{storeId}/orders',
      '/api/v1/stores/{storeId}/orders/{orderId}',
      '/api/v1/stores/{storeId}/orders/{orderId}/transitions',
      '/api/v1/stores/{storeId}/orders/{orderId}/lines',
      '/api/v1/stores/{storeId}/orders/{orderId}/payment',
      '/api/v1/stores/{storeId}/orders/{orderId}/payment-proof',
    ])
      expect(paths, p).toContain(p);
  });
});
