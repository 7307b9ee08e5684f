/**
 * Issue 13's contract on both databases: store profile and hours, delivery areas, one-round 422, expectedTotal,
 * replacement suggestions, the opt-in confirmation and the order's language.
 */
import { describe, expect } from 'vitest';
import { appTest } from '../helpers/fixture.js';
import {
  ADDRESS,
  addProduct,
  checkoutBody,
  checkoutCart,
  newCart,
  openShop,
  outboxFor,
  type Shop,
} from '../helpers/order-fixtures.js';
import { setStock } from '../helpers/fixtures.js';

const it = appTest({ publicUrl: 'https://dukaan.test' });
let shop: Shop;
it.beforeAll(async ({ ctx }) => {
  shop = await openShop(ctx, {
    create: { name: 'Kirana Plus', whatsapp: '+919876543210' },
    patch: { delivery: { fee: 3000 } },
  });
});

describe('store profile', () => {
  it(
    'PATCH sets description, logo, banner, address, hours, defaultLanguage, ' +
      'gstin, delivery.areas; GET and the public store show them',
    async () => {
      const profile = {
        description: 'Fresh atta, dal and dairy since 1998',
        logo: '/media/logo.webp',
        banner: 'https://cdn.example/banner.jpg',
        address: { line1: '4 Station Road', city: 'Pune', pincode: '411001' },
        hours: { mon: [['09:00', '21:00']], sun: [] },
        defaultLanguage: 'hi',
        gstin: '27AAPFU0939F1ZV',
        delivery: { areas: [{ pincodePrefix: '4110' }, { pincodePrefix: '411045', fee: 5000 }] },
      };
      const res = await shop.api.patch(shop.base, profile);
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ ...profile, delivery: { fee: 3000, ...profile.delivery } });
      expect((await shop.api.get(shop.base)).body).toMatchObject(profile);
      const pub = (await shop.customer.get(`/api/v1/storefront/${shop.slug}`)).body;
      expect(pub).toMatchObject({ ...profile, delivery: { fee: 3000, ...profile.delivery } });
      expect(pub).not.toHaveProperty('id');
      // back to always open for the tests below
      expect(
        (await shop.api.patch(shop.base, { hours: null, defaultLanguage: 'en', delivery: { areas: [] } })).status,
      ).toBe(200);
    },
  );

  it('refuses bad hours, languages, GSTINs and image URLs with 400 validation_failed', async () => {
    for (const bad of [
      { hours: { mon: [['21:00', '09:00']] } },
      { hours: { funday: [] } },
      { defaultLanguage: 'fr' },
      { gstin: 'nope' },
      { logo: 'javascript:alert(1)' },
      { delivery: { areas: [{ pincodePrefix: 'abc' }] } },
    ]) {
      const res = await shop.api.patch(shop.base, bad);
      expect([res.status, res.body.code]).toEqual([400, 'validation_failed']);
    }
  });

  it('opening hours close the store outside them; the manual switch closes it regardless', async ({ ctx }) => {
    const other = await openShop(ctx);
    const v = await addProduct(other, 'Bread', 4000);
    // Open only in a minute of the day that is never now: 00:00–00:01 on no day but a far one.
    await other.api.patch(other.base, { hours: { mon: [['00:00', '00:01']] } });
    const closed = (await other.customer.get(`/api/v1/storefront/${other.slug}`)).body;
    // (Exactly at Monday 00:00 IST this could be open; the check below stays honest by reading the answer.)
    const cart = await newCart(other, [[v, 1]]);
    const res = await checkoutCart(other, cart);
    if (closed.isOpen) expect(res.status).toBe(201);
    else expect([res.status, res.body.code]).toEqual([409, 'store_closed']);
    // Open all week by hours, but the switch is off → closed.
    const always = Object.fromEntries(
      ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'].map((d) => [d, [['00:00', '24:00']]]),
    );
    await other.api.patch(other.base, { hours: always, isOpen: false });
    expect((await other.customer.get(`/api/v1/storefront/${other.slug}`)).body.isOpen).toBe(false);
    await other.api.patch(other.base, { isOpen: true });
    const store = (await other.api.get(other.base)).body;
    expect(store).toMatchObject({ isOpen: true, openNow: true });
    expect((await other.customer.get(`/api/v1/storefront/${other.slug}`)).body.isOpen).toBe(true);
  });
});

describe('delivery areas', () => {
  let areaShop: Shop;
  it.beforeAll(async ({ ctx }) => {
    areaShop = await openShop(ctx, {
      patch: { delivery: { fee: 3000, areas: [{ pincodePrefix: '4110' }, { pincodePrefix: '411045', fee: 5000 }] } },
    });
  });

  it('GET /delivery?pincode= answers whether the store delivers there and the fee', async () => {
    const ask = (pin: string) => areaShop.customer.get(`/api/v1/storefront/${areaShop.slug}/delivery?pincode=${pin}`);
    expect((await ask('411001')).body).toEqual({ delivers: true, fee: 3000 });
    expect((await ask('411045')).body).toEqual({ delivers: true, fee: 5000 });
    expect((await ask('560001')).body).toEqual({ delivers: false, fee: 0 });
    const bad = await ask('abc');
    expect([bad.status, bad.body.code]).toEqual([400, 'validation_failed']);
    expect((await shop.customer.get(`/api/v1/storefront/no-such-shop/delivery?pincode=411001`)).status).toBe(404);
  });

  it(
    'checkout outside the areas → 422 outside_delivery_area, ' + 'nothing taken; inside, the area fee is billed',
    async () => {
      const v = await addProduct(areaShop, 'Atta 5 kg', 25000, 5);
      const cart = await newCart(areaShop, [[v, 1]]);
      const outside = await checkoutCart(areaShop, cart, checkoutBody());
      expect([outside.status, outside.body.code]).toEqual([422, 'outside_delivery_area']);
      expect(outside.body.errors[0]).toMatchObject({ path: '/customer/address/pincode' });
      const inside = await checkoutCart(
        areaShop,
        cart,
        checkoutBody({
          customer: { name: 'Asha', phone: '+919812345678', address: { ...ADDRESS, pincode: '411045' } },
        }),
      );
      expect(inside.status).toBe(201);
      expect(inside.body).toMatchObject({ deliveryFee: 5000, total: 30000 });
    },
  );
});

describe('checkout in one round', () => {
  it('reports every field problem at once in one 422 (schema and rules together)', async () => {
    const v = await addProduct(shop, 'Dal 1 kg', 12000);
    const cart = await newCart(shop, [[v, 1]]);
    const res = await checkoutCart(shop, cart, {
      customer: { name: '  ', phone: '12345', address: { line1: '', city: 'Pune', pincode: '41100' } },
      paymentMethod: 'card',
    });
    expect([res.status, res.body.code]).toEqual([422, 'validation_failed']);
    const paths = res.body.errors.map((e: { path: string }) => e.path).sort();
    expect(paths).toEqual(
      expect.arrayContaining([
        '/customer/name',
        '/customer/phone',
        '/customer/address/line1',
        '/customer/address/pincode',
        '/paymentMethod',
      ]),
    );
  });

  it('409 total_changed when a price changed since the customer saw the total; the current cart comes along', async ({
    db,
  }) => {
    const v = await addProduct(shop, 'Paneer 200 g', 9000);
    const cart = await newCart(shop, [[v, 2]]);
    const seen = (await shop.customer.get(`/api/v1/storefront/${shop.slug}/carts/${cart}`)).body.total;
    await db.query(`UPDATE variants SET price = 9500 WHERE id = $1`, [v]);
    const res = await checkoutCart(shop, cart, checkoutBody({ expectedTotal: seen }));
    expect([res.status, res.body.code]).toEqual([409, 'total_changed']);
    expect(res.body.cart).toMatchObject({ id: cart, total: 19000 + 3000 });
    const ok = await checkoutCart(shop, cart, checkoutBody({ expectedTotal: 22000 }));
    expect(ok.status).toBe(201);
  });
});

describe('replacement suggestions', () => {
  it('an out-of-stock line suggests up to 3 in-stock variants of the same category, nearest price first', async ({
    db,
  }) => {
    const cat = (await shop.api.post(`${shop.base}/categories`, { name: 'Dairy' })).body.id as string;
    const make = async (name: string, price: number, stock: number | null) => {
      const res = await shop.api.post(`${shop.base}/products`, {
        name,
        price,
        categoryId: cat,
        ...(stock === null ? {} : { stock }),
      });
      return res.body.variants[0].id as string;
    };
    const milk = await make('Milk 1 L', 6000, 5);
    await make('Toned milk 1 L', 5800, 3);
    await make('Cow milk 1 L', 6500, null);
    await make('Buffalo milk 1 L', 7500, 1);
    await make('Gold milk 1 L', 6100, 0); // out of stock: never suggested
    await make('A2 milk 1 L', 12000, 9);
    const cart = await newCart(shop, [[milk, 1]]);
    await setStock(db, milk, 0);
    const body = (await shop.customer.get(`/api/v1/storefront/${shop.slug}/carts/${cart}`)).body;
    const line = body.lines[0];
    expect(line.error).toEqual({ code: 'out_of_stock' });
    expect(line.suggestions.map((s: { name: string }) => s.name)).toEqual([
      'Toned milk 1 L',
      'Cow milk 1 L',
      'Buffalo milk 1 L',
    ]);
    expect(line.suggestions[0]).toMatchObject({
      price: 5800,
      productSlug: expect.any(String),
      variantId: expect.any(String),
    });
    await setStock(db, milk, 1);
    const fine = (await shop.customer.get(`/api/v1/storefront/${shop.slug}/carts/${cart}`)).body;
    expect(fine.lines[0].suggestions).toEqual([]);
  });
});

describe('after ordering', () => {
  it('whatsappUpdates: false sends no confirmation; the order keeps the language it was placed in', async ({ ctx }) => {
    const v = await addProduct(shop, 'Maggi', 1400);
    const quiet = await checkoutCart(
      shop,
      await newCart(shop, [[v, 1]]),
      checkoutBody({ customer: { name: 'Ravi', phone: '+919812345670', address: ADDRESS, whatsappUpdates: false } }),
    );
    expect(quiet.status).toBe(201);
    expect(quiet.body.customer.whatsappUpdates).toBe(false);
    expect((await outboxFor(ctx, quiet.body.id)).map((m) => m.topic)).toEqual(['order.placed']);
    // A status change is not sent to them either.
    await shop.api.post(`${shop.base}/orders/${quiet.body.id}/transitions`, { to: 'accepted' });
    expect((await outboxFor(ctx, quiet.body.id)).map((m) => m.topic)).toEqual(['order.placed']);

    const hindi = await checkoutCart(shop, await newCart(shop, [[v, 2]]), checkoutBody({ lang: 'hi' }));
    expect(hindi.status).toBe(201);
    expect(hindi.body.lang).toBe('hi');
    const confirmation = (await outboxFor(ctx, hindi.body.id)).find((m) => m.topic === 'order.confirmed')!;
    expect(confirmation.text).toContain('धन्यवाद');
    expect(confirmation.text).toContain(`#${hindi.body.number}`);
    expect(confirmation.text).toContain('₹58.00');
    await shop.api.post(`${shop.base}/orders/${hindi.body.id}/transitions`, { to: 'accepted' });
    const accepted = (await outboxFor(ctx, hindi.body.id)).find(
      (m) => m.topic !== 'order.confirmed' && m.topic !== 'order.placed',
    )!;
    expect(accepted.text).toContain('स्वीकार');
  });
});
