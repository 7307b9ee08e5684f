import { beforeAll, describe, expect } from 'vitest';
import { appTest } from '../helpers/fixture.js';
import {
  ADDRESS,
  CUSTOMER_PHONE,
  addProduct,
  checkoutBody,
  checkoutCart,
  newCart,
  openShop,
  outboxFor,
  placeOrder,
  stockOf,
  type Shop,
} from '../helpers/order-fixtures.js';

const it = appTest({ publicUrl: 'https://dukaan.test' });
let shop: Shop;
it.beforeAll(async ({ ctx }) => {
  shop = await openShop(ctx, {
    create: { name: 'Chai & Co', whatsapp: '+919876543210' },
    patch: { delivery: { fee: 4000, freeAbove: 50000, pickup: true } },
  });
});

const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('checkout', () => {
  it('turns a cart into an order: frozen lines, bill, stock taken, history, tracking and WhatsApp links', async ({
    ctx,
    db,
  }) => {
    const tea = await addProduct(shop, 'Masala Chai', 9900, 10);
    const rusk = await addProduct(shop, 'Rusk', 4000); // not tracked
    const cartId = await newCart(shop, [
      [tea, 2],
      [rusk, 1],
    ]);
    const cart = await shop.customer.get(`/api/v1/storefront/${shop.slug}/carts/${cartId}`);
    const res = await checkoutCart(shop, cartId, checkoutBody({ note: '  Ring twice  ' }));
    expect(res.status).toBe(201);
    const order = res.body;
    expect(order).toMatchObject({
      number: expect.any(Number),
      status: 'placed',
      paymentStatus: 'pending',
      paymentMethod: 'cod',
      fulfillment: 'delivery',
      currency: 'INR',
      lines: [
        {
          variantId: tea,
          name: 'Masala Chai',
          variantName: expect.any(String),
          unitPrice: 9900,
          quantity: 2,
          lineTotal: 19800,
        },
        {
          variantId: rusk,
          name: 'Rusk',
          variantName: expect.any(String),
          unitPrice: 4000,
          quantity: 1,
          lineTotal: 4000,
        },
      ],
      couponCode: null,
      subtotal: 23800,
      discount: 0,
      deliveryFee: 4000,
      total: 27800,
      amountPaid: 0,
      balanceDue: 27800,
      customer: { name: 'Asha Rao', phone: CUSTOMER_PHONE, address: { ...ADDRESS, line2: null } },
      note: 'Ring twice',
      history: [{ status: 'placed', at: expect.any(String) }],
      // Placed through the API (the storefront's pages make 'web', the chat bot 'whatsapp').
      source: 'api',
    });
    // The order's bill is the cart's bill at that moment.
    expect(order.total).toBe(cart.body.total);
    expect(order.trackingToken).toMatch(UUID_V4);
    expect(order.trackingUrl).toBe(`https://dukaan.test/o/${order.trackingToken}`);
    expect(order.whatsappUrl.startsWith('https://wa.me/919876543210?text=')).toBe(true);
    const text = new URL(order.whatsappUrl).searchParams.get('text')!;
    expect(text).toContain(`Order #${order.number} — Chai & Co`);
    expect(text).toContain('2 × Masala Chai');
    expect(text).toContain('Total: ₹278.00');
    expect(text).toContain(order.trackingUrl);
    expect(order.upiUrl).toBeUndefined();
    expect(new Date(order.createdAt).toISOString()).toBe(order.createdAt);

    expect(await stockOf(ctx, tea)).toBe(8);
    expect(await stockOf(ctx, rusk)).toBeNull();
    const { rows } = await db.query<{ order_id: string }>(`SELECT order_id FROM carts WHERE id = $1`, [cartId]);
    expect(rows[0]!.order_id).toBe(order.id);
    // The store hears about it through the outbox, written with the order.
    // The store hears about it, and the customer gets a confirmation (opted in by default), both through the
    // outbox, written with the order.
    const messages = await outboxFor(ctx, order.id);
    expect(messages).toHaveLength(2);
    messages.sort((x, y) => (x.topic < y.topic ? -1 : 1));
    expect(messages[1]).toMatchObject({ topic: 'order.placed', recipient: '+919876543210' });
    expect(messages[0]).toMatchObject({ topic: 'order.confirmed', recipient: order.customer.phone });
    expect(messages[0]!.text).toContain(`#${order.number}`);
    expect(messages[0]!.text).toContain(order.trackingUrl);
    messages.reverse();
    expect(messages[0]!.text).toContain(`New order #${order.number}`);
    expect(messages[0]!.text).toContain('Asha Rao');
    // The cart is closed for changes.
    const change = await shop.customer.put(`/api/v1/storefront/${shop.slug}/carts/${cartId}/lines/${tea}`, {
      quantity: 1,
    });
    expect(change.status).toBe(409);
    expect(change.body.code).toBe('cart_already_ordered');
  });

  it('numbers orders per store, increasing', async ({ ctx }) => {
    const v = await addProduct(shop, 'Numbered', 100);
    const a = await placeOrder(shop, [[v, 1]]);
    const b = await placeOrder(shop, [[v, 1]]);
    expect(b.number).toBe(a.number + 1);
    const other = await openShop(ctx);
    const first = await placeOrder(other, [[await addProduct(other, 'Other', 100), 1]]);
    expect(first.number).toBe(1);
  });

  it('a second checkout of an ordered cart is 409 cart_already_ordered', async ({ ctx }) => {
    const v = await addProduct(shop, 'Twice', 100, 5);
    const cartId = await newCart(shop, [[v, 1]]);
    expect((await checkoutCart(shop, cartId)).status).toBe(201);
    const again = await checkoutCart(shop, cartId);
    expect(again.status).toBe(409);
    expect(again.body.code).toBe('cart_already_ordered');
    expect(await stockOf(ctx, v)).toBe(4);
  });

  it(
    'replays the answer for the same Idempotency-Key, and finds ' + 'the order even when the stored answer was lost',
    async ({ ctx, db }) => {
      const v = await addProduct(shop, 'Idem', 100, 5);
      const cartId = await newCart(shop, [[v, 1]]);
      const key = { 'idempotency-key': `co-${cartId}` };
      const first = await checkoutCart(shop, cartId, checkoutBody(), key);
      expect(first.status).toBe(201);
      const replay = await checkoutCart(shop, cartId, checkoutBody(), key);
      expect(replay.status).toBe(201);
      expect(replay.headers['idempotent-replayed']).toBe('true');
      expect(replay.text).toBe(first.text);
      // A crash after commit lost the stored answer: the key recorded on the order still finds it.
      await db.query(`DELETE FROM idempotency_keys`);
      const recovered = await checkoutCart(shop, cartId, checkoutBody(), key);
      expect(recovered.status).toBe(201);
      expect(recovered.body.id).toBe(first.body.id);
      expect(recovered.body.number).toBe(first.body.number);
      const otherKey = await checkoutCart(shop, cartId, checkoutBody(), { 'idempotency-key': 'another' });
      expect(otherKey.status).toBe(409);
      expect(otherKey.body.code).toBe('cart_already_ordered');
      const { rows } = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM orders WHERE cart_id = $1`, [
        cartId,
      ]);
      expect(rows[0]!.n).toBe(1);
      expect(await stockOf(ctx, v)).toBe(4);
    },
  );

  it('the same key with another body is 409 idempotency_key_reused', async () => {
    const v = await addProduct(shop, 'Reuse', 100);
    const cartId = await newCart(shop, [[v, 1]]);
    const key = { 'idempotency-key': `reuse-${cartId}` };
    expect((await checkoutCart(shop, cartId, checkoutBody(), key)).status).toBe(201);
    const other = await checkoutCart(shop, cartId, checkoutBody({ note: 'different' }), key);
    expect(other.status).toBe(409);
    expect(other.body.code).toBe('idempotency_key_reused');
  });

  it('refuses a closed store with 409 store_closed and takes nothing', async ({ ctx }) => {
    const closed = await openShop(ctx);
    const v = await addProduct(closed, 'Closed', 100, 3);
    const cartId = await newCart(closed, [[v, 1]]);
    await closed.api.patch(closed.base, { isOpen: false });
    const res = await checkoutCart(closed, cartId);
    expect(res.status).toBe(409);
    expect(res.body.code).toBe('store_closed');
    expect(res.headers['content-type']).toContain('application/problem+json');
    expect(await stockOf(ctx, v)).toBe(3);
  });

  it('refuses a cart with errors (409 cart_has_errors naming the lines) and takes nothing', async ({ ctx, db }) => {
    const short = await addProduct(shop, 'Short', 100, 5);
    const fine = await addProduct(shop, 'Fine', 100, 5);
    const gone = await addProduct(shop, 'Gone', 100, 5);
    const cartId = await newCart(shop, [
      [fine, 2],
      [short, 4],
      [gone, 1],
    ]);
    await db.query(`UPDATE variants SET stock = 1 WHERE id = $1`, [short]);
    await db.query(`UPDATE variants SET stock = 0 WHERE id = $1`, [gone]);
    const res = await checkoutCart(shop, cartId);
    expect(res.status).toBe(409);
    expect(res.body.code).toBe('cart_has_errors');
    expect(res.body.errors).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ code: 'insufficient_stock', variantId: short, available: 1 }),
        expect.objectContaining({ code: 'out_of_stock', variantId: gone }),
      ]),
    );
    expect(await stockOf(ctx, fine)).toBe(5);
    const { rows } = await db.query<{ order_id: string | null }>(`SELECT order_id FROM carts WHERE id = $1`, [cartId]);
    expect(rows[0]!.order_id).toBeNull();
  });

  it('refuses an empty cart and an archived product', async ({ db }) => {
    const empty = await newCart(shop);
    const res = await checkoutCart(shop, empty);
    expect(res.status).toBe(409);
    expect(res.body.code).toBe('cart_has_errors');
    expect(res.body.errors[0].code).toBe('empty_cart');
    const v = await addProduct(shop, 'Archived later', 100);
    const cartId = await newCart(shop, [[v, 1]]);
    await db.query(
      `UPDATE products SET archived_at = now() WHERE id = (SELECT product_id FROM variants WHERE id = $1)`,
      [v],
    );
    const archived = await checkoutCart(shop, cartId);
    expect(archived.status).toBe(409);
    expect(archived.body.errors).toEqual([expect.objectContaining({ code: 'unavailable', variantId: v })]);
  });

  it('takes pickup orders without an address and without a delivery fee', async ({ db }) => {
    const v = await addProduct(shop, 'Pickup item', 1000);
    const cartId = await newCart(shop, [[v, 1]]);
    const res = await checkoutCart(
      shop,
      cartId,
      checkoutBody({ fulfillment: 'pickup', customer: { name: 'Ravi', phone: '+919812345679' } }),
    );
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      fulfillment: 'pickup',
      deliveryFee: 0,
      total: 1000,
      customer: { name: 'Ravi', address: null },
    });
    const { rows } = await db.query<{ fulfillment: string }>(`SELECT fulfillment FROM carts WHERE id = $1`, [cartId]);
    expect(rows[0]!.fulfillment).toBe('pickup');
  });

  it('applies free delivery above the threshold', async () => {
    const v = await addProduct(shop, 'Big', 60000);
    const order = await placeOrder(shop, [[v, 1]]);
    expect(order).toMatchObject({ subtotal: 60000, deliveryFee: 0, total: 60000 });
  });

  it('refuses pickup where the store does not offer it (422)', async ({ ctx }) => {
    const noPickup = await openShop(ctx);
    const v = await addProduct(noPickup, 'No pickup', 100);
    const res = await checkoutCart(
      noPickup,
      await newCart(noPickup, [[v, 1]]),
      checkoutBody({ fulfillment: 'pickup' }),
    );
    expect(res.status).toBe(422);
    expect(res.body.code).toBe('validation_failed');
  });

  it('needs an address for delivery and a 6-digit PIN code in INR stores (422 validation_failed)', async ({ ctx }) => {
    const v = await addProduct(shop, 'Addr', 100, 5);
    const cartId = await newCart(shop, [[v, 1]]);
    const noAddress = await checkoutCart(
      shop,
      cartId,
      checkoutBody({ customer: { name: 'Asha', phone: CUSTOMER_PHONE } }),
    );
    expect(noAddress.status).toBe(422);
    expect(noAddress.body.code).toBe('validation_failed');
    expect(noAddress.body.errors[0].path).toBe('/customer/address');
    const nullAddress = await checkoutCart(
      shop,
      cartId,
      checkoutBody({ customer: { name: 'Asha', phone: CUSTOMER_PHONE, address: null } }),
    );
    expect(nullAddress.status).toBe(422);
    for (const pincode of ['56001', '5600011', 'ABCDEF', '560 01']) {
      const res = await checkoutCart(
        shop,
        cartId,
        checkoutBody({ customer: { name: 'Asha', phone: CUSTOMER_PHONE, address: { ...ADDRESS, pincode } } }),
      );
      expect(res.status).toBe(422);
      expect(res.body.errors[0].path).toBe('/customer/address/pincode');
    }
    expect(await stockOf(ctx, v)).toBe(5);
    expect((await checkoutCart(shop, cartId)).status).toBe(201);
  });

  it('offers only the payment methods the store takes (422 validation_failed)', async ({ ctx }) => {
    const v = await addProduct(shop, 'Pay', 100);
    const cartId = await newCart(shop, [[v, 1]]);
    const upi = await checkoutCart(shop, cartId, checkoutBody({ paymentMethod: 'upi' }));
    expect(upi.status).toBe(422);
    expect(upi.body.errors[0]).toMatchObject({ path: '/paymentMethod' });

    const upiShop = await openShop(ctx, {
      create: { name: 'UPI Only Store' },
      patch: { payments: { cod: false, upiVpa: 'upionly@okaxis' } },
    });
    const w = await addProduct(upiShop, 'Pay2', 12345);
    const cart2 = await newCart(upiShop, [[w, 2]]);
    const cod = await checkoutCart(upiShop, cart2, checkoutBody({ paymentMethod: 'cod' }));
    expect(cod.status).toBe(422);
    expect(cod.body.errors[0].message).toMatch(/cash/);
    const paid = await checkoutCart(upiShop, cart2, checkoutBody({ paymentMethod: 'upi' }));
    expect(paid.status).toBe(201);
    expect(paid.body.paymentMethod).toBe('upi');
    expect(paid.body.upiUrl).toBe(
      `upi://pay?pa=upionly@okaxis&pn=UPI%20Only%20Store&am=246.90&cu=INR&tn=Order%20${paid.body.number}`,
    );
  });

  it('refuses an order below the minimum (after discount) with 422 below_minimum_order', async ({ ctx }) => {
    const minShop = await openShop(ctx, { patch: { delivery: { minOrder: 20000 } } });
    const v = await addProduct(minShop, 'Small', 15000, 10);
    const coupon = await minShop.api.post(`${minShop.base}/coupons`, { code: 'TENOFF', type: 'percent', value: 10 });
    expect(coupon.status).toBe(201);
    const cartId = await newCart(minShop, [[v, 1]]);
    const res = await checkoutCart(minShop, cartId);
    expect(res.status).toBe(422);
    expect(res.body.code).toBe('below_minimum_order');
    // 2 × 150 = 300 reaches it; with 10% off it is 270, still above 200.
    await minShop.customer.put(`/api/v1/storefront/${minShop.slug}/carts/${cartId}/lines/${v}`, { quantity: 2 });
    await minShop.customer.put(`/api/v1/storefront/${minShop.slug}/carts/${cartId}/coupon`, { code: 'tenoff' });
    expect(await stockOf(ctx, v)).toBe(10);
    const ok = await checkoutCart(minShop, cartId);
    expect(ok.status).toBe(201);
    expect(ok.body).toMatchObject({ subtotal: 30000, discount: 3000, couponCode: 'TENOFF' });
  });

  it('counts the coupon use; a used-up coupon is left out (never blocks), and a changed total is 409', async ({
    ctx,
  }) => {
    const v = await addProduct(shop, 'Couponed', 10000, 10);
    const created = await shop.api.post(`${shop.base}/coupons`, {
      code: 'ONCE',
      type: 'flat',
      value: 1500,
      usageLimit: 1,
    });
    expect(created.status).toBe(201);
    const a = await newCart(shop, [[v, 1]]);
    const b = await newCart(shop, [[v, 1]]);
    for (const cartId of [a, b])
      expect(
        (await shop.customer.put(`/api/v1/storefront/${shop.slug}/carts/${cartId}/coupon`, { code: 'ONCE' })).status,
      ).toBe(200);
    const first = await checkoutCart(shop, a);
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({ discount: 1500, total: 10000 - 1500 + 4000 });
    const coupon = await shop.api.get(`${shop.base}/coupons/${created.body.id}`);
    expect(coupon.body.usedCount).toBe(1);
    // The customer of cart b saw the discounted total; the coupon ran out since: 409 total_changed with the cart.
    const changed = await checkoutCart(shop, b, checkoutBody({ expectedTotal: 10000 - 1500 + 4000 }));
    expect(changed.status).toBe(409);
    expect(changed.body.code).toBe('total_changed');
    expect(changed.body.cart).toMatchObject({
      id: b,
      total: 14000,
      discount: 0,
      coupon: { code: 'ONCE', applied: false, reason: 'exhausted' },
    });
    expect(await stockOf(ctx, v)).toBe(9);
    // Without expectedTotal (or with the new one), the order goes through without the coupon.
    const second = await checkoutCart(shop, b, checkoutBody({ expectedTotal: 14000 }));
    expect(second.status).toBe(201);
    expect(second.body).toMatchObject({ discount: 0, total: 14000, couponCode: null });
    expect((await shop.api.get(`${shop.base}/coupons/${created.body.id}`)).body.usedCount).toBe(1);
  });

  it("messages the owner's phone when the store has no WhatsApp number, and links to wa.me without one", async ({
    ctx,
  }) => {
    const plain = await openShop(ctx);
    const order = await placeOrder(plain, [[await addProduct(plain, 'Plain', 100), 1]]);
    expect(order.whatsappUrl.startsWith('https://wa.me/?text=')).toBe(true);
    const messages = await outboxFor(ctx, order.id);
    expect(messages[0]!.recipient).toBe(plain.phone);
  });
});

describe('checkout bad input', () => {
  let cartId: string;
  let variant: string;
  beforeAll(async () => {
    variant = await addProduct(shop, 'Bad input', 100, 5);
    cartId = await newCart(shop, [[variant, 1]]);
  });

  const cases: [string, unknown][] = [
    ['no body fields', {}],
    ['missing customer', { paymentMethod: 'cod' }],
    ['missing paymentMethod', { customer: { name: 'A', phone: CUSTOMER_PHONE, address: ADDRESS } }],
    ['extra field', checkoutBody({ admin: true })],
    [
      'extra customer field',
      checkoutBody({ customer: { name: 'A', phone: CUSTOMER_PHONE, address: ADDRESS, email: 'a@b.c' } }),
    ],
    [
      'extra address field',
      checkoutBody({ customer: { name: 'A', phone: CUSTOMER_PHONE, address: { ...ADDRESS, state: 'KA' } } }),
    ],
    ['empty name', checkoutBody({ customer: { name: '', phone: CUSTOMER_PHONE, address: ADDRESS } })],
    ['blank name', checkoutBody({ customer: { name: '   ', phone: CUSTOMER_PHONE, address: ADDRESS } })],
    ['101-char name', checkoutBody({ customer: { name: 'x'.repeat(101), phone: CUSTOMER_PHONE, address: ADDRESS } })],
    ['10 KB name', checkoutBody({ customer: { name: 'x'.repeat(10_240), phone: CUSTOMER_PHONE, address: ADDRESS } })],
    ['phone not E.164', checkoutBody({ customer: { name: 'A', phone: '9812345678', address: ADDRESS } })],
    ['phone invalid number', checkoutBody({ customer: { name: 'A', phone: '+911234', address: ADDRESS } })],
    ['phone as number', checkoutBody({ customer: { name: 'A', phone: 919812345678, address: ADDRESS } })],
    ['unknown payment method', checkoutBody({ paymentMethod: 'card' })],
    ['unknown fulfillment', checkoutBody({ fulfillment: 'ship' })],
    ['501-char note', checkoutBody({ note: 'n'.repeat(501) })],
    ['10 KB note', checkoutBody({ note: 'n'.repeat(10_240) })],
    ['note as number', checkoutBody({ note: 5 })],
    ['address as string', checkoutBody({ customer: { name: 'A', phone: CUSTOMER_PHONE, address: '12 MG Road' } })],
    [
      'pincode as number',
      checkoutBody({ customer: { name: 'A', phone: CUSTOMER_PHONE, address: { ...ADDRESS, pincode: 560001 } } }),
    ],
    ['customer as array', checkoutBody({ customer: [] })],
  ];
  it.each(cases)('%s → 422 validation_failed', async (_name, body) => {
    const res = await checkoutCart(shop, cartId, body as Record<string, unknown>);
    expect(res.status).toBe(422);
    expect(res.body.code).toBe('validation_failed');
    expect(res.headers['content-type']).toContain('application/problem+json');
  });

  it('a body that is not JSON → 400, never 500', async ({ ctx }) => {
    const res = await ctx.app.inject({
      method: 'POST',
      url: `/api/v1/storefront/${shop.slug}/carts/${cartId}/checkout`,
      payload: '{"customer":',
      headers: { 'content-type': 'application/json' },
    });
    expect(res.statusCode).toBe(400);
  });

  it("unknown, malformed and other stores' carts, and unknown stores → 404 not_found", async ({ ctx }) => {
    for (const id of ['00000000-0000-4000-8000-000000000000', 'not-a-uuid', 'x'.repeat(150)]) {
      const res = await checkoutCart(shop, id);
      expect(res.status).toBe(404);
      expect(res.body.code).toBe('not_found');
    }
    const other = await openShop(ctx);
    const foreign = await newCart(other, [[await addProduct(other, 'Foreign', 100), 1]]);
    expect((await checkoutCart(shop, foreign)).status).toBe(404);
    const noStore = await shop.customer.post(
      `/api/v1/storefront/no-such-store/carts/${cartId}/checkout`,
      checkoutBody(),
    );
    expect(noStore.status).toBe(404);
  });

  it('nothing was taken by any of the refused requests', async ({ ctx, db }) => {
    expect(await stockOf(ctx, variant)).toBe(5);
    const { rows } = await db.query<{ order_id: string | null }>(`SELECT order_id FROM carts WHERE id = $1`, [cartId]);
    expect(rows[0]!.order_id).toBeNull();
  });
});
