/**
 * Error pages speak the language of the page they stand for: `?lang=` > the `lang` cookie > Accept-Language > the
 * store's `defaultLanguage` on a store's pages; the dashboard's own choice on the dashboard. A Hindi shopper who
 * follows a stale product link, or a Hindi merchant who opens a store they left, reads Hindi — `<html lang>`,
 * heading, message, skip link and footer alike — not an English page.
 */
import { describe, expect } from 'vitest';
import { appTest } from '../helpers/fixture.js';
import { openShop, type Shop } from '../helpers/order-fixtures.js';
import { WebClient } from '../helpers/web-client.js';
import { signInWithForms } from './web-dashboard.helpers.js';

const it = appTest();
let hindiShop: Shop;
it.beforeAll(async ({ ctx }) => {
  hindiShop = await openShop(ctx, { patch: { defaultLanguage: 'hi' } });
});

const htmlLang = (body: string) => /<html lang="([^"]*)"/.exec(body)?.[1];
const LATIN_WORD = /\b[A-Za-z]{3,}\b/g;
/** The words a reader sees: no tags, no attribute values, no head (the title is checked on its own). */
function visibleText(body: string): string {
  return body
    .replace(/<head>[\s\S]*<\/head>/, '')
    .replace(/<[^>]+>/g, ' ')
    .replace(/&[a-z#0-9]+;/gi, ' ');
}

describe('customer error pages', () => {
  it('an unknown product of a Hindi store is a Hindi 404, whatever Accept-Language the phone has not sent', async ({
    ctx,
  }) => {
    const page = await new WebClient(ctx.app).get(`/${hindiShop.slug}/p/no-such-product`);
    expect(page.status).toBe(404);
    expect(htmlLang(page.body)).toBe('hi');
    expect(page.body).toContain('पेज नहीं मिला');
    expect(page.body).toContain('यह नहीं मिला। शायद हटा दिया गया है।');
    // Nothing English on it but the platform's name.
    expect(
      visibleText(page.body)
        .replace(/dukaan/g, '')
        .match(LATIN_WORD),
    ).toBeNull();
  });

  it('follows ?lang=, the lang cookie and Accept-Language on 404s, even where there is no store', async ({ ctx }) => {
    const cases: [string, Record<string, string>, string][] = [
      [`/${hindiShop.slug}/p/nope?lang=en`, {}, 'en'],
      [`/${hindiShop.slug}/p/nope`, { cookie: 'lang=en' }, 'en'],
      [`/${hindiShop.slug}/p/nope`, { 'accept-language': 'en-IN,en;q=0.9' }, 'en'],
      ['/no-such-shop', { 'accept-language': 'hi-IN,hi;q=0.9,en;q=0.8' }, 'hi'],
      ['/no-such-shop', { cookie: 'lang=hi', 'accept-language': 'en' }, 'hi'],
      ['/no-such-shop?lang=hi', {}, 'hi'],
      ['/no-such-shop', {}, 'en'],
      ['/o/00000000-0000-4000-8000-000000000000', { cookie: 'lang=hi' }, 'hi'],
      ['/o/not-a-token', { 'accept-language': 'hi' }, 'hi'],
    ];
    for (const [path, headers, lang] of cases) {
      const page = await new WebClient(ctx.app).get(path, headers);
      expect([path, page.status, htmlLang(page.body)]).toEqual([path, 404, lang]);
      expect(page.body, path).toContain(lang === 'hi' ? 'पेज नहीं मिला' : 'Page not found');
    }
  });

  it('English pages say what they said before', async ({ ctx }) => {
    const page = await new WebClient(ctx.app).get('/no-such-shop');
    expect(page.body).toContain('We could not find that. It may have been removed.');
    expect(page.body).toContain('Skip to content');
    expect(page.body).toContain('Made with dukaan');
  });
});

describe('dashboard error pages', () => {
  it('a store the merchant is not a member of is a 404 in their dashboard language, with a way home', async ({
    ctx,
  }) => {
    const browser = await signInWithForms(ctx);
    expect((await browser.get('/dashboard/stores?lang=hi')).status).toBe(200);
    const page = await browser.get(`/dashboard/stores/${hindiShop.storeId}/orders`);
    expect(page.status).toBe(404);
    expect(htmlLang(page.body)).toBe('hi');
    expect(page.body).toContain('पेज नहीं मिला');
    expect(page.body).toContain('href="/dashboard"');
    expect(page.body).toContain('अपने डैशबोर्ड पर जाएँ');
    expect(
      visibleText(page.body)
        .replace(/dukaan/g, '')
        .match(LATIN_WORD),
    ).toBeNull();
  });

  it("an unknown dashboard address is wholly Hindi: <html lang>, skip link, footer and the handler's words", async ({
    ctx,
  }) => {
    const browser = await signInWithForms(ctx);
    const page = await browser.get('/dashboard/no-such-page?lang=hi');
    expect(page.status).toBe(404);
    expect(htmlLang(page.body)).toBe('hi');
    expect(page.body).toContain('आपके डैशबोर्ड में ऐसा कोई पेज नहीं है।');
    expect(page.body).not.toContain('Skip to content');
    expect(page.body).not.toContain('Made with');
  });

  it('an expired form speaks the page language too', async ({ ctx }) => {
    const browser = await signInWithForms(ctx);
    await browser.get('/dashboard/stores?lang=hi');
    const page = await browser.post('/dashboard/new', { name: 'X' }, { csrf: 'forged-token' });
    expect(page.status).toBe(403);
    expect(htmlLang(page.body)).toBe('hi');
    expect(page.body).toContain('यह फ़ॉर्म पुराना हो गया');
  });
});

describe('caches', () => {
  it('are told a page varies with Accept-Language, which picks its language', async ({ ctx }) => {
    for (const path of [`/${hindiShop.slug}`, '/no-such-shop', '/dashboard/signin']) {
      const page = await new WebClient(ctx.app).get(path, { 'accept-language': 'hi' });
      expect(page.headers.vary, path).toMatch(/\baccept-language\b/i);
      expect(page.headers.vary, path).toMatch(/\bcookie\b/i);
    }
  });
});
