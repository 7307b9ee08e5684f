/**
 * Store profile values the schema alone cannot judge, on both databases: a PIN code has the shape checkout asks of
 * a customer (6 digits for an INR store) wherever the store takes one — its own address and the delivery check —
 * and a delivery area list names each PIN prefix once.
 */
import { describe, expect } from 'vitest';
import { appTest } from '../helpers/fixture.js';
import { openShop, type Shop } from '../helpers/order-fixtures.js';

const it = appTest();
let shop: Shop;
it.beforeAll(async ({ ctx }) => {
  shop = await openShop(ctx, {
    patch: { delivery: { fee: 3000, areas: [{ pincodePrefix: '4110', fee: 2000 }] } },
  });
});

describe('the store address', () => {
  it('refuses a PIN code not of 6 digits in an INR store: 422 on /address/pincode; nothing changes', async () => {
    for (const pincode of ['abc', '4110', '4110012', 'PUNE-1']) {
      const res = await shop.api.patch(shop.base, {
        description: 'changed?',
        address: { line1: '4 Station Road', city: 'Pune', pincode },
      });
      expect([pincode, res.status, res.body.code]).toEqual([pincode, 422, 'validation_failed']);
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(res.body.errors).toEqual([expect.objectContaining({ path: '/address/pincode' })]);
    }
    const store = (await shop.api.get(shop.base)).body;
    expect(store).toMatchObject({ address: null, description: '' });
    const ok = await shop.api.patch(shop.base, {
      address: { line1: '4 Station Road', city: 'Pune', pincode: '411001' },
    });
    expect(ok.status).toBe(200);
    expect(ok.body.address).toEqual({ line1: '4 Station Road', city: 'Pune', pincode: '411001' });
  });

  it('takes another country’s postal code in a store of another currency', async ({ ctx }) => {
    const abroad = await openShop(ctx, { create: { name: 'Corner Shop', currency: 'GBP' } });
    const res = await abroad.api.patch(abroad.base, {
      address: { line1: '1 High St', city: 'Leeds', pincode: 'LS1 4DY' },
    });
    expect(res.status).toBe(200);
    expect(res.body.address.pincode).toBe('LS1 4DY');
  });
});

describe('delivery areas', () => {
  it('refuses a PIN prefix listed twice (its second fee never applies), naming the repeat; areas stay', async () => {
    const res = await shop.api.patch(shop.base, {
      delivery: {
        areas: [{ pincodePrefix: '411', fee: 1000 }, { pincodePrefix: '560' }, { pincodePrefix: '411', fee: 2000 }],
      },
    });
    expect([res.status, res.body.code]).toEqual([422, 'validation_failed']);
    expect(res.body.errors).toEqual([expect.objectContaining({ path: '/delivery/areas/2/pincodePrefix' })]);
    expect((await shop.api.get(shop.base)).body.delivery.areas).toEqual([{ pincodePrefix: '4110', fee: 2000 }]);
  });
});

describe('GET /storefront/{slug}/delivery', () => {
  const ask = (s: Shop, pin: string) =>
    s.customer.get(`/api/v1/storefront/${s.slug}/delivery?pincode=${encodeURIComponent(pin)}`);

  it('answers a 6-digit PIN, spaces ignored as checkout ignores them', async () => {
    expect((await ask(shop, '411001')).body).toEqual({ delivers: true, fee: 2000 });
    expect((await ask(shop, '411 001')).body).toEqual({ delivers: true, fee: 2000 });
    expect((await ask(shop, '560001')).body).toEqual({ delivers: false, fee: 0 });
  });

  it('is 422 for a PIN checkout would refuse, never "delivers: true" for it', async () => {
    for (const pin of ['4110', '41100', '4110011', '4110011234']) {
      const res = await ask(shop, pin);
      expect([pin, res.status, res.body.code]).toEqual([pin, 422, 'validation_failed']);
      expect(res.body.errors[0]).toMatchObject({ path: 'querystring/pincode' });
    }
    for (const pin of ['41100a', '', ' 411001']) {
      const res = await ask(shop, pin);
      expect([pin, res.status, res.body.code]).toEqual([pin, 400, 'validation_failed']);
    }
  });

  it('leaves the shape of other countries’ postal codes to their stores', async ({ ctx }) => {
    const abroad = await openShop(ctx, { create: { name: 'Ecke', currency: 'EUR' } });
    expect((await ask(abroad, '1010')).body).toEqual({ delivers: true, fee: 0 });
  });
});

describe('logo and banner', () => {
  it('are a path on this site or an https URL: never //another-site, spaces or a bare slash', async () => {
    for (const bad of ['//evil.example/x.png', '/', '/media/a b.png', 'https:///x.png', '/\tx.png', '///x.png']) {
      for (const field of ['logo', 'banner']) {
        const res = await shop.api.patch(shop.base, { [field]: bad });
        expect([field, bad, res.status, res.body.code]).toEqual([field, bad, 400, 'validation_failed']);
      }
    }
    const ok = await shop.api.patch(shop.base, { logo: '/media/logo.webp', banner: 'https://cdn.example/b.jpg' });
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({ logo: '/media/logo.webp', banner: 'https://cdn.example/b.jpg' });
  });
});
