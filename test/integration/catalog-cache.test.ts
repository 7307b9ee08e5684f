/**
 * Storefront reads are served from a per-process cache keyed by stores.catalog_version (migration 061). These
 * tests prove the cache is never stale: every change a shopper could see bumps the version at commit, and the
 * next read shows it.
 */
import { describe, expect } from 'vitest';
import type { TestContext } from '../helpers/app.js';
import { appTest } from '../helpers/fixture.js';
import { addProduct, checkoutBody, checkoutCart, newCart, openShop, type Shop } from '../helpers/order-fixtures.js';

const it = appTest();
let shop: Shop;
let productId: string;
let variantId: string;

it.beforeAll(async ({ ctx }) => {
  shop = await openShop(ctx);
  const created = await shop.api.post(`${shop.base}/products`, { name: 'Basmati Rice', price: 10000, stock: 5 });
  productId = created.body.id;
  variantId = created.body.variants[0].id;
});

const version = async (ctx: TestContext) =>
  Number(
    (await ctx.testDb.db.query<{ v: number }>(`SELECT catalog_version AS v FROM stores WHERE id = $1`, [shop.storeId]))
      .rows[0]!.v,
  );
const list = async () => (await shop.customer.get(`/api/v1/storefront/${shop.slug}/products`)).body;
const detail = async () => (await shop.customer.get(`/api/v1/storefront/${shop.slug}/products/basmati-rice`)).body;

describe('storefront cache follows every visible change', () => {
  it(
    'the home page, whose product grid is kept rendered, shows store ' +
      'settings and catalog changes on the next view',
    async ({ ctx }) => {
      const home = async () => (await ctx.app.inject({ method: 'GET', url: `/${shop.slug}` })).body;
      const warm = await home();
      expect(await home()).toBe(warm); // served from the kept rendering, byte for byte
      expect(warm).not.toContain('data-testid="closed-notice"');
      expect((await shop.api.patch(shop.base, { isOpen: false })).status).toBe(200); // the store row, not the catalog
      expect(await home()).toContain('data-testid="closed-notice"');
      expect((await shop.api.patch(shop.base, { isOpen: true })).status).toBe(200);
      expect(await home()).not.toContain('data-testid="closed-notice"');
      const renamed = await shop.api.post(`${shop.base}/products`, {
        name: 'Kashmiri Saffron',
        price: 50000,
        stock: 3,
      });
      expect(renamed.status).toBe(201);
      expect(await home()).toContain('Kashmiri Saffron');
      expect((await shop.api.delete(`${shop.base}/products/${renamed.body.id}`)).status).toBeLessThan(300);
      expect(await home()).not.toContain('Kashmiri Saffron');
    },
  );

  it('a price change shows on the next list and detail read', async ({ ctx }) => {
    expect((await list()).items[0].price).toBe(10000);
    expect((await detail()).price).toBe(10000);
    const before = await version(ctx);
    expect((await shop.api.patch(`${shop.base}/products/${productId}`, { price: 12000 })).status).toBe(200);
    expect(await version(ctx)).toBeGreaterThan(before);
    expect((await list()).items[0].price).toBe(12000);
    expect((await detail()).variants[0].price).toBe(12000);
  });

  it('stock crossing zero flips inStock; stock that stays above zero does not touch the version', async ({ ctx }) => {
    const v0 = await version(ctx);
    expect((await shop.api.post(`${shop.base}/variants/${variantId}/stock`, { adjust: -2 })).status).toBe(200);
    expect(await version(ctx)).toBe(v0);
    expect((await list()).items[0].inStock).toBe(true);
    expect((await shop.api.post(`${shop.base}/variants/${variantId}/stock`, { set: 0 })).status).toBe(200);
    expect(await version(ctx)).toBeGreaterThan(v0);
    expect((await list()).items[0].inStock).toBe(false);
    expect((await detail()).variants[0].inStock).toBe(false);
    await shop.api.post(`${shop.base}/variants/${variantId}/stock`, { set: 3 });
    expect((await detail()).inStock).toBe(true);
  });

  it('a checkout that sells the last unit shows as out of stock at once', async () => {
    const last = await addProduct(shop, 'Last Jar Of Pickle', 5000, 1);
    const find = async () => (await list()).items.find((p: { name: string }) => p.name === 'Last Jar Of Pickle');
    expect((await find()).inStock).toBe(true);
    const cartId = await newCart(shop, [[last, 1]]);
    expect((await checkoutCart(shop, cartId, checkoutBody())).status).toBe(201);
    expect((await find()).inStock).toBe(false);
  });

  it('new, renamed, archived products and categories show on the next read', async () => {
    const cat = await shop.api.post(`${shop.base}/categories`, { name: 'Grains' });
    expect(
      (await shop.customer.get(`/api/v1/storefront/${shop.slug}/categories`)).body.items.map(
        (c: { name: string }) => c.name,
      ),
    ).toContain('Grains');
    await shop.api.patch(`${shop.base}/categories/${cat.body.id}`, { name: 'Whole Grains' });
    expect(
      (await shop.customer.get(`/api/v1/storefront/${shop.slug}/categories`)).body.items.map(
        (c: { name: string }) => c.name,
      ),
    ).toContain('Whole Grains');
    await addProduct(shop, 'Fresh Arrival', 100);
    expect((await list()).items.map((p: { name: string }) => p.name)).toContain('Fresh Arrival');
    await shop.api.patch(`${shop.base}/products/${productId}`, { name: 'Aged Basmati Rice' });
    expect((await detail()).name).toBe('Aged Basmati Rice');
    expect((await shop.api.delete(`${shop.base}/products/${productId}`)).status).toBe(204);
    expect((await list()).items.map((p: { id: string }) => p.id)).not.toContain(productId);
    expect((await shop.customer.get(`/api/v1/storefront/${shop.slug}/products/basmati-rice`)).status).toBe(404);
  });

  it('a rolled-back change bumps nothing', async ({ ctx }) => {
    const v0 = await version(ctx);
    await expect(
      ctx.testDb.db.tx(async (tx) => {
        await tx.query(`UPDATE products SET name = 'Ghost' WHERE store_id = $1`, [shop.storeId]);
        throw new Error('abort');
      }),
    ).rejects.toThrow('abort');
    expect(await version(ctx)).toBe(v0);
  });

  it('merchant stock changes racing checkouts on the same variants never deadlock', async () => {
    const a = await addProduct(shop, 'Hot Item A', 100, 30);
    const b = await addProduct(shop, 'Hot Item B', 100, 30);
    const carts = await Promise.all(
      Array.from({ length: 12 }, () =>
        newCart(shop, [
          [a, 1],
          [b, 1],
        ]),
      ),
    );
    const results = await Promise.all([
      ...carts.map((cartId) => checkoutCart(shop, cartId, checkoutBody())),
      ...Array.from({ length: 12 }, (_, i) =>
        shop.api.post(`${shop.base}/variants/${i % 2 ? a : b}/stock`, { set: i % 3 === 0 ? 0 : 40 }),
      ),
    ]);
    for (const r of results) expect([200, 201, 409, 503]).toContain(r.status);
    expect(results.filter((r) => r.status === 500)).toEqual([]);
  });
});
