import { describe, expect } from 'vitest';
import { client, merchantWithStore } from '../helpers/app.js';
import { appTest } from '../helpers/fixture.js';

const it = appTest();

type Owner = Awaited<ReturnType<typeof merchantWithStore>>;
let owner: Owner;
let other: Owner;

it.beforeAll(async ({ ctx }) => {
  owner = await merchantWithStore(ctx);
  other = await merchantWithStore(ctx);
});

const base = (m: Owner = owner) => `/api/v1/stores/${m.store.id}`;
const UNKNOWN_ID = '0195f4c2-0000-7000-8000-00000000abcd';
const PRODUCT_KEYS = [
  'categoryId',
  'description',
  'hsn',
  'id',
  'images',
  'isActive',
  'name',
  'pinned',
  'position',
  'price',
  'searchTerms',
  'slug',
  'unit',
  'variants',
];
const VARIANT_KEYS = ['id', 'mrp', 'name', 'price', 'sku', 'stock'];

async function newProduct(body: Record<string, unknown>, m: Owner = owner) {
  const res = await m.api.post(`${base(m)}/products`, body);
  expect(res.status, res.text).toBe(201);
  return res.body;
}

function expectProblem(
  res: { status: number; body: any; headers: Record<string, unknown> },
  status: number,
  code: string,
) {
  expect(res.status, JSON.stringify(res.body)).toBe(status);
  expect(res.body.code).toBe(code);
  expect(String(res.headers['content-type'])).toContain('application/problem+json');
}

describe('categories', () => {
  it('creates categories with a slug from the name and the next position', async () => {
    const a = await owner.api.post(`${base()}/categories`, { name: 'Fruits & Vegetables' });
    expect(a.status).toBe(201);
    expect(Object.keys(a.body).sort()).toEqual(['id', 'name', 'position', 'slug']);
    expect(a.body).toMatchObject({ name: 'Fruits & Vegetables', slug: 'fruits-vegetables' });
    const b = await owner.api.post(`${base()}/categories`, { name: 'Fruits  & vegetables!' });
    expect(b.status).toBe(201);
    expect(b.body.slug).toBe('fruits-vegetables-2');
    expect(b.body.position).toBe(a.body.position + 1);
    const hindi = await owner.api.post(`${base()}/categories`, { name: 'दाल' });
    expect(hindi.status).toBe(201);
    expect(hindi.body.slug).toMatch(/^category(-\d+)?$/);
    const placed = await owner.api.post(`${base()}/categories`, { name: 'Pinned', position: 0 });
    expect(placed.body.position).toBe(0);
  });

  it('lists categories ordered by position, reorders and renames (the slug stays)', async () => {
    const first = (await owner.api.post(`${base()}/categories`, { name: 'Order Test A', position: 500 })).body;
    const second = (await owner.api.post(`${base()}/categories`, { name: 'Order Test B', position: 501 })).body;
    let list = await owner.api.get(`${base()}/categories`);
    expect(list.status).toBe(200);
    expect(list.body.nextCursor).toBeNull();
    const positions = list.body.items.map((c: { position: number }) => c.position);
    expect(positions).toEqual([...positions].sort((x, y) => x - y));
    const patched = await owner.api.patch(`${base()}/categories/${second.id}`, { position: 499, name: 'Renamed B' });
    expect(patched.status).toBe(200);
    expect(patched.body).toEqual({ id: second.id, name: 'Renamed B', slug: 'order-test-b', position: 499 });
    list = await owner.api.get(`${base()}/categories`);
    const ids = list.body.items.map((c: { id: string }) => c.id);
    expect(ids.indexOf(second.id)).toBeLessThan(ids.indexOf(first.id));
  });

  it('rejects bad category input with 400 validation_failed', async () => {
    const url = `${base()}/categories`;
    for (const body of [
      {},
      { name: '' },
      { name: '   ' },
      { name: 'x'.repeat(10_240) },
      { name: 5 },
      { name: 'A', extra: 1 },
      { name: 'A', position: -1 },
      { name: 'A', position: 1.5 },
      { name: 'A', position: '3' },
    ]) {
      expectProblem(await owner.api.post(url, body), 400, 'validation_failed');
    }
    const cat = (await owner.api.post(url, { name: 'Valid' })).body;
    for (const body of [{ name: '' }, { slug: 'x' }, { position: 'first' }, { name: 'x'.repeat(101) }]) {
      expectProblem(await owner.api.patch(`${url}/${cat.id}`, body), 400, 'validation_failed');
    }
  });

  it('answers 404 for unknown category ids', async () => {
    expectProblem(await owner.api.patch(`${base()}/categories/${UNKNOWN_ID}`, { name: 'X' }), 404, 'not_found');
    expectProblem(await owner.api.patch(`${base()}/categories/not-a-uuid`, { name: 'X' }), 404, 'not_found');
    expectProblem(await owner.api.delete(`${base()}/categories/${UNKNOWN_ID}`), 404, 'not_found');
    expectProblem(await owner.api.delete(`${base()}/categories/nope`), 404, 'not_found');
  });

  it('deletes a category and leaves its products uncategorised', async () => {
    const cat = (await owner.api.post(`${base()}/categories`, { name: 'Seasonal' })).body;
    const product = await newProduct({ name: 'Mango Alphonso', price: 60000, categoryId: cat.id });
    expect(product.categoryId).toBe(cat.id);
    const del = await owner.api.delete(`${base()}/categories/${cat.id}`);
    expect(del.status).toBe(204);
    expect(del.text).toBe('');
    const after = await owner.api.get(`${base()}/products/${product.id}`);
    expect(after.body.categoryId).toBeNull();
    expect((await owner.api.get(`${base()}/categories`)).body.items.map((c: { id: string }) => c.id)).not.toContain(
      cat.id,
    );
    expectProblem(await owner.api.delete(`${base()}/categories/${cat.id}`), 404, 'not_found');
  });

  it('keeps categories to their store: another merchant gets 404 and changes nothing', async ({ ctx }) => {
    const cat = (await owner.api.post(`${base()}/categories`, { name: 'Private' })).body;
    const before = (await owner.api.get(`${base()}/categories`)).body;
    expectProblem(await other.api.get(`${base()}/categories`), 404, 'not_found');
    expectProblem(await other.api.post(`${base()}/categories`, { name: 'Hijack' }), 404, 'not_found');
    expectProblem(await other.api.patch(`${base()}/categories/${cat.id}`, { name: 'Hijack' }), 404, 'not_found');
    expectProblem(await other.api.delete(`${base()}/categories/${cat.id}`), 404, 'not_found');
    // The other merchant's own store path with this store's category id: still not theirs.
    expectProblem(await other.api.patch(`${base(other)}/categories/${cat.id}`, { name: 'Hijack' }), 404, 'not_found');
    expectProblem(await other.api.delete(`${base(other)}/categories/${cat.id}`), 404, 'not_found');
    expectProblem(await client(ctx.app).get(`${base()}/categories`), 401, 'unauthorized');
    expect((await owner.api.get(`${base()}/categories`)).body).toEqual(before);
  });
});

describe('products', () => {
  it('creates a product with a default variant from price, mrp, stock and sku', async () => {
    const p = await newProduct({
      name: 'Amul Butter',
      price: 5800,
      mrp: 6000,
      stock: 24,
      sku: 'AMUL-100',
      unit: '100 g',
      description: 'Salted',
    });
    expect(Object.keys(p).sort()).toEqual(PRODUCT_KEYS);
    expect(p).toMatchObject({
      slug: 'amul-butter',
      name: 'Amul Butter',
      description: 'Salted',
      categoryId: null,
      unit: '100 g',
      images: [],
      isActive: true,
      price: 5800,
      searchTerms: [],
      hsn: null,
      pinned: false,
      position: null,
    });
    expect(p.variants).toHaveLength(1);
    expect(Object.keys(p.variants[0]).sort()).toEqual(VARIANT_KEYS);
    expect(p.variants[0]).toMatchObject({ name: 'Default', price: 5800, mrp: 6000, stock: 24, sku: 'AMUL-100' });
    const fetched = await owner.api.get(`${base()}/products/${p.id}`);
    expect(fetched.status).toBe(200);
    expect(fetched.body).toEqual(p);
  });

  it('treats omitted and null stock as not tracked, and fills defaults', async () => {
    const a = await newProduct({ name: 'Loose Sugar', price: 4500 });
    expect(a.variants[0]).toMatchObject({ stock: null, mrp: null, sku: null });
    expect(a).toMatchObject({ description: '', unit: null, images: [], isActive: true });
    const b = await newProduct({ name: 'Loose Jaggery', price: 6000, stock: null, isActive: false });
    expect(b.variants[0].stock).toBeNull();
    expect(b.isActive).toBe(false);
    const zero = await newProduct({ name: 'Free Sample', price: 0, stock: 0 });
    expect(zero.price).toBe(0);
    expect(zero.variants[0].stock).toBe(0);
    const max = await newProduct({ name: 'Gold Coin', price: 10_000_000_000 });
    expect(max.price).toBe(10_000_000_000);
  });

  it('creates a product with variants; price is the lowest', async () => {
    const p = await newProduct({
      name: 'Aashirvaad Atta',
      variants: [
        { name: '5 kg', price: 28500, mrp: 31000, stock: 25, sku: 'ATTA-5' },
        { name: '1 kg', price: 6200, stock: 40 },
        { name: '10 kg', price: 54500 },
      ],
    });
    expect(p.price).toBe(6200);
    expect(p.variants.map((v: { name: string }) => v.name)).toEqual(['5 kg', '1 kg', '10 kg']);
    expect(p.variants[2]).toMatchObject({ stock: null, mrp: null, sku: null });
    expect(new Set(p.variants.map((v: { id: string }) => v.id)).size).toBe(3);
  });

  it('derives unique slugs per store with a numeric suffix', async () => {
    const a = await newProduct({ name: 'Tata Salt 1kg', price: 2800 });
    const b = await newProduct({ name: 'Tata Salt 1KG', price: 2800 });
    const c = await newProduct({ name: 'Tata Salt 1kg', price: 2800 }, other);
    expect(a.slug).toBe('tata-salt-1kg');
    expect(b.slug).toBe('tata-salt-1kg-2');
    expect(c.slug).toBe('tata-salt-1kg');
    const devanagari = await newProduct({ name: 'चीनी', price: 4500 });
    expect(devanagari.slug).toMatch(/^product(-\d+)?$/);
  });

  it('accepts image URLs and site paths; refuses anything else', async () => {
    const ok = await newProduct({
      name: 'Photo Product',
      price: 100,
      images: ['https://cdn.example.com/a.jpg', 'http://example.in/b.png', '/uploads/c.webp'],
    });
    expect(ok.images).toEqual(['https://cdn.example.com/a.jpg', 'http://example.in/b.png', '/uploads/c.webp']);
    for (const images of [
      ['ftp://example.com/a.jpg'],
      ['javascript:alert(1)'],
      ['//evil.example/a.jpg'],
      ['a.jpg'],
      ['https://'],
      ['https://x.com/a b.jpg'],
      [''],
      [5],
      'https://x.com/a.jpg',
      Array(11).fill('/a.jpg'),
    ]) {
      expectProblem(
        await owner.api.post(`${base()}/products`, { name: 'Bad Image', price: 100, images }),
        400,
        'validation_failed',
      );
    }
  });

  it('rejects bad product input with 400 validation_failed, never a 500', async () => {
    const url = `${base()}/products`;
    const bad: unknown[] = [
      {},
      { price: 100 },
      { name: '', price: 100 },
      { name: '   ', price: 100 },
      { name: 'x'.repeat(201), price: 100 },
      { name: 'x'.repeat(10_240), price: 100 },
      { name: 'A', price: 100, description: 'x'.repeat(10_240) },
      { name: 'A' },
      { name: 'A', price: 1.5 },
      { name: 'A', price: '100' },
      { name: 'A', price: -1 },
      { name: 'A', price: 10_000_000_001 },
      { name: 'A', price: 100, mrp: 2.5 },
      { name: 'A', price: 100, stock: -1 },
      { name: 'A', price: 100, stock: 1.5 },
      { name: 'A', price: 100, stock: '3' },
      { name: 'A', price: 100, isActive: 'yes' },
      { name: 'A', price: 100, extra: true },
      { name: 'A', price: 100, unit: '' },
      { name: 'A', price: 100, sku: 'x'.repeat(10_240) },
      { name: 'A', variants: [] },
      { name: 'A', variants: Array.from({ length: 101 }, (_, i) => ({ name: `v${i}`, price: 100 })) },
      { name: 'A', variants: [{ name: 'v', price: 100, extra: 1 }] },
      { name: 'A', variants: [{ name: 'v' }] },
      { name: 'A', variants: [{ price: 100 }] },
      { name: 'A', variants: [{ name: 'v', price: 100, stock: -5 }] },
      { name: 'A', price: 100, variants: [{ name: 'v', price: 100 }] },
      { name: 'A', stock: 5, variants: [{ name: 'v', price: 100 }] },
      {
        name: 'A',
        variants: [
          { name: '1 kg', price: 100 },
          { name: '1 KG', price: 200 },
        ],
      },
      { name: 'A', variants: 'many' },
      [],
      null,
    ];
    for (const body of bad) {
      const res = await owner.api.post(url, body);
      expect(res.status, JSON.stringify(body).slice(0, 120)).toBe(400);
      expect(res.body.code).toBe('validation_failed');
    }
    const hundred = await owner.api.post(url, {
      name: 'Hundred variants',
      variants: Array.from({ length: 100 }, (_, i) => ({ name: `v${i}`, price: 100 + i })),
    });
    expect(hundred.status).toBe(201);
    expect(hundred.body.variants).toHaveLength(100);
  });

  it('refuses a categoryId that is not a category of this store with 422 validation_failed', async () => {
    const foreign = (await other.api.post(`${base(other)}/categories`, { name: 'Theirs' })).body;
    for (const categoryId of [foreign.id, UNKNOWN_ID, 'not-a-uuid']) {
      const res = await owner.api.post(`${base()}/products`, { name: 'Cross store', price: 100, categoryId });
      expectProblem(res, 422, 'validation_failed');
      expect(res.body.errors[0].path).toBe('/categoryId');
    }
    const mine = (await owner.api.post(`${base()}/categories`, { name: 'Mine' })).body;
    const p = await newProduct({ name: 'In my category', price: 100, categoryId: mine.id });
    expectProblem(
      await owner.api.patch(`${base()}/products/${p.id}`, { categoryId: foreign.id }),
      422,
      'validation_failed',
    );
    const cleared = await owner.api.patch(`${base()}/products/${p.id}`, { categoryId: null });
    expect(cleared.body.categoryId).toBeNull();
  });

  it('answers 404 for unknown product ids', async () => {
    for (const id of [UNKNOWN_ID, 'not-a-uuid', 'x'.repeat(100)]) {
      expectProblem(await owner.api.get(`${base()}/products/${id}`), 404, 'not_found');
      expectProblem(await owner.api.patch(`${base()}/products/${id}`, { name: 'X' }), 404, 'not_found');
      expectProblem(await owner.api.delete(`${base()}/products/${id}`), 404, 'not_found');
    }
  });

  it('patches product fields; the slug stays', async () => {
    const cat = (await owner.api.post(`${base()}/categories`, { name: 'Dairy' })).body;
    const p = await newProduct({ name: 'Paneer', price: 9000 });
    const res = await owner.api.patch(`${base()}/products/${p.id}`, {
      name: 'Amul Malai Paneer',
      description: 'Fresh',
      unit: '200 g',
      images: ['/uploads/paneer.jpg'],
      isActive: false,
      categoryId: cat.id,
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      id: p.id,
      slug: 'paneer',
      name: 'Amul Malai Paneer',
      description: 'Fresh',
      unit: '200 g',
      images: ['/uploads/paneer.jpg'],
      isActive: false,
      categoryId: cat.id,
    });
    const unchanged = await owner.api.patch(`${base()}/products/${p.id}`, {});
    expect(unchanged.body).toEqual(res.body);
    const cleared = await owner.api.patch(`${base()}/products/${p.id}`, { unit: null, images: [] });
    expect(cleared.body).toMatchObject({ unit: null, images: [] });
  });

  it('on a single-variant product, PATCH price, mrp and sku change that variant in place', async () => {
    const p = await newProduct({ name: 'Bru Coffee', price: 29500, mrp: 32000, stock: 7, sku: 'BRU' });
    const res = await owner.api.patch(`${base()}/products/${p.id}`, { price: 27500, mrp: null, sku: 'BRU-100' });
    expect(res.status).toBe(200);
    expect(res.body.price).toBe(27500);
    expect(res.body.variants).toEqual([
      { id: p.variants[0].id, name: 'Default', price: 27500, mrp: null, stock: 7, sku: 'BRU-100' },
    ]);
  });

  it('refuses PATCH price on a product with several variants (422) and stock in PATCH (400)', async () => {
    const p = await newProduct({
      name: 'Tata Tea',
      variants: [
        { name: '250 g', price: 14500 },
        { name: '500 g', price: 28000 },
      ],
    });
    const res = await owner.api.patch(`${base()}/products/${p.id}`, { price: 100 });
    expectProblem(res, 422, 'validation_failed');
    expect(res.body.errors[0].path).toBe('/price');
    const single = await newProduct({ name: 'Stock via patch', price: 100, stock: 3 });
    expectProblem(await owner.api.patch(`${base()}/products/${single.id}`, { stock: 10 }), 400, 'validation_failed');
    for (const body of [
      { name: '' },
      { price: -1 },
      { price: 1.5 },
      { isActive: 1 },
      { images: 'x' },
      { slug: 'new-slug' },
      { variants: [] },
      { description: 'x'.repeat(10_240) },
    ]) {
      expectProblem(await owner.api.patch(`${base()}/products/${single.id}`, body), 400, 'validation_failed');
    }
    expect((await owner.api.get(`${base()}/products/${single.id}`)).body).toEqual(single);
    expect((await owner.api.get(`${base()}/products/${p.id}`)).body).toEqual(p);
  });

  it('DELETE archives: gone from the list and by id, the row stays for orders', async ({ ctx }) => {
    const p = await newProduct({ name: 'To be archived', price: 100 });
    const del = await owner.api.delete(`${base()}/products/${p.id}`);
    expect(del.status).toBe(204);
    expectProblem(await owner.api.get(`${base()}/products/${p.id}`), 404, 'not_found');
    expectProblem(await owner.api.patch(`${base()}/products/${p.id}`, { name: 'Back' }), 404, 'not_found');
    expectProblem(await owner.api.delete(`${base()}/products/${p.id}`), 404, 'not_found');
    const list = await owner.api.get(`${base()}/products?limit=100&q=archived`);
    expect(list.body.items.map((i: { id: string }) => i.id)).not.toContain(p.id);
    const { rows } = await ctx.testDb.db.query<{ archived: boolean }>(
      `SELECT archived_at IS NOT NULL AS archived FROM products WHERE id = $1`,
      [p.id],
    );
    expect(rows[0]!.archived).toBe(true);
    // Its slug stays taken, so a link never points at a different product later.
    expect((await newProduct({ name: 'To be archived', price: 100 })).slug).toBe('to-be-archived-2');
  });

  it('keeps products to their store: another merchant gets 404 and changes nothing', async ({ ctx }) => {
    const p = await newProduct({ name: 'Secret Masala', price: 100, stock: 5 });
    expectProblem(await other.api.get(`${base()}/products`), 404, 'not_found');
    expectProblem(await other.api.post(`${base()}/products`, { name: 'Hijack', price: 1 }), 404, 'not_found');
    expectProblem(await other.api.get(`${base()}/products/${p.id}`), 404, 'not_found');
    expectProblem(await other.api.patch(`${base()}/products/${p.id}`, { name: 'Hijack', price: 1 }), 404, 'not_found');
    expectProblem(await other.api.delete(`${base()}/products/${p.id}`), 404, 'not_found');
    // Through their own store's path: the product id is not theirs.
    expectProblem(await other.api.get(`${base(other)}/products/${p.id}`), 404, 'not_found');
    expectProblem(await other.api.patch(`${base(other)}/products/${p.id}`, { name: 'Hijack' }), 404, 'not_found');
    expectProblem(await other.api.delete(`${base(other)}/products/${p.id}`), 404, 'not_found');
    const theirList = await other.api.get(`${base(other)}/products?limit=100`);
    expect(theirList.body.items.map((i: { id: string }) => i.id)).not.toContain(p.id);
    expectProblem(await client(ctx.app).get(`${base()}/products`), 401, 'unauthorized');
    expect((await owner.api.get(`${base()}/products/${p.id}`)).body).toEqual(p);
  });
});

describe('product list', () => {
  let listOwner: Owner;
  const created: string[] = [];
  it.beforeAll(async ({ ctx }) => {
    listOwner = await merchantWithStore(ctx);
    for (let i = 0; i < 23; i++) {
      const p = await newProduct(
        { name: `Item ${String(i).padStart(2, '0')}`, price: 100 + i, isActive: i % 5 !== 0 },
        listOwner,
      );
      created.push(p.id);
    }
  });

  it('walks every product newest first, without duplicates, active and inactive', async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const res: any = await listOwner.api.get(
        `${base(listOwner)}/products?limit=5${cursor ? `&cursor=${cursor}` : ''}`,
      );
      expect(res.status).toBe(200);
      expect(res.body.items.length).toBeLessThanOrEqual(5);
      seen.push(...res.body.items.map((i: { id: string }) => i.id));
      cursor = res.body.nextCursor;
      pages++;
    } while (cursor);
    expect(pages).toBe(5);
    expect(seen).toEqual([...created].reverse());
    expect(new Set(seen).size).toBe(23);
  });

  it('defaults to 20 and accepts 1..100', async () => {
    const res = await listOwner.api.get(`${base(listOwner)}/products`);
    expect(res.body.items).toHaveLength(20);
    expect(res.body.nextCursor).toEqual(expect.any(String));
    const all = await listOwner.api.get(`${base(listOwner)}/products?limit=100`);
    expect(all.body.items).toHaveLength(23);
    expect(all.body.nextCursor).toBeNull();
    for (const query of [
      'limit=0',
      'limit=101',
      'limit=abc',
      'limit=1.5',
      'cursor=garbage',
      `cursor=${Buffer.from('["x"]').toString('base64url')}`,
      `q=${'x'.repeat(101)}`,
      'categoryId=not-a-uuid',
    ]) {
      expectProblem(await listOwner.api.get(`${base(listOwner)}/products?${query}`), 400, 'validation_failed');
    }
  });

  it('searches names by substring, case-insensitively, with wildcards taken literally', async ({ ctx }) => {
    const s = await merchantWithStore(ctx);
    for (const name of [
      'Amul Butter 100g',
      'Amul Taaza Milk',
      'Mother Dairy Dahi',
      'Discount 50% Pack',
      'Rice_Basmati',
      'Rice Sona Masoori',
    ]) {
      await newProduct({ name, price: 100 }, s);
    }
    const names = async (q: string) =>
      ((await s.api.get(`${base(s)}/products?q=${encodeURIComponent(q)}`)).body.items as { name: string }[])
        .map((i) => i.name)
        .sort();
    expect(await names('amul')).toEqual(['Amul Butter 100g', 'Amul Taaza Milk']);
    // Forgiving word-similarity search: "AMUL T" matches both Amul products, the closer one first.
    expect(await names('AMUL T')).toEqual(['Amul Butter 100g', 'Amul Taaza Milk']);
    const ranked = await s.api.get(`${base(s)}/products?q=${encodeURIComponent('AMUL T')}`);
    expect((ranked.body.items as { name: string }[]).map((i) => i.name)).toEqual([
      'Amul Taaza Milk',
      'Amul Butter 100g',
    ]);
    expect(await names('dairy')).toEqual(['Mother Dairy Dahi']);
    expect(await names('%')).toEqual(['Discount 50% Pack']);
    expect(await names('e_b')).toEqual(['Rice_Basmati']);
    expect(await names('ri')).toEqual(
      ['Amul Butter 100g', 'Mother Dairy Dahi', 'Rice Sona Masoori', 'Rice_Basmati']
        .filter((n) => n.toLowerCase().includes('ri'))
        .sort(),
    );
    expect(await names('nothing-like-this')).toEqual([]);
    expect(await names('  ')).toHaveLength(6);
    // Search keeps keyset order and pages.
    const first = await s.api.get(`${base(s)}/products?q=amul&limit=1`);
    expect(first.body.items).toHaveLength(1);
    const second = await s.api.get(`${base(s)}/products?q=amul&limit=1&cursor=${first.body.nextCursor}`);
    expect(second.body.items).toHaveLength(1);
    expect(second.body.nextCursor).toBeNull();
    expect(second.body.items[0].id < first.body.items[0].id).toBe(true);
  });

  it('filters by category', async ({ ctx }) => {
    const s = await merchantWithStore(ctx);
    const dairy = (await s.api.post(`${base(s)}/categories`, { name: 'Dairy' })).body;
    const inDairy = await newProduct({ name: 'Curd', price: 100, categoryId: dairy.id }, s);
    await newProduct({ name: 'Rice', price: 100 }, s);
    const res = await s.api.get(`${base(s)}/products?categoryId=${dairy.id}`);
    expect(res.body.items.map((i: { id: string }) => i.id)).toEqual([inDairy.id]);
    expect((await s.api.get(`${base(s)}/products?categoryId=${UNKNOWN_ID}`)).body.items).toEqual([]);
  });

  it('loads the variants of a page with one query, whatever the page size (no N+1)', async ({ ctx }) => {
    const db = ctx.app.db;
    const original = db.query;
    const count = async (url: string) => {
      let queries = 0;
      db.query = ((sql: string, params?: readonly unknown[]) => {
        queries++;
        return original.call(db, sql, params);
      }) as typeof db.query;
      try {
        expect((await listOwner.api.get(url)).status).toBe(200);
      } finally {
        db.query = original;
      }
      return queries;
    };
    const small = await count(`${base(listOwner)}/products?limit=2`);
    const large = await count(`${base(listOwner)}/products?limit=100`);
    expect(large).toBe(small);
  });
});

describe('variants', () => {
  it('adds a variant; the product price follows the lowest', async () => {
    const p = await newProduct({ name: 'Amul Ghee', price: 32500, stock: 12 });
    const res = await owner.api.post(`${base()}/products/${p.id}/variants`, {
      name: '200 ml',
      price: 14000,
      mrp: 15000,
      stock: 20,
      sku: 'GHEE-200',
    });
    expect(res.status).toBe(201);
    expect(Object.keys(res.body).sort()).toEqual(VARIANT_KEYS);
    expect(res.body).toMatchObject({ name: '200 ml', price: 14000, mrp: 15000, stock: 20, sku: 'GHEE-200' });
    const product = (await owner.api.get(`${base()}/products/${p.id}`)).body;
    expect(product.price).toBe(14000);
    expect(product.variants.map((v: { id: string }) => v.id)).toEqual([p.variants[0].id, res.body.id]);
    const untracked = await owner.api.post(`${base()}/products/${p.id}/variants`, { name: '5 L', price: 300000 });
    expect(untracked.body).toMatchObject({ stock: null, mrp: null, sku: null });
  });

  it('refuses a duplicate variant name with 409 conflict and bad variant input with 400', async () => {
    const p = await newProduct({ name: 'Maggi', variants: [{ name: 'Pack of 4', price: 5600 }] });
    expectProblem(
      await owner.api.post(`${base()}/products/${p.id}/variants`, { name: 'pack of 4', price: 1 }),
      409,
      'conflict',
    );
    for (const body of [
      {},
      { name: 'x' },
      { price: 1 },
      { name: '', price: 1 },
      { name: 'x', price: 1.5 },
      { name: 'x', price: '1' },
      { name: 'x', price: 1, stock: -1 },
      { name: 'x', price: 1, extra: 1 },
      { name: 'x'.repeat(10_240), price: 1 },
    ]) {
      expectProblem(await owner.api.post(`${base()}/products/${p.id}/variants`, body), 400, 'validation_failed');
    }
    expect((await owner.api.get(`${base()}/products/${p.id}`)).body.variants).toHaveLength(1);
  });

  it('patches a variant; stock is not patchable', async () => {
    const p = await newProduct({
      name: 'Toor Dal',
      variants: [
        { name: '500 g', price: 8900, stock: 3 },
        { name: '1 kg', price: 16900 },
      ],
    });
    const v = p.variants[1];
    const res = await owner.api.patch(`${base()}/products/${p.id}/variants/${v.id}`, {
      name: '1 kg pack',
      price: 15900,
      mrp: 18900,
      sku: 'TOOR-1',
    });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ id: v.id, name: '1 kg pack', price: 15900, mrp: 18900, stock: null, sku: 'TOOR-1' });
    const noop = await owner.api.patch(`${base()}/products/${p.id}/variants/${v.id}`, {});
    expect(noop.body).toEqual(res.body);
    expectProblem(
      await owner.api.patch(`${base()}/products/${p.id}/variants/${v.id}`, { name: '500 G' }),
      409,
      'conflict',
    );
    for (const body of [{ stock: 5 }, { price: -1 }, { price: 1.5 }, { name: '' }, { extra: 1 }, { sku: 5 }]) {
      expectProblem(
        await owner.api.patch(`${base()}/products/${p.id}/variants/${v.id}`, body),
        400,
        'validation_failed',
      );
    }
  });

  it('answers 404 for unknown variants and variants of another product', async () => {
    const a = await newProduct({ name: 'Product A', price: 100 });
    const b = await newProduct({ name: 'Product B', price: 100 });
    for (const id of [UNKNOWN_ID, 'nope', b.variants[0].id]) {
      expectProblem(await owner.api.patch(`${base()}/products/${a.id}/variants/${id}`, { price: 5 }), 404, 'not_found');
      expectProblem(await owner.api.delete(`${base()}/products/${a.id}/variants/${id}`), 404, 'not_found');
    }
    expectProblem(
      await owner.api.post(`${base()}/products/${UNKNOWN_ID}/variants`, { name: 'x', price: 1 }),
      404,
      'not_found',
    );
    expectProblem(await owner.api.post(`${base()}/products/nope/variants`, { name: 'x', price: 1 }), 404, 'not_found');
    expect((await owner.api.get(`${base()}/products/${b.id}`)).body).toEqual(b);
  });

  it('DELETE archives a variant; the last one cannot go (409 conflict)', async () => {
    const p = await newProduct({
      name: 'Parle-G',
      variants: [
        { name: '250 g', price: 2500 },
        { name: '800 g', price: 8000 },
      ],
    });
    const [small, large] = p.variants;
    expect((await owner.api.delete(`${base()}/products/${p.id}/variants/${small.id}`)).status).toBe(204);
    const after = (await owner.api.get(`${base()}/products/${p.id}`)).body;
    expect(after.variants.map((v: { id: string }) => v.id)).toEqual([large.id]);
    expect(after.price).toBe(8000);
    expectProblem(await owner.api.delete(`${base()}/products/${p.id}/variants/${large.id}`), 409, 'conflict');
    expectProblem(await owner.api.delete(`${base()}/products/${p.id}/variants/${small.id}`), 404, 'not_found');
    expectProblem(
      await owner.api.patch(`${base()}/products/${p.id}/variants/${small.id}`, { price: 1 }),
      404,
      'not_found',
    );
    // The archived name is free again.
    expect((await owner.api.post(`${base()}/products/${p.id}/variants`, { name: '250 g', price: 2600 })).status).toBe(
      201,
    );
    // Now a single-variant product again? No: two live variants, so PATCH price on the product is refused.
    expectProblem(await owner.api.patch(`${base()}/products/${p.id}`, { price: 1 }), 422, 'validation_failed');
  });

  it('two racing deletes of the last two variants leave one', async () => {
    const p = await newProduct({
      name: 'Race Product',
      variants: [
        { name: 'a', price: 1 },
        { name: 'b', price: 2 },
      ],
    });
    const results = await Promise.all(
      p.variants.map((v: { id: string }) => owner.api.delete(`${base()}/products/${p.id}/variants/${v.id}`)),
    );
    expect(results.map((r) => r.status).sort()).toEqual([204, 409]);
    expect((await owner.api.get(`${base()}/products/${p.id}`)).body.variants).toHaveLength(1);
  });

  it('keeps variants to their store: another merchant gets 404 and changes nothing', async () => {
    const p = await newProduct({
      name: 'Guarded',
      variants: [
        { name: 'a', price: 1 },
        { name: 'b', price: 2 },
      ],
    });
    const v = p.variants[0];
    expectProblem(
      await other.api.post(`${base()}/products/${p.id}/variants`, { name: 'c', price: 3 }),
      404,
      'not_found',
    );
    expectProblem(await other.api.patch(`${base()}/products/${p.id}/variants/${v.id}`, { price: 3 }), 404, 'not_found');
    expectProblem(await other.api.delete(`${base()}/products/${p.id}/variants/${v.id}`), 404, 'not_found');
    expectProblem(
      await other.api.post(`${base(other)}/products/${p.id}/variants`, { name: 'c', price: 3 }),
      404,
      'not_found',
    );
    expectProblem(
      await other.api.patch(`${base(other)}/products/${p.id}/variants/${v.id}`, { price: 3 }),
      404,
      'not_found',
    );
    expectProblem(await other.api.delete(`${base(other)}/products/${p.id}/variants/${v.id}`), 404, 'not_found');
    expect((await owner.api.get(`${base()}/products/${p.id}`)).body).toEqual(p);
  });
});

describe('OpenAPI', () => {
  it('documents the catalog routes', async ({ ctx }) => {
    const res = await client(ctx.app).get('/api/v1/openapi.json');
    expect(res.status).toBe(200);
    const paths = Object.keys(res.body.paths);
    expect(paths).toEqual(
      expect.arrayContaining([
        '/api/v1/stores/{storeId}/categories',
        '/api/v1/stores/{storeId}/products/{productId}',
        '/api/v1/stores/{storeId}/products/{productId}/variants/{variantId}',
        '/api/v1/stores/{storeId}/variants/{variantId}/stock',
        '/api/v1/storefront/{slug}/products/{productSlug}',
      ]),
    );
  });
});
