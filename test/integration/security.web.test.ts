/** Issue 10, item 14: dashboard forms work on the first page view after the browser dropped its `_csrf` cookie. */
import { describe, expect } from 'vitest';
import { appTest } from '../helpers/fixture.js';
import { ownerWithShop } from './web-dashboard.helpers.js';

const it = appTest();

describe('item 14: one CSRF secret per page', () => {
  it('every form of a page carries the same token, and the first form works without a prior _csrf cookie', async ({
    ctx,
  }) => {
    const { browser, base } = await ownerWithShop(ctx);
    const created = await browser.post(`${base}/categories`, { name: 'Snacks' }, { from: `${base}/categories` });
    expect(created.status).toBe(303);
    browser.cookies.delete('_csrf');
    const page = await browser.get(`${base}/categories`);
    expect(page.status).toBe(200);
    const tokens = [...page.body.matchAll(/name="_csrf" value="([^"]+)"/g)].map((m) => m[1]);
    expect(tokens.length).toBeGreaterThanOrEqual(3);
    expect(new Set(tokens).size).toBe(1);
    expect(browser.cookies.has('_csrf')).toBe(true);
    const again = await browser.post(`${base}/categories`, { name: 'Sweets' }, { csrf: tokens[0]! });
    expect(again.status).toBe(303);
  });
});
