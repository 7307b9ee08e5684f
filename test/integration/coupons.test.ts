import { describe, expect } from 'vitest';
import { client, merchantWithStore, type Client } from '../helpers/app.js';
import { appTest } from '../helpers/fixture.js';

const it = appTest();
let api: Client;
let token: string;
let storeId: string;
let base: string;
it.beforeAll(async ({ ctx }) => {
  const m = await merchantWithStore(ctx);
  api = m.api;
  token = m.token;
  storeId = m.store.id;
  base = `/api/v1/stores/${storeId}/coupons`;
});

let n = 0;
const code = (prefix = 'C') => `${prefix}${++n}${Math.random().toString(36).slice(2, 6).toUpperCase()}`;

describe('coupons CRUD', () => {
  it('creates a coupon with the contract shape and defaults', async () => {
    const c = code('SAVE');
    const res = await api.post(base, { code: c, type: 'percent', value: 10 });
    expect(res.status).toBe(201);
    expect(res.body).toEqual({
      id: expect.any(String),
      code: c,
      type: 'percent',
      value: 10,
      minOrder: null,
      maxDiscount: null,
      usageLimit: null,
      usedCount: 0,
      expiresAt: null,
      isActive: true,
    });
    expect((await api.get(`${base}/${res.body.id}`)).body).toEqual(res.body);
  });

  it('creates a coupon with every field and normalises expiresAt to UTC', async () => {
    const c = code('ALL');
    const res = await api.post(base, {
      code: c,
      type: 'flat',
      value: 5000,
      minOrder: 20000,
      maxDiscount: 100,
      usageLimit: 3,
      expiresAt: '2031-06-30T23:59:59+05:30',
      isActive: false,
    });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      code: c,
      type: 'flat',
      value: 5000,
      minOrder: 20000,
      maxDiscount: 100,
      usageLimit: 3,
      usedCount: 0,
      expiresAt: '2031-06-30T18:29:59.000Z',
      isActive: false,
    });
  });

  it.each([
    ['percent 1', { type: 'percent', value: 1 }],
    ['percent 100', { type: 'percent', value: 100 }],
    ['flat 1', { type: 'flat', value: 1 }],
    ['flat 10^10', { type: 'flat', value: 10_000_000_000 }],
    ['40-char code with _ and -', { code: `${'A'.repeat(36)}_-${String(n % 10)}${'z'}`, type: 'flat', value: 5 }],
    [
      'explicit nulls',
      { type: 'flat', value: 5, minOrder: null, maxDiscount: null, usageLimit: null, expiresAt: null },
    ],
  ])('accepts %s', async (_name, body) => {
    const res = await api.post(base, { code: code(), ...body });
    expect(res.status).toBe(201);
  });

  it.each([
    ['missing code', { type: 'flat', value: 5 }],
    ['missing type', { code: 'X1', value: 5 }],
    ['missing value', { code: 'X1', type: 'flat' }],
    ['extra field', { code: 'X1', type: 'flat', value: 5, storeId: 'x' }],
    ['empty code', { code: '', type: 'flat', value: 5 }],
    ['41-char code', { code: 'A'.repeat(41), type: 'flat', value: 5 }],
    ['code with a space', { code: 'SAVE 10', type: 'flat', value: 5 }],
    ['code with unicode', { code: 'छूट10', type: 'flat', value: 5 }],
    ['10 KB code', { code: 'A'.repeat(10_240), type: 'flat', value: 5 }],
    ['numeric code', { code: 1234, type: 'flat', value: 5 }],
    ['unknown type', { code: 'X1', type: 'bogo', value: 5 }],
    ['value 0', { code: 'X1', type: 'flat', value: 0 }],
    ['negative value', { code: 'X1', type: 'flat', value: -5 }],
    ['float value', { code: 'X1', type: 'flat', value: 1.5 }],
    ['string value', { code: 'X1', type: 'flat', value: '10' }],
    ['percent 101', { code: 'X1', type: 'percent', value: 101 }],
    ['flat above 10^10', { code: 'X1', type: 'flat', value: 10_000_000_001 }],
    ['negative minOrder', { code: 'X1', type: 'flat', value: 5, minOrder: -1 }],
    ['float maxDiscount', { code: 'X1', type: 'percent', value: 5, maxDiscount: 10.5 }],
    ['usageLimit 0', { code: 'X1', type: 'flat', value: 5, usageLimit: 0 }],
    ['string usageLimit', { code: 'X1', type: 'flat', value: 5, usageLimit: '3' }],
    ['date-only expiresAt', { code: 'X1', type: 'flat', value: 5, expiresAt: '2030-01-01' }],
    ['words expiresAt', { code: 'X1', type: 'flat', value: 5, expiresAt: 'tomorrow' }],
    ['numeric expiresAt', { code: 'X1', type: 'flat', value: 5, expiresAt: 1893456000 }],
    ['expiresAt without offset', { code: 'X1', type: 'flat', value: 5, expiresAt: '2030-01-01T00:00:00' }],
    ['impossible date', { code: 'X1', type: 'flat', value: 5, expiresAt: '2030-02-30T00:00:00Z' }],
    ['string isActive', { code: 'X1', type: 'flat', value: 5, isActive: 'true' }],
    ['array body', [{ code: 'X1', type: 'flat', value: 5 }]],
  ])('POST → 400 validation_failed on %s', async (_name, body) => {
    const res = await api.post(base, body);
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('validation_failed');
    expect(res.headers['content-type']).toContain('application/problem+json');
  });

  it('POST with a broken JSON body → 400 problem+json', async ({ ctx }) => {
    const res = await ctx.app.inject({
      method: 'POST',
      url: base,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      payload: '{"code":',
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().code).toBe('validation_failed');
  });

  it('codes are unique per store, case-insensitively → 409 conflict', async ({ ctx }) => {
    const c = code('Dup');
    expect((await api.post(base, { code: c, type: 'flat', value: 5 })).status).toBe(201);
    for (const variant of [c, c.toUpperCase(), c.toLowerCase()]) {
      const dup = await api.post(base, { code: variant, type: 'percent', value: 5 });
      expect(dup.status).toBe(409);
      expect(dup.body.code).toBe('conflict');
    }
    const other = await merchantWithStore(ctx);
    expect(
      (await other.api.post(`/api/v1/stores/${other.store.id}/coupons`, { code: c, type: 'flat', value: 5 })).status,
    ).toBe(201);
  });

  it('lists coupons newest first with keyset pagination', async ({ ctx }) => {
    const m = await merchantWithStore(ctx);
    const url = `/api/v1/stores/${m.store.id}/coupons`;
    const empty = await m.api.get(url);
    expect(empty.body).toEqual({ items: [], nextCursor: null });
    const ids: string[] = [];
    for (let i = 0; i < 5; i++)
      ids.push((await m.api.post(url, { code: `L${i}`, type: 'flat', value: 10 + i })).body.id);
    const all = await m.api.get(url);
    expect(all.status).toBe(200);
    expect(all.body.items.map((c: { id: string }) => c.id)).toEqual([...ids].reverse());
    expect(all.body.nextCursor).toBeNull();

    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const res: { status: number; body: { items: { id: string }[]; nextCursor: string | null } } = await m.api.get(
        `${url}?limit=2${cursor ? `&cursor=${cursor}` : ''}`,
      );
      expect(res.status).toBe(200);
      expect(res.body.items.length).toBeLessThanOrEqual(2);
      seen.push(...res.body.items.map((c) => c.id));
      cursor = res.body.nextCursor;
      pages++;
    } while (cursor);
    expect(pages).toBe(3);
    expect(seen).toEqual([...ids].reverse());
  });

  it.each([
    'limit=0',
    'limit=101',
    'limit=abc',
    'limit=1.5',
    'cursor=not-a-cursor',
    `cursor=${Buffer.from('["x"]').toString('base64url')}`,
    `cursor=${Buffer.from('[1]').toString('base64url')}`,
    `cursor=${'a'.repeat(600)}`,
  ])('GET list ?%s → 400 validation_failed', async (qs) => {
    const res = await api.get(`${base}?${qs}`);
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('validation_failed');
  });

  it('PATCH changes only the given fields; null clears limits', async () => {
    const created = (
      await api.post(base, {
        code: code('P'),
        type: 'percent',
        value: 20,
        minOrder: 1000,
        maxDiscount: 500,
        usageLimit: 5,
        expiresAt: '2030-01-01T00:00:00Z',
      })
    ).body;
    const res = await api.patch(`${base}/${created.id}`, { value: 25, maxDiscount: null, expiresAt: null });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ ...created, value: 25, maxDiscount: null, expiresAt: null });
    const renamed = await api.patch(`${base}/${created.id}`, {
      code: `${created.code}x`,
      isActive: false,
      usageLimit: null,
      minOrder: 0,
    });
    expect(renamed.body).toMatchObject({
      code: `${created.code}x`,
      isActive: false,
      usageLimit: null,
      minOrder: 0,
      value: 25,
    });
    const unchanged = await api.patch(`${base}/${created.id}`, {});
    expect(unchanged.status).toBe(200);
    expect(unchanged.body).toEqual(renamed.body);
    expect((await api.get(`${base}/${created.id}`)).body).toEqual(renamed.body);
  });

  it('PATCH checks the percent bound against the merged coupon', async () => {
    const flat = (await api.post(base, { code: code('F'), type: 'flat', value: 500 })).body;
    const toPercent = await api.patch(`${base}/${flat.id}`, { type: 'percent' });
    expect(toPercent.status).toBe(400);
    expect(toPercent.body.code).toBe('validation_failed');
    expect((await api.patch(`${base}/${flat.id}`, { type: 'percent', value: 50 })).body).toMatchObject({
      type: 'percent',
      value: 50,
    });
    const tooMuch = await api.patch(`${base}/${flat.id}`, { value: 101 });
    expect(tooMuch.status).toBe(400);
    expect((await api.get(`${base}/${flat.id}`)).body).toMatchObject({ type: 'percent', value: 50 });
  });

  it('PATCH to a code another coupon has → 409 conflict; the coupon is unchanged', async () => {
    const a = (await api.post(base, { code: code('A'), type: 'flat', value: 5 })).body;
    const b = (await api.post(base, { code: code('B'), type: 'flat', value: 5 })).body;
    const res = await api.patch(`${base}/${b.id}`, { code: a.code.toLowerCase() });
    expect(res.status).toBe(409);
    expect(res.body.code).toBe('conflict');
    expect((await api.get(`${base}/${b.id}`)).body.code).toBe(b.code);
    // Its own code in another case is not a conflict.
    expect((await api.patch(`${base}/${b.id}`, { code: b.code.toLowerCase() })).body.code).toBe(b.code.toLowerCase());
  });

  it('PATCH usageLimit below the uses so far → 422 validation_failed', async ({ ctx }) => {
    const c = (await api.post(base, { code: code('U'), type: 'flat', value: 5, usageLimit: 10 })).body;
    await ctx.testDb.db.query(`UPDATE coupons SET used_count = 4 WHERE id = $1`, [c.id]);
    const res = await api.patch(`${base}/${c.id}`, { usageLimit: 3 });
    expect(res.status).toBe(422);
    expect(res.body.code).toBe('validation_failed');
    expect((await api.patch(`${base}/${c.id}`, { usageLimit: 4 })).body).toMatchObject({ usageLimit: 4, usedCount: 4 });
  });

  it.each([
    ['extra field', { usedCount: 0 }],
    ['id field', { id: 'x' }],
    ['bad code', { code: 'no spaces' }],
    ['float value', { value: 2.5 }],
    ['string value', { value: '5' }],
    ['bad type', { type: 'free' }],
    ['bad date', { expiresAt: 'soon' }],
    ['10 KB code', { code: 'x'.repeat(10_240) }],
    ['null value', { value: null }],
    ['null isActive', { isActive: null }],
  ])('PATCH → 400 validation_failed on %s', async (_name, body) => {
    const c = (await api.post(base, { code: code('V'), type: 'flat', value: 5 })).body;
    const res = await api.patch(`${base}/${c.id}`, body);
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('validation_failed');
  });

  it('DELETE is soft: 204, then 404 everywhere, gone from the list, code free again', async ({ ctx }) => {
    const c = (await api.post(base, { code: code('Del'), type: 'flat', value: 5 })).body;
    const del = await api.delete(`${base}/${c.id}`);
    expect(del.status).toBe(204);
    expect(del.text).toBe('');
    for (const res of [
      await api.get(`${base}/${c.id}`),
      await api.patch(`${base}/${c.id}`, { value: 6 }),
      await api.delete(`${base}/${c.id}`),
    ]) {
      expect(res.status).toBe(404);
      expect(res.body.code).toBe('not_found');
    }
    const list = await api.get(`${base}?limit=100`);
    expect(list.body.items.map((x: { id: string }) => x.id)).not.toContain(c.id);
    const { rows } = await ctx.testDb.db.query<{ deleted: boolean }>(
      `SELECT deleted_at IS NOT NULL AS deleted FROM coupons WHERE id = $1`,
      [c.id],
    );
    expect(rows).toEqual([{ deleted: true }]);
    expect((await api.post(base, { code: c.code, type: 'percent', value: 5 })).status).toBe(201);
  });

  it.each(['00000000-0000-4000-8000-000000000000', 'not-a-uuid', 'x'.repeat(100)])(
    'unknown coupon id %s → 404 on GET/PATCH/DELETE',
    async (id) => {
      for (const res of [
        await api.get(`${base}/${id}`),
        await api.patch(`${base}/${id}`, { value: 5 }),
        await api.delete(`${base}/${id}`),
      ]) {
        expect(res.status).toBe(404);
        expect(res.body.code).toBe('not_found');
      }
    },
  );

  it('without a token → 401', async ({ ctx }) => {
    const anon = client(ctx.app);
    expect((await anon.get(base)).status).toBe(401);
    expect((await anon.post(base, { code: 'ANON', type: 'flat', value: 5 })).status).toBe(401);
  });
});

describe('coupon tenancy', () => {
  it("another merchant gets 404 for the first store's coupons and changes nothing", async ({ ctx }) => {
    const created = (await api.post(base, { code: code('Mine'), type: 'percent', value: 15 })).body;
    const intruder = await merchantWithStore(ctx);
    const theirs = `/api/v1/stores/${intruder.store.id}/coupons`;
    const attempts = [
      await intruder.api.get(base),
      await intruder.api.post(base, { code: 'HACK', type: 'flat', value: 5 }),
      await intruder.api.get(`${base}/${created.id}`),
      await intruder.api.patch(`${base}/${created.id}`, { value: 100 }),
      await intruder.api.delete(`${base}/${created.id}`),
      // Their own store path with the first store's coupon id.
      await intruder.api.get(`${theirs}/${created.id}`),
      await intruder.api.patch(`${theirs}/${created.id}`, { value: 100 }),
      await intruder.api.delete(`${theirs}/${created.id}`),
    ];
    for (const res of attempts) {
      expect(res.status).toBe(404);
      expect(res.body.code).toBe('not_found');
    }
    expect((await intruder.api.get(theirs)).body).toEqual({ items: [], nextCursor: null });
    expect((await api.get(`${base}/${created.id}`)).body).toEqual(created);
    const { rows } = await ctx.testDb.db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM coupons WHERE code = 'HACK'`,
    );
    expect(rows[0]!.n).toBe(0);
  });
});
