/**
 * Tenant isolation, generated from the live route table: every route under /api/v1/stores/:storeId, with every
 * method, answers a second merchant 404 not_found — for reads and writes, whatever the body — and the first store
 * is unchanged afterwards. New routes are covered the moment they are registered.
 */
import { describe, expect } from 'vitest';
import { client, merchantWithStore, signIn, type Client, type TestContext } from '../helpers/app.js';
import { appTest } from '../helpers/fixture.js';

const it = appTest();
let owner: Awaited<ReturnType<typeof merchantWithStore>>;
let intruder: Client;
const ids: Record<string, string> = {};

it.beforeAll(async ({ ctx }) => {
  owner = await merchantWithStore(ctx, { whatsapp: '+919876543210' });
  intruder = (await signIn(ctx)).api;
  await (await signIn(ctx)).api.post('/api/v1/stores', { name: 'Intruder Shop' });
  const base = `/api/v1/stores/${owner.store.id}`;
  const category = await owner.api.post(`${base}/categories`, { name: 'Staples' });
  ids.categories = category.body?.id;
  const product = await owner.api.post(`${base}/products`, {
    name: 'Rice',
    price: 5000,
    stock: 10,
    categoryId: ids.categories,
  });
  ids.products = product.body?.id;
  ids.variants = product.body?.variants?.[0]?.id;
  const coupon = await owner.api.post(`${base}/coupons`, { code: 'SAVE10', type: 'percent', value: 10 });
  ids.coupons = coupon.body?.id;
  const anon = client(ctx.app);
  const cart = await anon.post(`/api/v1/storefront/${owner.store.slug}/carts`);
  if (cart.status === 201 && ids.variants) {
    await anon.put(`/api/v1/storefront/${owner.store.slug}/carts/${cart.body.id}/lines/${ids.variants}`, {
      quantity: 1,
    });
    const order = await anon.post(`/api/v1/storefront/${owner.store.slug}/carts/${cart.body.id}/checkout`, {
      customer: {
        name: 'Asha',
        phone: '+919812345678',
        address: { line1: '12 MG Road', city: 'Pune', pincode: '411001' },
      },
      fulfillment: 'delivery',
      paymentMethod: 'cod',
    });
    ids.orders = order.body?.id;
  }
  // Every id must be real, or the test would only prove that unknown ids are 404.
  expect(ids).toMatchObject({
    categories: expect.any(String),
    products: expect.any(String),
    variants: expect.any(String),
    coupons: expect.any(String),
    orders: expect.any(String),
  });
});

const PREFIX = '/api/v1/stores/:storeId';
const FALLBACK_ID = '0195f4c2-0000-7000-8000-00000000abcd';

/** Fills a route pattern with the owner's real ids: the id after `/products/` is a product id, and so on. */
function concrete(url: string): string {
  const segments = url.split('/');
  return segments
    .map((segment, i) => {
      if (!segment.startsWith(':')) return segment;
      if (segment === ':storeId') return owner.store.id;
      return ids[segments[i - 1] ?? ''] ?? FALLBACK_ID;
    })
    .join('/');
}

async function ownerView(ctx: TestContext): Promise<Record<string, unknown>> {
  const view: Record<string, unknown> = {};
  for (const route of ctx.app.routeTable) {
    if (route.method !== 'GET' || !route.url.startsWith(PREFIX) || route.url.includes('payment-proof')) continue;
    const res = await owner.api.get(concrete(route.url));
    view[route.url] = { status: res.status, body: res.text };
  }
  return view;
}

describe('tenant isolation (generated from the route table)', () => {
  it('covers the store-scoped routes of every domain', ({ ctx }) => {
    const scoped = ctx.app.routeTable.filter((r) => r.url.startsWith(PREFIX)).map((r) => `${r.method} ${r.url}`);
    expect(scoped).toEqual(expect.arrayContaining([`GET ${PREFIX}`, `PATCH ${PREFIX}`]));
    expect(scoped.length).toBeGreaterThanOrEqual(3);
  });

  it('answers another merchant 404 on every store-scoped route and method, and changes nothing', async ({ ctx }) => {
    const before = await ownerView(ctx);
    const scoped = ctx.app.routeTable.filter((r) => r.url.startsWith(PREFIX));
    const answers: string[] = [];
    for (const route of scoped) {
      const url = concrete(route.url);
      for (const body of route.method === 'GET' || route.method === 'DELETE'
        ? [undefined]
        : [{}, { name: 'Hijack', quantity: 1, set: 0, to: 'cancelled', status: 'paid' }]) {
        const res = await intruder.send(route.method as 'GET', url, body);
        answers.push(`${route.method} ${route.url} → ${res.status} ${res.body?.code}`);
        expect.soft(res.status, `${route.method} ${route.url}`).toBe(404);
        expect.soft(res.body?.code, `${route.method} ${route.url}`).toBe('not_found');
      }
    }
    expect(answers.length).toBeGreaterThanOrEqual(scoped.length);
    expect(await ownerView(ctx)).toEqual(before);
  });

  it('answers an anonymous caller 401 on every store-scoped route', async ({ ctx }) => {
    for (const route of ctx.app.routeTable.filter((r) => r.url.startsWith(PREFIX))) {
      const res = await client(ctx.app).send(
        route.method as 'GET',
        concrete(route.url),
        route.method === 'GET' || route.method === 'DELETE' ? undefined : {},
      );
      expect.soft(res.status, `${route.method} ${route.url}`).toBe(401);
    }
  });
});
