/** Dashboard: sign-in with phone and code, the session cookie, onboarding, CSRF, tenancy and escaping. */
import { describe, expect } from 'vitest';
import { client, merchantWithStore, uniquePhone } from '../helpers/app.js';
import { appTest } from '../helpers/fixture.js';
import {
  HOSTILE,
  HOSTILE_ESCAPED,
  ownerWithShop,
  sessionToken,
  signInWithForms,
  textOf,
} from './web-dashboard.helpers.js';
import { WebClient } from '../helpers/web-client.js';

const it = appTest({ publicUrl: 'https://shop.example' });

describe('sign in with phone and code', () => {
  it('sends a code, signs in, sets a 30-day HttpOnly SameSite=Lax session cookie, and lands on onboarding', async ({
    ctx,
  }) => {
    const phone = uniquePhone();
    const browser = new WebClient(ctx.app, { 'x-forwarded-for': '10.90.0.1' });
    const form = await browser.get('/dashboard/signin');
    expect(form.status).toBe(200);
    expect(form.headers['content-type']).toMatch(/^text\/html/);
    expect(form.body).toContain('<label for="f-phone">Mobile number</label>');
    expect(form.headers['cache-control']).toBe('no-store');

    // Typed the way people type it: spaces, no country code.
    const local = `${phone.slice(3, 8)} ${phone.slice(8)}`;
    const sent = await browser.post('/dashboard/signin', { phone: local, next: '/dashboard' });
    expect(sent.status).toBe(303);
    expect(sent.location).toBe(`/dashboard/signin/code?phone=${encodeURIComponent(phone)}`);
    const codePage = await browser.get(sent.location!);
    expect(codePage.body).toContain(phone);
    expect(codePage.body).toContain('autocomplete="one-time-code"');

    const code = ctx.sentCodes.get(phone)!.at(-1)!;
    const verified = await browser.post('/dashboard/signin/code', { phone, code });
    expect(verified.status).toBe(303);
    expect(verified.location).toBe('/dashboard');
    const cookie = verified.setCookies.find((c) => c.startsWith('dukaan_session='))!;
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/SameSite=Lax/i);
    expect(cookie).toMatch(/Max-Age=2592000/);
    expect(cookie).not.toMatch(/Secure/i);

    // The same session works for the API: the cookie carries the API's token.
    const me = await client(ctx.app, sessionToken(browser)).get('/api/v1/me');
    expect(me.status).toBe(200);
    expect(me.body.merchant.phone).toBe(phone);

    const home = await browser.get('/dashboard');
    expect([home.status, home.location]).toEqual([303, '/dashboard/new']);
  });

  it('marks the cookie Secure when the request came over TLS through the trusted proxy', async ({ ctx }) => {
    const browser = new WebClient(ctx.app, { 'x-forwarded-for': '10.90.0.2', 'x-forwarded-proto': 'https' });
    const phone = uniquePhone();
    await browser.get('/dashboard/signin');
    await browser.post('/dashboard/signin', { phone });
    const verified = await browser.post(
      '/dashboard/signin/code',
      { phone, code: ctx.sentCodes.get(phone)!.at(-1)! },
      { from: `/dashboard/signin/code?phone=${encodeURIComponent(phone)}` },
    );
    expect(verified.setCookies.find((c) => c.startsWith('dukaan_session='))).toMatch(/;\s*Secure/i);
  });

  it('shows a wrong code and an invalid phone on the form, and signs nobody in', async ({ ctx }) => {
    const browser = new WebClient(ctx.app, { 'x-forwarded-for': '10.90.0.3' });
    await browser.get('/dashboard/signin');
    const badPhone = await browser.post('/dashboard/signin', { phone: '12' });
    expect(badPhone.status).toBe(422);
    expect(badPhone.body).toContain('data-testid="error-phone"');
    expect(badPhone.body).toContain('aria-invalid="true"');

    const phone = uniquePhone();
    await browser.post('/dashboard/signin', { phone });
    const wrong = await browser.post(
      '/dashboard/signin/code',
      { phone, code: '000000' === ctx.sentCodes.get(phone)!.at(-1) ? '111111' : '000000' },
      { from: `/dashboard/signin/code?phone=${encodeURIComponent(phone)}` },
    );
    expect(wrong.status).toBe(401);
    expect(wrong.body).toContain('data-testid="form-error"');
    expect(browser.cookies.has('dukaan_session')).toBe(false);
    const notDigits = await browser.post(
      '/dashboard/signin/code',
      { phone, code: 'abc' },
      { from: `/dashboard/signin/code?phone=${encodeURIComponent(phone)}` },
    );
    expect(notDigits.status).toBe(422);
  });

  it('sends signed-out visitors to sign in and brings them back (never to another site)', async ({ ctx }) => {
    const anon = new WebClient(ctx.app);
    const page = await anon.get('/dashboard/stores/0195f4c2-0000-7000-8000-00000000abcd/products?q=rice');
    expect(page.status).toBe(303);
    expect(page.location).toBe(
      `/dashboard/signin?next=\
${encodeURIComponent('/dashboard/stores/0195f4c2-0000-7000-8000-00000000abcd/products?q=rice')}`,
    );
    const form = await anon.get('/dashboard/signin?next=https://evil.example/x');
    expect(form.body).toContain('name="next" value="/dashboard"');
    const form2 = await anon.get('/dashboard/signin?next=//evil.example');
    expect(form2.body).toContain('name="next" value="/dashboard"');
    const post = await anon.request('POST', '/dashboard/new', {
      payload: 'name=x',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect([post.status, post.location]).toEqual([303, '/dashboard/signin']);
  });

  it('signing out revokes the session', async ({ ctx }) => {
    const browser = await signInWithForms(ctx);
    const token = sessionToken(browser);
    const home = await browser.open('/dashboard');
    const out = await browser.post(
      '/dashboard/signout',
      {},
      { csrf: undefined, from: home.location ?? '/dashboard/new' },
    );
    expect([out.status, out.location]).toEqual([303, '/dashboard/signin']);
    expect(out.setCookies.some((c) => /^dukaan_session=;/.test(c))).toBe(true);
    expect((await client(ctx.app, token).get('/api/v1/me')).status).toBe(401);
    // Even a copy of the old cookie no longer opens the dashboard.
    const replay = new WebClient(ctx.app);
    replay.cookies.set('dukaan_session', token);
    expect((await replay.get('/dashboard')).location).toBe('/dashboard/signin');
  });
});

describe('onboarding', () => {
  it('names the shop and it is live with its link, a QR code and a WhatsApp share button', async ({ ctx }) => {
    const browser = await signInWithForms(ctx);
    const form = await browser.open('/dashboard');
    expect(form.body).toContain('data-testid="new-store-form"');
    const created = await browser.post('/dashboard/new', { name: 'Sharma Kirana', whatsapp: '98765 43210', slug: '' });
    expect(created.status).toBe(303);
    const welcome = await browser.get(created.location!);
    expect(welcome.status).toBe(200);
    const slug = /https:\/\/shop\.example\/(sharma-kirana[-0-9]*)/.exec(welcome.body)![1]!;
    const link = `https://shop.example/${slug}`;
    expect(textOf(welcome.body, 'store-link')).toBe(link);
    expect(welcome.body).toContain(
      `href="https://wa.me/?text=${encodeURIComponent(`Sharma Kirana: order here ${link}`)}"`,
    );
    expect(welcome.body).toMatch(/data-testid="qr"><svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);

    const qr = await browser.get(`${created.location!.replace('/welcome', '')}/qr.svg`);
    expect(qr.status).toBe(200);
    expect(qr.headers['content-type']).toMatch(/^image\/svg\+xml/);
    expect(qr.body.startsWith('<svg')).toBe(true);

    const store = await client(ctx.app, sessionToken(browser)).get('/api/v1/me');
    expect(store.body.stores).toHaveLength(1);
    expect(store.body.stores[0]).toMatchObject({ name: 'Sharma Kirana', slug, whatsapp: '+919876543210' });
    // One shop: /dashboard goes straight to it.
    expect((await browser.get('/dashboard')).location).toBe(created.location!.replace('/welcome', ''));
  });

  it('refuses a blank name, a bad WhatsApp number and a taken link, keeping what was typed', async ({ ctx }) => {
    const { browser } = await ownerWithShop(ctx, 'First Shop');
    await browser.get('/dashboard/new');
    const blank = await browser.post('/dashboard/new', { name: '', whatsapp: '', slug: '' });
    expect(blank.status).toBe(422);
    expect(blank.body).toContain('data-testid="error-name"');
    const badPhone = await browser.post('/dashboard/new', { name: 'Two', whatsapp: '123', slug: '' });
    expect(badPhone.status).toBe(422);
    expect(badPhone.body).toContain('data-testid="error-whatsapp"');
    expect(badPhone.body).toContain('value="Two"');
    const slug = `taken-${Date.now().toString(36)}`;
    expect((await browser.post('/dashboard/new', { name: 'Three', slug })).status).toBe(303);
    await browser.get('/dashboard/new');
    const taken = await browser.post('/dashboard/new', { name: 'Four', slug });
    expect(taken.status).toBe(409);
    expect(taken.body).toContain('That link is taken');
    const reserved = await browser.post('/dashboard/new', { name: 'Five', slug: 'dashboard' });
    expect(reserved.status).toBe(400);
    expect(reserved.body).toContain('data-testid="error-slug"');
    const huge = await browser.post('/dashboard/new', { name: 'x'.repeat(10_000) });
    expect(huge.status).toBe(422);
    // Several shops now: /dashboard lists them.
    expect((await browser.get('/dashboard')).location).toBe('/dashboard/stores');
    expect((await browser.get('/dashboard/stores')).body).toContain('First Shop');
  });
});

describe('CSRF', () => {
  it('a form post without the token (or with a forged one) → 403 and nothing changes', async ({ ctx }) => {
    const { browser, storeId, base } = await ownerWithShop(ctx, 'Guarded');
    const api = client(ctx.app, sessionToken(browser));
    await browser.get(`${base}/settings`);
    for (const csrf of [null, 'forged-token']) {
      const res = await browser.post(`${base}/settings`, { name: 'Hijacked', isOpen: '0', fee: '99' }, { csrf });
      expect(res.status).toBe(403);
      expect(res.headers['content-type']).toMatch(/^text\/html/);
    }
    const multipart = await browser.postMultipart(`${base}/products/new`, { name: 'Sneaky', price: '10' }, [], {
      csrf: null,
    });
    expect(multipart.status).toBe(403);
    const coupon = await browser.post(`${base}/coupons`, { code: 'EVIL', type: 'flat', value: '10' }, { csrf: null });
    expect(coupon.status).toBe(403);
    const store = (await api.get(`/api/v1/stores/${storeId}`)).body;
    expect(store).toMatchObject({ name: 'Guarded', isOpen: true, delivery: { fee: 0 } });
    expect((await api.get(`/api/v1/stores/${storeId}/products`)).body.items).toEqual([]);
    expect((await api.get(`/api/v1/stores/${storeId}/coupons`)).body.items).toEqual([]);
    // Sign-in and sign-out are forms too.
    expect(
      (await new WebClient(ctx.app).post('/dashboard/signin', { phone: uniquePhone() }, { csrf: null })).status,
    ).toBe(403);
    expect((await browser.post('/dashboard/signout', {}, { csrf: null })).status).toBe(403);
    expect((await api.get('/api/v1/me')).status).toBe(200);
  });

  it('a token from another browser does not pass', async ({ ctx }) => {
    const a = await ownerWithShop(ctx);
    const b = await ownerWithShop(ctx);
    const page = await b.browser.get(`${b.base}/settings`);
    const theirs = /name="_csrf" value="([^"]+)"/.exec(page.body)![1]!;
    const res = await a.browser.post(`${a.base}/settings`, { name: 'Changed' }, { csrf: theirs });
    expect(res.status).toBe(403);
  });
});

describe('tenancy', () => {
  it("another merchant's store, products, coupons and orders answer the 404 page, for reads and writes", async ({
    ctx,
  }) => {
    const owner = await merchantWithStore(ctx);
    const base = `/api/v1/stores/${owner.store.id}`;
    const product = (await owner.api.post(`${base}/products`, { name: 'Rice', price: 5000, stock: 10 })).body;
    const coupon = (await owner.api.post(`${base}/coupons`, { code: 'OWN10', type: 'percent', value: 10 })).body;
    const intruder = await ownerWithShop(ctx);
    const theirs = `/dashboard/stores/${owner.store.id}`;
    for (const url of [
      theirs,
      `${theirs}/products`,
      `${theirs}/products/${product.id}`,
      `${theirs}/coupons/${coupon.id}`,
      `${theirs}/orders`,
      `${theirs}/settings`,
      `${theirs}/qr.svg`,
      '/dashboard/stores/not-a-uuid/products',
    ]) {
      const res = await intruder.browser.get(url);
      expect(res.status, url).toBe(404);
      expect(res.headers['content-type'], url).toMatch(/^text\/html/);
      expect(res.body, url).not.toContain('Rice');
    }
    const token = /name="_csrf" value="([^"]+)"/.exec(
      (await intruder.browser.get(`${intruder.base}/settings`)).body,
    )![1]!;
    const writes: [string, Record<string, string>][] = [
      [`${theirs}/settings`, { name: 'Pwned', fee: '1' }],
      [`${theirs}/products/${product.id}/archive`, {}],
      [`${theirs}/variants/${product.variants[0].id}/stock`, { set: '0' }],
      [`${theirs}/coupons/${coupon.id}/delete`, {}],
      [`${theirs}/categories`, { name: 'Hijack' }],
    ];
    for (const [url, fields] of writes)
      expect((await intruder.browser.post(url, fields, { csrf: token })).status, url).toBe(404);
    // Their own store cannot reach the other store's variant either.
    expect(
      (
        await intruder.browser.post(
          `${intruder.base}/variants/${product.variants[0].id}/stock`,
          { set: '0' },
          { csrf: token },
        )
      ).status,
    ).toBe(404);
    const after = (await owner.api.get(`${base}/products/${product.id}`)).body;
    expect(after.variants[0].stock).toBe(10);
    expect((await owner.api.get(`${base}/coupons/${coupon.id}`)).status).toBe(200);
    expect((await owner.api.get(base)).body.name).not.toBe('Pwned');
  });

  it('an unknown dashboard path is a 404 page, not JSON', async ({ ctx }) => {
    const browser = await signInWithForms(ctx);
    const res = await browser.get('/dashboard/nothing-here');
    expect(res.status).toBe(404);
    expect(res.headers['content-type']).toMatch(/^text\/html/);
  });
});

describe('escaping', () => {
  it('a hostile shop name renders as text on every page', async ({ ctx }) => {
    const { browser, base } = await ownerWithShop(ctx, HOSTILE);
    for (const url of [base, `${base}/welcome`, `${base}/settings`, `${base}/products`]) {
      const page = await browser.get(url);
      expect(page.status, url).toBe(200);
      expect(page.body, url).not.toContain(HOSTILE);
      expect(page.body, url).toContain(HOSTILE_ESCAPED);
    }
  });
});
