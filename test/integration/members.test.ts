/**
 * Members (owner invites staff by phone) and what staff may do, generated from the live route table like tenant
 * isolation: every /api/v1/stores/:storeId route answers staff as it answers the owner, except the owner-only
 * ones (members; payment settings) which answer 403 forbidden and change nothing.
 */
import { describe, expect } from 'vitest';
import { merchantWithStore, signIn, uniquePhone, type Client } from '../helpers/app.js';
import { appTest } from '../helpers/fixture.js';

const it = appTest();
let owner: Awaited<ReturnType<typeof merchantWithStore>>;
let staff: Awaited<ReturnType<typeof signIn>>;
const ids: Record<string, string> = {};
const PREFIX = '/api/v1/stores/:storeId';
const FALLBACK_ID = '0195f4c2-0000-7000-8000-00000000abcd';

/** The routes only the owner may call: written out here, not read from the routes' own config. */
const OWNER_ONLY = new Set([
  `GET ${PREFIX}/members`,
  `POST ${PREFIX}/members`,
  `DELETE ${PREFIX}/members/:merchantId`,
  // where the store's messages go (issue 10, item 5)
  `POST ${PREFIX}/whatsapp/verification`,
  `POST ${PREFIX}/whatsapp/verification/confirm`,
]);

it.beforeAll(async ({ ctx }) => {
  owner = await merchantWithStore(ctx, { whatsapp: '+919876543210' });
  const staffPhone = uniquePhone();
  const invited = await owner.api.post(`/api/v1/stores/${owner.store.id}/members`, {
    phone: staffPhone,
    role: 'staff',
  });
  expect(invited.status).toBe(201);
  staff = await signIn(ctx, staffPhone);
  ids.members = owner.merchantId;
  const base = `/api/v1/stores/${owner.store.id}`;
  ids.categories = (await owner.api.post(`${base}/categories`, { name: 'Staples' })).body?.id;
  const product = await owner.api.post(`${base}/products`, { name: 'Rice', price: 5000, stock: 10 });
  ids.products = product.body?.id;
  ids.variants = product.body?.variants?.[0]?.id;
  ids.coupons = (await owner.api.post(`${base}/coupons`, { code: 'SAVE10', type: 'percent', value: 10 })).body?.id;
  expect(ids).toMatchObject({ categories: expect.any(String), products: expect.any(String) });
});

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

async function snapshot(api: Client) {
  const base = `/api/v1/stores/${owner.store.id}`;
  return { store: (await api.get(base)).body, members: (await owner.api.get(`${base}/members`)).body };
}

describe('members', () => {
  it('the owner invites staff by phone; staff sign in with their own number and see the store', async () => {
    const list = await owner.api.get(`/api/v1/stores/${owner.store.id}/members`);
    expect(list.status).toBe(200);
    expect(list.body.nextCursor).toBeNull();
    expect(list.body.items).toEqual([
      { merchantId: owner.merchantId, phone: owner.phone, name: null, role: 'owner' },
      { merchantId: staff.merchantId, phone: staff.phone, name: null, role: 'staff' },
    ]);
    const me = await staff.api.get('/api/v1/me');
    expect(me.body.stores.map((s: { id: string }) => s.id)).toEqual([owner.store.id]);
  });

  it('inviting twice is harmless; the owner cannot be invited or removed; bad phones are 400', async () => {
    const base = `/api/v1/stores/${owner.store.id}/members`;
    const again = await owner.api.post(base, { phone: staff.phone, role: 'staff' });
    expect(again.status).toBe(201);
    expect(again.body).toMatchObject({ merchantId: staff.merchantId, role: 'staff' });
    expect((await owner.api.post(base, { phone: owner.phone, role: 'staff' })).body.code).toBe('conflict');
    expect((await owner.api.delete(`${base}/${owner.merchantId}`)).status).toBe(409);
    const bad = await owner.api.post(base, { phone: '12345', role: 'staff' });
    expect([bad.status, bad.body.code]).toEqual([400, 'validation_failed']);
    expect((await owner.api.post(base, { phone: uniquePhone(), role: 'owner' })).status).toBe(400);
    expect((await owner.api.delete(`${base}/not-an-id`)).status).toBe(404);
  });

  it('staff handle orders, products and stock but not payment settings', async () => {
    const base = `/api/v1/stores/${owner.store.id}`;
    const stock = await staff.api.post(`${base}/variants/${ids.variants}/stock`, { set: 7 });
    expect(stock.body).toEqual({ stock: 7 });
    const renamed = await staff.api.patch(base, { name: 'Renamed by staff' });
    expect(renamed.status).toBe(200);
    const payments = await staff.api.patch(base, { payments: { upiVpa: 'thief@okaxis' } });
    expect([payments.status, payments.body.code]).toEqual([403, 'forbidden']);
    const cod = await staff.api.patch(base, { name: 'x', payments: { cod: false } });
    expect(cod.status).toBe(403);
    const store = await owner.api.get(base);
    expect(store.body.payments).toEqual({ cod: true, upiVpa: null });
    expect(store.body.name).toBe('Renamed by staff');
    const ownerSets = await owner.api.patch(base, { payments: { upiVpa: 'shop@okaxis' } });
    expect(ownerSets.body.payments.upiVpa).toBe('shop@okaxis');
  });

  it('answers staff 403 on every owner-only route and as the owner on the others (from the route table)', async ({
    ctx,
  }) => {
    const scoped = ctx.app.routeTable.filter((r) => r.url.startsWith(PREFIX));
    const names = scoped.map((r) => `${r.method} ${r.url}`);
    for (const route of OWNER_ONLY) expect(names).toContain(route);
    const before = await snapshot(owner.api);
    for (const route of scoped) {
      const name = `${route.method} ${route.url}`;
      const url = concrete(route.url);
      const body =
        route.method === 'GET' || route.method === 'DELETE' ? undefined : { phone: uniquePhone(), role: 'staff' };
      const res = await staff.api.send(route.method as 'GET', url, body);
      if (OWNER_ONLY.has(name)) {
        expect.soft([res.status, res.body?.code], name).toEqual([403, 'forbidden']);
      } else {
        expect.soft(res.status, name).not.toBe(403);
        expect.soft(res.status, name).not.toBe(401);
      }
    }
    expect(await snapshot(owner.api)).toEqual(before);
  });

  it('a removed staff member loses the store at once (404 like any outsider)', async ({ ctx }) => {
    const base = `/api/v1/stores/${owner.store.id}`;
    const other = await signIn(ctx);
    expect((await owner.api.post(`${base}/members`, { phone: other.phone, role: 'staff' })).status).toBe(201);
    expect((await other.api.get(base)).status).toBe(200);
    expect((await owner.api.delete(`${base}/members/${other.merchantId}`)).status).toBe(204);
    const after = await other.api.get(base);
    expect([after.status, after.body.code]).toEqual([404, 'not_found']);
    expect((await owner.api.delete(`${base}/members/${other.merchantId}`)).status).toBe(404);
  });
});
