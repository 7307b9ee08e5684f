/**
 * Issue 13 item 15 and issue 10 items 4 and 12 in a real browser (360×740, JavaScript on and off): the proof form
 * takes the 12-digit UPI reference; after a proof the page says "Screenshot received — the shop will confirm" and
 * hides the pay panel and QR; after an edit that raises the total it asks only for the difference (a UPI link for
 * it); after lowering a paid order, and after cancelling it, it shows the refund due. The customer's own text is
 * shown quoted, with its links not clickable.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { ensureDemoStore, DEMO_CODE, DEMO_PHONE, DEMO_SLUG } from '../../src/demo/seed.js';
import { PHONE, launchChromium, openContext, startBrowserServer, type BrowserServer } from '../helpers/browser.js';
import { PNG_1PX } from '../helpers/order-fixtures.js';

let server: BrowserServer;
let browser: Browser;
let token: string;
let storeId: string;
beforeAll(async () => {
  server = await startBrowserServer(
    { [DEMO_PHONE]: DEMO_CODE },
    { beforeListen: async (_app, db) => void (await ensureDemoStore(db)) },
  );
  browser = await launchChromium();
  await call('POST', '/api/v1/auth/otp', { phone: DEMO_PHONE });
  token = (await call('POST', '/api/v1/auth/verify', { phone: DEMO_PHONE, code: DEMO_CODE })).token;
  storeId = (await call('GET', '/api/v1/me')).stores[0].id;
}, 120_000);
afterAll(async () => {
  await browser?.close();
  await server?.close();
});

async function call(method: string, path: string, body?: unknown): Promise<any> {
  const res = await fetch(`${server.url}${path}`, {
    method,
    headers: {
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  if (res.status >= 400) throw new Error(`${method} ${path}: ${res.status} ${text}`);
  return text ? JSON.parse(text) : null;
}

/** A UPI order for pickup of `quantity` × the first product in stock, placed through the API. */
async function upiOrder(
  quantity: number,
): Promise<{ id: string; trackingToken: string; variantId: string; price: number }> {
  const products = await call('GET', `/api/v1/storefront/${DEMO_SLUG}/products?limit=50`);
  const variant = products.items
    .flatMap((p: { variants: { id: string; price: number; inStock: boolean }[] }) => p.variants)
    .find((v: { inStock: boolean; price: number }) => v.inStock && v.price >= 1000);
  const cart = await call('POST', `/api/v1/storefront/${DEMO_SLUG}/carts`);
  await call('PUT', `/api/v1/storefront/${DEMO_SLUG}/carts/${cart.id}/lines/${variant.id}`, { quantity });
  const order = await call('POST', `/api/v1/storefront/${DEMO_SLUG}/carts/${cart.id}/checkout`, {
    customer: { name: 'Asha https://evil.example/pay', phone: '+919812345678' },
    fulfillment: 'pickup',
    paymentMethod: 'upi',
    note: 'Paid ✅ see https://evil.example/confirm',
  });
  return { id: order.id, trackingToken: order.trackingToken, variantId: variant.id, price: variant.price };
}

const setLines = (orderId: string, variantId: string, quantity: number) =>
  call('PUT', `/api/v1/stores/${storeId}/orders/${orderId}/lines`, { lines: [{ variantId, quantity }] });

const rupees = (minor: number) => `₹${(minor / 100).toLocaleString('en-IN', { minimumFractionDigits: 2 })}`;

for (const javaScriptEnabled of [true, false]) {
  describe(`the UPI proof flow, JavaScript ${javaScriptEnabled ? 'on' : 'off'}`, () => {
    it('proof + reference → received; a rise asks the difference; lowered or cancelled → refund due', async () => {
      const order = await upiOrder(2);
      const context = await openContext(browser, { ...PHONE, javaScriptEnabled });
      const page = await context.newPage();
      await page.goto(`${server.url}/o/${order.trackingToken}`);

      // The customer's text is theirs: quoted, and its links are not links.
      const name = page.getByTestId('customer-name');
      expect(await name.textContent()).toBe('Asha https[:]//evil[.]example/pay');
      expect(await page.locator('main a[href*="evil"]').count()).toBe(0);
      const note = page.getByTestId('order-note').locator('q');
      expect(await note.textContent()).toBe('Paid ✅ see https[:]//evil[.]example/confirm');

      // Pay panel with the QR, and the proof form with the reference field.
      expect(await page.getByTestId('upi-pay').isVisible()).toBe(true);
      await page.setInputFiles('#proof', { name: 'paid.png', mimeType: 'image/png', buffer: PNG_1PX });
      await page.fill('#reference', '1234 5678 9012');
      await Promise.all([page.waitForURL(/\/o\//), page.getByTestId('proof-form').locator('button').click()]);
      await page.waitForLoadState();
      expect(await page.getByTestId('proof-received').textContent()).toContain(
        'Screenshot received — the shop will confirm',
      );
      expect(await page.getByTestId('upi-pay').count()).toBe(0);
      expect(await page.getByTestId('upi-qr').count()).toBe(0);
      expect(await page.getByTestId('timeline').textContent()).toContain('123456789012');
      const merchantView = await call('GET', `/api/v1/stores/${storeId}/orders/${order.id}`);
      expect(merchantView.payment.reference).toBe('123456789012');

      // The shop adds one more: only the difference is asked for, with a UPI link for it.
      await setLines(order.id, order.variantId, 3);
      await page.reload();
      const pay = page.getByTestId('upi-pay');
      expect(await pay.locator('h2').textContent()).toBe(`Pay the difference: ${rupees(order.price)}`);
      const link = await page.getByTestId('upi-link').getAttribute('href');
      expect(link).toContain(`am=${(order.price / 100).toFixed(2)}`);

      // Paid, then lowered by one: the refund due is shown; after a cancel, all that was paid is due back.
      await call('POST', `/api/v1/stores/${storeId}/orders/${order.id}/payment`, { status: 'paid' });
      await setLines(order.id, order.variantId, 2);
      await page.reload();
      expect(await page.getByTestId('refund-due').textContent()).toContain(rupees(order.price));
      expect(await page.getByTestId('upi-pay').count()).toBe(0);
      await call('POST', `/api/v1/stores/${storeId}/orders/${order.id}/transitions`, { to: 'cancelled' });
      await page.reload();
      expect(await page.getByTestId('refund-due').textContent()).toContain(rupees(3 * order.price));
      await call('POST', `/api/v1/stores/${storeId}/orders/${order.id}/payment`, { status: 'refunded' });
      await page.reload();
      expect(await page.getByTestId('refund-due').count()).toBe(0);
      expect(await page.getByTestId('amount-refunded').textContent()).toBe(`−${rupees(3 * order.price)}`);
      await context.close();
    });
  });
}
