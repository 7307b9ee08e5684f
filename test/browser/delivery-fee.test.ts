/**
 * The checkout of a store whose delivery areas have their own fee, on a 360×740 phone. The cart knows no PIN and bills
 * the store's fee (₹50); a PIN in 4110… pays its area's ₹12.34. With JavaScript the bill follows the PIN as it is
 * typed (and pickup), so the first "Place order" places the order at the total shown; without, the first tap shows
 * the PIN's fee and new total, and the second places it. A PIN outside every area is said next to the field.
 */
import { describe, expect } from 'vitest';
import type { Page } from 'playwright-core';
import { ensureDemoStore, DEMO_CODE, DEMO_PHONE, DEMO_SLUG } from '../../src/demo/seed.js';
import { updateStore } from '../../src/stores/stores.service.js';
import { PHONE, openContext, textOf, watchPage, type BrowserServer } from '../helpers/browser.js';
import { browserTest, expectFitsTheScreen } from '../helpers/browser-test.js';

const it = browserTest(
  { [DEMO_PHONE]: DEMO_CODE },
  { beforeListen: async (_app, d) => void (await ensureDemoStore(d)) },
);

it.beforeAll(async ({ server }) => {
  const db = server.server.db;
  const { rows } = await db.query<{ id: string }>(`SELECT id FROM stores WHERE slug = $1`, [DEMO_SLUG]);
  await updateStore(
    db,
    rows[0]!.id,
    {
      delivery: {
        fee: 5000,
        freeAbove: null,
        minOrder: null,
        pickup: true,
        areas: [{ pincodePrefix: '4110', fee: 1234 }, { pincodePrefix: '5600' }],
      },
    },
    server.config,
  );
});

/** Two packets of salt (₹56.00) in the cart of a fresh phone, then its checkout page in `lang`. */
async function checkoutWithSalt(server: BrowserServer, page: Page, lang: 'en' | 'hi'): Promise<void> {
  const { rows } = await server.server.db.query<{ slug: string }>(
    `SELECT p.slug FROM products p JOIN stores s ON s.id = p.store_id WHERE s.slug = $1 AND p.name = 'Tata Salt'`,
    [DEMO_SLUG],
  );
  await page.goto(`${server.url}/${DEMO_SLUG}/p/${rows[0]!.slug}?lang=${lang}`);
  await page.fill('#quantity', '2');
  await page.getByTestId('add-button').click();
  await page.getByTestId('flash').waitFor();
  await page.goto(`${server.url}/${DEMO_SLUG}/checkout`);
}

async function fillDetails(page: Page, pincode: string): Promise<void> {
  await page.fill('#name', 'Asha');
  await page.fill('#phone', '98765 43210');
  await page.fill('#line1', '4 Temple Street');
  await page.fill('#city', 'Pune');
  await page.fill('#pincode', pincode);
}

const text = (page: Page, id: string) => page.getByTestId(id).textContent();

describe('checkout to a delivery area with its own fee', () => {
  it('JavaScript on: the PIN typed sets the fee and total before submit; the first tap places it', async ({
    browser,
    server,
  }) => {
    const context = await openContext(browser, PHONE);
    const page = await context.newPage();
    const watch = watchPage(page);
    try {
      await checkoutWithSalt(server, page, 'en');
      expect(await textOf(page.getByTestId('delivery-fee'))).toBe('₹50.00');
      expect(await textOf(page.getByTestId('place-order'))).toBe('Place order · ₹106.00');

      await fillDetails(page, '411001');
      await expect.poll(() => text(page, 'delivery-answer')).toBe('Delivery to 411001: ₹12.34');
      expect(await text(page, 'delivery-fee')).toBe('₹12.34');
      expect(await page.getByRole('rowheader', { name: 'Delivery to 411001' }).count()).toBe(1);
      expect(await text(page, 'total')).toBe('₹68.34');
      expect(await textOf(page.getByTestId('place-order'))).toBe('Place order · ₹68.34');
      expect(await page.inputValue('[name="expectedTotal"]')).toBe('6834');
      await expectFitsTheScreen(page);

      // Outside every area: said next to the field before any submit; the bill is the store's again.
      await page.fill('#pincode', '110001');
      await expect.poll(() => text(page, 'delivery-answer')).toBe('Sorry, the shop does not deliver to this PIN code.');
      expect(await text(page, 'total')).toBe('₹106.00');

      // Pickup is free, and back to delivery to 411001.
      await page.fill('#pincode', '411001');
      await expect.poll(() => text(page, 'total')).toBe('₹68.34');
      await page.getByRole('radio', { name: 'I will pick it up from the shop' }).check();
      expect(await text(page, 'delivery-fee')).toBe('Pickup — free');
      expect(await textOf(page.getByTestId('place-order'))).toBe('Place order · ₹56.00');
      await page.getByRole('radio', { name: 'Delivery to my address' }).check();
      expect(await textOf(page.getByTestId('place-order'))).toBe('Place order · ₹68.34');

      await page.getByTestId('place-order').click();
      await page.waitForURL(/\/o\/[0-9a-f-]{36}\?placed=1$/);
      expect(await textOf(page.getByTestId('total'))).toBe('₹68.34');
      expect(watch.errors).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('JavaScript on, in Hindi: the fee for the PIN and "no delivery here" in Hindi', async ({ browser, server }) => {
    const context = await openContext(browser, PHONE);
    const page = await context.newPage();
    try {
      await checkoutWithSalt(server, page, 'hi');
      await page.fill('#pincode', '411001');
      await expect.poll(() => text(page, 'delivery-answer')).toBe('पिन 411001 पर डिलीवरी: ₹12.34');
      expect(await textOf(page.getByTestId('place-order'))).toBe('ऑर्डर करें · ₹68.34');
      await page.fill('#pincode', '110001');
      await expect.poll(() => text(page, 'delivery-answer')).toBe('माफ़ कीजिए, दुकान इस पिन कोड पर डिलीवरी नहीं करती।');
      expect(await textOf(page.getByTestId('place-order'))).toBe('ऑर्डर करें · ₹106.00');
    } finally {
      await context.close();
    }
  });

  it('JavaScript off: the first tap shows the PIN’s fee and new total, every field kept; the next places it', async ({
    browser,
    server,
  }) => {
    const context = await openContext(browser, { ...PHONE, javaScriptEnabled: false });
    const page = await context.newPage();
    try {
      await checkoutWithSalt(server, page, 'en');
      await fillDetails(page, '110001');
      await page.getByTestId('place-order').click();
      await page.locator('#pincode-error').waitFor();
      expect(await textOf(page.locator('#pincode-error'))).toBe('Sorry, the shop does not deliver to this PIN code.');

      await page.fill('#pincode', '411001');
      await page.getByTestId('place-order').click();
      expect(await textOf(page.getByTestId('total-changed'))).toBe(
        'Delivery to 411001 is ₹12.34, so the total is ₹68.34, not ₹106.00. Check the bill and place the order.',
      );
      expect(await text(page, 'delivery-fee')).toBe('₹12.34');
      expect(await text(page, 'delivery-answer')).toBe('Delivery to 411001: ₹12.34');
      expect(await page.inputValue('#name')).toBe('Asha');
      expect(await page.inputValue('#pincode')).toBe('411001');
      await expectFitsTheScreen(page);
      await page.getByTestId('place-order').click();
      await page.waitForURL(/\/o\/[0-9a-f-]{36}\?placed=1$/);
      expect(await textOf(page.getByTestId('total'))).toBe('₹68.34');
    } finally {
      await context.close();
    }
  });
});
