/**
 * The storefront pages, driven like a browser WITHOUT JavaScript: GET pages, POST forms, follow 303s, keep cookies.
 * Runs on PGlite and PostgreSQL.
 */
import { describe, expect } from 'vitest';
import sharp from 'sharp';
import { client, merchantWithStore, type Client, type TestContext } from '../helpers/app.js';
import { appTest } from '../helpers/fixture.js';
import { uploadImage } from '../helpers/multipart.js';
import { WebClient } from '../helpers/web-client.js';
import { HOSTILE_ESCAPED, HOSTILE_NAME, countTestId, inputValue, testIdText } from './web-storefront.helpers.js';

const it = appTest({ publicUrl: 'https://dukaan.test', baseDomain: 'shops.test' });
let owner: Client;
let storeId: string;
let slug: string;
let ownerToken: string;

interface MadeProduct {
  id: string;
  slug: string;
  variants: { id: string; name: string }[];
}

async function product(body: Record<string, unknown>): Promise<MadeProduct> {
  const res = await owner.post(`/api/v1/stores/${storeId}/products`, body);
  if (res.status !== 201) throw new Error(`product: ${res.status} ${res.text}`);
  return res.body;
}

const setStock = (variantId: string, set: number | null) =>
  owner.post(`/api/v1/stores/${storeId}/variants/${variantId}/stock`, { set });

let chai: MadeProduct;
let hostile: MadeProduct;
let atta: MadeProduct;
let soldOut: MadeProduct;
let imageUrl: string;

it.beforeAll(async ({ ctx }) => {
  const m = await merchantWithStore(ctx, { name: 'Chai & Co', whatsapp: '+919876543210' });
  owner = m.api;
  ownerToken = m.token;
  storeId = m.store.id;
  slug = m.store.slug;
  await owner.patch(`/api/v1/stores/${storeId}`, {
    payments: { cod: true, upiVpa: 'chaico@okbank' },
    delivery: { fee: 4000, freeAbove: 50000, pickup: true },
  });
  const drinks = await owner.post(`/api/v1/stores/${storeId}/categories`, { name: 'Drinks' });
  const flour = await owner.post(`/api/v1/stores/${storeId}/categories`, { name: 'Flour' });

  const jpeg = await sharp({ create: { width: 900, height: 600, channels: 3, background: { r: 200, g: 120, b: 40 } } })
    .jpeg()
    .toBuffer();
  const upload = await uploadImage(ctx.app, ownerToken, storeId, jpeg);
  imageUrl = upload;

  chai = await product({
    name: 'Masala Chai',
    description: 'Strong <b>tea</b> & spices',
    price: 9900,
    mrp: 12000,
    stock: 10,
    categoryId: drinks.body.id,
    images: [imageUrl],
    unit: '250 g',
  });
  hostile = await product({
    name: HOSTILE_NAME,
    description: `<script>alert("d")</script>`,
    price: 5000,
    stock: 5,
    categoryId: drinks.body.id,
    variants: undefined,
  });
  atta = await product({
    name: 'Chakki Atta',
    categoryId: flour.body.id,
    variants: [
      { name: '1 kg', price: 6200, mrp: 6800, stock: 40 },
      { name: '5 kg', price: 28500, stock: 0 },
    ],
  });
  soldOut = await product({ name: 'Kabuli Chana', price: 8500, stock: 0, categoryId: flour.body.id });
  await owner.post(`/api/v1/stores/${storeId}/coupons`, { code: 'CHAI10', type: 'percent', value: 10 });
  await owner.post(`/api/v1/stores/${storeId}/coupons`, { code: 'BIG', type: 'flat', value: 1000, minOrder: 100000 });
});

const browser = (ctx: TestContext) => new WebClient(ctx.app);
const shopPath = (rest = '') => `/${slug}${rest}`;

/** A fresh customer with `lines` in the cart (through the add-to-cart form). */
async function customerWith(ctx: TestContext, lines: [string, number][]): Promise<WebClient> {
  const b = browser(ctx);
  for (const [variantId, quantity] of lines) {
    const res = await b.post(shopPath('/cart/add'), { variantId, quantity });
    expect(res.status).toBe(303);
  }
  return b;
}

const CUSTOMER = {
  name: 'Asha Rao',
  phone: '98765 43210',
  line1: '12 MG Road',
  line2: 'Near the temple',
  city: 'Pune',
  pincode: '411001',
  paymentMethod: 'cod',
  fulfillment: 'delivery',
  note: 'Ring twice',
};

async function placeOrder(
  b: WebClient,
  fields: Partial<typeof CUSTOMER> = {},
): Promise<{ token: string; page: string }> {
  const form = await b.get(shopPath('/checkout'));
  expect(form.status).toBe(200);
  const key = inputValue(form.body, 'key')!;
  const { post, page } = await b.submit(shopPath('/checkout'), { key, ...CUSTOMER, ...fields });
  expect(post.status).toBe(303);
  expect(post.location).toMatch(/^\/o\/[0-9a-f-]{36}\?placed=1$/);
  return { token: post.location!.slice(3).split('?')[0]!, page: page.body };
}

describe('store home', () => {
  it('shows name, open badge, facts, categories, search and the product grid with prices, MRP and stock', async ({
    ctx,
  }) => {
    const res = await browser(ctx).get(shopPath());
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
    const body = res.body;
    expect(body).toMatch(/^<!doctype html>/);
    expect(body).toContain('<meta name="viewport" content="width=device-width,initial-scale=1">');
    expect(testIdText(body, 'store-name')).toBe('Chai &amp; Co');
    expect(testIdText(body, 'store-status')).toBe('Open');
    expect(body).toContain('Delivery ₹40.00, free above ₹500.00');
    expect(body).toContain('Pickup available');
    expect(body).toContain('<form class="search row" role="search" method="get"');
    expect(body).toMatch(/<a href="\/[a-z0-9-]+\?category=drinks">Drinks<\/a>/);
    expect(countTestId(body, 'product-card')).toBe(4);
    // price, MRP struck through, percent off
    expect(body).toContain(
      '<span class="price" data-testid="price">₹99</span>' +
        '<s class="mrp" data-testid="mrp"><span class="sr-only">MRP </span>₹120</s><span class="off">17% off</span>',
    );
    // a multi-variant product shows its lowest buyable price and a "Choose" link; sold out shows a badge
    expect(body).toContain('₹62');
    expect(countTestId(body, 'out-of-stock')).toBe(1);
    expect(body).toContain(`href="/${slug}/p/${atta.slug}">Choose</a>`);
    // quick add for a single-variant product in stock
    expect(body).toContain(`name="variantId" value="${chai.variants[0]!.id}"`);
  });

  it('filters by search and by category; an unknown category is an HTML 404', async ({ ctx }) => {
    const search = await browser(ctx).get(shopPath('?q=chai'));
    expect(search.status).toBe(200);
    // forgiving search: near matches too, the closest first
    expect(countTestId(search.body, 'product-card')).toBe(3);
    const cards = search.body.split('data-testid="product-card"').slice(1);
    expect(cards[0]).toContain('Masala Chai');
    expect(search.body).toContain('Results for “chai”');
    const flour = await browser(ctx).get(shopPath('?category=flour'));
    expect(countTestId(flour.body, 'product-card')).toBe(2);
    expect(flour.body).toContain('aria-current="page">Flour</a>');
    const nothing = await browser(ctx).get(shopPath('?q=zzzzzz'));
    expect(nothing.body).toContain('Nothing matches your search.');
    const unknown = await browser(ctx).get(shopPath('?category=nope'));
    expect(unknown.status).toBe(404);
    expect(unknown.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(unknown.body).toContain('Page not found');
  });

  it('a search inside a category that finds nothing there points to the matches in the whole store', async ({
    ctx,
  }) => {
    const all = await browser(ctx).get(shopPath('?q=masala'));
    const inAll = countTestId(all.body, 'product-card');
    expect(inAll).toBeGreaterThanOrEqual(1);
    const flour = await browser(ctx).get(shopPath('?category=flour&q=masala'));
    expect(flour.status).toBe(200);
    expect(countTestId(flour.body, 'product-card')).toBe(0);
    expect(countTestId(flour.body, 'no-products')).toBe(0);
    const results = inAll === 1 ? '1 result' : `${inAll} results`;
    const link = `<a href="/${slug}?q=masala" data-testid="search-all-link">${results} in all products</a>`;
    expect(flour.body).toContain(`data-testid="search-elsewhere">Nothing in Flour — ${link}`);
    const hindi = await browser(ctx).get(shopPath('?category=flour&q=masala&lang=hi'));
    expect(hindi.body).toContain('Flour में कुछ नहीं मिला — ');
    // Nothing anywhere: the plain "nothing matches", no link.
    const none = await browser(ctx).get(shopPath('?category=flour&q=zzzzzz'));
    expect(countTestId(none.body, 'search-elsewhere')).toBe(0);
    expect(none.body).toContain('Nothing matches your search.');
    // Some here, more elsewhere: the link alone; a category without a search: none.
    const some = await browser(ctx).get(shopPath('?category=flour&q=chai'));
    const here = countTestId(some.body, 'product-card');
    const everywhere = countTestId((await browser(ctx).get(shopPath('?q=chai'))).body, 'product-card');
    expect(countTestId(some.body, 'search-elsewhere')).toBe(here > 0 && everywhere > here ? 1 : 0);
    expect(countTestId((await browser(ctx).get(shopPath('?category=flour'))).body, 'search-elsewhere')).toBe(0);
  });

  it('pages through products with a keyset "More products" link; a broken cursor is an HTML 400', async ({ ctx }) => {
    const m = await merchantWithStore(ctx, { name: 'Big Shop' });
    for (let i = 1; i <= 30; i++)
      await m.api.post(`/api/v1/stores/${m.store.id}/products`, {
        name: `Item ${String(i).padStart(2, '0')}`,
        price: 100 * i,
      });
    const first = await browser(ctx).get(`/${m.store.slug}`);
    expect(countTestId(first.body, 'product-card')).toBe(24);
    const next = /<a class="btn secondary" rel="next" href="([^"]+)">More products<\/a>/
      .exec(first.body)![1]!
      .replace(/&amp;/g, '&');
    expect(next).toMatch(new RegExp(`^/${m.store.slug}\\?cursor=`));
    const second = await browser(ctx).get(next);
    expect(second.status).toBe(200);
    expect(countTestId(second.body, 'product-card')).toBe(6);
    expect(second.body).not.toContain('rel="next"');
    const names = (body: string) => [...body.matchAll(/<h2 class="name">([^<]+)<\/h2>/g)].map((x) => x[1]);
    expect(new Set([...names(first.body), ...names(second.body)]).size).toBe(30);
    const res = await browser(ctx).get(shopPath('?cursor=not-a-cursor'));
    expect(res.status).toBe(400);
    expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
  });

  it('answers an unknown or reserved store with an HTML 404, and /api with the API’s', async ({ ctx }) => {
    for (const path of [
      '/no-such-shop',
      '/no-such-shop/p/x',
      '/no-such-shop/cart',
      '/api',
      '/x',
      `/${'a'.repeat(300)}`,
    ]) {
      const res = await browser(ctx).get(path);
      expect(res.status, path).toBe(404);
      // `/api` is the API's own (problem+json); every other path here is a page.
      expect(res.headers['content-type'], path).toMatch(
        path === '/api' ? /^application\/problem\+json/ : /^text\/html/,
      );
    }
    const page = await browser(ctx).get('/no-such-shop');
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
    const api = await browser(ctx).get('/api/v1/storefront/no-such-shop');
    expect(api.status).toBe(404);
    expect(api.headers['content-type']).toContain('application/problem+json');
    expect((await browser(ctx).get('/healthz')).body).toBe('{"status":"ok"}');
  });

  it('shows a closed store as closed and blocks checkout in words', async ({ ctx }) => {
    const m = await merchantWithStore(ctx, { name: 'Closed Shop' });
    await m.api.patch(`/api/v1/stores/${m.store.id}`, { isOpen: false });
    const p = await m.api.post(`/api/v1/stores/${m.store.id}/products`, { name: 'Thing', price: 1000 });
    const b = browser(ctx);
    const home = await b.get(`/${m.store.slug}`);
    expect(testIdText(home.body, 'store-status')).toBe('Closed');
    expect(home.body).toContain('data-testid="closed-notice"');
    await b.post(`/${m.store.slug}/cart/add`, { variantId: p.body.variants[0].id, quantity: 1 });
    const cart = await b.get(`/${m.store.slug}/cart`);
    expect(cart.body).toContain('The shop is closed right now; you can order when it opens.');
    expect(cart.body).not.toContain('data-testid="checkout-link"');
    const checkout = await b.get(`/${m.store.slug}/checkout`);
    expect(checkout.status).toBe(303);
    expect(checkout.location).toBe(`/${m.store.slug}/cart`);
  });
});

describe('product page', () => {
  it('renders images with srcset, variants, quantity, add to cart, and Open Graph / Twitter tags', async ({ ctx }) => {
    const res = await browser(ctx).get(shopPath(`/p/${chai.slug}`));
    expect(res.status).toBe(200);
    const body = res.body;
    expect(testIdText(body, 'product-name')).toBe('Masala Chai');
    expect(body).toContain('Strong &lt;b&gt;tea&lt;/b&gt; &amp; spices');
    expect(body).toContain('<meta property="og:title" content="Masala Chai — ₹99.00">');
    expect(body).toContain('<meta property="og:type" content="product">');
    expect(body).toContain(`<meta property="og:image" content="https://dukaan.test${imageUrl}">`);
    expect(body).toContain(`<meta property="og:url" content="https://dukaan.test/${slug}/p/${chai.slug}">`);
    expect(body).toContain('<meta property="product:price:amount" content="99.00">');
    expect(body).toContain('<meta property="product:price:currency" content="INR">');
    expect(body).toContain('<meta name="twitter:card" content="summary_large_image">');
    expect(body).toContain('<meta property="og:description" content="Strong &lt;b&gt;tea&lt;/b&gt; &amp; spices">');
    const img = /<img [^>]*>/.exec(body.slice(body.indexOf('class="gallery"')))![0];
    expect(img).toMatch(/srcset="\/media\/[0-9a-f]{32}-400x267\.webp 400w, \/media\/[0-9a-f]{32}-900x600\.webp 900w"/);
    expect(img).toContain('width="900" height="600"');
    expect(body).toContain('name="quantity" value="1" min="1" max="999"');
    expect(body).toContain('data-testid="add-to-cart"');
  });

  it('lets the customer choose a variant; a sold-out variant is disabled', async ({ ctx }) => {
    const body = (await browser(ctx).get(shopPath(`/p/${atta.slug}`))).body;
    expect(body).toContain(`<input type="radio" name="variantId" value="${atta.variants[0]!.id}" required checked>`);
    expect(body).toContain(`<input type="radio" name="variantId" value="${atta.variants[1]!.id}" required disabled>`);
    expect(body).toMatch(/5 kg — ₹285 <span class="badge oos">Out of stock<\/span>/);
  });

  it('has no add form for a sold-out product, and 404s unknown products as a page', async ({ ctx }) => {
    const body = (await browser(ctx).get(shopPath(`/p/${soldOut.slug}`))).body;
    expect(body).not.toContain('data-testid="add-to-cart"');
    expect(body).toContain('This item is out of stock right now.');
    const missing = await browser(ctx).get(shopPath('/p/nothing-here'));
    expect(missing.status).toBe(404);
    expect(missing.headers['content-type']).toBe('text/html; charset=utf-8');
  });
});

describe('cart without JavaScript', () => {
  it('adds to cart with a 303, keeps the cart id in an HttpOnly SameSite=Lax cookie scoped to the store', async ({
    ctx,
  }) => {
    const b = browser(ctx);
    const res = await b.post(shopPath('/cart/add'), {
      variantId: chai.variants[0]!.id,
      quantity: 2,
      back: shopPath(`/p/${chai.slug}`),
    });
    expect(res.status).toBe(303);
    expect(res.location).toBe(shopPath(`/p/${chai.slug}`));
    const cookie = res.setCookies.find((c) => c.startsWith('cart='))!;
    expect(cookie).toMatch(/^cart=[0-9a-f-]{36}; Max-Age=2592000; Path=\/[a-z0-9-]+; HttpOnly; SameSite=Lax$/);
    expect(cookie).toContain(`Path=/${slug};`);
    expect(cookie).not.toContain('Secure');
    const page = await b.get(shopPath(`/p/${chai.slug}`));
    expect(testIdText(page.body, 'flash')).toBe('Masala Chai × 2 added to your cart.');
    expect(testIdText(page.body, 'cart-count')).toBe('2');
    // adding again adds to the quantity
    await b.post(shopPath('/cart/add'), { variantId: chai.variants[0]!.id, quantity: 1 });
    const cart = await b.get(shopPath('/cart'));
    expect(cart.body).toContain('value="3" min="0" max="999"');
    expect(testIdText(cart.body, 'subtotal')).toBe('₹297.00');
  });

  it('marks the cookie Secure behind TLS', async ({ ctx }) => {
    const b = new WebClient(ctx.app, { 'x-forwarded-proto': 'https' });
    const res = await b.post(shopPath('/cart/add'), { variantId: chai.variants[0]!.id, quantity: 1 });
    expect(res.setCookies.find((c) => c.startsWith('cart='))).toContain('; Secure');
  });

  it('shows the live bill: lines, steppers, delivery fee, free-delivery hint, total', async ({ ctx }) => {
    const b = await customerWith(ctx, [
      [chai.variants[0]!.id, 2],
      [atta.variants[0]!.id, 1],
    ]);
    const res = await b.get(shopPath('/cart'));
    expect(res.status).toBe(200);
    expect(res.headers['cache-control']).toBe('private, no-cache');
    const body = res.body;
    expect(countTestId(body, 'cart-line')).toBe(2);
    expect(body).toContain('1 kg · ₹62.00 each');
    expect(testIdText(body, 'subtotal')).toBe('₹260.00');
    expect(testIdText(body, 'delivery-fee')).toBe('₹40.00');
    expect(testIdText(body, 'total')).toBe('₹300.00');
    expect(testIdText(body, 'free-delivery-hint')).toBe('Add ₹240.00 more for free delivery.');
    expect(body).toContain('name="delta" value="-1"');
    expect(body).toContain('name="delta" value="1"');
    expect(body).toContain('data-testid="checkout-link"');
  });

  it('changes quantities with the − / + buttons and the typed quantity, and removes lines', async ({ ctx }) => {
    const b = await customerWith(ctx, [[chai.variants[0]!.id, 2]]);
    const line = shopPath(`/cart/lines/${chai.variants[0]!.id}`);
    let r = await b.submit(line, { quantity: 2, delta: 1 });
    expect(r.post.status).toBe(303);
    expect(r.post.location).toBe(shopPath('/cart'));
    expect(r.page.body).toContain('value="3" min="0"');
    r = await b.submit(line, { quantity: 3, delta: -1 });
    expect(r.page.body).toContain('value="2" min="0"');
    r = await b.submit(line, { quantity: 7 });
    expect(r.page.body).toContain('value="7" min="0"');
    expect(testIdText(r.page.body, 'cart-notice')).toBe('Cart updated.');
    r = await b.submit(`${line}/remove`);
    expect(r.page.body).toContain('data-testid="cart-empty"');
    expect(testIdText(r.page.body, 'cart-notice')).toBe('Removed from your cart.');
  });

  it('names each line that cannot be sold, in words, and blocks checkout until fixed', async ({ ctx }) => {
    const tea = await product({ name: 'Green Tea', price: 3000, stock: 5 });
    const gone = await product({ name: 'Old Biscuits', price: 2000, stock: 3 });
    const b = await customerWith(ctx, [
      [tea.variants[0]!.id, 4],
      [gone.variants[0]!.id, 1],
    ]);
    await setStock(tea.variants[0]!.id, 2);
    await setStock(gone.variants[0]!.id, 0);
    const body = (await b.get(shopPath('/cart'))).body;
    expect(body).toContain('<p class="line-error" data-testid="line-error">Only 2 left — change quantity</p>');
    expect(body).toContain('<p class="line-error" data-testid="line-error">Out of stock — remove or replace</p>');
    expect(body).toContain('Fix the items marked above to continue.');
    expect(body).not.toContain('data-testid="checkout-link"');
    expect(testIdText(body, 'subtotal')).toBe('₹0.00');
    expect((await b.get(shopPath('/checkout'))).status).toBe(303);
    // fix them
    await b.post(shopPath(`/cart/lines/${tea.variants[0]!.id}`), { quantity: 2 });
    await b.post(shopPath(`/cart/lines/${gone.variants[0]!.id}/remove`));
    const fixed = (await b.get(shopPath('/cart'))).body;
    expect(fixed).not.toContain('data-testid="line-error"');
    expect(fixed).toContain('data-testid="checkout-link"');
  });

  it('applies and removes coupons, and says why a coupon does not apply', async ({ ctx }) => {
    const b = await customerWith(ctx, [[chai.variants[0]!.id, 2]]);
    let r = await b.submit(shopPath('/cart/coupon'), { code: 'chai10' });
    expect(r.page.body).toContain('<p>Coupon CHAI10 applied.</p>');
    expect(testIdText(r.page.body, 'discount')).toBe('−₹19.80');
    expect(testIdText(r.page.body, 'total')).toBe('₹218.20');
    r = await b.submit(shopPath('/cart/coupon/remove'));
    expect(r.page.body).not.toContain('Coupon CHAI10 applied.');
    expect(r.page.body).not.toContain('id="coupon-remove"');
    r = await b.submit(shopPath('/cart/coupon'), { code: 'NOPE' });
    expect(testIdText(r.page.body, 'cart-notice')).toBe('There is no such coupon in this shop.');
    r = await b.submit(shopPath('/cart/coupon'), { code: '' });
    expect(testIdText(r.page.body, 'cart-notice')).toBe('Enter a coupon code.');
    r = await b.submit(shopPath('/cart/coupon'), { code: 'BIG' });
    expect(r.page.body).toContain('Add ₹');
    expect(r.page.body).toContain('data-testid="coupon-not-applied"');
    expect(r.page.body).toContain('data-testid="checkout-link"'); // a coupon that cannot apply never blocks
  });

  it('switches between delivery and pickup', async ({ ctx }) => {
    const b = await customerWith(ctx, [[chai.variants[0]!.id, 1]]);
    let r = await b.submit(shopPath('/cart/fulfillment'), { fulfillment: 'pickup' });
    expect(testIdText(r.page.body, 'delivery-fee')).toBe('Pickup — free');
    expect(testIdText(r.page.body, 'total')).toBe('₹99.00');
    r = await b.submit(shopPath('/cart/fulfillment'), { fulfillment: 'teleport' });
    expect(testIdText(r.page.body, 'cart-notice')).toBe('Choose delivery or pickup.');
    r = await b.submit(shopPath('/cart/fulfillment'), { fulfillment: 'delivery' });
    expect(testIdText(r.page.body, 'delivery-fee')).toBe('₹40.00');
  });

  it('with x-fragment: bill, answers the re-rendered bill instead of a redirect (the JS path)', async ({ ctx }) => {
    const b = await customerWith(ctx, [[chai.variants[0]!.id, 1]]);
    const res = await b.post(
      shopPath(`/cart/lines/${chai.variants[0]!.id}`),
      { quantity: 1, delta: 1 },
      { headers: { 'x-fragment': 'bill' } },
    );
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(res.body).toMatch(/^<section id="bill" data-cart-count="2"/);
    expect(res.body).not.toContain('<!doctype');
    expect(testIdText(res.body, 'subtotal')).toBe('₹198.00');
    const bad = await b.post(shopPath('/cart/coupon'), { code: 'NOPE' }, { headers: { 'x-fragment': 'bill' } });
    expect(bad.status).toBe(200);
    expect(testIdText(bad.body, 'coupon-error')).toBe('There is no such coupon in this shop.');
    expect(bad.body).toContain(
      'name="code" maxlength="64" autocomplete="off" autocapitalize="characters" value="NOPE" aria-invalid="true"',
    );
  });

  it('turns bad input into words on the page, never a 500 or JSON', async ({ ctx }) => {
    const b = await customerWith(ctx, [[chai.variants[0]!.id, 1]]);
    const line = shopPath(`/cart/lines/${chai.variants[0]!.id}`);
    for (const quantity of ['abc', '1.5', '-3', '1000', '', 'x'.repeat(10_000)]) {
      const r = await b.submit(line, { quantity });
      expect(r.post.status, quantity).toBe(303);
      expect(r.page.status).toBe(200);
      expect(testIdText(r.page.body, 'cart-notice'), quantity).toMatch(/from 0 to 999/);
    }
    for (const quantity of ['abc', '0', '-1', '1000', '2.5']) {
      const r = await b.submit(shopPath('/cart/add'), { variantId: chai.variants[0]!.id, quantity });
      expect(r.post.status).toBe(303);
      expect(testIdText(r.page.body, 'flash'), quantity).toMatch(
        /Choose a quantity from 1 to 999\.|added to your cart/,
      );
    }
    // unknown, malformed and other-store variants
    const other = await merchantWithStore(ctx, { name: 'Other Shop' });
    const foreign = await other.api.post(`/api/v1/stores/${other.store.id}/products`, { name: 'Foreign', price: 100 });
    for (const variantId of [
      '00000000-0000-4000-8000-000000000000',
      'not-a-uuid',
      foreign.body.variants[0].id,
      'x'.repeat(10_000),
      '',
    ]) {
      const r = await b.submit(shopPath('/cart/add'), { variantId, quantity: 1 });
      expect(r.post.status).toBe(303);
      expect(testIdText(r.page.body, 'flash')).toBe('That item is no longer available.');
    }
    const r = await b.submit(shopPath('/cart/lines/not-a-uuid'), { quantity: 1 });
    expect(r.page.status).toBe(200);
    expect(testIdText(r.page.body, 'cart-notice')).toBe('That item is no longer available.');
    // an open redirect through `back` is refused
    const away = await b.post(shopPath('/cart/add'), {
      variantId: chai.variants[0]!.id,
      quantity: 1,
      back: 'https://evil.test/',
    });
    expect(away.location).toBe(shopPath());
    const slashes = await b.post(shopPath('/cart/add'), {
      variantId: chai.variants[0]!.id,
      quantity: 1,
      back: `//evil.test/${slug}`,
    });
    expect(slashes.location).toBe(shopPath());
  });

  it('a first add creates the cart holding the item; a refused first add leaves no cart behind', async ({ ctx }) => {
    const carts = async () =>
      (await ctx.testDb.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM carts WHERE store_id = $1`, [storeId]))
        .rows[0]!.n;
    const b = browser(ctx);
    const before = await carts();
    const refused = await b.submit(shopPath('/cart/add'), {
      variantId: '00000000-0000-4000-8000-000000000000',
      quantity: 1,
    });
    expect(testIdText(refused.page.body, 'flash')).toBe('That item is no longer available.');
    expect(await carts()).toBe(before);
    const added = await b.submit(shopPath('/cart/add'), { variantId: chai.variants[0]!.id, quantity: 2 });
    expect(testIdText(added.page.body, 'flash')).toMatch(/added to your cart/);
    expect(await carts()).toBe(before + 1);
    const { rows } = await ctx.testDb.db.query<{ quantity: number }>(
      `SELECT cl.quantity FROM cart_lines cl JOIN carts c ON c.id = cl.cart_id
        WHERE c.store_id = $1 ORDER BY c.created_at DESC, cl.added_at LIMIT 1`,
      [storeId],
    );
    expect(rows).toEqual([{ quantity: 2 }]);
  });

  it('without a cart cookie, cart actions say the cart expired', async ({ ctx }) => {
    const r = await browser(ctx).submit(shopPath(`/cart/lines/${chai.variants[0]!.id}`), { quantity: 1 });
    expect(testIdText(r.page.body, 'cart-notice')).toBe('Your cart has expired. Please add the items again.');
    const forged = new WebClient(ctx.app);
    forged.cookies.set('cart', 'not-a-uuid');
    expect((await forged.get(shopPath('/cart'))).body).toContain('data-testid="cart-empty"');
  });
});

describe('checkout and order page without JavaScript', () => {
  it('places an order: 303 to /o/{token}, the cart cookie is cleared, the order page shows status and bill', async ({
    ctx,
  }) => {
    const b = await customerWith(ctx, [[chai.variants[0]!.id, 2]]);
    const form = await b.get(shopPath('/checkout'));
    expect(form.status).toBe(200);
    expect(form.headers['cache-control']).toBe('no-store');
    expect(form.body).toContain('data-testid="checkout-form"');
    expect(form.body).toContain('<label for="phone">Mobile number</label>');
    expect(form.body).toContain('Place order · ₹238.00');
    const key = inputValue(form.body, 'key')!;
    expect(key).toMatch(/^[0-9a-f-]{36}$/);
    const post = await b.post(shopPath('/checkout'), { key, ...CUSTOMER });
    expect(post.status).toBe(303);
    expect(post.location).toMatch(/^\/o\/[0-9a-f-]{36}\?placed=1$/);
    const token = post.location!.slice(3).split('?')[0]!;
    expect(post.setCookies.some((c) => /^cart=;/.test(c))).toBe(true);
    expect(b.cookies.has('cart')).toBe(false);

    const order = await b.get(post.location!);
    expect(order.status).toBe(200);
    expect(order.headers['cache-control']).toBe('no-store');
    expect(order.body).toMatch(/<h1>Order #\d+<\/h1>/);
    expect(order.body).toContain('data-status="placed">Order placed</span>');
    expect(countTestId(order.body, 'order-line')).toBe(1);
    expect(testIdText(order.body, 'total')).toBe('₹238.00');
    // What the customer typed is shown as theirs: labelled and quoted (issue 10, item 4).
    expect(order.body).toMatch(
      /Name as you typed it:<\/span> <q data-testid="customer-name">Asha Rao<\/q>\s+· \+919876543210/,
    );
    expect(order.body).toContain('<q>12 MG Road, Near the temple, Pune, 411001</q>');
    expect(order.body).toContain('Cash on delivery — Not paid yet');
    expect(order.body).toContain('data-testid="cancel-form"');
    expect(order.body).toContain('data-testid="whatsapp-link"');
    const wa = /href="(https:\/\/wa\.me\/919876543210\?text=[^"]+)"/.exec(order.body)![1]!;
    expect(decodeURIComponent(wa.replace(/&amp;/g, '&').split('text=')[1]!)).toContain(
      `https://dukaan.test/o/${token}`,
    );
    // the same order through the API agrees
    const api = await browser(ctx).get(`/api/v1/orders/${token}`);
    expect(JSON.parse(api.body)).toMatchObject({
      status: 'placed',
      total: 23800,
      paymentMethod: 'cod',
      customer: { phone: '+919876543210' },
    });
    // the cart is empty again for this customer
    expect((await b.get(shopPath('/cart'))).body).toContain('data-testid="cart-empty"');

    // a second press of "Place order" (same form) lands on the same order
    b.cookies.set('cart', (await lastCartOf(ctx, token))!);
    const again = await b.post(shopPath('/checkout'), { key, ...CUSTOMER });
    expect(again.status).toBe(303);
    expect(again.location).toBe(`/o/${token}?placed=1`);
  });

  it('shows form errors in words with the values kept (422), never JSON', async ({ ctx }) => {
    const b = await customerWith(ctx, [[chai.variants[0]!.id, 1]]);
    const key = inputValue((await b.get(shopPath('/checkout'))).body, 'key')!;
    const res = await b.post(shopPath('/checkout'), {
      key,
      ...CUSTOMER,
      name: '',
      phone: '12',
      pincode: '4110',
      line1: 'x'.repeat(10_000),
      note: 'n'.repeat(501),
    });
    expect(res.status).toBe(422);
    expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(res.body).toContain('data-testid="form-error"');
    expect(res.body).toContain('<p class="field-error" id="name-error">Enter your name (up to 100 letters).</p>');
    expect(res.body).toContain(
      '<p class="field-error" id="phone-error">Enter a valid mobile number, e.g. 98765 43210.</p>',
    );
    expect(res.body).toContain('id="line1-error"');
    expect(res.body).toContain('id="note-error"');
    expect(res.body).toContain('aria-invalid="true"');
    expect(res.body).toContain('value="Pune"');
    // service-level checks: PIN code, address for delivery, payment method
    const pin = await b.post(shopPath('/checkout'), { key, ...CUSTOMER, pincode: '4110' });
    expect(pin.status).toBe(422);
    expect(pin.body).toContain('<p class="field-error" id="pincode-error">Enter a 6-digit PIN code.</p>');
    const noAddress = await b.post(shopPath('/checkout'), {
      key,
      ...CUSTOMER,
      line1: '',
      line2: '',
      city: '',
      pincode: '',
    });
    expect(noAddress.status).toBe(422);
    expect(noAddress.body).toContain('id="line1-error">Enter your house and street (up to 200 letters).</p>');
    const method = await b.post(shopPath('/checkout'), { key, ...CUSTOMER, paymentMethod: 'bitcoin' });
    expect(method.status).toBe(422);
    expect(method.body).toContain('id="paymentMethod-error">Choose how you will pay.</p>');
    // nothing was ordered
    expect((await b.get(shopPath('/cart'))).body).toContain('data-testid="cart-line"');
  });

  it('sends the customer back to the cart when the bill changed under them', async ({ ctx }) => {
    const jam = await product({ name: 'Jam', price: 15000, stock: 3 });
    const b = await customerWith(ctx, [[jam.variants[0]!.id, 3]]);
    const key = inputValue((await b.get(shopPath('/checkout'))).body, 'key')!;
    await setStock(jam.variants[0]!.id, 1);
    const r = await b.submit(shopPath('/checkout'), { key, ...CUSTOMER });
    expect(r.post.status).toBe(303);
    expect(r.post.location).toBe(shopPath('/cart'));
    expect(r.page.body).toContain('Some items changed while you were ordering. Please check your cart.');
    expect(r.page.body).toContain('Only 1 left — change quantity');
  });

  it('pickup orders need no address', async ({ ctx }) => {
    const b = await customerWith(ctx, [[chai.variants[0]!.id, 1]]);
    const { page } = await placeOrder(b, { fulfillment: 'pickup', line1: '', line2: '', city: '', pincode: '' });
    expect(page).toContain('You will pick it up from the shop.');
    expect(page).toContain('Pickup details');
  });

  it(
    'a UPI order shows the pay link, its QR code and the proof ' + 'upload; a screenshot moves it to proof_submitted',
    async ({ ctx }) => {
      const b = await customerWith(ctx, [[chai.variants[0]!.id, 1]]);
      const { token, page } = await placeOrder(b, { paymentMethod: 'upi' });
      expect(page).toContain('data-testid="upi-pay"');
      expect(page).toMatch(
        new RegExp(
          'href="upi://pay\\?pa=chaico@okbank&amp;pn=Chai%20%26%20Co&amp;am=139\\.00&amp;cu=INR&amp;tn=Order%20\\d+" ' +
            'data-testid="upi-link"',
        ),
      );
      expect(page).toMatch(/<figure class="qr" data-testid="upi-qr"><svg [^>]*>/);
      expect(page).toContain('enctype="multipart/form-data"');
      const png = await sharp({ create: { width: 20, height: 20, channels: 3, background: '#fff' } })
        .png()
        .toBuffer();
      const notImage = await b.postMultipart(`/o/${token}/payment-proof`, {}, [
        { name: 'file', filename: 'x.txt', type: 'image/png', bytes: Buffer.from('hello, not an image') },
      ]);
      expect(notImage.status).toBe(303);
      expect(testIdText((await b.get(`/o/${token}`)).body, 'flash')).toBe('Send a JPEG, PNG or WebP image.');
      const empty = await b.post(`/o/${token}/payment-proof`, {});
      expect(empty.status).toBe(303);
      expect(testIdText((await b.get(`/o/${token}`)).body, 'flash')).toBe('Choose a screenshot of your payment first.');
      const ok = await b.postMultipart(`/o/${token}/payment-proof`, {}, [
        { name: 'file', filename: 'pay.png', type: 'image/png', bytes: png },
      ]);
      expect(ok.status).toBe(303);
      const after = await b.get(`/o/${token}`);
      expect(testIdText(after.body, 'flash')).toBe('Thank you! The shop will check your payment.');
      expect(JSON.parse((await browser(ctx).get(`/api/v1/orders/${token}`)).body).paymentStatus).toBe(
        'proof_submitted',
      );
    },
  );

  it('changes items and cancels while placed; afterwards the page offers neither', async ({ ctx }) => {
    const b = await customerWith(ctx, [
      [chai.variants[0]!.id, 2],
      [atta.variants[0]!.id, 1],
    ]);
    const { token, page } = await placeOrder(b);
    expect(page).toContain('data-testid="save-lines"');
    // An order placed through the pages is the storefront's ('web'); through the API it is 'api' (checkout.test.ts).
    expect((await client(ctx.app).get(`/api/v1/orders/${token}`)).body.source).toBe('web');
    let r = await b.submit(`/o/${token}/lines`, {
      [`qty_${chai.variants[0]!.id}`]: 1,
      [`qty_${atta.variants[0]!.id}`]: 0,
    });
    expect(r.post.status).toBe(303);
    expect(testIdText(r.page.body, 'flash')).toBe('Your order is updated. The bill below is the new one.');
    expect(countTestId(r.page.body, 'order-line')).toBe(1);
    expect(testIdText(r.page.body, 'total')).toBe('₹139.00');
    expect(r.page.body).toContain('Items changed');
    // Saving the same quantities changes nothing, and the page does not say a new bill came.
    r = await b.submit(`/o/${token}/lines`, { [`qty_${chai.variants[0]!.id}`]: 1 });
    expect(testIdText(r.page.body, 'flash')).toBe('Nothing changed: the quantities are the same as before.');
    expect(r.page.body.split('Items changed').length).toBe(2);
    r = await b.submit(`/o/${token}/lines`, { [`qty_${chai.variants[0]!.id}`]: 0 });
    expect(testIdText(r.page.body, 'flash')).toBe(
      'An order needs at least one item. To drop everything, cancel the order.',
    );
    r = await b.submit(`/o/${token}/lines`, { [`qty_${chai.variants[0]!.id}`]: 'many' });
    expect(testIdText(r.page.body, 'flash')).toBe('Quantities are whole numbers from 0 to 999.');
    r = await b.submit(`/o/${token}/lines`, { [`qty_${chai.variants[0]!.id}`]: 999 });
    expect(testIdText(r.page.body, 'flash')).toMatch(/^Not enough stock: only \d+ available\. Change the quantity\.$/);
    r = await b.submit(`/o/${token}/cancel`);
    expect(testIdText(r.page.body, 'flash')).toBe('Your order is cancelled.');
    expect(r.page.body).toContain('data-status="cancelled">Cancelled</span>');
    expect(r.page.body).not.toContain('data-testid="cancel-form"');
    expect(r.page.body).not.toContain('data-testid="save-lines"');
    r = await b.submit(`/o/${token}/cancel`);
    expect(testIdText(r.page.body, 'flash')).toMatch(/can no longer be cancelled|already cancelled/i);
  });

  it('shows the timeline as the shop moves the order on', async ({ ctx }) => {
    const b = await customerWith(ctx, [[chai.variants[0]!.id, 1]]);
    const { token, page } = await placeOrder(b);
    expect(page).toContain('<li class="todo">Accepted by the shop</li>');
    const orderId = JSON.parse((await browser(ctx).get(`/api/v1/orders/${token}`)).body).id;
    await owner.post(`/api/v1/stores/${storeId}/orders/${orderId}/transitions`, { to: 'accepted' });
    await owner.post(`/api/v1/stores/${storeId}/orders/${orderId}/transitions`, { to: 'shipped', note: 'With <Ravi>' });
    const after = (await b.get(`/o/${token}`)).body;
    expect(after).toContain('data-status="shipped">On the way</span>');
    expect(after).toContain('<li data-status="accepted"><strong>Accepted by the shop</strong>');
    expect(after).toContain('With &lt;Ravi&gt;');
    expect(after).toContain('<li class="todo">Delivered</li>');
    expect(after).not.toContain('data-testid="cancel-form"');
  });

  it('answers unknown and malformed tracking tokens with an HTML 404', async ({ ctx }) => {
    for (const token of ['00000000-0000-4000-8000-000000000000', 'nope', 'x'.repeat(150)]) {
      const res = await browser(ctx).get(`/o/${token}`);
      expect(res.status).toBe(404);
      expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
      const post = await browser(ctx).post(`/o/${token}/cancel`);
      expect(post.status).toBe(404);
      expect(post.headers['content-type']).toBe('text/html; charset=utf-8');
    }
  });
});

describe('checkout to a delivery area with its own fee, without JavaScript', () => {
  // The cart knows no PIN, so it bills the store's fee (₹50); a PIN in 4110… pays its area's ₹12.34.
  async function areaShop(ctx: TestContext) {
    const m = await merchantWithStore(ctx, { name: 'Area Kirana' });
    const patched = await m.api.patch(`/api/v1/stores/${m.store.id}`, {
      payments: { cod: true },
      delivery: { fee: 5000, pickup: true, areas: [{ pincodePrefix: '4110', fee: 1234 }, { pincodePrefix: '5600' }] },
    });
    expect(patched.status).toBe(200);
    const tea = await m.api.post(`/api/v1/stores/${m.store.id}/products`, { name: 'Tea', price: 10000, stock: 20 });
    expect(tea.status).toBe(201);
    const path = (rest = '') => `/${m.store.slug}${rest}`;
    /** A customer (a new one, or `b` again) with one tea in the cart. */
    const customer = async (b = browser(ctx)) => {
      expect((await b.post(path('/cart/add'), { variantId: tea.body.variants[0].id, quantity: 1 })).status).toBe(303);
      return b;
    };
    return { path, customer };
  }

  /** The form as the page has it now: its key and the total it shows, with the customer's fields (remembered). */
  const formOf = (body: string, fields: Partial<typeof CUSTOMER> = {}) => ({
    key: inputValue(body, 'key')!,
    expectedTotal: inputValue(body, 'expectedTotal')!,
    remember: 'on',
    ...CUSTOMER,
    ...fields,
  });

  it('a PIN outside the areas is named with the other mistakes in the same round, not after them', async ({ ctx }) => {
    const shop = await areaShop(ctx);
    const b = await shop.customer();
    const form = await b.get(shop.path('/checkout'));
    const fieldError = (body: string, name: string) => new RegExp(`id="${name}-error">([^<]*)<`).exec(body)?.[1];
    const wrong = await b.post(shop.path('/checkout'), formOf(form.body, { phone: '12345', pincode: '999999' }));
    expect(wrong.status).toBe(422);
    expect(fieldError(wrong.body, 'phone')).toBe('Enter a valid mobile number, e.g. 98765 43210.');
    expect(fieldError(wrong.body, 'pincode')).toBe('Sorry, the shop does not deliver to this PIN code.');
    expect(inputValue(wrong.body, 'pincode')).toBe('999999');
    // The same PIN alone is the service's refusal, in the same words.
    const alone = await b.post(shop.path('/checkout'), formOf(wrong.body, { pincode: '999999' }));
    expect(alone.status).toBe(422);
    expect(fieldError(alone.body, 'pincode')).toBe('Sorry, the shop does not deliver to this PIN code.');
    expect(fieldError(alone.body, 'phone')).toBeUndefined();
  });

  it('a PIN with its own fee: the 409 names the fee and the new total, keeps every field, one tap places it', async ({
    ctx,
  }) => {
    const shop = await areaShop(ctx);
    const b = await shop.customer();
    const form = await b.get(shop.path('/checkout'));
    expect(testIdText(form.body, 'delivery-fee')).toBe('₹50.00');
    expect(inputValue(form.body, 'expectedTotal')).toBe('15000');
    expect(testIdText(form.body, 'place-order')).toBe('Place order · ₹150.00');

    // What the customer saw was the store's fee; the order to 411001 is ₹112.34: shown, nothing taken.
    const first = await b.post(shop.path('/checkout'), formOf(form.body));
    expect(first.status).toBe(409);
    expect(testIdText(first.body, 'total-changed')).toBe(
      'Delivery to 411001 is ₹12.34, so the total is ₹112.34, not ₹150.00. Check the bill and place the order.',
    );
    // the bill, the PIN's answer, the button and the total sent back all agree (the bill used to say ₹50 / ₹150)
    expect(first.body).toContain('<th scope="row">Delivery to 411001</th><td data-testid="delivery-fee">₹12.34</td>');
    expect(testIdText(first.body, 'total')).toBe('₹112.34');
    expect(testIdText(first.body, 'delivery-answer')).toBe('Delivery to 411001: ₹12.34');
    expect(testIdText(first.body, 'place-order')).toBe('Place order · ₹112.34');
    expect(inputValue(first.body, 'expectedTotal')).toBe('11234');
    expect(first.body).not.toContain('data-testid="form-error"');
    for (const name of ['name', 'phone', 'line1', 'line2', 'city', 'pincode'] as const)
      expect(inputValue(first.body, name), name).toBe(CUSTOMER[name]);
    expect(first.body).toContain('>Ring twice</textarea>');
    expect(first.body).toMatch(/value="cod" checked/);
    expect(first.body).toMatch(/value="delivery" checked/);
    expect(inputValue(first.body, 'key')).not.toBe(inputValue(form.body, 'key'));

    // One tap: the form as it came back places the order at the total shown.
    const placed = await b.post(shop.path('/checkout'), formOf(first.body));
    expect(placed.status).toBe(303);
    expect(placed.location).toMatch(/^\/o\/[0-9a-f-]{36}\?placed=1$/);
    const token = placed.location!.slice(3).split('?')[0]!;
    const order = JSON.parse((await browser(ctx).get(`/api/v1/orders/${token}`)).body);
    expect(order).toMatchObject({ total: 11234, deliveryFee: 1234 });

    // The details were remembered: the next checkout bills 411001's fee at once, and the first tap places it.
    await shop.customer(b);
    const again = await b.get(shop.path('/checkout'));
    expect(inputValue(again.body, 'pincode')).toBe('411001');
    expect(testIdText(again.body, 'delivery-fee')).toBe('₹12.34');
    expect(testIdText(again.body, 'delivery-answer')).toBe('Delivery to 411001: ₹12.34');
    expect(testIdText(again.body, 'place-order')).toBe('Place order · ₹112.34');
    expect((await b.post(shop.path('/checkout'), formOf(again.body))).status).toBe(303);
  });

  it('a PIN at the store’s own fee places at the first tap; a change of bill besides the fee is said as such', async ({
    ctx,
  }) => {
    const shop = await areaShop(ctx);
    const b = await shop.customer();
    const form = await b.get(shop.path('/checkout'));
    const placed = await b.post(shop.path('/checkout'), formOf(form.body, { pincode: '560001' }));
    expect(placed.status).toBe(303);

    // The customer saw ₹140.00 (not this bill at all): the plain "total changed" words, the bill for 411001.
    const c = await shop.customer();
    const other = await c.get(shop.path('/checkout'));
    const r = await c.post(shop.path('/checkout'), { ...formOf(other.body), expectedTotal: 14000 });
    expect(r.status).toBe(409);
    expect(testIdText(r.body, 'total-changed')).toBe(
      'The total changed from ₹140.00 to ₹112.34 since you saw it. Check the bill and place the order again.',
    );
    expect(testIdText(r.body, 'delivery-fee')).toBe('₹12.34');
    // Pickup chosen on this page: the bill that comes back is the pickup's, and it places.
    const pickup = await c.post(shop.path('/checkout'), formOf(r.body, { fulfillment: 'pickup' }));
    expect(pickup.status).toBe(409);
    expect(testIdText(pickup.body, 'delivery-fee')).toBe('Pickup — free');
    expect(testIdText(pickup.body, 'place-order')).toBe('Place order · ₹100.00');
    expect((await c.post(shop.path('/checkout'), formOf(pickup.body, { fulfillment: 'pickup' }))).status).toBe(303);
  });

  it('a PIN outside every area is refused in words next to the field, in English and in Hindi', async ({ ctx }) => {
    const shop = await areaShop(ctx);
    const b = await shop.customer();
    const form = await b.get(shop.path('/checkout'));
    const en = await b.post(shop.path('/checkout'), formOf(form.body, { pincode: '110001' }));
    expect(en.status).toBe(422);
    expect(testIdText(en.body, 'form-error')).toBe('Sorry, the shop does not deliver to this PIN code.');
    expect(en.body).toContain(
      '<p class="field-error" id="pincode-error">Sorry, the shop does not deliver to this PIN code.</p>',
    );
    expect(inputValue(en.body, 'pincode')).toBe('110001');
    expect(inputValue(en.body, 'name')).toBe('Asha Rao');
    expect(testIdText(en.body, 'delivery-fee')).toBe('₹50.00');

    b.cookies.set('lang', 'hi');
    const hi = await b.post(shop.path('/checkout'), formOf(en.body, { pincode: '110001' }));
    expect(hi.status).toBe(422);
    expect(hi.body).toContain(
      '<p class="field-error" id="pincode-error">माफ़ कीजिए, दुकान इस पिन कोड पर डिलीवरी नहीं करती।</p>',
    );
    // …and in Hindi, a PIN with its own fee is said with that fee.
    const fee = await b.post(shop.path('/checkout'), formOf(hi.body));
    expect(fee.status).toBe(409);
    expect(testIdText(fee.body, 'total-changed')).toBe(
      'पिन 411001 पर डिलीवरी ₹12.34 की है, इसलिए कुल रक़म ₹150.00 नहीं, ₹112.34 है। बिल देखकर ऑर्डर करें।',
    );
    expect(testIdText(fee.body, 'delivery-answer')).toBe('पिन 411001 पर डिलीवरी: ₹12.34');
    expect((await b.post(shop.path('/checkout'), formOf(fee.body))).status).toBe(303);
  });
});

describe('escaping', () => {
  it('renders a hostile product name as text on home, product, cart, checkout and order pages', async ({ ctx }) => {
    const b = await customerWith(ctx, [[hostile.variants[0]!.id, 1]]);
    const pages = [
      (await b.get(shopPath())).body,
      (await b.get(shopPath(`/p/${hostile.slug}`))).body,
      (await b.get(shopPath('/cart'))).body,
      (await b.get(shopPath('/checkout'))).body,
    ];
    const { page } = await placeOrder(b, {
      name: '<script>alert("n")</script>',
      note: '"><img src=x onerror=alert(2)>',
    });
    pages.push(page);
    for (const [i, body] of pages.entries()) {
      expect(body, `page ${i}`).not.toContain(HOSTILE_NAME);
      expect(body, `page ${i}`).toContain(HOSTILE_ESCAPED);
      expect(body, `page ${i}`).not.toMatch(/<script>alert/);
      expect(body, `page ${i}`).not.toContain('<img src=x');
    }
    expect(pages[4]).toContain('&lt;script&gt;alert(&quot;n&quot;)&lt;/script&gt;');
    expect(pages[1]).toContain(`<meta property="og:title" content="${HOSTILE_ESCAPED} — ₹50.00">`);
  });
});

describe('security headers and assets', () => {
  it('sends a strict CSP with pages, and no inline script or external resource', async ({ ctx }) => {
    const res = await browser(ctx).get(shopPath());
    const csp = String(res.headers['content-security-policy']);
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("style-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toContain('unsafe-inline');
    expect(res.body).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
    expect(res.body).not.toMatch(/\sstyle="/);
    expect(res.body).not.toMatch(/\son[a-z]+="/);
    for (const m of res.body.matchAll(/<(?:script|link|img)\b[^>]*\b(?:src|href)="([^"]+)"/g))
      expect(m[1]).toMatch(/^(\/(?!\/)|data:)/);
    for (const path of [shopPath(`/p/${chai.slug}`), shopPath('/cart'), '/o/00000000-0000-4000-8000-000000000000']) {
      expect((await browser(ctx).get(path)).headers['content-security-policy'], path).toBe(csp);
    }
  });

  it('serves hashed assets with immutable caching, gzip when asked, 404 for anything else', async ({ ctx }) => {
    const home = (await browser(ctx).get(shopPath())).body;
    const css = /<link rel="stylesheet" href="(\/static\/app\.[0-9a-f]{12}\.css)">/.exec(home)![1]!;
    const js = /<script src="(\/static\/app\.[0-9a-f]{12}\.js)" defer><\/script>/.exec(home)![1]!;
    for (const [url, type] of [
      [css, 'text/css; charset=utf-8'],
      [js, 'text/javascript; charset=utf-8'],
    ] as const) {
      const plain = await ctx.app.inject({ url });
      expect(plain.statusCode).toBe(200);
      expect(plain.headers['content-type']).toBe(type);
      expect(plain.headers['cache-control']).toBe('public, max-age=31536000, immutable');
      expect(plain.headers['content-encoding']).toBeUndefined();
      const gz = await ctx.app.inject({ url, headers: { 'accept-encoding': 'gzip, br' } });
      expect(gz.headers['content-encoding']).toBe('gzip');
      expect(gz.rawPayload.length).toBeLessThan(plain.rawPayload.length);
    }
    for (const url of [
      '/static/app.css',
      '/static/app.000000000000.css',
      '/static/../package.json',
      '/static/%2e%2e%2fpackage.json',
    ]) {
      const res = await ctx.app.inject({ url });
      expect(res.statusCode, url).toBe(404);
    }
  });

  it('gzips pages for clients that accept it', async ({ ctx }) => {
    const res = await ctx.app.inject({ url: shopPath(), headers: { 'accept-encoding': 'gzip' } });
    expect(res.headers['content-encoding']).toBe('gzip');
    expect(res.headers.vary).toContain('accept-encoding');
  });
});

describe('store on its own host (BASE_DOMAIN)', () => {
  it('serves the same pages at {slug}.<BASE_DOMAIN> with links without the slug', async ({ ctx }) => {
    const host = { host: `${slug}.shops.test` };
    const b = new WebClient(ctx.app, host);
    const home = await b.get('/');
    expect(home.status).toBe(200);
    expect(testIdText(home.body, 'store-name')).toBe('Chai &amp; Co');
    expect(home.body).toContain(`href="/p/${chai.slug}"`);
    expect(home.body).toContain('<a href="/cart" data-testid="cart-link">');
    const productPage = await b.get(`/p/${chai.slug}`);
    expect(productPage.body).toContain(`<meta property="og:url" content="https://${slug}.shops.test/p/${chai.slug}">`);
    const add = await b.post('/cart/add', { variantId: chai.variants[0]!.id, quantity: 1 });
    expect(add.status).toBe(303);
    expect(add.location).toBe('/');
    expect(add.setCookies.find((c) => c.startsWith('cart='))).toContain('Path=/;');
    expect((await b.get('/cart')).body).toContain('data-testid="cart-line"');
    const unknown = await new WebClient(ctx.app, { host: 'no-such-shop.shops.test' }).get('/');
    expect(unknown.status).toBe(404);
  });
});

async function lastCartOf(ctx: TestContext, token: string): Promise<string | null> {
  const { rows } = await ctx.testDb.db.query<{ cart_id: string }>(
    `SELECT cart_id FROM orders WHERE tracking_token = $1`,
    [token],
  );
  return rows[0]?.cart_id ?? null;
}
