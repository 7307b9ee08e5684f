/**
 * A cart line's replacement suggestions, through the HTTP API on both databases: up to 3 in-stock variants of the
 * line's own product and of the other products of its category, nearest price first, never the line's own variant
 * nor one already in the cart (migration 190).
 */
import { describe, expect } from 'vitest';
import { client, merchantWithStore, type Client } from '../helpers/app.js';
import { appTest } from '../helpers/fixture.js';

const it = appTest();
let owner: Client;
let shop: Client;
let base: string;
let slug: string;
it.beforeAll(async ({ ctx }) => {
  const m = await merchantWithStore(ctx);
  owner = m.api;
  base = `/api/v1/stores/${m.store.id}`;
  slug = m.store.slug;
  shop = client(ctx.app);
});

type VariantIn = { name: string; price: number; stock: number | null };
type Suggestion = { variantId: string; productSlug: string; name: string; variantName: string; price: number };

async function category(name: string): Promise<string> {
  const res = await owner.post(`${base}/categories`, { name });
  expect(res.status).toBe(201);
  return res.body.id;
}

/** A product of `categoryId` (null: none) with its variants; answers the variants' ids by name. */
async function product(name: string, categoryId: string | null, variants: VariantIn[]) {
  const res = await owner.post(`${base}/products`, { name, categoryId, variants });
  expect(res.status).toBe(201);
  const ids = Object.fromEntries(res.body.variants.map((v: { id: string; name: string }) => [v.name, v.id]));
  return { id: res.body.id as string, slug: res.body.slug as string, v: ids as Record<string, string> };
}

async function setStock(variantId: string, stock: number | null) {
  expect((await owner.post(`${base}/variants/${variantId}/stock`, { set: stock })).status).toBe(200);
}

/** A cart holding `variants` (one each, put one by one), as a GET answers it. */
async function cartOf(variants: string[]) {
  const cart = (await shop.post(`/api/v1/storefront/${slug}/carts`)).body.id as string;
  const url = `/api/v1/storefront/${slug}/carts/${cart}`;
  for (const v of variants) expect((await shop.put(`${url}/lines/${v}`, { quantity: 1 })).status).toBe(200);
  return { url, body: (await shop.get(url)).body };
}

const labels = (s: Suggestion[]) => s.map((x) => `${x.name} ${x.variantName}`);

describe("a line's replacement suggestions", () => {
  it("offer the line's product's other in-stock variants, nearer in price first (the audit's oil)", async () => {
    const x = await category('Oils');
    const oil = await product('Oil', x, [
      { name: '1 L', price: 1000, stock: 1 },
      { name: '2 L', price: 1900, stock: 5 },
    ]);
    const ghee = await product('Ghee', x, [{ name: '500 g', price: 5000, stock: 3 }]);
    const { url } = await cartOf([oil.v['1 L']!]);
    await setStock(oil.v['1 L']!, 0);

    const line = (await shop.get(url)).body.lines[0];
    expect(line.error).toEqual({ code: 'out_of_stock' });
    expect(line.suggestions).toEqual([
      { variantId: oil.v['2 L'], productSlug: oil.slug, name: 'Oil', variantName: '2 L', price: 1900 },
      { variantId: ghee.v['500 g'], productSlug: ghee.slug, name: 'Ghee', variantName: '500 g', price: 5000 },
    ]);
  });

  it("up to 3, nearest price first across the line's product and the category's others", async () => {
    const staples = await category('Staples');
    const elsewhere = await category('Snacks');
    const rice = await product('Rice', staples, [
      { name: '1 kg', price: 1000, stock: 2 }, // the line: sold out below
      { name: '500 g', price: 950, stock: 4 }, // 50 away
      { name: '2 kg', price: 1100, stock: null }, // 100 away, stock not tracked
      { name: '750 g', price: 1000, stock: 0 }, // sold out: never
      { name: '1.5 kg', price: 1001, stock: 9 }, // in the cart: never
      { name: '900 g', price: 999, stock: 9 }, // archived below: never
    ]);
    await product('Dal', staples, [{ name: '1 kg', price: 1020, stock: 3 }]); // 20 away
    await product('Atta', staples, [{ name: '1 kg', price: 1120, stock: 3 }]); // 120 away: the fourth
    await product('Chips', elsewhere, [{ name: 'Big', price: 1000, stock: 3 }]); // another category: never
    expect((await owner.delete(`${base}/products/${rice.id}/variants/${rice.v['900 g']}`)).status).toBe(204);
    const { url } = await cartOf([rice.v['1 kg']!, rice.v['1.5 kg']!]);
    await setStock(rice.v['1 kg']!, 0);

    const cart = (await shop.get(url)).body;
    const [sold, held] = cart.lines;
    expect(sold.error).toEqual({ code: 'out_of_stock' });
    expect(labels(sold.suggestions)).toEqual(['Dal 1 kg', 'Rice 500 g', 'Rice 2 kg']);
    expect(sold.suggestions.map((s: Suggestion) => s.variantId)).not.toContain(rice.v['1 kg']);
    expect(held).toMatchObject({ error: null, suggestions: [] });

    // The 2 kg put in the cart too: it is left out of the line's suggestions, in the put's own answer as well.
    const put = await shop.put(`${url}/lines/${rice.v['2 kg']}`, { quantity: 1 });
    expect(put.status).toBe(200);
    expect(labels(put.body.lines[0].suggestions)).toEqual(['Dal 1 kg', 'Rice 500 g', 'Atta 1 kg']);
    expect(put.body).toEqual((await shop.get(url)).body);

    // A cart created with its lines (the 1 kg and the 500 g; not the 1.5 kg this time): neither is suggested.
    const created = await shop.post(`/api/v1/storefront/${slug}/carts`, {
      lines: [
        { variantId: rice.v['1 kg'], quantity: 1 },
        { variantId: rice.v['500 g'], quantity: 1 },
      ],
    });
    expect(created.status).toBe(201);
    expect(labels(created.body.lines[0].suggestions)).toEqual(['Rice 1.5 kg', 'Dal 1 kg', 'Rice 2 kg']);
  });

  it("a product without a category: its other variants only; an inactive product's, never", async () => {
    const tea = await product('Loose tea', null, [
      { name: '250 g', price: 2500, stock: 1 },
      { name: '500 g', price: 4800, stock: 2 },
    ]);
    await product('Loose coffee', null, [{ name: '250 g', price: 2500, stock: 4 }]); // uncategorised: not offered
    const spices = await category('Spices');
    const hidden = await product('Hidden masala', spices, [
      { name: 'Small', price: 700, stock: 5 },
      { name: 'Large', price: 720, stock: 5 },
    ]);
    await product('Shown masala', spices, [{ name: 'Default', price: 900, stock: 5 }]);
    const { url } = await cartOf([tea.v['250 g']!, hidden.v.Small!]);
    await setStock(tea.v['250 g']!, 0);
    expect((await owner.patch(`${base}/products/${hidden.id}`, { isActive: false })).status).toBe(200);

    const [teaLine, hiddenLine] = (await shop.get(url)).body.lines;
    expect(teaLine.error).toEqual({ code: 'out_of_stock' });
    expect(labels(teaLine.suggestions)).toEqual(['Loose tea 500 g']);
    expect(hiddenLine.error).toEqual({ code: 'unavailable' });
    expect(labels(hiddenLine.suggestions)).toEqual(['Shown masala Default']);
  });
});
