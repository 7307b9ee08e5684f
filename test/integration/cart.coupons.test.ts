import { describe, expect } from 'vitest';
import { client, merchantWithStore, type Client } from '../helpers/app.js';
import type { Db } from '../../src/db/db.js';
import { appTest } from '../helpers/fixture.js';
import { createVariant, setStock, type FixtureVariant } from '../helpers/fixtures.js';

const it = appTest();
let shop: Client;
let merchant: Client;
let storeId: string;
let slug: string;
let rice: FixtureVariant; // 10000 each, untracked
it.beforeAll(async ({ ctx }) => {
  const m = await merchantWithStore(ctx);
  merchant = m.api;
  storeId = m.store.id;
  slug = m.store.slug;
  shop = client(ctx.app);
  rice = await createVariant(ctx.testDb.db, storeId, { productName: 'Rice', price: 10000 });
});

const cartUrl = (cartId: string) => `/api/v1/storefront/${slug}/carts/${cartId}`;
let seq = 0;
const uniqueCode = (prefix: string) => `${prefix}${++seq}`;

async function cartWith(quantity: number, variant = rice): Promise<string> {
  const created = await shop.post(`/api/v1/storefront/${slug}/carts`);
  expect(created.status).toBe(201);
  expect((await shop.put(`${cartUrl(created.body.id)}/lines/${variant.id}`, { quantity })).status).toBe(200);
  return created.body.id;
}

async function coupon(body: Record<string, unknown>): Promise<{ id: string; code: string }> {
  const res = await merchant.post(`/api/v1/stores/${storeId}/coupons`, body);
  expect(res.status).toBe(201);
  return res.body;
}

const apply = (cartId: string, code: unknown) => shop.put(`${cartUrl(cartId)}/coupon`, { code });
const errorCodes = (cart: { errors: { code: string }[] }) => cart.errors.map((e) => e.code);

describe('coupons on a cart', () => {
  it('applies a percent coupon by code, case-insensitively, capped by maxDiscount; DELETE takes it off', async () => {
    const c = await coupon({ code: uniqueCode('Save'), type: 'percent', value: 15, maxDiscount: 4000 });
    const cartId = await cartWith(2); // 20000
    const res = await apply(cartId, c.code.toLowerCase());
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      couponCode: c.code,
      subtotal: 20000,
      discount: 3000,
      total: 17000,
      errors: [],
      canCheckout: true,
    });
    await shop.put(`${cartUrl(cartId)}/lines/${rice.id}`, { quantity: 5 }); // 50000: 15% = 7500, capped at 4000
    expect((await shop.get(cartUrl(cartId))).body).toMatchObject({ discount: 4000, total: 46000 });
    const off = await shop.delete(`${cartUrl(cartId)}/coupon`);
    expect(off.status).toBe(200);
    expect(off.body).toMatchObject({ couponCode: null, discount: 0, total: 50000 });
    // Taking off a coupon that is not there is harmless.
    expect((await shop.delete(`${cartUrl(cartId)}/coupon`)).body.couponCode).toBeNull();
  });

  it('a flat coupon gives at most the subtotal; surrounding spaces in the code are ignored', async () => {
    const c = await coupon({ code: uniqueCode('Flat'), type: 'flat', value: 25000 });
    const cartId = await cartWith(2);
    const res = await apply(cartId, `  ${c.code} `);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ discount: 20000, total: 0, canCheckout: true });
  });

  it('percent discounts floor to whole minor units', async ({ db }) => {
    const odd = await createVariant(db, storeId, { price: 999 });
    const c = await coupon({ code: uniqueCode('Odd'), type: 'percent', value: 33 });
    const cartId = await cartWith(1, odd);
    expect((await apply(cartId, c.code)).body).toMatchObject({ subtotal: 999, discount: 329, total: 670 });
  });

  it(
    'a minimum order not reached yet is kept, not applied, with ' + 'shortBy; reaching it (equal is enough) applies it',
    async () => {
      const c = await coupon({ code: uniqueCode('Min'), type: 'flat', value: 1000, minOrder: 30000 });
      const cartId = await cartWith(2);
      const res = await apply(cartId, c.code);
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ couponCode: c.code, discount: 0, total: 20000, canCheckout: true });
      expect(res.body.coupon).toEqual({ code: c.code, applied: false, reason: 'min_order', shortBy: 10000 });
      expect(res.body.errors).toEqual([]);
      const fixed = await shop.put(`${cartUrl(cartId)}/lines/${rice.id}`, { quantity: 3 });
      expect(fixed.body).toMatchObject({
        subtotal: 30000,
        discount: 1000,
        total: 29000,
        errors: [],
        canCheckout: true,
      });
      expect(fixed.body.coupon).toEqual({ code: c.code, applied: true });
    },
  );

  it.for<[string, (code: string) => Record<string, unknown>, ((id: string, db: Db) => Promise<unknown>) | null]>([
    ['inactive', (code) => ({ code, type: 'flat', value: 100, isActive: false }), null],
    ['expired', (code) => ({ code, type: 'flat', value: 100, expiresAt: '2020-01-01T00:00:00Z' }), null],
    [
      'used up',
      (code) => ({ code, type: 'flat', value: 100, usageLimit: 2 }),
      (id, db) => db.query(`UPDATE coupons SET used_count = 2 WHERE id = $1`, [id]),
    ],
    [
      'deleted',
      (code) => ({ code, type: 'flat', value: 100 }),
      (id) => merchant.delete(`/api/v1/stores/${storeId}/coupons/${id}`),
    ],
  ])('refuses a coupon that is %s → 422 invalid_coupon', async ([, body, after], { db }) => {
    const c = await coupon(body(uniqueCode('Bad')));
    if (after) await after(c.id, db);
    const cartId = await cartWith(1);
    const res = await apply(cartId, c.code);
    expect(res.status).toBe(422);
    expect(res.body.code).toBe('invalid_coupon');
    expect((await shop.get(cartUrl(cartId))).body.couponCode).toBeNull();
  });

  it("refuses unknown codes and another store's codes → 422 invalid_coupon", async ({ ctx }) => {
    const other = await merchantWithStore(ctx);
    const theirs = await other.api.post(`/api/v1/stores/${other.store.id}/coupons`, {
      code: 'THEIRS50',
      type: 'percent',
      value: 50,
    });
    expect(theirs.status).toBe(201);
    const cartId = await cartWith(1);
    for (const code of ['THEIRS50', 'NOPE', 'has space', '!!!', '   ']) {
      const res = await apply(cartId, code);
      expect(res.status).toBe(422);
      expect(res.body.code).toBe('invalid_coupon');
    }
  });

  it.each<[string, unknown]>([
    ['an empty body', {}],
    ['an empty code', { code: '' }],
    ['a 41-char code', { code: 'A'.repeat(41) }],
    ['a 10 KB code', { code: 'A'.repeat(10_240) }],
    ['a numeric code', { code: 10 }],
    ['a null code', { code: null }],
    ['an extra field', { code: 'X', discount: 100 }],
  ])('PUT coupon with %s → 400 validation_failed', async (_name, body) => {
    const cartId = await cartWith(1);
    const res = await shop.put(`${cartUrl(cartId)}/coupon`, body);
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('validation_failed');
  });

  describe('an applied coupon that goes bad after the fact is not applied, and never blocks', () => {
    it.for<[string, (id: string, db: Db) => Promise<unknown>, string]>([
      [
        'deactivated',
        (id) => merchant.patch(`/api/v1/stores/${storeId}/coupons/${id}`, { isActive: false }),
        'inactive',
      ],
      ['deleted', (id) => merchant.delete(`/api/v1/stores/${storeId}/coupons/${id}`), 'expired'],
      [
        'expired',
        (id, db) => db.query(`UPDATE coupons SET expires_at = now() - interval '1 second' WHERE id = $1`, [id]),
        'expired',
      ],
      ['used up', (id, db) => db.query(`UPDATE coupons SET used_count = usage_limit WHERE id = $1`, [id]), 'exhausted'],
    ])('%s → %s', async ([, spoil, expected], { db }) => {
      const c = await coupon({ code: uniqueCode('Live'), type: 'percent', value: 10, usageLimit: 5 });
      const cartId = await cartWith(1);
      expect((await apply(cartId, c.code)).body).toMatchObject({ discount: 1000, canCheckout: true });
      await spoil(c.id, db);
      const cart = (await shop.get(cartUrl(cartId))).body;
      expect(cart).toMatchObject({ couponCode: c.code, discount: 0, total: 10000, canCheckout: true });
      expect(cart.coupon).toEqual({ code: c.code, applied: false, reason: expected });
      expect(cart.errors).toEqual([]);
      // The customer may take it off.
      const off = (await shop.delete(`${cartUrl(cartId)}/coupon`)).body;
      expect(off).toMatchObject({ couponCode: null, errors: [], canCheckout: true });
    });
  });

  it('a line error blocks; a coupon below its minimum is only not applied', async ({ db }) => {
    const tracked = await createVariant(db, storeId, { price: 5000, stock: 10 });
    const c = await coupon({ code: uniqueCode('Both'), type: 'flat', value: 100, minOrder: 100000 });
    const cartId = await cartWith(2, tracked);
    await apply(cartId, c.code);
    await setStock(db, tracked.id, 0);
    const cart = (await shop.get(cartUrl(cartId))).body;
    expect(errorCodes(cart)).toEqual(['out_of_stock']);
    expect(cart.errors[0].variantId).toBe(tracked.id);
    expect(cart.coupon).toMatchObject({ applied: false, reason: 'min_order', shortBy: 100000 });
  });

  it('a new coupon with the code of a deleted one takes over on carts that carry the code', async () => {
    const code = uniqueCode('Again');
    const first = await coupon({ code, type: 'flat', value: 500 });
    const cartId = await cartWith(1);
    await apply(cartId, code);
    await merchant.delete(`/api/v1/stores/${storeId}/coupons/${first.id}`);
    expect((await shop.get(cartUrl(cartId))).body.coupon).toEqual({ code, applied: false, reason: 'expired' });
    await coupon({ code, type: 'flat', value: 700 });
    expect((await shop.get(cartUrl(cartId))).body).toMatchObject({ discount: 700, errors: [] });
  });
});

describe('fulfillment and delivery fee', () => {
  it('charges the store delivery fee, free at or above freeAbove (after discount), never for pickup', async ({
    ctx,
    db,
  }) => {
    const m = await merchantWithStore(ctx);
    const s = m.store;
    const v = await createVariant(db, s.id, { price: 10000 });
    const base = `/api/v1/storefront/${s.slug}/carts`;
    const cartId = (await shop.post(base)).body.id as string;
    const url = `${base}/${cartId}`;
    await shop.put(`${url}/lines/${v.id}`, { quantity: 2 });
    expect((await m.api.patch(`/api/v1/stores/${s.id}`, { delivery: { fee: 4000, freeAbove: 30000 } })).status).toBe(
      200,
    );
    expect((await shop.get(url)).body).toMatchObject({ subtotal: 20000, deliveryFee: 4000, total: 24000 });

    await shop.put(`${url}/lines/${v.id}`, { quantity: 3 }); // 30000 = freeAbove → free
    expect((await shop.get(url)).body).toMatchObject({ subtotal: 30000, deliveryFee: 0, total: 30000 });

    const c = (await m.api.post(`/api/v1/stores/${s.id}/coupons`, { code: 'ONE', type: 'flat', value: 1 })).body;
    expect(c.code).toBe('ONE');
    const discounted = (await shop.put(`${url}/coupon`, { code: 'one' })).body; // 29999 < 30000 → fee again
    expect(discounted).toMatchObject({ subtotal: 30000, discount: 1, deliveryFee: 4000, total: 33999 });

    // Pickup is refused until the store offers it.
    const refused = await shop.patch(url, { fulfillment: 'pickup' });
    expect(refused.status).toBe(422);
    expect(refused.body.code).toBe('validation_failed');
    expect(refused.body.errors[0].path).toBe('/fulfillment');
    expect((await shop.get(url)).body.fulfillment).toBe('delivery');

    await m.api.patch(`/api/v1/stores/${s.id}`, { delivery: { pickup: true } });
    const pickup = await shop.patch(url, { fulfillment: 'pickup' });
    expect(pickup.status).toBe(200);
    expect(pickup.body).toMatchObject({ fulfillment: 'pickup', deliveryFee: 0, total: 29999 });
    expect((await shop.get(url)).body.fulfillment).toBe('pickup');

    const back = await shop.patch(url, { fulfillment: 'delivery' });
    expect(back.body).toMatchObject({ fulfillment: 'delivery', deliveryFee: 4000, total: 33999 });
  });

  it('an empty cart with delivery shows the fee but cannot check out', async ({ ctx }) => {
    const m = await merchantWithStore(ctx);
    await m.api.patch(`/api/v1/stores/${m.store.id}`, { delivery: { fee: 2500 } });
    const created = await shop.post(`/api/v1/storefront/${m.store.slug}/carts`);
    expect(created.body).toMatchObject({ deliveryFee: 2500, total: 2500, canCheckout: false, errors: [] });
  });

  it.each<[string, unknown]>([
    ['an empty body', {}],
    ['an unknown fulfillment', { fulfillment: 'ship' }],
    ['an upper-case value', { fulfillment: 'PICKUP' }],
    ['null', { fulfillment: null }],
    ['an extra field', { fulfillment: 'delivery', couponCode: 'X' }],
    ['a 10 KB string', { fulfillment: 'd'.repeat(10_240) }],
  ])('PATCH cart with %s → 400 validation_failed', async (_name, body) => {
    const cartId = await cartWith(1);
    const res = await shop.patch(cartUrl(cartId), body);
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('validation_failed');
  });
});
