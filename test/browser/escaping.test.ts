/**
 * Markup typed by an owner (a product name) or a customer (a note) is shown as text on every page, in a real
 * browser: no element is made from it, no dialog opens, the words are visible as typed.
 *
 * The pages' CSP already forbids inline event handlers, so a `dialog` alone would prove little: the tests also
 * look for the element the markup would have made (`img[src="x"]`) and for the literal text on screen.
 */
import { describe, expect, onTestFinished } from 'vitest';
import type { Page } from 'playwright-core';
import { DESKTOP, PHONE, openContext, screenshot, textOf, watchPage } from '../helpers/browser.js';
import { browserTest } from '../helpers/browser-test.js';
import {
  addProduct,
  addToCart,
  cartLine,
  openOrder,
  openProduct,
  openShop,
  placeOrder,
  section,
  signIn,
} from './flows.js';

const HOSTILE = '<img src=x onerror=alert(1)>';
const HOSTILE_NOTE = '<script>alert(2)</script><b>ring twice</b>';
const OWNER_PHONE = '+919812300002';
const OWNER_CODE = '135790';

const it = browserTest({ [OWNER_PHONE]: OWNER_CODE });

/** The hostile name is on screen as typed, and nothing was built from it. */
async function shownAsText(page: Page, where: string, text = HOSTILE): Promise<void> {
  const shown = page.getByText(text, { exact: false }).first();
  await shown.waitFor({ state: 'visible' }).catch(() => {
    throw new Error(`${where}: "${text}" is not visible as text at ${page.url()}`);
  });
  expect(await page.locator('img[src="x"]').count(), `${where}: an <img src=x> element was made`).toBe(0);
  expect(
    await page.locator('b', { hasText: 'ring twice' }).count(),
    `${where}: markup from the note became elements`,
  ).toBe(0);
  expect(await page.locator('main script').count(), `${where}: a script element in the page's main part`).toBe(0);
}

describe('markup in names and notes is text on every page', () => {
  it(
    'a product named <img src=x onerror=alert(1)>: storefront home, product, cart, ' +
      'checkout, order page; dashboard list, product, orders, order',
    async ({ browser, server }) => {
      const ownerContext = await openContext(browser, DESKTOP);
      const customerContext = await openContext(browser, PHONE);
      onTestFinished(async () => {
        await ownerContext.close();
        await customerContext.close();
      });
      const owner = await ownerContext.newPage();
      const customer = await customerContext.newPage();
      const ownerWatch = watchPage(owner);
      const customerWatch = watchPage(customer);
      await signIn(owner, server.url, '98123 00002', OWNER_CODE);
      const shop = await openShop(owner, 'Escape Stores');
      await addProduct(owner, { name: HOSTILE, price: '10', stock: '50' });
      expect(await textOf(owner.getByTestId('product-title'))).toBe(HOSTILE);
      await shownAsText(owner, 'dashboard product page');
      expect(await owner.getByTestId('name').inputValue()).toBe(HOSTILE);
      await section(owner, 'Products');
      expect(await textOf(owner.getByTestId('product-name'))).toBe(HOSTILE);
      await shownAsText(owner, 'dashboard product list');
      await screenshot(owner, 'escaping-dashboard-products');

      await customer.goto(shop.storeUrl);
      expect(await textOf(customer.getByTestId('product-card').locator('.name'))).toBe(HOSTILE);
      await shownAsText(customer, 'store home');
      await screenshot(customer, 'escaping-01-home');

      await openProduct(customer, HOSTILE, true);
      expect(await textOf(customer.getByTestId('product-name'))).toBe(HOSTILE);
      expect(await customer.title()).toContain(HOSTILE);
      await shownAsText(customer, 'product page');
      await addToCart(customer, { quantity: 2, touch: true });
      await screenshot(customer, 'escaping-02-product');

      await customer.getByTestId('cart-link').tap();
      await customer.waitForURL(/\/cart$/);
      await shownAsText(customer, 'cart');
      // The bill comes back as an HTML fragment that app.js puts in place: it must stay text there too.
      await customer.getByRole('button', { name: `One more ${HOSTILE}` }).tap();
      expect(await textOf(customer.getByTestId('cart-notice'))).toBe('Cart updated.');
      expect(await cartLine(customer, HOSTILE).getByRole('spinbutton').inputValue()).toBe('3');
      await shownAsText(customer, 'cart after the in-place update');
      await screenshot(customer, 'escaping-03-cart');

      await customer.getByTestId('checkout-link').tap();
      await customer.waitForURL(/\/checkout$/);
      await shownAsText(customer, 'checkout');
      await customer.getByLabel('Note for the shop (optional)').fill(HOSTILE_NOTE);
      const number = await placeOrder(
        customer,
        { name: 'Meena', phone: '98450 11111', line1: '4 Temple Street', city: 'Mysuru', pincode: '570001' },
        'Cash on delivery',
        true,
      );
      await shownAsText(customer, 'order page');
      await shownAsText(customer, 'order page (note)', HOSTILE_NOTE);
      await screenshot(customer, 'escaping-04-order');

      await openOrder(owner, number);
      await shownAsText(owner, 'dashboard order page');
      await shownAsText(owner, 'dashboard order page (note)', HOSTILE_NOTE);
      // The "add an item" list of the order page names products too.
      expect(await owner.locator('#add-variant option').allInnerTexts()).toContainEqual(
        expect.stringContaining(HOSTILE),
      );
      await screenshot(owner, 'escaping-dashboard-order');

      expect(customerWatch.dialogs).toEqual([]);
      expect(ownerWatch.dialogs).toEqual([]);
      expect(customerWatch.errors).toEqual([]);
      expect(ownerWatch.errors).toEqual([]);
    },
  );
});
