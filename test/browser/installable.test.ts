/**
 * The dashboard as an installable app on a 360×740 phone (issue 14, item 6): the manifest is linked and valid, the
 * service worker registers and keeps the shell, a push delivered to it (DevTools protocol) shows a notification, a
 * page that cannot load shows the offline page, and the orders list takes a new order by itself over Server-Sent
 * Events (the "(1)" in the tab title). Without JavaScript the same pages work, with no worker and no push button.
 */
import { describe, expect } from 'vitest';
import type { Page } from 'playwright-core';
import { PHONE, openContext, placeStorefrontOrder, type BrowserServer } from '../helpers/browser.js';
import { browserTest } from '../helpers/browser-test.js';
import { openShop, signIn } from './flows.js';

const OWNERS = {
  on: { phone: '+919812300081', typed: '98123 00081' },
  off: { phone: '+919812300082', typed: '98123 00082' },
  polling: { phone: '+919812300083', typed: '98123 00083' },
};
const CODE = '246801';

const it = browserTest(
  { [OWNERS.on.phone]: CODE, [OWNERS.off.phone]: CODE, [OWNERS.polling.phone]: CODE },
  {},
  { ORDER_EVENTS_POLL_MS: '300' },
);

/** A product through the API, as the signed-in owner (the session cookie is the API's bearer token). */
async function addProduct(server: BrowserServer, page: Page, storeId: string): Promise<string> {
  const token = (await page.context().cookies()).find((c) => c.name === 'dukaan_session')!.value;
  const res = await fetch(`${server.url}/api/v1/stores/${storeId}/products`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'Atta 5kg', price: 26000, stock: 20 }),
  });
  expect(res.status).toBe(201);
  return ((await res.json()) as { variants: { id: string }[] }).variants[0]!.id;
}

describe('the installable dashboard, JavaScript on', () => {
  it('links a manifest, registers the worker, updates the list by itself, shows the offline page', async ({
    browser,
    server,
  }) => {
    const context = await openContext(browser, PHONE);
    const page = await context.newPage();
    const streams: string[] = [];
    page.on('request', (r) => {
      if (r.url().endsWith('/orders/events')) streams.push(r.url());
    });
    await signIn(page, server.url, OWNERS.on.typed, CODE);
    const shop = await openShop(page, 'Joshi General Store');
    const slug = new URL(shop.storeUrl, server.url).pathname.replace(/^\//, '');
    const variantId = await addProduct(server, page, shop.storeId);
    const orders = `${server.url}/dashboard/stores/${shop.storeId}/orders`;
    await page.goto(orders);

    // The manifest: linked, valid, installable.
    const href = await page.locator('link[rel=manifest]').getAttribute('href');
    const manifest = await page.evaluate(async (url) => (await fetch(url!)).json(), href);
    expect(manifest).toMatchObject({ display: 'standalone', start_url: '/dashboard/', scope: '/dashboard/' });
    for (const icon of manifest.icons as { src: string }[])
      expect(await page.evaluate(async (src) => (await fetch(src)).headers.get('content-type'), icon.src)).toBe(
        'image/png',
      );

    // The service worker registers for /dashboard/ and keeps the shell.
    const worker = await page.evaluate(async () => {
      const reg = await navigator.serviceWorker.ready;
      return { scope: reg.scope, script: reg.active?.scriptURL ?? '' };
    });
    expect(worker.scope).toBe(`${server.url}/dashboard/`);
    expect(worker.script).toBe(`${server.url}/dashboard/sw.js`);
    const cached = await page.evaluate(async () => {
      const names = await caches.keys();
      const cache = await caches.open(names.find((n) => n.startsWith('dukaan-shell-'))!);
      return (await cache.keys()).map((r) => new URL(r.url).pathname);
    });
    expect(cached).toEqual(expect.arrayContaining(['/dashboard/offline', '/dashboard/icons/icon-192.png']));
    expect(cached.some((p) => /^\/static\/app\.[0-9a-f]+\.js$/.test(p))).toBe(true);
    expect(cached.filter((p) => p.includes('/stores/'))).toEqual([]);

    // The push button is offered where the browser can push.
    await expect.poll(() => page.getByTestId('push-on').isVisible()).toBe(true);

    // A push as the push service delivers it (DevTools protocol): the worker shows it as a notification.
    await context.grantPermissions(['notifications'], { origin: server.url });
    const cdp = await context.newCDPSession(page);
    const registrations: string[] = [];
    cdp.on('ServiceWorker.workerRegistrationUpdated', (e) => {
      for (const r of e.registrations)
        if (r.scopeURL === `${server.url}/dashboard/`) registrations.push(r.registrationId);
    });
    await cdp.send('ServiceWorker.enable');
    await expect.poll(() => registrations.length).toBeGreaterThan(0);
    const pushed = {
      title: 'New order #7 · Joshi General Store',
      body: 'Kavita · ₹260.00 · 1 item',
      tag: 'order-x',
      url: '/dashboard/',
    };
    await cdp.send('ServiceWorker.deliverPushMessage', {
      origin: server.url,
      registrationId: registrations[0]!,
      data: JSON.stringify(pushed),
    });
    await expect
      .poll(() =>
        page.evaluate(async () =>
          (await (await navigator.serviceWorker.ready).getNotifications()).map((n) => ({
            title: n.title,
            body: n.body,
          })),
        ),
      )
      .toEqual([{ title: pushed.title, body: pushed.body }]);

    // A new order appears by itself, announced over the event stream; the title counts it.
    await expect.poll(() => streams.length).toBeGreaterThan(0);
    expect(await page.getByTestId('order-row').count()).toBe(0);
    await placeStorefrontOrder(server, slug, variantId, { quantity: 1, name: 'Kavita', phone: '+919811122244' });
    await expect.poll(() => page.getByTestId('order-row').count(), { timeout: 30_000 }).toBe(1);
    await expect.poll(() => page.title()).toMatch(/^\(1\) /);

    // No network: a page that cannot load shows the offline page (from the worker), not the browser's error.
    await context.setOffline(true);
    await page.goto(`${server.url}/dashboard/stores/${shop.storeId}/products`);
    await expect.poll(() => page.getByTestId('offline-message').isVisible()).toBe(true);
    expect(await page.locator('body').getAttribute('data-page')).toBe('offline');
    // Nothing private in it: not the owner's number.
    expect(await page.content()).not.toContain(OWNERS.on.phone);
    await context.setOffline(false);
    await page.getByTestId('offline-retry').click();
    await page.waitForURL(/\/dashboard\/?/);
    expect(await page.locator('body').getAttribute('data-page')).not.toBe('offline');
    await context.close();
  });
});

describe('the live orders list without its event stream', () => {
  it('falls back to asking every 15 s when the stream fails', async ({ browser, server }) => {
    // No service worker in between, so the route below sees the page's own requests.
    const context = await openContext(browser, { ...PHONE, serviceWorkers: 'block' });
    const page = await context.newPage();
    await signIn(page, server.url, OWNERS.polling.typed, CODE);
    const shop = await openShop(page, 'Rao Dairy');
    const slug = new URL(shop.storeUrl, server.url).pathname.replace(/^\//, '');
    const storeId = shop.storeId;
    const variantId = await addProduct(server, page, storeId);
    // A proxy that refuses the stream: EventSource fails, the page keeps asking for itself.
    let refused = 0;
    await page.route('**/orders/events', (route) => {
      refused++;
      return route.fulfill({ status: 502, body: 'bad gateway' });
    });
    await page.goto(`${server.url}/dashboard/stores/${storeId}/orders`);
    const before = await page.getByTestId('order-row').count();
    await expect.poll(() => refused).toBeGreaterThan(0);
    await placeStorefrontOrder(server, slug, variantId, { quantity: 1, name: 'Kavita', phone: '+919811122244' });
    await expect.poll(() => page.getByTestId('order-row').count(), { timeout: 45_000 }).toBe(before + 1);
    await context.close();
  });
});

describe('the installable dashboard, JavaScript off', () => {
  it('the same pages work: the manifest is linked, no push button shows, a reload shows new orders', async ({
    browser,
    server,
  }) => {
    const context = await openContext(browser, { ...PHONE, javaScriptEnabled: false });
    const page = await context.newPage();
    await signIn(page, server.url, OWNERS.off.typed, CODE);
    const shop = await openShop(page, 'Nair Provisions');
    const slug = new URL(shop.storeUrl, server.url).pathname.replace(/^\//, '');
    const variantId = await addProduct(server, page, shop.storeId);
    await page.goto(`${server.url}/dashboard/stores/${shop.storeId}/orders`);
    expect(await page.locator('link[rel=manifest]').count()).toBe(1);
    expect(await page.getByTestId('push-on').isVisible()).toBe(false);
    await placeStorefrontOrder(server, slug, variantId, { quantity: 1, name: 'Kavita', phone: '+919811122244' });
    await page.reload();
    expect(await page.getByTestId('order-row').count()).toBe(1);
    expect(await page.title()).toMatch(/^\(1\) /);
    await context.close();
  });
});
