import { describe, expect } from 'vitest';
import { merchantWithStore, signIn } from '../helpers/app.js';
import { appTest } from '../helpers/fixture.js';

const it = appTest({ publicUrl: 'https://shop.example' });

const unique = () => Math.random().toString(36).slice(2, 8);

describe('stores', () => {
  it('creates a store with the contract defaults; the creator is its owner', async ({ ctx }) => {
    const { api, merchantId } = await signIn(ctx);
    const slug = `fresh-${unique()}`;
    const res = await api.post('/api/v1/stores', { name: 'Fresh Mart', slug, whatsapp: '+919876543210' });
    expect(res.status).toBe(201);
    expect(res.body).toEqual({
      id: expect.any(String),
      slug,
      name: 'Fresh Mart',
      currency: 'INR',
      whatsapp: '+919876543210',
      whatsappVerified: false,
      isOpen: true,
      openNow: true,
      url: `https://shop.example/${slug}`,
      description: '',
      logo: null,
      banner: null,
      address: null,
      hours: null,
      defaultLanguage: 'en',
      gstin: null,
      delivery: { fee: 0, freeAbove: null, minOrder: null, pickup: false, areas: [] },
      payments: { cod: true, upiVpa: null },
      whatsappPhoneNumberId: null,
      whatsappBot: true,
    });
    const { rows } = await ctx.testDb.db.query<{ role: string }>(
      `SELECT role FROM store_members WHERE store_id = $1 AND merchant_id = $2`,
      [res.body.id, merchantId],
    );
    expect(rows).toEqual([{ role: 'owner' }]);
    const me = await api.get('/api/v1/me');
    expect(me.body.stores.map((s: { id: string }) => s.id)).toEqual([res.body.id]);
    expect((await api.get(`/api/v1/stores/${res.body.id}`)).body).toEqual(res.body);
  });

  it('derives the slug from the name and adds a numeric suffix when taken', async ({ ctx }) => {
    const { api } = await signIn(ctx);
    const name = `Sharma General Store ${unique()}`;
    const a = await api.post('/api/v1/stores', { name });
    const b = await api.post('/api/v1/stores', { name });
    const c = await api.post('/api/v1/stores', { name });
    const base = name.toLowerCase().replace(/ /g, '-');
    expect([a.body.slug, b.body.slug, c.body.slug]).toEqual([base, `${base}-2`, `${base}-3`]);
  });

  it('derives usable slugs from short, non-Latin or reserved names', async ({ ctx }) => {
    const { api } = await signIn(ctx);
    const short = await api.post('/api/v1/stores', { name: 'Ab' });
    expect(short.status).toBe(201);
    expect(short.body.slug).toMatch(/^ab-shop/);
    const hindi = await api.post('/api/v1/stores', { name: 'किराना' });
    expect(hindi.status).toBe(201);
    expect(hindi.body.slug).toMatch(/^[a-z0-9-]{3,40}$/);
    const reserved = await api.post('/api/v1/stores', { name: 'Admin' });
    expect(reserved.status).toBe(201);
    expect(reserved.body.slug).not.toBe('admin');
  });

  it('an explicit slug that is taken → 409 slug_taken', async ({ ctx }) => {
    const { api } = await signIn(ctx);
    const slug = `taken-${unique()}`;
    expect((await api.post('/api/v1/stores', { name: 'One', slug })).status).toBe(201);
    const again = await api.post('/api/v1/stores', { name: 'Two', slug });
    expect(again.status).toBe(409);
    expect(again.body.code).toBe('slug_taken');
  });

  it.for([
    ['Upper', 'Upper-Case'],
    ['leading dash', '-abc'],
    ['trailing dash', 'abc-'],
    ['too short', 'ab'],
    ['too long', 'a'.repeat(41)],
    ['space', 'my shop'],
    ['reserved api', 'api'],
    ['reserved dashboard', 'dashboard'],
    ['reserved admin', 'admin'],
    ['reserved static', 'static'],
  ])('invalid slug (%s) → 400 validation_failed', async ([, slug], { ctx }) => {
    const { api } = await signIn(ctx);
    const r = await api.post('/api/v1/stores', { name: 'Bad Slug', slug });
    expect(r.status).toBe(400);
    expect(r.body.code).toBe('validation_failed');
  });

  it.for([
    ['missing name', {}],
    ['empty name', { name: '' }],
    ['10 KB name', { name: 'x'.repeat(10_000) }],
    ['number name', { name: 42 }],
    ['extra field', { name: 'Ok', extra: 1 }],
    ['invalid whatsapp', { name: 'Ok', whatsapp: '12345' }],
    ['impossible whatsapp', { name: 'Ok', whatsapp: '+91000' }],
    ['lower-case currency', { name: 'Ok', currency: 'inr' }],
  ])('POST /stores with %s → 400', async ([, body], { ctx }) => {
    const { api } = await signIn(ctx);
    const r = await api.post('/api/v1/stores', body);
    expect(r.status).toBe(400);
    expect(r.body.code).toBe('validation_failed');
  });

  it('needs a signed-in merchant', async ({ ctx }) => {
    const r = await ctx.app.inject({ method: 'POST', url: '/api/v1/stores', payload: { name: 'Anon' } });
    expect(r.statusCode).toBe(401);
    expect(r.json().code).toBe('unauthorized');
  });

  it('PATCH merges delivery and payments field by field', async ({ ctx }) => {
    const { api, store } = await merchantWithStore(ctx);
    const url = `/api/v1/stores/${store.id}`;
    const r1 = await api.patch(url, { delivery: { fee: 4000, freeAbove: 50000 }, payments: { upiVpa: 'shop@okaxis' } });
    expect(r1.status).toBe(200);
    expect(r1.body.delivery).toEqual({ fee: 4000, freeAbove: 50000, minOrder: null, pickup: false, areas: [] });
    expect(r1.body.payments).toEqual({ cod: true, upiVpa: 'shop@okaxis' });
    const r2 = await api.patch(url, {
      delivery: { pickup: true },
      payments: { cod: false },
      isOpen: false,
      name: 'Renamed',
      whatsapp: null,
    });
    expect(r2.body).toMatchObject({
      name: 'Renamed',
      isOpen: false,
      whatsapp: null,
      delivery: { fee: 4000, freeAbove: 50000, minOrder: null, pickup: true, areas: [] },
      payments: { cod: false, upiVpa: 'shop@okaxis' },
      slug: store.slug,
    });
    const r3 = await api.patch(url, { delivery: { freeAbove: null } });
    expect(r3.body.delivery.freeAbove).toBeNull();
  });

  it.for([
    ['slug is fixed', { slug: 'new-slug' }],
    ['currency is fixed', { currency: 'USD' }],
    ['float fee', { delivery: { fee: 1.5 } }],
    ['string fee', { delivery: { fee: '100' } }],
    ['negative fee', { delivery: { fee: -1 } }],
    ['fee too large', { delivery: { fee: 10_000_000_001 } }],
    ['unknown delivery field', { delivery: { other: 1 } }],
    ['bad VPA', { payments: { upiVpa: 'not a vpa' } }],
    ['string bool', { isOpen: 'yes' }],
    ['10 KB name', { name: 'x'.repeat(10_000) }],
  ])('PATCH with %s → 400, store unchanged', async ([, body], { ctx }) => {
    const { api, store } = await merchantWithStore(ctx);
    const r = await api.patch(`/api/v1/stores/${store.id}`, body);
    expect(r.status).toBe(400);
    expect(r.body.code).toBe('validation_failed');
    expect((await api.get(`/api/v1/stores/${store.id}`)).body).toEqual(store);
  });

  it('another merchant gets 404 on read and write, and the store is unchanged', async ({ ctx }) => {
    const owner = await merchantWithStore(ctx);
    const other = await signIn(ctx);
    const url = `/api/v1/stores/${owner.store.id}`;
    expect((await other.api.get(url)).status).toBe(404);
    const patch = await other.api.patch(url, { name: 'Hijacked' });
    expect(patch.status).toBe(404);
    expect(patch.body.code).toBe('not_found');
    expect((await owner.api.get(url)).body).toEqual(owner.store);
    expect((await owner.api.get('/api/v1/stores/0195f4c2-0000-7000-8000-000000000000')).status).toBe(404);
  });
});
