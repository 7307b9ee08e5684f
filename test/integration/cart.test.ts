import { describe, expect } from 'vitest';
import { client, merchantWithStore, type Client } from '../helpers/app.js';
import { appTest } from '../helpers/fixture.js';
import {
  archiveProduct,
  archiveVariant,
  createProduct,
  createVariant,
  setPrice,
  setProductActive,
  setStock,
} from '../helpers/fixtures.js';

const it = appTest();
let shop: Client; // the anonymous customer
let storeId: string;
let slug: string;
it.beforeAll(async ({ ctx }) => {
  const m = await merchantWithStore(ctx);
  storeId = m.store.id;
  slug = m.store.slug;
  shop = client(ctx.app);
});

const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const NIL = '00000000-0000-4000-8000-000000000000';
const cartUrl = (cartId: string, s = slug) => `/api/v1/storefront/${s}/carts/${cartId}`;
const lineUrl = (cartId: string, variantId: string, s = slug) => `${cartUrl(cartId, s)}/lines/${variantId}`;

async function newCart(s = slug): Promise<string> {
  const res = await shop.post(`/api/v1/storefront/${s}/carts`);
  expect(res.status).toBe(201);
  return res.body.id;
}

async function put(cartId: string, variantId: string, quantity: unknown) {
  return shop.put(lineUrl(cartId, variantId), { quantity });
}

describe('cart basics', () => {
  it('creates an empty cart with an unguessable id; GET answers the same cart', async () => {
    const res = await shop.post(`/api/v1/storefront/${slug}/carts`);
    expect(res.status).toBe(201);
    expect(res.body).toEqual({
      id: expect.stringMatching(UUID_V4),
      currency: 'INR',
      fulfillment: 'delivery',
      lines: [],
      couponCode: null,
      coupon: null,
      subtotal: 0,
      discount: 0,
      deliveryFee: 0,
      total: 0,
      errors: [],
      canCheckout: false,
    });
    const got = await shop.get(cartUrl(res.body.id));
    expect(got.status).toBe(200);
    expect(got.body).toEqual(res.body);
  });

  it('creating a cart honours Idempotency-Key', async ({ db }) => {
    const headers = { 'idempotency-key': `cart-${Math.random()}` };
    const a = await shop.post(`/api/v1/storefront/${slug}/carts`, {}, headers);
    const b = await shop.post(`/api/v1/storefront/${slug}/carts`, {}, headers);
    expect(a.status).toBe(201);
    expect(b.status).toBe(201);
    expect(b.body.id).toBe(a.body.id);
    const { rows } = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM carts WHERE id = $1`, [a.body.id]);
    expect(rows[0]!.n).toBe(1);
  });

  it('unknown store slug → 404 for create and read', async () => {
    for (const res of [
      await shop.post('/api/v1/storefront/no-such-shop-xyz/carts'),
      await shop.get(cartUrl(NIL, 'no-such-shop-xyz')),
      await shop.post(`/api/v1/storefront/${'s'.repeat(101)}/carts`),
    ]) {
      expect(res.status).toBe(404);
      expect(res.body.code).toBe('not_found');
    }
  });

  it.for([NIL, 'not-a-uuid', '123', 'x'.repeat(100)])(
    'unknown cart %s → 404 on every cart endpoint',
    async (cartId, { db }) => {
      const v = await createVariant(db, storeId, { price: 100 });
      const attempts = [
        await shop.get(cartUrl(cartId)),
        await shop.put(lineUrl(cartId, v.id), { quantity: 1 }),
        await shop.delete(lineUrl(cartId, v.id)),
        await shop.patch(cartUrl(cartId), { fulfillment: 'delivery' }),
        await shop.put(`${cartUrl(cartId)}/coupon`, { code: 'X' }),
        await shop.delete(`${cartUrl(cartId)}/coupon`),
      ];
      for (const res of attempts) {
        expect(res.status).toBe(404);
        expect(res.body.code).toBe('not_found');
        expect(res.headers['content-type']).toContain('application/problem+json');
      }
    },
  );
});

describe('cart lines', () => {
  it('adds, changes and removes lines; the bill follows', async ({ db }) => {
    const product = await createProduct(db, storeId, {
      name: 'Basmati Rice',
      variants: [
        { name: '1 kg', price: 12000, stock: 50 },
        { name: '5 kg', price: 55000 },
      ],
    });
    const [kg1, kg5] = product.variants as [(typeof product.variants)[0], (typeof product.variants)[0]];
    const cartId = await newCart();

    const one = await put(cartId, kg1.id, 2);
    expect(one.status).toBe(200);
    expect(one.body.lines).toEqual([
      {
        variantId: kg1.id,
        productId: product.id,
        name: 'Basmati Rice',
        variantName: '1 kg',
        unitPrice: 12000,
        quantity: 2,
        lineTotal: 24000,
        error: null,
        suggestions: [],
      },
    ]);
    expect(one.body).toMatchObject({ subtotal: 24000, discount: 0, total: 24000, errors: [], canCheckout: true });

    const two = await put(cartId, kg5.id, 1);
    expect(two.body.lines.map((l: { variantId: string }) => l.variantId)).toEqual([kg1.id, kg5.id]);
    expect(two.body.subtotal).toBe(24000 + 55000);

    const changed = await put(cartId, kg1.id, 3);
    expect(changed.body.lines[0]).toMatchObject({ variantId: kg1.id, quantity: 3, lineTotal: 36000 });
    expect(changed.body.subtotal).toBe(36000 + 55000);

    const zero = await put(cartId, kg1.id, 0);
    expect(zero.status).toBe(200);
    expect(zero.body.lines.map((l: { variantId: string }) => l.variantId)).toEqual([kg5.id]);

    const removed = await shop.delete(lineUrl(cartId, kg5.id));
    expect(removed.status).toBe(200);
    expect(removed.body).toMatchObject({ lines: [], subtotal: 0, total: 0, canCheckout: false });

    // Removing what is not there (a retry) answers the cart as it is.
    const again = await shop.delete(lineUrl(cartId, kg5.id));
    expect(again.status).toBe(200);
    expect(again.body.lines).toEqual([]);
    const zeroAgain = await put(cartId, kg5.id, 0);
    expect(zeroAgain.status).toBe(200);
    expect(zeroAgain.body.lines).toEqual([]);
  });

  it('keeps lines in the order they were first added', async ({ db }) => {
    const [a, b, c] = await Promise.all([1, 2, 3].map((i) => createVariant(db, storeId, { price: i * 100 })));
    const cartId = await newCart();
    for (const v of [a!, b!, c!]) await put(cartId, v.id, 1);
    await put(cartId, a!.id, 5); // changing a quantity keeps the place
    let cart = (await shop.get(cartUrl(cartId))).body;
    expect(cart.lines.map((l: { variantId: string }) => l.variantId)).toEqual([a!.id, b!.id, c!.id]);
    await put(cartId, b!.id, 0);
    await put(cartId, b!.id, 1); // removed and added again: goes last
    cart = (await shop.get(cartUrl(cartId))).body;
    expect(cart.lines.map((l: { variantId: string }) => l.variantId)).toEqual([a!.id, c!.id, b!.id]);
  });

  it('keeps what the customer asked for even beyond stock: the bill says what is wrong', async ({ db }) => {
    const v = await createVariant(db, storeId, { productName: 'Mango', price: 5000, stock: 3 });
    const cartId = await newCart();
    const res = await put(cartId, v.id, 5);
    expect(res.status).toBe(200);
    expect(res.body.lines[0]).toMatchObject({
      quantity: 5,
      lineTotal: 25000,
      error: { code: 'insufficient_stock', available: 3 },
    });
    expect(res.body.errors).toEqual([
      { code: 'insufficient_stock', variantId: v.id, available: 3, message: expect.any(String) },
    ]);
    expect(res.body).toMatchObject({ subtotal: 0, total: 0, canCheckout: false });
  });

  it.for<[string, unknown]>([
    ['a float', 1.5],
    ['a numeric string', '3'],
    ['negative', -1],
    ['above 999', 1000],
    ['huge', 1e20],
    ['null', null],
    ['a boolean', true],
    ['an array', [1]],
    ['a 10 KB string', 'x'.repeat(10_240)],
  ])('PUT line with quantity %s → 400 validation_failed', async ([, quantity], { db }) => {
    const v = await createVariant(db, storeId, { price: 100 });
    const cartId = await newCart();
    const res = await put(cartId, v.id, quantity);
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('validation_failed');
    expect(res.body.errors?.[0]?.path).toBe('/quantity');
    expect((await shop.get(cartUrl(cartId))).body.lines).toEqual([]);
  });

  it.for<[string, unknown]>([
    ['an empty object', {}],
    ['an extra field', { quantity: 1, price: 1 }],
    ['an array', [{ quantity: 1 }]],
    ['a bare number', 1],
  ])('PUT line with %s → 400 validation_failed', async ([, body], { db }) => {
    const v = await createVariant(db, storeId, { price: 100 });
    const cartId = await newCart();
    const res = await shop.put(lineUrl(cartId, v.id), body);
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('validation_failed');
  });

  it('PUT line without a body or with broken JSON → 400', async ({ ctx, db }) => {
    const v = await createVariant(db, storeId, { price: 100 });
    const cartId = await newCart();
    const none = await shop.put(lineUrl(cartId, v.id));
    expect(none.status).toBe(400);
    const broken = await ctx.app.inject({
      method: 'PUT',
      url: lineUrl(cartId, v.id),
      headers: { 'content-type': 'application/json' },
      payload: '{"quantity":',
    });
    expect(broken.statusCode).toBe(400);
    expect(broken.json().code).toBe('validation_failed');
  });

  it('accepts the quantity bounds 1 and 999', async ({ db }) => {
    const v = await createVariant(db, storeId, { price: 100 });
    const cartId = await newCart();
    expect((await put(cartId, v.id, 1)).body.lines[0].quantity).toBe(1);
    expect((await put(cartId, v.id, 999)).body.lines[0]).toMatchObject({ quantity: 999, lineTotal: 99900 });
  });

  it("unknown variants and another store's variants → 404; the cart is unchanged", async ({ ctx, db }) => {
    const other = await merchantWithStore(ctx);
    const foreign = await createVariant(db, other.store.id, { price: 100 });
    const cartId = await newCart();
    for (const variantId of [NIL, 'not-a-uuid', foreign.id, 'x'.repeat(100)]) {
      for (const res of [await put(cartId, variantId, 1), await shop.delete(lineUrl(cartId, variantId))]) {
        expect(res.status).toBe(404);
        expect(res.body.code).toBe('not_found');
      }
    }
    expect((await shop.get(cartUrl(cartId))).body.lines).toEqual([]);
  });

  it('a variant the storefront does not show cannot be added → 404', async ({ db }) => {
    const archived = await createVariant(db, storeId, { price: 100 });
    await archiveVariant(db, archived.id);
    const inactive = await createProduct(db, storeId, { isActive: false });
    const archivedProduct = await createProduct(db, storeId);
    await archiveProduct(db, archivedProduct.id);
    const cartId = await newCart();
    for (const variantId of [archived.id, inactive.variants[0]!.id, archivedProduct.variants[0]!.id]) {
      const res = await put(cartId, variantId, 1);
      expect(res.status).toBe(404);
      expect(res.body.code).toBe('not_found');
    }
    expect((await shop.get(cartUrl(cartId))).body.lines).toEqual([]);
  });

  it(
    'a line whose variant stopped being sold stays, marked ' +
      'unavailable; its quantity can change and it can be removed',
    async ({ db }) => {
      const v = await createVariant(db, storeId, { price: 700 });
      const cartId = await newCart();
      await put(cartId, v.id, 2);
      await archiveVariant(db, v.id);
      const changed = await put(cartId, v.id, 3);
      expect(changed.status).toBe(200);
      expect(changed.body.lines[0]).toMatchObject({ quantity: 3, error: { code: 'unavailable' } });
      const removed = await shop.delete(lineUrl(cartId, v.id));
      expect(removed.status).toBe(200);
      expect(removed.body.lines).toEqual([]);
      // Once removed it cannot come back.
      expect((await put(cartId, v.id, 1)).status).toBe(404);
    },
  );

  it('holds at most 100 lines → 422 validation_failed for the 101st', async ({ db }) => {
    const product = await createProduct(db, storeId, {
      variants: Array.from({ length: 101 }, (_, i) => ({ name: `Size ${i}`, price: 10 + i })),
    });
    const cartId = await newCart();
    for (const v of product.variants.slice(0, 100)) expect((await put(cartId, v.id, 1)).status).toBe(200);
    const last = product.variants[100]!;
    const over = await put(cartId, last.id, 1);
    expect(over.status).toBe(422);
    expect(over.body.code).toBe('validation_failed');
    const cart = (await shop.get(cartUrl(cartId))).body;
    expect(cart.lines).toHaveLength(100);
    expect(cart.canCheckout).toBe(true);
    // Lines already there still change; making room lets the next one in.
    expect((await put(cartId, product.variants[0]!.id, 9)).status).toBe(200);
    expect((await put(cartId, product.variants[1]!.id, 0)).status).toBe(200);
    const now = await put(cartId, last.id, 1);
    expect(now.status).toBe(200);
    expect(now.body.lines).toHaveLength(100);
    expect(now.body.lines.at(-1).variantId).toBe(last.id);
  });
});

describe('the bill is live', () => {
  it('follows price, stock and availability changes made after the lines were added', async ({ db }) => {
    const p = await createProduct(db, storeId, {
      name: 'Atta',
      variants: [
        { name: '5 kg', price: 25000, stock: 10 },
        { name: '10 kg', price: 48000, stock: 10 },
      ],
    });
    const [small, large] = p.variants as [(typeof p.variants)[0], (typeof p.variants)[0]];
    const soap = await createVariant(db, storeId, { productName: 'Soap', price: 3000 });
    const cartId = await newCart();
    await put(cartId, small.id, 2);
    await put(cartId, large.id, 1);
    await put(cartId, soap.id, 4);
    const get = async () => (await shop.get(cartUrl(cartId))).body;

    let cart = await get();
    expect(cart).toMatchObject({ subtotal: 50000 + 48000 + 12000, errors: [], canCheckout: true });

    await setPrice(db, small.id, 26000);
    cart = await get();
    expect(cart.lines[0]).toMatchObject({ unitPrice: 26000, lineTotal: 52000, error: null });
    expect(cart.subtotal).toBe(52000 + 48000 + 12000);

    await setStock(db, small.id, 1);
    cart = await get();
    expect(cart.lines[0].error).toEqual({ code: 'insufficient_stock', available: 1 });
    expect(cart.subtotal).toBe(48000 + 12000);
    expect(cart.canCheckout).toBe(false);

    await setStock(db, large.id, 0);
    cart = await get();
    expect(cart.lines[1].error).toEqual({ code: 'out_of_stock' });
    expect(cart.subtotal).toBe(12000);

    await setProductActive(db, soap.productId, false);
    cart = await get();
    expect(cart.lines[2].error).toEqual({ code: 'unavailable' });
    expect(cart).toMatchObject({ subtotal: 0, total: 0, canCheckout: false });
    expect(
      cart.errors.map((e: { code: string; variantId: string; available?: number }) => [
        e.code,
        e.variantId,
        e.available,
      ]),
    ).toEqual([
      ['insufficient_stock', small.id, 1],
      ['out_of_stock', large.id, undefined],
      ['unavailable', soap.id, undefined],
    ]);
    expect(cart.lines.map((l: { quantity: number }) => l.quantity)).toEqual([2, 1, 4]);

    // The customer fixes the lines; the merchant restocks and reactivates.
    await put(cartId, small.id, 1);
    await setStock(db, large.id, null);
    await setProductActive(db, soap.productId, true);
    cart = await get();
    expect(cart).toMatchObject({ subtotal: 26000 + 48000 + 12000, errors: [], canCheckout: true });
  });

  it('follows changes the merchant makes through the catalog API', async ({ ctx }) => {
    const m = await merchantWithStore(ctx);
    const s = m.store;
    const created = await m.api.post(`/api/v1/stores/${s.id}/products`, { name: 'Ghee', price: 60000, stock: 4 });
    expect(created.status).toBe(201);
    const productId = created.body.id as string;
    const variantId = created.body.variants[0].id as string;
    const cartId = (await shop.post(`/api/v1/storefront/${s.slug}/carts`)).body.id as string;
    const url = `/api/v1/storefront/${s.slug}/carts/${cartId}`;
    const added = await shop.put(`${url}/lines/${variantId}`, { quantity: 3 });
    expect(added.body).toMatchObject({ subtotal: 180000, canCheckout: true });
    expect(added.body.lines[0]).toMatchObject({ productId, name: 'Ghee', unitPrice: 60000 });

    expect((await m.api.patch(`/api/v1/stores/${s.id}/products/${productId}`, { price: 65000 })).status).toBe(200);
    expect((await shop.get(url)).body).toMatchObject({
      subtotal: 195000,
      lines: [{ unitPrice: 65000, lineTotal: 195000 }],
    });

    expect((await m.api.post(`/api/v1/stores/${s.id}/variants/${variantId}/stock`, { set: 2 })).status).toBe(200);
    let cart = (await shop.get(url)).body;
    expect(cart.lines[0].error).toEqual({ code: 'insufficient_stock', available: 2 });
    expect(cart.canCheckout).toBe(false);

    expect((await m.api.post(`/api/v1/stores/${s.id}/variants/${variantId}/stock`, { adjust: -2 })).status).toBe(200);
    expect((await shop.get(url)).body.lines[0].error).toEqual({ code: 'out_of_stock' });

    expect((await m.api.post(`/api/v1/stores/${s.id}/variants/${variantId}/stock`, { set: 10 })).status).toBe(200);
    expect((await shop.get(url)).body).toMatchObject({ errors: [], canCheckout: true });

    expect((await m.api.patch(`/api/v1/stores/${s.id}/products/${productId}`, { isActive: false })).status).toBe(200);
    expect((await shop.get(url)).body.lines[0].error).toEqual({ code: 'unavailable' });
    expect((await m.api.patch(`/api/v1/stores/${s.id}/products/${productId}`, { isActive: true })).status).toBe(200);
    expect((await shop.get(url)).body.lines[0].error).toBeNull();

    expect((await m.api.delete(`/api/v1/stores/${s.id}/products/${productId}`)).status).toBe(204);
    cart = (await shop.get(url)).body;
    expect(cart.lines[0]).toMatchObject({ quantity: 3, error: { code: 'unavailable' } });
    expect(cart).toMatchObject({ subtotal: 0, canCheckout: false });
  });

  it('marks lines unavailable when the product is archived (through the merchant API too, once it exists)', async ({
    db,
  }) => {
    const v = await createVariant(db, storeId, { price: 100 });
    const cartId = await newCart();
    await put(cartId, v.id, 1);
    await archiveProduct(db, v.productId);
    const cart = (await shop.get(cartUrl(cartId))).body;
    expect(cart.lines[0].error).toEqual({ code: 'unavailable' });
    expect(cart.errors).toEqual([{ code: 'unavailable', variantId: v.id, message: expect.any(String) }]);
  });

  it('keeps money exact at the top of the range: 999 × 10^10', async ({ db }) => {
    const v = await createVariant(db, storeId, { price: 10_000_000_000 });
    const w = await createVariant(db, storeId, { price: 9_999_999_999 });
    const cartId = await newCart();
    await put(cartId, v.id, 999);
    const res = await put(cartId, w.id, 999);
    expect(res.body.lines.map((l: { lineTotal: number }) => l.lineTotal)).toEqual([
      9_990_000_000_000, 9_989_999_999_001,
    ]);
    expect(res.body.subtotal).toBe(19_979_999_999_001);
    expect(res.body.total).toBe(9_990_000_000_000 + 9_989_999_999_001);
  });
});

describe('tenancy and ordered carts', () => {
  it("a cart is reachable only under its own store's slug", async ({ ctx, db }) => {
    const other = await merchantWithStore(ctx);
    const v = await createVariant(db, storeId, { price: 100 });
    const cartId = await newCart();
    await put(cartId, v.id, 1);
    const s = other.store.slug;
    const attempts = [
      await shop.get(cartUrl(cartId, s)),
      await shop.put(lineUrl(cartId, v.id, s), { quantity: 2 }),
      await shop.delete(lineUrl(cartId, v.id, s)),
      await shop.patch(cartUrl(cartId, s), { fulfillment: 'delivery' }),
      await shop.put(`${cartUrl(cartId, s)}/coupon`, { code: 'X' }),
      await shop.delete(`${cartUrl(cartId, s)}/coupon`),
    ];
    for (const res of attempts) {
      expect(res.status).toBe(404);
      expect(res.body.code).toBe('not_found');
    }
    expect((await shop.get(cartUrl(cartId))).body.lines[0]).toMatchObject({ variantId: v.id, quantity: 1 });
  });

  it('a cart that became an order refuses every change → 409 cart_already_ordered, and still reads', async ({ db }) => {
    const v = await createVariant(db, storeId, { price: 100 });
    const cartId = await newCart();
    await put(cartId, v.id, 1);
    await db.query(`UPDATE carts SET order_id = $2 WHERE id = $1`, [cartId, NIL]);
    const attempts = [
      await put(cartId, v.id, 2),
      await put(cartId, v.id, 0),
      await shop.delete(lineUrl(cartId, v.id)),
      await shop.patch(cartUrl(cartId), { fulfillment: 'delivery' }),
      await shop.put(`${cartUrl(cartId)}/coupon`, { code: 'X' }),
      await shop.delete(`${cartUrl(cartId)}/coupon`),
    ];
    for (const res of attempts) {
      expect(res.status).toBe(409);
      expect(res.body.code).toBe('cart_already_ordered');
    }
    const read = await shop.get(cartUrl(cartId));
    expect(read.status).toBe(200);
    expect(read.body.lines[0].quantity).toBe(1);
  });

  it('concurrent adds on one cart never pass 100 lines', async ({ db }) => {
    const product = await createProduct(db, storeId, {
      variants: Array.from({ length: 110 }, (_, i) => ({ name: `Race ${i}`, price: 10 })),
    });
    const cartId = await newCart();
    for (const v of product.variants.slice(0, 95)) await put(cartId, v.id, 1);
    const results = await Promise.all(product.variants.slice(95).map((v) => put(cartId, v.id, 1)));
    expect(results.filter((r) => r.status === 200)).toHaveLength(5);
    expect(results.filter((r) => r.status === 422)).toHaveLength(10);
    const { rows } = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM cart_lines WHERE cart_id = $1`, [
      cartId,
    ]);
    expect(rows[0]!.n).toBe(100);
  });
});
