import { describe, expect } from 'vitest';
import { client, merchantWithStore, type Client } from '../helpers/app.js';
import { appTest } from '../helpers/fixture.js';
import { searchCatalog } from '../../src/catalog/products.service.js';

const it = appTest();

type Owner = Awaited<ReturnType<typeof merchantWithStore>>;
let owner: Owner;
let other: Owner;
let anon: Client;
let base: string;
let sf: string;
const ids: Record<string, string> = {};

it.beforeAll(async ({ ctx }) => {
  anon = client(ctx.app);
  owner = await merchantWithStore(ctx, { name: 'Sharma Kirana' });
  other = await merchantWithStore(ctx, { name: 'Other Kirana' });
  base = `/api/v1/stores/${owner.store.id}`;
  sf = `/api/v1/storefront/${owner.store.slug}`;
  const dairy = (await owner.api.post(`${base}/categories`, { name: 'Dairy' })).body;
  const create = async (key: string, body: Record<string, unknown>) => {
    const res = await owner.api.post(`${base}/products`, body);
    expect(res.status, res.text).toBe(201);
    ids[key] = res.body.id;
    return res.body;
  };
  await create('atta', { name: 'Aashirvaad Atta 5 kg', price: 24500 });
  await create('dal', { name: 'Toor Dal', price: 16000, description: 'Unpolished arhar' });
  await create('paneer', { name: 'Amul Paneer 200 g', price: 9000, categoryId: dairy.id });
  await create('maggi', { name: 'Maggi Masala Noodles', price: 1400 });
  await create('milk', {
    name: 'Amul Taaza Milk 1 L',
    price: 5400,
    categoryId: dairy.id,
    searchTerms: ['doodh', ' दूध ', 'Doodh'],
  });
  await create('tea', { name: 'Tata Tea Gold', price: 28000, description: 'Strong chai for every morning' });
  await create('hidden', { name: 'Atta Noodles', price: 3000, isActive: false });
  await other.api.post(`/api/v1/stores/${other.store.id}/products`, { name: 'Atta Premium', price: 100 });
});

const names = async (q: string, extra = ''): Promise<string[]> => {
  const res = await anon.get(`${sf}/products?q=${encodeURIComponent(q)}${extra}`);
  expect(res.status, res.text).toBe(200);
  return res.body.items.map((p: { name: string }) => p.name);
};

describe('searchTerms on products (merchant API)', () => {
  it('stores them trimmed and without repeats, shows them to the merchant only', async () => {
    const res = await owner.api.get(`${base}/products/${ids.milk}`);
    expect(res.body.searchTerms).toEqual(['doodh', 'दूध']);
    const pub = await anon.get(`${sf}/products?q=milk`);
    expect(pub.body.items[0].name).toBe('Amul Taaza Milk 1 L');
    expect(pub.body.items[0]).not.toHaveProperty('searchTerms');
  });

  it('PATCH replaces them; limits are validated', async () => {
    const res = await owner.api.patch(`${base}/products/${ids.tea}`, { searchTerms: ['chai', 'चाय'] });
    expect(res.status, res.text).toBe(200);
    expect(res.body.searchTerms).toEqual(['chai', 'चाय']);
    expect(await names('chai')).toEqual(['Tata Tea Gold']);
    const tooMany = await owner.api.patch(`${base}/products/${ids.tea}`, {
      searchTerms: Array.from({ length: 21 }, (_, i) => `t${i}`),
    });
    expect(tooMany.status).toBe(400);
    const tooLong = await owner.api.patch(`${base}/products/${ids.tea}`, { searchTerms: ['x'.repeat(51)] });
    expect(tooLong.status).toBe(400);
  });
});

describe('forgiving storefront search', () => {
  it.each([
    ['aata', 'Aashirvaad Atta 5 kg'],
    ['daal', 'Toor Dal'],
    ['panner', 'Amul Paneer 200 g'],
    ['magi', 'Maggi Masala Noodles'],
    ['doodh', 'Amul Taaza Milk 1 L'],
    ['दूध', 'Amul Taaza Milk 1 L'],
    ['arhar', 'Toor Dal'],
    ['ATTA', 'Aashirvaad Atta 5 kg'],
  ])('"%s" finds %s first', async (q, expected) => {
    const found = await names(q);
    expect(found[0]).toBe(expected);
  });

  it('ranks a name match above a description match, never shows inactive or other stores', async () => {
    expect((await names('noodles'))[0]).toBe('Maggi Masala Noodles');
    const atta = await names('atta');
    expect(atta[0]).toBe('Aashirvaad Atta 5 kg');
    expect(atta).not.toContain('Atta Noodles');
    expect(atta).not.toContain('Atta Premium');
    // a word of the description only
    expect(await names('morning')).toEqual(['Tata Tea Gold']);
  });

  it('finds nothing for unrelated words', async () => {
    expect(await names('xyzzy')).toEqual([]);
  });

  it('a category filter narrows the search to that category', async () => {
    expect(await names('amul', '&category=dairy')).toEqual(
      expect.arrayContaining(['Amul Paneer 200 g', 'Amul Taaza Milk 1 L']),
    );
    expect(await names('atta', '&category=dairy')).toEqual([]);
  });

  it('pages ranked results with a cursor', async () => {
    const first = await anon.get(`${sf}/products?q=amul&limit=1`);
    expect(first.body.items).toHaveLength(1);
    expect(first.body.nextCursor).toEqual(expect.any(String));
    const second = await anon.get(`${sf}/products?q=amul&limit=1&cursor=${first.body.nextCursor}`);
    expect(second.body.items).toHaveLength(1);
    expect(second.body.items[0].id).not.toBe(first.body.items[0].id);
    const bad = await anon.get(`${sf}/products?q=amul&cursor=nonsense`);
    expect(bad.status).toBe(400);
  });

  it('the merchant list searches the same way, inactive products included', async () => {
    const res = await owner.api.get(`${base}/products?q=aata`);
    const found = res.body.items.map((p: { name: string }) => p.name);
    expect(found.slice(0, 2).sort()).toEqual(['Aashirvaad Atta 5 kg', 'Atta Noodles']);
  });

  it('searchCatalog gives scores best first (the WhatsApp bot uses it)', async ({ ctx }) => {
    const hits = await searchCatalog(ctx.testDb.db, owner.store.id, 'panner', { limit: 5 });
    expect(hits[0]!.product.name).toBe('Amul Paneer 200 g');
    expect(hits[0]!.score).toBeGreaterThan(0.35);
    expect(hits[0]!.variants[0]!.price).toBe(9000);
    for (let i = 1; i < hits.length; i++) expect(hits[i]!.score).toBeLessThanOrEqual(hits[i - 1]!.score);
  });
});
