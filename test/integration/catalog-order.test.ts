/**
 * Issue 13 item 4: products the merchant wants first come first — `pinned`, then `position` (lower first), then
 * newest — in the storefront and the merchant's list, page after page; and `hsn` on Product (api v1 "Catalog").
 */
import { describe, expect } from 'vitest';
import { client, merchantWithStore, type Client } from '../helpers/app.js';
import { appTest } from '../helpers/fixture.js';

const it = appTest();

type Owner = Awaited<ReturnType<typeof merchantWithStore>>;
let owner: Owner;
let anon: Client;
let base: string;
let sf: string;
const ids: Record<string, string> = {};
let dairy: { id: string; slug: string };

async function create(key: string, body: Record<string, unknown>): Promise<Record<string, unknown>> {
  const res = await owner.api.post(`${base}/products`, { price: 1000, ...body, name: body.name ?? key });
  expect(res.status, res.text).toBe(201);
  ids[key] = res.body.id;
  return res.body;
}

async function walk(url: string, limit: number, api: Client = anon): Promise<string[]> {
  const seen: string[] = [];
  let cursor: string | null = null;
  do {
    const sep = url.includes('?') ? '&' : '?';
    const res: { status: number; body: any } = await api.get(
      `${url}${sep}limit=${limit}${cursor ? `&cursor=${cursor}` : ''}`,
    );
    expect(res.status).toBe(200);
    seen.push(...res.body.items.map((p: { id: string }) => p.id));
    cursor = res.body.nextCursor;
  } while (cursor);
  return seen;
}

const names = (list: string[]) => list.map((id) => Object.keys(ids).find((k) => ids[k] === id));

it.beforeAll(async ({ ctx }) => {
  anon = client(ctx.app);
  owner = await merchantWithStore(ctx);
  base = `/api/v1/stores/${owner.store.id}`;
  sf = `/api/v1/storefront/${owner.store.slug}`;
  dairy = (await owner.api.post(`${base}/categories`, { name: 'Dairy' })).body;
  // Created oldest to newest.
  await create('old', {});
  await create('milk', { categoryId: dairy.id, position: 5 });
  await create('ghee', { categoryId: dairy.id, pinned: true });
  await create('atta', { position: 1 });
  await create('dahi', { categoryId: dairy.id });
  await create('tea', { pinned: true, position: 2 });
  await create('rice', { position: 1 });
  await create('newest', {});
});

const ORDER = ['tea', 'ghee', 'rice', 'atta', 'milk', 'newest', 'dahi', 'old'];

describe('merchant-set order', () => {
  it('the storefront lists pinned first, then by position, then newest — on every page size', async () => {
    expect(names(await walk(`${sf}/products`, 100))).toEqual(ORDER);
    // Keyset pages: the same order, nothing twice, nothing missed, across pinned / positioned / plain rows.
    for (const limit of [1, 2, 3]) expect(names(await walk(`${sf}/products`, limit))).toEqual(ORDER);
  });

  it('a category keeps the same order; the merchant sees what the shoppers see', async () => {
    expect(names(await walk(`${sf}/products?category=${dairy.slug}`, 1))).toEqual(['ghee', 'milk', 'dahi']);
    expect(names(await walk(`${base}/products`, 3, owner.api))).toEqual(ORDER);
    expect(names(await walk(`${base}/products?categoryId=${dairy.id}`, 2, owner.api))).toEqual([
      'ghee',
      'milk',
      'dahi',
    ]);
  });

  it('Product carries pinned and position; PATCH moves a product and null puts it back among the newest', async () => {
    const tea = await owner.api.get(`${base}/products/${ids.tea}`);
    expect(tea.body).toMatchObject({ pinned: true, position: 2 });
    const old = await owner.api.patch(`${base}/products/${ids.old}`, { pinned: true, position: 0 });
    expect(old.status, old.text).toBe(200);
    expect(old.body).toMatchObject({ pinned: true, position: 0 });
    const unpinned = await owner.api.patch(`${base}/products/${ids.tea}`, { pinned: false, position: null });
    expect(unpinned.body).toMatchObject({ pinned: false, position: null });
    // tea is now a plain product, and the newest-but-one by creation among the plain ones.
    expect(names(await walk(`${sf}/products`, 2))).toEqual([
      'old',
      'ghee',
      'rice',
      'atta',
      'milk',
      'newest',
      'tea',
      'dahi',
    ]);
    // put things back for the other tests
    await owner.api.patch(`${base}/products/${ids.old}`, { pinned: false, position: null });
    await owner.api.patch(`${base}/products/${ids.tea}`, { pinned: true, position: 2 });
    expect(names(await walk(`${sf}/products`, 100))).toEqual(ORDER);
  });

  it('refuses a position or pin that is not one, and a cursor of another shape, with 400', async () => {
    for (const body of [{ position: -1 }, { position: 1_000_001 }, { position: 1.5 }, { pinned: 'yes' }]) {
      const res = await owner.api.patch(`${base}/products/${ids.atta}`, body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.code).toBe('validation_failed');
    }
    const bad = Buffer.from(JSON.stringify(['0195f4c2-0000-7000-8000-00000000abcd'])).toString('base64url');
    const res = await anon.get(`${sf}/products?cursor=${bad}`);
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('validation_failed');
  });

  it('a search still ranks by match, not by position', async () => {
    await owner.api.patch(`${base}/products/${ids.atta}`, { name: 'Aashirvaad Atta' });
    const res = await anon.get(`${sf}/products?q=aata`);
    expect(res.status).toBe(200);
    expect(res.body.items[0].id).toBe(ids.atta);
  });
});

describe('hsn', () => {
  it('is on Product: set at creation, changed and cleared by PATCH, null by default', async () => {
    const p = await create('hsnRice', { name: 'Basmati Rice', hsn: '1006' });
    expect(p.hsn).toBe('1006');
    expect((await owner.api.get(`${base}/products/${ids.hsnRice}`)).body.hsn).toBe('1006');
    const changed = await owner.api.patch(`${base}/products/${ids.hsnRice}`, { hsn: '10063020' });
    expect(changed.body.hsn).toBe('10063020');
    const cleared = await owner.api.patch(`${base}/products/${ids.hsnRice}`, { hsn: null });
    expect(cleared.body.hsn).toBeNull();
    expect((await owner.api.get(`${base}/products/${ids.old}`)).body.hsn).toBeNull();
    const listed = await owner.api.get(`${base}/products?limit=100`);
    expect(listed.body.items.every((i: { hsn: unknown }) => i.hsn === null)).toBe(true);
  });

  it('refuses an HSN that is not 4 to 8 digits', async () => {
    for (const hsn of ['abc', '123', '123456789', ' 1006', 1006]) {
      const res = await owner.api.patch(`${base}/products/${ids.hsnRice}`, { hsn });
      expect(res.status, String(hsn)).toBe(400);
      expect(res.body.code).toBe('validation_failed');
    }
  });
});
