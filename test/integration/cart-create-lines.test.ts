/**
 * A cart created with its lines (POST /storefront/{slug}/carts with `lines`): one request and one statement instead
 * of one per line, answering the same Cart a GET answers, refusing the whole cart (422, every bad line at once) when
 * the store does not sell a variant asked for.
 */
import { describe, expect } from 'vitest';
import { client, merchantWithStore, type Client } from '../helpers/app.js';
import { appTest } from '../helpers/fixture.js';
import { archiveVariant, createProduct, createVariant } from '../helpers/fixtures.js';
import { checkoutBody } from '../helpers/order-fixtures.js';
import { countedDb } from '../helpers/db.js';
import type { Db } from '../../src/db/db.js';
import { createCart } from '../../src/cart/cart.service.js';
import { newId } from '../../src/shared/ids.js';

const it = appTest();
let shop: Client;
let storeId: string;
let slug: string;
it.beforeAll(async ({ ctx }) => {
  const m = await merchantWithStore(ctx);
  storeId = m.store.id;
  slug = m.store.slug;
  await m.api.patch(`/api/v1/stores/${storeId}`, { delivery: { fee: 0, pickup: true }, payments: { cod: true } });
  shop = client(ctx.app);
});

const cartsUrl = () => `/api/v1/storefront/${slug}/carts`;
const NIL = '00000000-0000-4000-8000-000000000000';

async function cartCount(db: Db): Promise<number> {
  const { rows } = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM carts WHERE store_id = $1`, [storeId]);
  return rows[0]!.n;
}

describe('a cart created with its lines', () => {
  it('holds them in the order given, with the bill, exactly as a GET answers it; checkout takes it', async ({ db }) => {
    const rice = await createProduct(db, storeId, {
      name: 'Rice',
      variants: [
        { name: '1 kg', price: 12000, stock: 50 },
        { name: '5 kg', price: 55000 },
      ],
    });
    const salt = await createVariant(db, storeId, { productName: 'Salt', price: 2000, stock: 9 });
    const [kg1, kg5] = [rice.variants[0]!, rice.variants[1]!];
    const res = await shop.post(cartsUrl(), {
      lines: [
        { variantId: kg5.id, quantity: 1 },
        { variantId: salt.id, quantity: 3 },
        { variantId: kg1.id, quantity: 2 },
      ],
    });
    expect(res.status).toBe(201);
    expect(res.body.lines.map((l: { variantId: string; quantity: number }) => [l.variantId, l.quantity])).toEqual([
      [kg5.id, 1],
      [salt.id, 3],
      [kg1.id, 2],
    ]);
    expect(res.body.lines[0]).toEqual({
      variantId: kg5.id,
      productId: rice.id,
      name: 'Rice',
      variantName: '5 kg',
      unitPrice: 55000,
      quantity: 1,
      lineTotal: 55000,
      error: null,
      suggestions: [],
    });
    expect(res.body).toMatchObject({
      fulfillment: 'delivery',
      couponCode: null,
      coupon: null,
      subtotal: 55000 + 6000 + 24000,
      discount: 0,
      errors: [],
      canCheckout: true,
    });
    expect((await shop.get(`${cartsUrl()}/${res.body.id}`)).body).toEqual(res.body);

    // Lines added later go after them; the cart is an ordinary cart.
    const more = await createVariant(db, storeId, { productName: 'Oil', price: 9000 });
    const put = await shop.put(`${cartsUrl()}/${res.body.id}/lines/${more.id}`, { quantity: 1 });
    expect(put.body.lines.map((l: { variantId: string }) => l.variantId)).toEqual([kg5.id, salt.id, kg1.id, more.id]);

    const order = await shop.post(`${cartsUrl()}/${res.body.id}/checkout`, checkoutBody({ fulfillment: 'pickup' }), {
      'idempotency-key': `lines-${Math.random()}`,
    });
    expect(order.status).toBe(201);
    expect(order.body.lines).toHaveLength(4);
  });

  it('is ONE statement, lines and bill included', async ({ ctx, db }) => {
    const v = await createVariant(db, storeId, { productName: 'Tea', price: 5000, stock: 5 });
    const { counted, sql } = countedDb(ctx.testDb.db);
    const cart = await createCart(counted, slug, [{ variantId: v.id, quantity: 2 }]);
    expect(cart.subtotal).toBe(10000);
    expect(sql).toHaveLength(1);
  });

  it('keeps a line beyond stock with its error; suggestions leave out every line of the new cart', async ({ db }) => {
    const cat = newId();
    await db.query(`INSERT INTO categories (id, store_id, name, slug) VALUES ($1, $2, 'Dal', 'dal-new-cart')`, [
      cat,
      storeId,
    ]);
    const gone = await createVariant(db, storeId, { productName: 'Gone dal', price: 1000, stock: 0 });
    const nearest = await createVariant(db, storeId, { productName: 'Nearest dal', price: 1010, stock: 4 });
    const next = await createVariant(db, storeId, { productName: 'Next dal', price: 1100, stock: 4 });
    const few = await createVariant(db, storeId, { productName: 'Few dal', price: 1500, stock: 1 });
    await db.query(`UPDATE products SET category_id = $1 WHERE id = ANY($2::uuid[])`, [
      cat,
      [gone.productId, nearest.productId, next.productId, few.productId],
    ]);
    const res = await shop.post(cartsUrl(), {
      lines: [
        { variantId: gone.id, quantity: 1 },
        { variantId: nearest.id, quantity: 1 },
        { variantId: few.id, quantity: 3 },
      ],
    });
    expect(res.status).toBe(201);
    const [first, second, third] = res.body.lines;
    expect(first).toMatchObject({ error: { code: 'out_of_stock' }, lineTotal: 1000 });
    // Nearest is in the cart (written by the same statement): left out.
    expect(first.suggestions.map((s: { name: string }) => s.name)).toEqual(['Next dal']);
    expect(second).toMatchObject({ error: null, suggestions: [] });
    expect(third).toMatchObject({ error: { code: 'insufficient_stock', available: 1 }, suggestions: [] });
    expect(res.body.errors.map((e: { variantId: string }) => e.variantId)).toEqual([gone.id, few.id]);
    expect(res.body.canCheckout).toBe(false);
    expect((await shop.get(`${cartsUrl()}/${res.body.id}`)).body).toEqual(res.body);
  });

  it('refuses the whole cart when the store does not sell a line: every such line at once, nothing created', async ({
    ctx,
    db,
  }) => {
    const other = await merchantWithStore(ctx);
    const foreign = await createVariant(db, other.store.id, { price: 100 });
    const archived = await createVariant(db, storeId, { price: 100 });
    await archiveVariant(db, archived.id);
    const inactive = await createProduct(db, storeId, { isActive: false, variants: [{ price: 100 }] });
    const fine = await createVariant(db, storeId, { price: 100 });
    const before = await cartCount(db);
    const res = await shop.post(cartsUrl(), {
      lines: [
        { variantId: fine.id, quantity: 1 },
        { variantId: NIL, quantity: 1 },
        { variantId: foreign.id, quantity: 1 },
        { variantId: archived.id, quantity: 1 },
        { variantId: inactive.variants[0]!.id, quantity: 1 },
      ],
    });
    expect(res.status).toBe(422);
    expect(res.body.code).toBe('validation_failed');
    expect(res.body.errors).toEqual(
      [1, 2, 3, 4].map((i) => ({
        code: 'not_found',
        path: `/lines/${i}/variantId`,
        variantId: [NIL, foreign.id, archived.id, inactive.variants[0]!.id][i - 1],
        message: expect.any(String),
      })),
    );
    expect(await cartCount(db)).toBe(before);
  });

  it('a variant twice or an id that is no uuid → 422 with each line, before any statement', async ({ db }) => {
    const v = await createVariant(db, storeId, { price: 100 });
    const before = await cartCount(db);
    const res = await shop.post(cartsUrl(), {
      lines: [
        { variantId: v.id, quantity: 1 },
        { variantId: 'not-a-uuid', quantity: 1 },
        { variantId: v.id, quantity: 2 },
      ],
    });
    expect(res.status).toBe(422);
    expect(res.body.errors.map((e: { code: string; path: string }) => [e.code, e.path])).toEqual([
      ['not_found', '/lines/1/variantId'],
      ['duplicate', '/lines/2/variantId'],
    ]);
    expect(await cartCount(db)).toBe(before);
  });

  it.for<[string, unknown]>([
    ['quantity 0', { lines: [{ variantId: NIL, quantity: 0 }] }],
    ['quantity 1000', { lines: [{ variantId: NIL, quantity: 1000 }] }],
    ['a float quantity', { lines: [{ variantId: NIL, quantity: 1.5 }] }],
    ['no variantId', { lines: [{ quantity: 1 }] }],
    ['an extra field in a line', { lines: [{ variantId: NIL, quantity: 1, price: 1 }] }],
    ['an extra field', { lines: [], coupon: 'X' }],
    ['lines not an array', { lines: { variantId: NIL, quantity: 1 } }],
    ['101 lines', { lines: Array.from({ length: 101 }, () => ({ variantId: NIL, quantity: 1 })) }],
  ])('%s → 400 validation_failed, no cart', async ([, body], { db }) => {
    const before = await cartCount(db);
    const res = await shop.post(cartsUrl(), body);
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('validation_failed');
    expect(await cartCount(db)).toBe(before);
  });

  it('no lines, an empty list or no body: an empty cart as before; an unknown store → 404', async ({ ctx }) => {
    for (const body of [{}, { lines: [] }]) {
      const res = await shop.post(cartsUrl(), body);
      expect(res.status).toBe(201);
      expect(res.body).toMatchObject({ lines: [], subtotal: 0, canCheckout: false });
    }
    const bodiless = await ctx.app.inject({ method: 'POST', url: cartsUrl() });
    expect(bodiless.statusCode).toBe(201);
    expect(bodiless.json()).toMatchObject({ lines: [], canCheckout: false });
    const missing = await shop.post('/api/v1/storefront/no-such-shop-lines/carts', {
      lines: [{ variantId: NIL, quantity: 1 }],
    });
    expect(missing.status).toBe(404);
    expect(missing.body.code).toBe('not_found');
  });
});
