/**
 * Accessibility of the dashboard (issue 14 "Done when": Lighthouse accessibility 100). Lighthouse's accessibility
 * score is axe-core's rules, so axe-core itself (the npm package, injected into the page) checks every dashboard
 * page an owner uses — home, orders, an order (and its "Are you sure?" step), products, the product form with an
 * error, reports, settings (and its opening hours with a day's error), members, import — at 360×740 in English and
 * Hindi, and no rule may be violated.
 * The Hindi pages show no English word beyond names, brands and the CSV's column names.
 */
import { createRequire } from 'node:module';
import { readFile } from 'node:fs/promises';
import { describe, expect } from 'vitest';
import type { Page } from 'playwright-core';
import type { AxeResults } from 'axe-core';
import { PHONE, openContext, type BrowserServer } from '../helpers/browser.js';
import { browserTest } from '../helpers/browser-test.js';
import { openShop, signIn } from './flows.js';

const OWNER = { phone: '+919812300091', typed: '98123 00091' };
const CODE = '975310';

/**
 * Latin words a Hindi page may show: names (the shop's, the product's, the customer's, brands), the currency
 * codes and the example texts of inputs.
 */
const ENGLISH_ALLOWED = new Set([
  ...['Sharma', 'Kirana', 'sharma', 'kirana', 'Asha', 'Road', 'Pune', 'Basmati', 'Rice', 'dukaan'],
  ...['English', 'WhatsApp', 'UPI', 'PDF', 'CSV', 'UTF'],
  // The CSV's column names are written as the file must have them.
  ...['name', 'size', 'price', 'mrp', 'stock', 'category', 'sku', 'searchTerms', 'hsn', 'slug'],
]);

const it = browserTest({ [OWNER.phone]: CODE });
let axeSource: string;
it.beforeAll(async () => {
  axeSource = await readFile(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
});

/** axe-core over the page as it is now: each violated rule with the elements that violate it. */
async function violations(page: Page): Promise<string[]> {
  // Evaluated through the DevTools protocol, so the page's CSP (no inline script) does not stop it.
  await page.evaluate(axeSource);
  const results = (await page.evaluate(() =>
    (window as unknown as { axe: { run(ctx: Document, o: object): Promise<unknown> } }).axe.run(document, {
      resultTypes: ['violations'],
    }),
  )) as AxeResults;
  // A run that checked nothing proves nothing.
  expect(results.passes.length, page.url()).toBeGreaterThan(15);
  return results.violations.map(
    (v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`,
  );
}

/** A product and an order through the API with the dashboard's own session, so every page has something in it. */
async function fillShop(server: BrowserServer, page: Page, storeId: string): Promise<string> {
  const session = (await page.context().cookies()).find((c) => c.name === 'dukaan_session')!.value;
  const call = (url: string, method: string, body?: unknown, auth = true) =>
    fetch(`${server.url}${url}`, {
      method,
      headers: {
        ...(auth ? { authorization: `Bearer ${session}` } : {}),
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    }).then((r) => r.json() as Promise<Record<string, any>>);
  const product = await call(`/api/v1/stores/${storeId}/products`, 'POST', {
    name: 'Basmati Rice',
    variants: [
      { name: '1 kg', price: 12000, stock: 2 },
      { name: '5 kg', price: 55000, stock: 0 },
    ],
  });
  const slug = String((await call(`/api/v1/stores/${storeId}`, 'GET')).slug);
  const cart = await call(`/api/v1/storefront/${slug}/carts`, 'POST', undefined, false);
  await call(
    `/api/v1/storefront/${slug}/carts/${cart.id}/lines/${product.variants[0].id}`,
    'PUT',
    { quantity: 1 },
    false,
  );
  const order = await call(
    `/api/v1/storefront/${slug}/carts/${cart.id}/checkout`,
    'POST',
    {
      customer: {
        name: 'Asha',
        phone: '+919811122233',
        address: { line1: '1 MG Road', city: 'Pune', pincode: '411001' },
      },
      paymentMethod: 'cod',
    },
    false,
  );
  if (!order.id) throw new Error(`checkout failed: ${JSON.stringify(order)}`);
  return String(order.id);
}

describe('dashboard accessibility (axe-core), 360×740', () => {
  it('no violations on any dashboard page, in English and Hindi; no English left on Hindi pages', async ({
    browser,
    server,
  }) => {
    const context = await openContext(browser, PHONE);
    const page = await context.newPage();
    await signIn(page, server.url, OWNER.typed, CODE);
    const { storeId } = await openShop(page, 'Sharma Kirana');
    const orderId = await fillShop(server, page, storeId);
    const base = `${server.url}/dashboard/stores/${storeId}`;
    const found: Record<string, string[]> = {};
    // The instrument sees a fault when there is one: a picture without words and a button without a name.
    await page.goto(`${base}/orders`);
    await page.evaluate(() =>
      document.querySelector('main')!.insertAdjacentHTML('beforeend', '<img src="data:,"><button></button>'),
    );
    expect((await violations(page)).map((v) => v.split(' ')[0])).toEqual(
      expect.arrayContaining(['image-alt', 'button-name']),
    );

    const english: Record<string, string[]> = {};
    const check = async (name: string) => {
      const v = await violations(page);
      if (v.length) found[name] = v;
      if (name.startsWith('hi ')) {
        const words = await page.evaluate(() => {
          // biome-ignore lint/performance/useDomNodeTextContent: the words a person sees, not hidden ones
          const seen = document.body.innerText;
          return seen.replace(/https?:\/\/\S+/g, '').match(/[A-Za-z][A-Za-z']{2,}/g) ?? [];
        });
        const left = [...new Set(words)].filter((w) => !ENGLISH_ALLOWED.has(w));
        if (left.length) english[name] = left;
      }
    };

    for (const lang of ['en', 'hi'] as const) {
      await page.goto(`${base}?lang=${lang}`);
      expect(await page.getAttribute('html', 'lang')).toBe(lang);
      for (const path of ['', '/orders', `/orders/${orderId}`, '/products', '/reports', '/settings', '/members']) {
        await page.goto(`${base}${path}`);
        await check(`${lang} ${path || '/'}`);
      }
      await page.goto(`${base}/products/import`);
      await check(`${lang} /products/import`);
      // The settings with the opening hours shown, and an overnight range refused under its day.
      await page.goto(`${base}/settings`);
      await page.getByTestId('hours-set').check();
      await page.getByTestId('sat_from_1').fill('22:00');
      await page.getByTestId('sat_to_1').fill('02:00');
      await page.getByTestId('save-settings').click();
      await page.getByTestId('error-hours_sat').waitFor();
      await check(`${lang} /settings with an hours error`);
      // The product form after a mistake (no name): the error summary and the field messages.
      await page.goto(`${base}/products/new`);
      await page.getByTestId('price').fill('abc');
      await page.getByTestId('save-product').click();
      await page.getByTestId('form-error').waitFor();
      await check(`${lang} /products/new with an error`);
      // The order's "Are you sure?" step for Reject.
      await page.goto(`${base}/orders/${orderId}`);
      await page.getByTestId('to-rejected').click();
      await page.getByTestId('confirm-step').waitFor();
      await check(`${lang} /orders/{id} confirm`);
    }
    expect(found).toEqual({});
    expect(english).toEqual({});
    await context.close();
  });
});
