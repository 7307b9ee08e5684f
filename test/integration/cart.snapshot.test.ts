import { describe, expect } from 'vitest';
import { client, merchantWithStore, type Client } from '../helpers/app.js';
import { appTest } from '../helpers/fixture.js';
import { countedDb } from '../helpers/db.js';
import { createProduct, createVariant, archiveVariant, setProductActive } from '../helpers/fixtures.js';
import { checkoutBody } from '../helpers/order-fixtures.js';
import type { Queryable } from '../../src/db/db.js';
import { loadCartSnapshot, assertFulfillmentOffered, getCart, setCartLine } from '../../src/cart/cart.service.js';
import { selectCartWithLines } from '../../src/cart/cart.repo.js';
import { checkout } from '../../src/checkout/checkout.service.js';
import type { CheckoutInput } from '../../src/checkout/checkout.schema.js';
import { newId } from '../../src/shared/ids.js';
import { getStoreBySlug, type StoreRow } from '../../src/stores/stores.service.js';
import { AppError } from '../../src/shared/errors.js';

const it = appTest();
let shop: Client;
let store: StoreRow;
let merchant: Client;
it.beforeAll(async ({ ctx }) => {
  const m = await merchantWithStore(ctx);
  merchant = m.api;
  await m.api.patch(`/api/v1/stores/${m.store.id}`, { delivery: { fee: 3000 } });
  store = await getStoreBySlug(ctx.testDb.db, m.store.slug);
  shop = client(ctx.app);
});

function counting(q: Queryable): { q: Queryable; sql: string[] } {
  const sql: string[] = [];
  return {
    sql,
    q: {
      query(text, params) {
        sql.push(text);
        return q.query(text, params);
      },
    },
  };
}

async function newCart(): Promise<string> {
  return (await shop.post(`/api/v1/storefront/${store.slug}/carts`)).body.id;
}

describe('loadCartSnapshot (the checkout entry point)', () => {
  it('returns the row, lines with stock and sellability, the coupon and the bill, matching GET', async ({ db }) => {
    const p = await createProduct(db, store.id, {
      name: 'Tea',
      variants: [
        { name: '250 g', price: 12000, stock: 7 },
        { name: '1 kg', price: 40000 },
      ],
    });
    const gone = await createVariant(db, store.id, { productName: 'Old', price: 500 });
    const c = (
      await merchant.post(`/api/v1/stores/${store.id}/coupons`, {
        code: 'TEA10',
        type: 'percent',
        value: 10,
        usageLimit: 100,
        expiresAt: '2040-01-01T00:00:00Z',
      })
    ).body;
    const cartId = await newCart();
    const url = `/api/v1/storefront/${store.slug}/carts/${cartId}`;
    await shop.put(`${url}/lines/${p.variants[0]!.id}`, { quantity: 2 });
    await shop.put(`${url}/lines/${p.variants[1]!.id}`, { quantity: 1 });
    await shop.put(`${url}/lines/${gone.id}`, { quantity: 1 });
    await archiveVariant(db, gone.id);
    await shop.put(`${url}/coupon`, { code: 'tea10' });

    const snap = await loadCartSnapshot(db, store, cartId);
    expect(snap.row).toEqual({
      id: cartId,
      storeId: store.id,
      fulfillment: 'delivery',
      couponCode: 'TEA10',
      orderId: null,
    });
    expect(snap.lines).toEqual([
      {
        variantId: p.variants[0]!.id,
        productId: p.id,
        productName: 'Tea',
        variantName: '250 g',
        unitPrice: 12000,
        quantity: 2,
        stock: 7,
        sellable: true,
      },
      {
        variantId: p.variants[1]!.id,
        productId: p.id,
        productName: 'Tea',
        variantName: '1 kg',
        unitPrice: 40000,
        quantity: 1,
        stock: null,
        sellable: true,
      },
      {
        variantId: gone.id,
        productId: gone.productId,
        productName: 'Old',
        variantName: 'Default',
        unitPrice: 500,
        quantity: 1,
        stock: null,
        sellable: false,
      },
    ]);
    expect(snap.coupon).toEqual({
      id: c.id,
      code: 'TEA10',
      type: 'percent',
      value: 10,
      minOrder: null,
      maxDiscount: null,
      usageLimit: 100,
      usedCount: 0,
      expiresAt: new Date('2040-01-01T00:00:00Z'),
      isActive: true,
    });
    expect(snap.bill).toMatchObject({ subtotal: 64000, discount: 6400, deliveryFee: 3000, total: 60600 });
    expect(snap.bill.errors.map((e) => e.code)).toEqual(['unavailable']);
    expect(snap.cart).toEqual((await shop.get(url)).body);
    expect(snap.cart.canCheckout).toBe(false);
  });

  it('loads any cart in one query, however many lines (no N+1)', async ({ db }) => {
    const p = await createProduct(db, store.id, {
      variants: Array.from({ length: 40 }, (_, i) => ({ name: `N${i}`, price: 100 + i, stock: 5 })),
    });
    const small = await newCart();
    const big = await newCart();
    await shop.put(`/api/v1/storefront/${store.slug}/carts/${small}/lines/${p.variants[0]!.id}`, { quantity: 1 });
    for (const v of p.variants)
      await shop.put(`/api/v1/storefront/${store.slug}/carts/${big}/lines/${v.id}`, { quantity: 1 });
    await merchant.post(`/api/v1/stores/${store.id}/coupons`, { code: 'NPLUS1', type: 'flat', value: 5 });
    await shop.put(`/api/v1/storefront/${store.slug}/carts/${big}/coupon`, { code: 'NPLUS1' });

    const a = counting(db);
    const smallSnap = await loadCartSnapshot(a.q, store, small);
    const b = counting(db);
    const bigSnap = await loadCartSnapshot(b.q, store, big);
    expect(smallSnap.lines).toHaveLength(1);
    expect(bigSnap.lines).toHaveLength(40);
    expect(bigSnap.coupon?.code).toBe('NPLUS1');
    expect(a.sql).toHaveLength(1);
    expect(b.sql).toHaveLength(1);
  });

  it('a cart change racing a checkout that holds the lock waits, then gets 409 cart_already_ordered', async ({
    db,
  }) => {
    const v = await createVariant(db, store.id, { price: 1000 });
    const cartId = await newCart();
    const url = `/api/v1/storefront/${store.slug}/carts/${cartId}`;
    await shop.put(`${url}/lines/${v.id}`, { quantity: 1 });
    let racing: Promise<{ status: number; body: { code?: string } }> | undefined;
    await db.tx(async (tx) => {
      // The cart row locked as the order's statement locks it, then read in this transaction.
      await tx.query(`SELECT 1 FROM carts WHERE id = $1 FOR UPDATE`, [cartId]);
      const snap = await loadCartSnapshot(tx, store, cartId);
      expect(snap.cart.canCheckout).toBe(true);
      // Not awaited here: on PGlite it queues behind this transaction, on PostgreSQL it blocks on the row lock.
      racing = shop.put(`${url}/lines/${v.id}`, { quantity: 5 });
      await new Promise((r) => setTimeout(r, 150));
      await tx.query(`UPDATE carts SET order_id = $2 WHERE id = $1`, [cartId, '22222222-2222-4222-8222-222222222222']);
    });
    const res = await racing!;
    expect(res.status).toBe(409);
    expect(res.body.code).toBe('cart_already_ordered');
    expect((await shop.get(url)).body.lines[0].quantity).toBe(1);
  });

  it('fulfillment: bills as asked without changing the stored cart', async ({ db }) => {
    const v = await createVariant(db, store.id, { price: 1000 });
    const cartId = await newCart();
    await shop.put(`/api/v1/storefront/${store.slug}/carts/${cartId}/lines/${v.id}`, { quantity: 1 });
    const pickup = await loadCartSnapshot(db, store, cartId, { fulfillment: 'pickup' });
    expect(pickup.cart).toMatchObject({ fulfillment: 'pickup', deliveryFee: 0, total: 1000 });
    expect(pickup.row.fulfillment).toBe('delivery');
    expect((await loadCartSnapshot(db, store, cartId)).cart).toMatchObject({
      fulfillment: 'delivery',
      deliveryFee: 3000,
      total: 4000,
    });
  });

  it('reports the order id of an ordered cart', async ({ db }) => {
    const cartId = await newCart();
    const orderId = '11111111-1111-4111-8111-111111111111';
    await db.query(`UPDATE carts SET order_id = $2 WHERE id = $1`, [cartId, orderId]);
    expect((await loadCartSnapshot(db, store, cartId)).row.orderId).toBe(orderId);
  });

  it('coupon is null when the applied code no longer names a live coupon, and the bill says expired', async ({
    db,
  }) => {
    const c = (await merchant.post(`/api/v1/stores/${store.id}/coupons`, { code: 'VANISH', type: 'flat', value: 5 }))
      .body;
    const cartId = await newCart();
    await shop.put(`/api/v1/storefront/${store.slug}/carts/${cartId}/coupon`, { code: 'VANISH' });
    await merchant.delete(`/api/v1/stores/${store.id}/coupons/${c.id}`);
    const snap = await loadCartSnapshot(db, store, cartId);
    expect(snap.coupon).toBeNull();
    expect(snap.row.couponCode).toBe('VANISH');
    // A coupon that cannot apply never blocks: it is not applied, with its reason, and is no bill error.
    expect(snap.bill.errors).toEqual([]);
    expect(snap.bill.coupon).toEqual({ code: 'VANISH', applied: false, reason: 'expired' });
    expect(snap.bill.discount).toBe(0);
  });

  it('unknown, malformed or other-store cart ids → 404 not_found', async ({ ctx, db }) => {
    const other = await merchantWithStore(ctx);
    const otherStore = await getStoreBySlug(db, other.store.slug);
    const cartId = await newCart();
    for (const [s, id] of [
      [store, '00000000-0000-4000-8000-000000000000'],
      [store, 'nope'],
      [otherStore, cartId],
    ] as const) {
      const err = await loadCartSnapshot(db, s, id).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(AppError);
      expect((err as AppError).status).toBe(404);
      expect((err as AppError).code).toBe('not_found');
    }
  });

  it('assertFulfillmentOffered refuses pickup where the store does not offer it', () => {
    expect(() => assertFulfillmentOffered({ ...store, pickup: false }, 'pickup')).toThrow(AppError);
    expect(() => assertFulfillmentOffered({ ...store, pickup: false }, 'delivery')).not.toThrow();
    expect(() => assertFulfillmentOffered({ ...store, pickup: true }, 'pickup')).not.toThrow();
  });
});

describe('a line put answers the cart it leaves', () => {
  it('with the same Cart a GET then reads, after every kind of put', async ({ db }) => {
    const p = await createProduct(db, store.id, {
      name: 'Dal',
      variants: [
        { name: '500 g', price: 9000, stock: 4 },
        { name: '1 kg', price: 17000 },
        { name: '5 kg', price: 80000, stock: 0 },
      ],
    });
    await merchant.post(`/api/v1/stores/${store.id}/coupons`, { code: 'DAL5', type: 'flat', value: 500 });
    const cartId = await newCart();
    const url = `/api/v1/storefront/${store.slug}/carts/${cartId}`;
    const [small, big, out] = p.variants.map((v) => v.id);
    const steps: [string, number][] = [
      [small!, 2], // a first line
      [big!, 1], // a second one, after it
      [small!, 6], // more than in stock: the first line's quantity changes, its place does not
      [out!, 1], // out of stock: the answer is billed with that line's error
    ];
    for (const [i, [variantId, quantity]] of steps.entries()) {
      if (i === 2) await shop.put(`${url}/coupon`, { code: 'DAL5' });
      const put = await shop.put(`${url}/lines/${variantId}`, { quantity });
      expect(put.status).toBe(200);
      expect(put.body).toEqual((await shop.get(url)).body);
    }
    const last = (await shop.get(url)).body;
    expect(last.lines.map((l: { variantId: string }) => l.variantId)).toEqual([small, big, out]);
    expect(last.lines[0]).toMatchObject({ quantity: 6, error: { code: 'insufficient_stock', available: 4 } });
    expect(last.lines[2]).toMatchObject({ error: { code: 'out_of_stock' } });
    expect(last.couponCode).toBe('DAL5');
  });

  it('in ONE statement, suggestions included, whether or not a line can still be bought', async ({ db }) => {
    const p = await createProduct(db, store.id, {
      variants: [
        { name: 'A', price: 100, stock: 5 },
        { name: 'B', price: 200, stock: 0 },
      ],
    });
    const cartId = await newCart();
    const put = async (variantId: string) => {
      const { counted, sql } = countedDb(db);
      const cart = await setCartLine(counted, store.slug, cartId, variantId, 1);
      return { cart, statements: sql.length };
    };
    expect((await put(p.variants[0]!.id)).statements).toBe(1);
    const sold = await put(p.variants[1]!.id);
    expect(sold.cart.lines[1]!.error).toEqual({ code: 'out_of_stock' });
    expect(sold.statements).toBe(1);
  });
});

describe('replacement suggestions come with the lines, in the same statement', () => {
  it('only on lines nothing of which can be bought, alike on GET, a put and a locked read', async ({ db }) => {
    const cat = newId();
    const elsewhere = newId();
    await db.query(
      `INSERT INTO categories (id, store_id, name, slug) VALUES ($1, $3, 'Rice', 'rice'), ($2, $3, 'Oil', 'oil')`,
      [cat, elsewhere, store.id],
    );
    const make = async (
      name: string,
      variants: { name?: string; price: number; stock?: number | null }[],
      category = cat,
    ) => {
      const p = await createProduct(db, store.id, { name, variants });
      await db.query(`UPDATE products SET category_id = $2 WHERE id = $1`, [p.id, category]);
      return p;
    };
    // The cart's lines, all of the one category.
    const untracked = await make('Untracked', [{ price: 3000 }]);
    const inCart = await make('In cart', [{ price: 2050, stock: 5 }]); // nearest to 'Gone', but in the cart
    const short = await make('Short', [{ price: 3200, stock: 1 }]);
    const gone = await make('Gone', [
      { name: '1 kg', price: 2000, stock: 0 },
      { name: '2 kg', price: 2001, stock: 5 }, // not in the cart: a variant of the same product, suggested
    ]);
    const archived = await make('Archived', [{ price: 2100, stock: 5 }]);
    const hidden = await make('Hidden', [{ price: 2200 }]);
    // What may be suggested, and what never is.
    await make('Near', [{ price: 1900, stock: 5 }]);
    await make('Close', [{ price: 2150 }]);
    await make('Mid', [{ price: 2600 }]);
    await make('Far', [{ price: 9000, stock: 2 }]);
    await make('Empty', [{ price: 2000, stock: 0 }]);
    await make('Elsewhere', [{ price: 2000, stock: 5 }], elsewhere);
    const inactive = await make('Inactive', [{ price: 2000, stock: 5 }]);
    const cartId = await newCart();
    const url = `/api/v1/storefront/${store.slug}/carts/${cartId}`;
    const lines: [string, number][] = [
      [untracked.variants[0]!.id, 1],
      [inCart.variants[0]!.id, 1],
      [short.variants[0]!.id, 1],
      [gone.variants[0]!.id, 1],
      [archived.variants[0]!.id, 1],
      [hidden.variants[0]!.id, 1],
    ];
    for (const [v, q] of lines) expect((await shop.put(`${url}/lines/${v}`, { quantity: q })).status).toBe(200);
    await db.query(`UPDATE variants SET stock = 0 WHERE id = $1`, [gone.variants[0]!.id]);
    await archiveVariant(db, archived.variants[0]!.id);
    await setProductActive(db, hidden.id, false);
    await setProductActive(db, inactive.id, false);
    // The last put also answers the cart: a quantity change of a line that goes short.
    const put = await shop.put(`${url}/lines/${short.variants[0]!.id}`, { quantity: 2 });
    expect(put.status).toBe(200);

    const names = (l: { suggestions: { name: string; variantName: string }[] }) =>
      l.suggestions.map((s) => `${s.name} ${s.variantName}`);
    const cart = (await shop.get(url)).body;
    expect(cart.lines.map((l: { error: { code: string } | null }) => l.error?.code ?? null)).toEqual([
      null,
      null,
      'insufficient_stock',
      'out_of_stock',
      'unavailable',
      'unavailable',
    ]);
    expect(cart.lines.map(names)).toEqual([
      [],
      [],
      [],
      ['Gone 2 kg', 'Near Default', 'Close Default'],
      ['Close Default', 'Gone 2 kg', 'Near Default'],
      ['Close Default', 'Gone 2 kg', 'Near Default'],
    ]);
    expect(cart.lines[3].suggestions[0]).toEqual({
      variantId: gone.variants[1]!.id,
      productSlug: expect.any(String),
      name: 'Gone',
      variantName: '2 kg',
      price: 2001,
    });
    // The SQL computes them only for the lines the bill calls out of stock or unavailable.
    const rows = await selectCartWithLines(db, store.id, cartId);
    expect(rows!.lines.map((l) => l.suggestions === null)).toEqual([true, true, true, false, false, false]);

    expect(put.body).toEqual(cart);
  });

  it("a put that adds a line leaves it out of the other lines' suggestions, in its own answer too", async ({ db }) => {
    const cat = newId();
    await db.query(`INSERT INTO categories (id, store_id, name, slug) VALUES ($1, $2, 'Dal', 'dal')`, [cat, store.id]);
    const gone = await createVariant(db, store.id, { productName: 'Gone dal', price: 1000, stock: 1 });
    const nearest = await createVariant(db, store.id, { productName: 'Nearest', price: 1010, stock: 4 });
    const next = await createVariant(db, store.id, { productName: 'Next', price: 1100, stock: 4 });
    await db.query(`UPDATE products SET category_id = $1 WHERE id = ANY($2::uuid[])`, [
      cat,
      [gone.productId, nearest.productId, next.productId],
    ]);
    const cartId = await newCart();
    const url = `/api/v1/storefront/${store.slug}/carts/${cartId}`;
    expect((await shop.put(`${url}/lines/${gone.id}`, { quantity: 1 })).status).toBe(200);
    await db.query(`UPDATE variants SET stock = 0 WHERE id = $1`, [gone.id]);
    expect((await shop.get(url)).body.lines[0].suggestions.map((s: { name: string }) => s.name)).toEqual([
      'Nearest',
      'Next',
    ]);

    // The put's statement cannot see the line it writes; it is left out all the same.
    const put = await shop.put(`${url}/lines/${nearest.id}`, { quantity: 1 });
    expect(put.status).toBe(200);
    expect(put.body.lines.map((l: { suggestions: { name: string }[] }) => l.suggestions.map((s) => s.name))).toEqual([
      ['Next'],
      [],
    ]);
    expect(put.body).toEqual((await shop.get(url)).body);
  });

  it('a cart read and a checkout refused for a sold-out line are each ONE statement', async ({ db }) => {
    const cat = newId();
    await db.query(`INSERT INTO categories (id, store_id, name, slug) VALUES ($1, $2, 'Sale', 'sale')`, [
      cat,
      store.id,
    ]);
    const hot = await createVariant(db, store.id, { productName: 'Hot', price: 1000, stock: 1 });
    const other = await createVariant(db, store.id, { productName: 'Other', price: 1100, stock: 3 });
    await db.query(`UPDATE products SET category_id = $1 WHERE id = ANY($2::uuid[])`, [
      cat,
      [hot.productId, other.productId],
    ]);
    const cartId = await newCart();
    await shop.put(`/api/v1/storefront/${store.slug}/carts/${cartId}/lines/${hot.id}`, { quantity: 1 });
    await db.query(`UPDATE variants SET stock = 0 WHERE id = $1`, [hot.id]);

    const read = countedDb(db);
    const cart = await getCart(read.counted, store.slug, cartId);
    expect(cart.lines[0]!.suggestions.map((s) => s.name)).toEqual(['Other']);
    expect(read.sql).toHaveLength(1);

    const refused = countedDb(db);
    const err = await checkout(
      refused.counted,
      { publicUrl: 'https://dukaan.test' },
      store.slug,
      cartId,
      checkoutBody() as unknown as CheckoutInput,
      null,
    ).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AppError);
    expect([(err as AppError).status, (err as AppError).code]).toEqual([409, 'cart_has_errors']);
    expect(refused.sql).toHaveLength(1);
    // The refusal names the error, not replacements: its read does not look for any (a flash sale's every loser
    // would pay a probe of the category), while the cart read above does.
    expect((err as AppError).errors).toEqual([expect.objectContaining({ variantId: hot.id, code: 'out_of_stock' })]);
    expect(read.sql[0]).toContain('cart_line_suggestions');
    expect(refused.sql[0]).not.toContain('cart_line_suggestions');
  });
});
