import { describe, expect } from 'vitest';
import { client, merchantWithStore, type Client } from '../helpers/app.js';
import { appTest } from '../helpers/fixture.js';
import { DEMO_PHONE, ensureDemoStore } from '../../src/demo/seed.js';
import { getPublicStore, getStorefrontProduct, listStorefrontProducts } from '../../src/catalog/storefront.service.js';

const it = appTest();

type Owner = Awaited<ReturnType<typeof merchantWithStore>>;
let owner: Owner;
let anon: Client;
let base: string;
let sf: string;

const products: Record<string, any> = {};
let dairy: { id: string; slug: string };

it.beforeAll(async ({ ctx }) => {
  anon = client(ctx.app);
  owner = await merchantWithStore(ctx, { name: 'Sharma General Store', whatsapp: '+919876543210' });
  base = `/api/v1/stores/${owner.store.id}`;
  sf = `/api/v1/storefront/${owner.store.slug}`;
  dairy = (await owner.api.post(`${base}/categories`, { name: 'Dairy' })).body;
  await owner.api.post(`${base}/categories`, { name: 'Staples' });
  const create = async (key: string, body: Record<string, unknown>) => {
    const res = await owner.api.post(`${base}/products`, body);
    expect(res.status, res.text).toBe(201);
    products[key] = res.body;
  };
  await create('tracked', {
    name: 'Amul Butter',
    price: 5800,
    mrp: 6000,
    stock: 5,
    sku: 'SECRET-SKU',
    categoryId: dairy.id,
  });
  await create('untracked', { name: 'Amul Milk', price: 2900, categoryId: dairy.id });
  await create('soldOut', { name: 'Kabuli Chana', price: 8500, stock: 0 });
  await create('inactive', { name: 'Hidden Gift Box', price: 79900, isActive: false });
  await create('archived', { name: 'Old Biscuits', price: 1000 });
  await owner.api.delete(`${base}/products/${products.archived.id}`);
  await create('multi', {
    name: 'Tata Tea Premium',
    variants: [
      { name: '250 g', price: 14500, stock: 0 },
      { name: '500 g', price: 28000, stock: 3 },
      { name: '1 kg', price: 54000, stock: 2 },
    ],
  });
  // An archived variant disappears from the storefront.
  await owner.api.delete(`${base}/products/${products.multi.id}/variants/${products.multi.variants[2].id}`);
});

describe('public store', () => {
  it('answers the public view of a store without sign-in', async () => {
    const res = await anon.get(sf);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      slug: owner.store.slug,
      name: 'Sharma General Store',
      currency: 'INR',
      whatsapp: '+919876543210',
      isOpen: true,
      description: '',
      logo: null,
      banner: null,
      address: null,
      hours: null,
      defaultLanguage: 'en',
      gstin: null,
      delivery: { fee: 0, freeAbove: null, minOrder: null, pickup: false, areas: [] },
      payments: { cod: true, upi: false },
      whatsappOrderUrl: null, // this server answers no WhatsApp chats (test/integration/whatsapp-store.test.ts)
    });
  });

  it('reports upi: true once the store has a UPI VPA, and follows isOpen', async ({ ctx }) => {
    const s = await merchantWithStore(ctx);
    await s.api.patch(`/api/v1/stores/${s.store.id}`, {
      payments: { upiVpa: 'sharma@okaxis' },
      isOpen: false,
      delivery: { fee: 3000, pickup: true },
    });
    const res = await anon.get(`/api/v1/storefront/${s.store.slug}`);
    expect(res.body.payments).toEqual({ cod: true, upi: true });
    expect(res.body.isOpen).toBe(false);
    expect(res.body.delivery).toEqual({ fee: 3000, freeAbove: null, minOrder: null, pickup: true, areas: [] });
    expect(JSON.stringify(res.body)).not.toContain('sharma@okaxis');
    expect(res.body.id).toBeUndefined();
  });

  it('answers 404 for an unknown slug on every storefront read', async () => {
    for (const slug of ['no-such-store', 'x'.repeat(150), 'Bad%20Slug', '..']) {
      for (const path of ['', '/categories', '/products', '/products/anything']) {
        const res = await anon.get(`/api/v1/storefront/${slug}${path}`);
        expect(res.status, `${slug}${path}`).toBe(404);
        expect(res.body.code).toBe('not_found');
      }
    }
  });
});

describe('storefront catalog', () => {
  it('lists categories by position with nextCursor null', async () => {
    const res = await anon.get(`${sf}/categories`);
    expect(res.status).toBe(200);
    expect(res.body.nextCursor).toBeNull();
    expect(res.body.items.map((c: { slug: string }) => c.slug)).toEqual(['dairy', 'staples']);
    expect(Object.keys(res.body.items[0]).sort()).toEqual(['id', 'name', 'position', 'slug']);
  });

  it('lists active, non-archived products with inStock instead of stock and no sku', async () => {
    const res = await anon.get(`${sf}/products`);
    expect(res.status).toBe(200);
    const names = res.body.items.map((p: { name: string }) => p.name);
    expect(names).toEqual(['Tata Tea Premium', 'Kabuli Chana', 'Amul Milk', 'Amul Butter']);
    expect(res.body.nextCursor).toBeNull();
    const byName = Object.fromEntries(res.body.items.map((p: { name: string }) => [p.name, p]));
    const butter = byName['Amul Butter'];
    expect(Object.keys(butter).sort()).toEqual([
      'categoryId',
      'description',
      'id',
      'images',
      'inStock',
      'name',
      'price',
      'slug',
      'unit',
      'variants',
    ]);
    expect(butter.variants).toEqual([
      { id: products.tracked.variants[0].id, name: 'Default', price: 5800, mrp: 6000, inStock: true },
    ]);
    expect(byName['Amul Milk'].variants[0].inStock).toBe(true);
    expect(byName['Amul Milk'].inStock).toBe(true);
    expect(byName['Kabuli Chana'].variants[0].inStock).toBe(false);
    expect(byName['Kabuli Chana'].inStock).toBe(false);
    const tea = byName['Tata Tea Premium'];
    expect(tea.variants.map((v: { name: string; inStock: boolean }) => [v.name, v.inStock])).toEqual([
      ['250 g', false],
      ['500 g', true],
    ]);
    expect(tea.price).toBe(14500);
    expect(tea.inStock).toBe(true);
    expect(res.text).not.toContain('SECRET-SKU');
    expect(res.text).not.toContain('"stock"');
  });

  it('inStock follows stock changes', async () => {
    const variantId = products.tracked.variants[0].id;
    await owner.api.post(`${base}/variants/${variantId}/stock`, { set: 0 });
    expect((await anon.get(`${sf}/products/amul-butter`)).body.variants[0].inStock).toBe(false);
    await owner.api.post(`${base}/variants/${variantId}/stock`, { set: null });
    expect((await anon.get(`${sf}/products/amul-butter`)).body.variants[0].inStock).toBe(true);
    await owner.api.post(`${base}/variants/${variantId}/stock`, { set: 5 });
    expect((await anon.get(`${sf}/products/amul-butter`)).body.variants[0].inStock).toBe(true);
  });

  it('filters by category slug (unknown category: 404) and searches by name', async () => {
    const dairyOnly = await anon.get(`${sf}/products?category=dairy`);
    expect(dairyOnly.body.items.map((p: { name: string }) => p.name)).toEqual(['Amul Milk', 'Amul Butter']);
    const staples = await anon.get(`${sf}/products?category=staples`);
    expect(staples.body.items).toEqual([]);
    const unknown = await anon.get(`${sf}/products?category=no-such-category`);
    expect(unknown.status).toBe(404);
    expect(unknown.body.code).toBe('not_found');
    // Forgiving word-similarity search: both Amul products match, the closer one first.
    const search = await anon.get(`${sf}/products?q=AMUL%20b`);
    expect(search.body.items.map((p: { name: string }) => p.name)).toEqual(['Amul Butter', 'Amul Milk']);
    // Inactive and archived products are not found by search either.
    expect((await anon.get(`${sf}/products?q=gift`)).body.items).toEqual([]);
    expect((await anon.get(`${sf}/products?q=biscuits`)).body.items).toEqual([]);
    expect((await anon.get(`${sf}/products?q=amul&category=dairy`)).body.items).toHaveLength(2);
    expect((await anon.get(`${sf}/products?q=`)).body.items).toHaveLength(4);
  });

  it('paginates without duplicates and validates the query', async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const res: any = await anon.get(`${sf}/products?limit=1${cursor ? `&cursor=${cursor}` : ''}`);
      expect(res.status).toBe(200);
      seen.push(...res.body.items.map((p: { id: string }) => p.id));
      cursor = res.body.nextCursor;
    } while (cursor);
    expect(seen).toHaveLength(4);
    expect(new Set(seen).size).toBe(4);
    for (const query of ['limit=0', 'limit=101', 'limit=x', 'cursor=%%%', `q=${'x'.repeat(101)}`]) {
      const res = await anon.get(`${sf}/products?${query}`);
      expect(res.status, query).toBe(400);
      expect(res.body.code).toBe('validation_failed');
    }
    // Marketing parameters on a shared link are ignored.
    expect((await anon.get(`${sf}/products?utm_source=whatsapp`)).status).toBe(200);
  });

  it("reads one active product by slug; inactive, archived, unknown and other stores' products are 404", async ({
    ctx,
  }) => {
    const res = await anon.get(`${sf}/products/tata-tea-premium`);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      id: products.multi.id,
      slug: 'tata-tea-premium',
      name: 'Tata Tea Premium',
      price: 14500,
    });
    expect(res.body.variants).toHaveLength(2);
    const otherStore = await merchantWithStore(ctx);
    await otherStore.api.post(`/api/v1/stores/${otherStore.store.id}/products`, { name: 'Only Elsewhere', price: 100 });
    expect((await anon.get(`/api/v1/storefront/${otherStore.store.slug}/products/only-elsewhere`)).status).toBe(200);
    for (const slug of [
      products.inactive.slug,
      products.archived.slug,
      'no-such-product',
      'only-elsewhere',
      'x'.repeat(200),
    ]) {
      const r = await anon.get(`${sf}/products/${slug}`);
      expect(r.status, slug).toBe(404);
      expect(r.body.code).toBe('not_found');
    }
  });

  it('reactivating a product brings it back', async () => {
    await owner.api.patch(`${base}/products/${products.inactive.id}`, { isActive: true });
    expect((await anon.get(`${sf}/products/${products.inactive.slug}`)).status).toBe(200);
    await owner.api.patch(`${base}/products/${products.inactive.id}`, { isActive: false });
    expect((await anon.get(`${sf}/products/${products.inactive.slug}`)).status).toBe(404);
  });

  it('exports the same reads as service functions for the pages', async ({ ctx }) => {
    const store = await getPublicStore(ctx.testDb.db, owner.store.slug.toUpperCase());
    expect(store.id).toBe(owner.store.id);
    const list = await listStorefrontProducts(ctx.testDb.db, store.id, { categorySlug: 'dairy', limit: 1 });
    expect(list.items.map((p) => p.name)).toEqual(['Amul Milk']);
    expect(list.nextCursor).toEqual(expect.any(String));
    const product = await getStorefrontProduct(ctx.testDb.db, store.id, 'amul-butter');
    expect(product.variants[0]!.price).toBe(5800);
    await expect(getPublicStore(ctx.testDb.db, 'no-such-store')).rejects.toMatchObject({
      status: 404,
      code: 'not_found',
    });
  });
});

describe('demo store', () => {
  it('seeds a kirana once, idempotently, even when two starts race', async ({ ctx }) => {
    await Promise.all([ensureDemoStore(ctx.testDb.db), ensureDemoStore(ctx.testDb.db)]);
    await ensureDemoStore(ctx.testDb.db);
    const db = ctx.testDb.db;
    const stores = await db.query<{
      id: string;
      name: string;
      whatsapp: string;
      upi_vpa: string;
      delivery_fee: number;
      free_above: number;
      pickup: boolean;
    }>(`SELECT id, name, whatsapp, upi_vpa, delivery_fee, free_above, pickup FROM stores WHERE slug = 'demo'`);
    expect(stores.rows).toHaveLength(1);
    expect(stores.rows[0]).toMatchObject({
      name: 'Demo Kirana',
      whatsapp: DEMO_PHONE,
      upi_vpa: 'demo@upi',
      delivery_fee: 3000,
      free_above: 50000,
      pickup: true,
    });
    const storeId = stores.rows[0]!.id;
    const owners = await db.query(
      `SELECT 1 FROM store_members sm JOIN merchants m ON m.id = sm.merchant_id WHERE sm.store_id = $1 AND m.phone = $2\
 AND sm.role = 'owner'`,
      [storeId, DEMO_PHONE],
    );
    expect(owners.rows).toHaveLength(1);

    const categories = await anon.get('/api/v1/storefront/demo/categories');
    expect(categories.body.items).toHaveLength(4);
    const list = await anon.get('/api/v1/storefront/demo/products?limit=100');
    expect(list.status).toBe(200);
    const items = list.body.items as { name: string; inStock: boolean; price: number; variants: { price: number }[] }[];
    expect(items.length).toBeGreaterThanOrEqual(18);
    expect(items.filter((p) => p.variants.length >= 2 && p.variants.length <= 4).length).toBeGreaterThanOrEqual(4);
    expect(items.filter((p) => !p.inStock).map((p) => p.name)).toHaveLength(1);
    expect(items.every((p) => Number.isInteger(p.price) && p.price > 0)).toBe(true);
    const untracked = await db.query(`SELECT 1 FROM variants WHERE store_id = $1 AND stock IS NULL`, [storeId]);
    expect(untracked.rows.length).toBeGreaterThan(0);
    const totalProducts = await db.query<{ n: number }>(
      `SELECT count(*)::integer AS n FROM products WHERE store_id = $1`,
      [storeId],
    );
    expect(totalProducts.rows[0]!.n).toBeGreaterThanOrEqual(20);
  });
});
