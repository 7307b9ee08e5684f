/** Dashboard catalog pages: products with variants and pictures, quick stock, archive, categories. */
import fs from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';
import { beforeAll, describe, expect } from 'vitest';
import { client, type Client } from '../helpers/app.js';
import { appTest } from '../helpers/fixture.js';
import { HOSTILE, HOSTILE_ESCAPED, ownerWithShop, pngOf, sessionToken } from './web-dashboard.helpers.js';
import type { WebClient } from '../helpers/web-client.js';

const it = appTest({ publicUrl: 'https://shop.example' });
let browser: WebClient;
let storeId: string;
let base: string;
let api: Client;

it.beforeAll(async ({ ctx }) => {
  ({ browser, storeId, base } = await ownerWithShop(ctx, 'Catalog Shop'));
  api = client(ctx.app, sessionToken(browser));
});

const products = async () => (await api.get(`/api/v1/stores/${storeId}/products?limit=100`)).body.items as any[];
const productId = (location: string | undefined) => /\/products\/([0-9a-f-]{36})$/.exec(location ?? '')?.[1];

describe('creating products', () => {
  it('with variants and a picture (multipart): WebP files in two sizes, prices in paise, stock per variant', async ({
    ctx,
  }) => {
    await browser.get(`${base}/products/new`);
    const png = await pngOf(1600, 1200);
    const res = await browser.postMultipart(
      `${base}/products/new`,
      {
        name: 'Basmati Rice',
        description: 'Aged two years',
        unit: '',
        isActive: '1',
        price: '',
        mrp: '',
        stock: '',
        v0_name: '',
        v0_price: '',
        v1_name: '1 kg',
        v1_price: '₹129.50',
        v1_mrp: '140',
        v1_stock: '12',
        v2_name: '5 kg',
        v2_price: '599',
        v2_stock: '',
      },
      [{ name: 'image', filename: 'rice.png', type: 'image/png', bytes: png }],
    );
    expect(res.status).toBe(303);
    const id = productId(res.location)!;
    const product = (await api.get(`/api/v1/stores/${storeId}/products/${id}`)).body;
    expect(product).toMatchObject({
      name: 'Basmati Rice',
      description: 'Aged two years',
      unit: null,
      isActive: true,
      price: 12950,
    });
    expect(product.variants.map((v: any) => [v.name, v.price, v.mrp, v.stock])).toEqual([
      ['1 kg', 12950, 14000, 12],
      ['5 kg', 59900, null, null],
    ]);
    expect(product.images).toEqual([expect.stringMatching(/^\/media\/[0-9a-f]{32}-1200x900\.webp$/)]);
    const large = await ctx.app.inject({ method: 'GET', url: product.images[0] });
    expect(large.statusCode).toBe(200);
    expect((await sharp(large.rawPayload).metadata()).width).toBe(1200);

    const page = await browser.open(res.location!);
    expect(page.body).toContain('Added Basmati Rice');
    // The page shows the small file with a srcset of both.
    expect(page.body).toMatch(
      /srcset="\/media\/[0-9a-f]{32}-400x300\.webp 400w, \/media\/[0-9a-f]{32}-1200x900\.webp 1200w"/,
    );
    expect(page.body).toContain('href="https://shop.example/');
  });

  it('a single product from the top-level price, typed in rupees', async () => {
    await browser.get(`${base}/products/new`);
    const res = await browser.post(`${base}/products/new`, {
      name: 'Tea 250 g',
      price: '49.99',
      mrp: '55',
      stock: '7',
      isActive: '1',
    });
    expect(res.status).toBe(303);
    const product = (await api.get(`/api/v1/stores/${storeId}/products/${productId(res.location)}`)).body;
    expect(product.variants).toEqual([
      { id: expect.any(String), name: 'Default', price: 4999, mrp: 5500, stock: 7, sku: null },
    ]);
  });

  it('shows mistakes beside their fields, keeps what was typed, and creates nothing', async () => {
    const before = (await products()).length;
    await browser.get(`${base}/products/new`);
    const cases: [Record<string, string>, string][] = [
      [{ name: 'Oil', price: 'abc' }, 'error-price'],
      [{ name: 'Oil', price: '1.999' }, 'error-price'],
      [{ name: 'Oil', price: '-5' }, 'error-price'],
      [{ name: 'Oil', price: '' }, 'error-price'],
      [{ name: '', price: '10' }, 'error-name'],
      [{ name: '   ', price: '10' }, 'error-name'],
      [{ name: 'x'.repeat(201), price: '10' }, 'error-name'],
      [{ name: 'Oil', price: '10', stock: '1.5' }, 'error-stock'],
      [{ name: 'Oil', price: '10', stock: '-1' }, 'error-stock'],
      [{ name: 'Oil', price: '100000001' }, 'error-price'],
      [{ name: 'Oil', price: '10', v1_name: '1 l', v1_price: '20' }, 'error-price'],
      [{ name: 'Oil', v0_name: '1 l', v0_price: 'lots' }, 'error-v0_price'],
      [{ name: 'Oil', v2_name: '1 l', v2_price: '' }, 'error-v2_price'],
      [{ name: 'Oil', v0_name: '1 l', v0_price: '5', v1_name: '1 L', v1_price: '6' }, 'error-v1_name'],
      [{ name: 'Oil', price: '10', categoryId: 'not-a-category' }, 'form-error'],
    ];
    for (const [fields, testid] of cases) {
      const res = await browser.post(`${base}/products/new`, { isActive: '1', ...fields });
      expect(res.status, JSON.stringify(fields)).toBeGreaterThanOrEqual(400);
      expect(res.status, JSON.stringify(fields)).toBeLessThan(500);
      expect(res.body, JSON.stringify(fields)).toContain(`data-testid="${testid}"`);
      if (fields.name && fields.name.length < 50) expect(res.body).toContain(`value="${fields.name}"`);
    }
    expect((await products()).length).toBe(before);
  });

  it('refuses a picture that is not an image, keeps no file, creates nothing', async ({ ctx }) => {
    const before = (await products()).length;
    const filesBefore = await fs.readdir(path.join(ctx.config.dataDir, 'uploads', 'images')).catch(() => []);
    await browser.get(`${base}/products/new`);
    const res = await browser.postMultipart(`${base}/products/new`, { name: 'Fake', price: '10', isActive: '1' }, [
      { name: 'image', filename: 'x.png', type: 'image/png', bytes: Buffer.from('<svg onload=alert(1)>') },
    ]);
    expect(res.status).toBe(415);
    expect(res.body).toContain('data-testid="error-image"');
    expect((await products()).length).toBe(before);
    expect(await fs.readdir(path.join(ctx.config.dataDir, 'uploads', 'images')).catch(() => [])).toEqual(filesBefore);

    // A valid picture with an invalid product is kept (issue 14: a mistake never drops the chosen photo): the
    // page carries its URL for the next save, and nothing else is created.
    const bad = await browser.postMultipart(
      `${base}/products/new`,
      { name: 'Bad', price: '10', categoryId: '0195f4c2-0000-7000-8000-00000000abcd', isActive: '1' },
      [{ name: 'image', filename: 'ok.png', type: 'image/png', bytes: await pngOf(50, 50) }],
    );
    expect(bad.status).toBe(422);
    const kept = /name="keptImage" value="\/media\/([^"]+)"/.exec(bad.body)?.[1];
    expect(await fs.readdir(path.join(ctx.config.dataDir, 'uploads', 'images'))).toContain(kept);
    expect((await products()).length).toBe(before);
  });

  it('an empty file input (no picture chosen) is fine', async () => {
    await browser.get(`${base}/products/new`);
    const res = await browser.postMultipart(`${base}/products/new`, { name: 'No Picture', price: '5', isActive: '1' }, [
      { name: 'image', filename: '', type: 'application/octet-stream', bytes: Buffer.alloc(0) },
    ]);
    expect(res.status).toBe(303);
    expect((await api.get(`/api/v1/stores/${storeId}/products/${productId(res.location)}`)).body.images).toEqual([]);
  });
});

describe('the product list and quick stock', () => {
  it('lists with search, shows stock at a glance, and adjusts stock in place', async () => {
    await browser.get(`${base}/products/new`);
    const created = await browser.post(`${base}/products/new`, {
      name: 'Sugar 1 kg',
      price: '45',
      stock: '3',
      isActive: '1',
    });
    const id = productId(created.location)!;
    const variantId = (await api.get(`/api/v1/stores/${storeId}/products/${id}`)).body.variants[0].id;

    const list = await browser.get(`${base}/products?q=sugar`);
    expect(list.status).toBe(200);
    expect(list.body).toContain('Sugar 1 kg');
    expect(list.body).not.toContain('Basmati Rice');
    expect(list.body).toContain('3 in stock · low');
    expect(list.body).toContain('₹45.00');

    const back = `${base}/products?q=sugar`;
    const plus = await browser.post(`${base}/variants/${variantId}/stock`, { set: '3', adjust: '1', return: back });
    expect([plus.status, plus.location]).toEqual([303, back]);
    expect((await api.get(`/api/v1/stores/${storeId}/products/${id}`)).body.variants[0].stock).toBe(4);
    const set = await browser.post(
      `${base}/variants/${variantId}/stock`,
      { set: '20', op: 'set', return: back },
      { from: back },
    );
    expect(set.status).toBe(303);
    expect((await api.get(`/api/v1/stores/${storeId}/products/${id}`)).body.variants[0].stock).toBe(20);
    const page = await browser.open(back);
    expect(page.body).toContain('Stock is 20 now.');
    expect(page.body).toContain('20 in stock');

    // Below zero: refused with the reason; the stock is unchanged.
    await browser.post(`${base}/variants/${variantId}/stock`, { set: '0', op: 'set', return: back }, { from: back });
    const minus = await browser.post(
      `${base}/variants/${variantId}/stock`,
      { set: '0', adjust: '-1', return: back },
      { from: back },
    );
    expect(minus.status).toBe(303);
    const after = await browser.open(back);
    expect(after.body).toMatch(/data-testid="flash"[^>]*>Only 0 in stock/);
    expect(after.body).toContain('Out of stock');
    for (const bad of ['1.5', 'ten', '-3', '9999999999']) {
      await browser.post(`${base}/variants/${variantId}/stock`, { set: bad, op: 'set', return: back }, { from: back });
      expect((await api.get(`/api/v1/stores/${storeId}/products/${id}`)).body.variants[0].stock, bad).toBe(0);
    }
    // Empty: stop tracking.
    await browser.post(
      `${base}/variants/${variantId}/stock`,
      { set: '', op: 'set', return: 'https://evil.example/' },
      { from: back },
    );
    expect((await api.get(`/api/v1/stores/${storeId}/products/${id}`)).body.variants[0].stock).toBeNull();
    expect(browser.lastPage).not.toBeNull();
    // An unknown variant is the 404 page.
    expect(
      (await browser.post(`${base}/variants/0195f4c2-0000-7000-8000-00000000abcd/stock`, { set: '1' }, { from: back }))
        .status,
    ).toBe(404);
  });

  it('pages through a long list with a cursor', async () => {
    for (let i = 0; i < 32; i++)
      await api.post(`/api/v1/stores/${storeId}/products`, { name: `Bulk item ${i}`, price: 100 + i });
    const first = await browser.get(`${base}/products`);
    const more = /href="([^"]+)" data-testid="more"/.exec(first.body)![1]!.replace(/&amp;/g, '&');
    const second = await browser.get(more);
    expect(second.status).toBe(200);
    expect(second.body).toContain('Bulk item 0');
    expect(first.body).not.toContain('Bulk item 0<');
    expect((await browser.get(`${base}/products?cursor=garbage`)).status).toBe(400);
  });
});

describe('editing a product', () => {
  let id: string;
  let page: string;

  beforeAll(async () => {
    const created = await api.post(`/api/v1/stores/${storeId}/products`, { name: 'Ghee', price: 30000, stock: 5 });
    id = created.body.id;
    page = `${base}/products/${id}`;
  });

  it('saves details, hides from the shop, and shows errors in place', async () => {
    expect((await browser.get(page)).status).toBe(200);
    const saved = await browser.post(page, { name: 'Desi Ghee', description: 'Pure', unit: '500 ml', categoryId: '' });
    expect(saved.status).toBe(303);
    const product = (await api.get(`/api/v1/stores/${storeId}/products/${id}`)).body;
    expect(product).toMatchObject({ name: 'Desi Ghee', description: 'Pure', unit: '500 ml', isActive: false });
    await browser.get(page);
    const bad = await browser.post(page, { name: '', isActive: '1' });
    expect(bad.status).toBe(422);
    expect(bad.body).toContain('data-testid="error-name"');
    expect((await api.get(`/api/v1/stores/${storeId}/products/${id}`)).body.name).toBe('Desi Ghee');
  });

  it('pins a product and sets its position in the shop; a bad position is shown in place', async () => {
    await browser.get(page);
    const pinned = await browser.post(page, { name: 'Desi Ghee', isActive: '1', pinned: '1', position: '3' });
    expect(pinned.status).toBe(303);
    let product = (await api.get(`/api/v1/stores/${storeId}/products/${id}`)).body;
    expect(product).toMatchObject({ pinned: true, position: 3 });
    const form = (await browser.get(page)).body;
    expect(form).toMatch(/<input[^>]*name="pinned"[^>]*checked/);
    expect(form).toMatch(/<input[^>]*name="position"[^>]*value="3"/);
    const bad = await browser.post(page, { name: 'Desi Ghee', isActive: '1', position: 'first' });
    expect(bad.status).toBe(422);
    expect(bad.body).toContain('data-testid="error-position"');
    await browser.get(page);
    const cleared = await browser.post(page, { name: 'Desi Ghee', isActive: '1', position: '' });
    expect(cleared.status).toBe(303);
    product = (await api.get(`/api/v1/stores/${storeId}/products/${id}`)).body;
    expect(product).toMatchObject({ pinned: false, position: null, isActive: true });
  });

  it('changes the price of the single variant in place, adds, edits and removes variants', async () => {
    await browser.get(page);
    const variantId = (await api.get(`/api/v1/stores/${storeId}/products/${id}`)).body.variants[0].id;
    const price = await browser.post(`${page}/variants/${variantId}`, { price: '310.50', mrp: '', sku: 'GH-1' });
    expect(price.status).toBe(303);
    expect((await api.get(`/api/v1/stores/${storeId}/products/${id}`)).body.variants[0]).toMatchObject({
      id: variantId,
      price: 31050,
      mrp: null,
      sku: 'GH-1',
    });

    await browser.get(page);
    const badPrice = await browser.post(`${page}/variants/${variantId}`, { price: '3,10.5' });
    expect(badPrice.status).toBe(422);
    expect(badPrice.body).toContain('data-testid="error-price"');

    const added = await browser.post(`${page}/variants`, { name: '1 l', price: '590', mrp: '', stock: '2' });
    expect(added.status).toBe(303);
    await browser.get(page);
    const duplicate = await browser.post(`${page}/variants`, { name: '1 L', price: '1' });
    expect(duplicate.status).toBe(409);
    const product = (await api.get(`/api/v1/stores/${storeId}/products/${id}`)).body;
    expect(product.variants.map((v: any) => [v.name, v.price, v.stock])).toEqual([
      ['Default', 31050, 5],
      ['1 l', 59000, 2],
    ]);
    const second = product.variants[1].id;
    await browser.get(page);
    expect((await browser.post(`${page}/variants/${second}/archive`, {})).status).toBe(303);
    const last = await browser.post(`${page}/variants/${variantId}/archive`, {}, { from: page });
    expect(last.status).toBe(303);
    expect((await browser.open(page)).body).toContain('archive the product instead');
    expect((await api.get(`/api/v1/stores/${storeId}/products/${id}`)).body.variants).toHaveLength(1);
  });

  it('adds and removes pictures', async () => {
    await browser.get(page);
    const up = await browser.postMultipart(`${page}/images`, {}, [
      {
        name: 'image',
        filename: 'g.jpg',
        type: 'image/jpeg',
        bytes: await sharp(await pngOf(300, 300))
          .jpeg()
          .toBuffer(),
      },
    ]);
    expect(up.status).toBe(303);
    const images = (await api.get(`/api/v1/stores/${storeId}/products/${id}`)).body.images;
    expect(images).toEqual([expect.stringMatching(/^\/media\/[0-9a-f]{32}-300x300\.webp$/)]);
    const none = await browser.postMultipart(`${page}/images`, {}, [], { from: page });
    expect(none.status).toBe(303);
    expect((await browser.open(page)).body).toContain('Choose a picture to upload');
    const removed = await browser.post(`${page}/images/remove`, { url: images[0] }, { from: page });
    expect(removed.status).toBe(303);
    expect((await api.get(`/api/v1/stores/${storeId}/products/${id}`)).body.images).toEqual([]);
  });

  it('archives the product', async () => {
    await browser.get(page);
    const res = await browser.post(`${page}/archive`, {});
    expect([res.status, res.location]).toEqual([303, `${base}/products`]);
    expect((await api.get(`/api/v1/stores/${storeId}/products/${id}`)).status).toBe(404);
    expect((await browser.get(page)).status).toBe(404);
  });
});

describe('categories', () => {
  it('adds, renames, moves and deletes; products are kept', async () => {
    const url = `${base}/categories`;
    await browser.get(url);
    expect((await browser.post(url, { name: 'Snacks' })).status).toBe(303);
    await browser.get(url);
    expect((await browser.post(url, { name: 'Drinks' })).status).toBe(303);
    await browser.get(url);
    expect((await browser.post(url, { name: '' })).status).toBe(422);
    const cats = (await api.get(`/api/v1/stores/${storeId}/categories`)).body.items;
    expect(cats.map((c: any) => c.name)).toEqual(['Snacks', 'Drinks']);
    await browser.get(url);
    expect((await browser.post(`${url}/${cats[0].id}`, { name: 'Namkeen', position: '5' })).status).toBe(303);
    await browser.get(url);
    expect((await browser.post(`${url}/${cats[0].id}`, { name: 'Namkeen', position: 'first' })).status).toBe(422);
    const after = (await api.get(`/api/v1/stores/${storeId}/categories`)).body.items;
    expect(after.map((c: any) => [c.name, c.position])).toEqual([
      ['Drinks', 1],
      ['Namkeen', 5],
    ]);

    const product = (
      await api.post(`/api/v1/stores/${storeId}/products`, { name: 'Chips', price: 2000, categoryId: cats[0].id })
    ).body;
    const filtered = await browser.get(`${base}/products?categoryId=${cats[0].id}`);
    expect(filtered.body).toContain('Chips');
    expect(filtered.body).not.toContain('Sugar 1 kg');
    await browser.get(url);
    expect((await browser.post(`${url}/${cats[0].id}/delete`, {})).status).toBe(303);
    expect((await api.get(`/api/v1/stores/${storeId}/products/${product.id}`)).body.categoryId).toBeNull();
    expect((await browser.post(`${url}/${cats[0].id}/delete`, {}, { from: url })).status).toBe(404);
  });
});

describe('escaping', () => {
  it('a hostile product, variant and category name render as text', async () => {
    const category = (await api.post(`/api/v1/stores/${storeId}/categories`, { name: HOSTILE })).body;
    const product = (
      await api.post(`/api/v1/stores/${storeId}/products`, {
        name: HOSTILE,
        description: HOSTILE,
        unit: HOSTILE,
        categoryId: category.id,
        variants: [
          { name: HOSTILE, price: 100 },
          { name: 'ok', price: 200 },
        ],
      })
    ).body;
    for (const url of [
      `${base}/products`,
      `${base}/products/${product.id}`,
      `${base}/products/new`,
      `${base}/categories`,
    ]) {
      const page = await browser.get(url);
      expect(page.status, url).toBe(200);
      expect(page.body, url).not.toContain(HOSTILE);
      expect(page.body, url).toContain(HOSTILE_ESCAPED);
    }
  });
});
