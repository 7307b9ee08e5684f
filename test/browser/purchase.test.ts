/**
 * The whole loop in a real browser: an owner opens a shop from the dashboard, a customer on a cheap phone buys
 * from it (with JavaScript, then without), stock runs out under the customer's cart, the customer pays by UPI
 * and sends a screenshot, the owner marks it paid, accepts and ships, and the customer sees each step.
 *
 * The tests run in order and share one shop: the first one builds it.
 */
import { describe, expect } from 'vitest';
import type { Page } from 'playwright-core';
import {
  DESKTOP,
  PHONE,
  horizontalOverflow,
  openContext,
  overflowingElements,
  pictureWidth,
  pngFile,
  press,
  screenshot,
  textOf,
  watchPage,
} from '../helpers/browser.js';
import { browserTest } from '../helpers/browser-test.js';
import {
  addProduct,
  addToCart,
  cartLine,
  flash,
  moveOrder,
  openOrder,
  openProduct,
  openShop,
  orderStatus,
  placeOrder,
  saveSettings,
  section,
  setListedStock,
  setVariantStock,
  signIn,
} from './flows.js';

const OWNER_PHONE = '+919812300001';
const OWNER_TYPES = '98123 00001';
const OWNER_CODE = '246810';

const RICE = 'India Gate Basmati Rice';
const DAL = 'Tata Sampann Toor Dal';

// The owner's desktop page, signed in by the first test and used by the others.
const it = browserTest({ [OWNER_PHONE]: OWNER_CODE }).extend(
  'owner',
  { scope: 'file' },
  async ({ browser }, { onCleanup }) => {
    const context = await openContext(browser, DESKTOP);
    onCleanup(() => context.close());
    const page = await context.newPage();
    return { page, watch: watchPage(page) };
  },
);
const shop = { storeId: '', storeUrl: '', riceId: '' };

function needShop(): void {
  if (!shop.storeId) throw new Error('the shop is made by the first test of this file, which did not finish');
}

/** Pages of a phone must not scroll sideways at 360 px. */
async function expectFitsPhone(page: Page, what: string): Promise<void> {
  const overflow = await horizontalOverflow(page);
  if (overflow > 0)
    throw new Error(
      `${what} is ${overflow}px wider than the 360px screen: ${(await overflowingElements(page)).join('; ')}`,
    );
}

describe('owner and customer in a browser', () => {
  it(
    'the owner signs up with phone and code, opens a shop, adds a product ' +
      'with variants and a picture and another, sets stock',
    async ({ owner, server }) => {
      const page = owner.page;
      await signIn(page, server.url, OWNER_TYPES, OWNER_CODE);
      const opened = await openShop(page, 'Sharma Kirana');
      expect(await textOf(page.getByRole('heading', { level: 1 }))).toBe('Your shop is live!');
      expect(opened.storeUrl).toBe(`${server.url}/sharma-kirana`);
      expect(await page.getByTestId('qr').locator('svg').count()).toBe(1);
      await screenshot(page, 'owner-01-welcome');

      await saveSettings(page, { fee: '40', freeAbove: '1000', upi: 'sharma@okaxis' });
      expect(await page.getByLabel(/^UPI ID/).inputValue()).toBe('sharma@okaxis');

      const ricePicture = await pngFile('rice', { color: '#b98b3a', label: 'RICE' });
      const riceId = await addProduct(page, {
        name: RICE,
        picture: ricePicture,
        variants: [
          { name: '1 kg', price: '199', mrp: '225', stock: '10' },
          { name: '5 kg', price: '925', mrp: '1050', stock: '5' },
        ],
      });
      expect(await textOf(page.getByTestId('product-title'))).toBe(RICE);
      const pictures = page.getByTestId('images').locator('img');
      expect(await pictures.count()).toBe(1);
      expect(await pictureWidth(pictures.first())).toBeGreaterThan(0);
      expect(await page.getByTestId('variant-panel').count()).toBe(2);
      expect(
        await page.getByRole('region', { name: '1 kg', exact: true }).getByTestId('stock-input').inputValue(),
      ).toBe('10');
      await screenshot(page, 'owner-02-product-with-variants');

      await addProduct(page, { name: DAL, price: '89' });
      expect(await textOf(page.getByTestId('stock'))).toBe('Not tracked');
      await setListedStock(page, DAL, 20);
      const dalRow = page.getByTestId('product-row').filter({ hasText: DAL });
      expect(await textOf(dalRow.getByTestId('stock'))).toBe('20 in stock');
      const riceRow = page.getByTestId('product-row').filter({ hasText: RICE });
      expect(await textOf(riceRow.getByTestId('stock'))).toBe('15 in stock · low');
      expect(await pictureWidth(riceRow.locator('img'))).toBeGreaterThan(0);
      await screenshot(page, 'owner-03-products');

      expect(owner.watch.errors).toEqual([]);
      Object.assign(shop, { storeId: opened.storeId, storeUrl: opened.storeUrl, riceId });
    },
  );

  for (const js of [true, false]) {
    const tag = js ? 'js' : 'nojs';
    it(`a customer on a phone \
${js ? 'with' : 'without'} JavaScript: out of stock under the cart, replaced, UPI, screenshot; the owner marks paid,\
 accepts, ships`, async ({ owner, server, browser }) => {
      needShop();
      // Each purchase starts from 10 of the 1 kg bag (the previous one sold it out).
      await setVariantStock(owner.page, server.url, shop.storeId, shop.riceId, '1 kg', 10);

      const customer = await openContext(browser, { ...PHONE, javaScriptEnabled: js });
      const page = await customer.newPage();
      const watch = watchPage(page);
      const touch = true;
      try {
        // ---- the shop, from the link the owner shares
        await page.goto(shop.storeUrl);
        expect(await textOf(page.getByRole('heading', { level: 1 }))).toBe('Sharma Kirana');
        expect(await page.getByTestId('product-card').count()).toBe(2);
        expect(await textOf(page.getByTestId('store-facts'))).toContain('free above ₹1,000.00');
        expect(
          await pictureWidth(page.getByTestId('product-card').filter({ hasText: RICE }).locator('img')),
        ).toBeGreaterThan(0);
        await expectFitsPhone(page, 'the store home');
        await screenshot(page, `customer-${tag}-01-home`);

        // ---- two bags of rice from the product page, dal with the quick "Add" of the home page
        await openProduct(page, RICE, touch);
        await expectFitsPhone(page, 'the product page');
        await screenshot(page, `customer-${tag}-02-product`);
        await addToCart(page, { variant: '1 kg', quantity: 2, touch });
        expect(await textOf(page.getByTestId('cart-count'))).toBe('2');
        await press(page.getByRole('link', { name: '← Sharma Kirana' }), touch);
        await press(page.getByRole('button', { name: `Add ${DAL} to cart` }), touch);
        await flash(page, `${DAL} × 1 added to your cart.`);
        expect(await textOf(page.getByTestId('cart-count'))).toBe('3');

        await press(page.getByTestId('cart-link'), touch);
        await page.waitForURL(/\/cart$/);
        expect(await page.getByTestId('cart-line').count()).toBe(2);
        expect(await textOf(page.getByTestId('subtotal'))).toBe('₹487.00');
        expect(await textOf(page.getByTestId('delivery-fee'))).toBe('₹40.00');
        expect(await textOf(page.getByTestId('total'))).toBe('₹527.00');
        await expectFitsPhone(page, 'the cart');
        await screenshot(page, `customer-${tag}-03-cart`);

        // ---- meanwhile the owner sells the last 1 kg bag over the counter
        await setVariantStock(owner.page, server.url, shop.storeId, shop.riceId, '1 kg', 0);

        // ---- the customer's next tap on the cart shows it
        await page.evaluate(() => ((window as unknown as { stillHere: boolean }).stillHere = true));
        await press(page.getByRole('button', { name: `One more ${DAL}` }), touch);
        const riceLine = cartLine(page, RICE, '1 kg');
        expect(await textOf(riceLine.getByTestId('line-error'))).toBe('Out of stock — remove or replace');
        expect(await page.getByTestId('checkout-link').count()).toBe(0);
        expect(await textOf(page.getByTestId('checkout-blocked'))).toContain('Fix the items marked above to continue.');
        expect(await cartLine(page, DAL).getByRole('spinbutton').inputValue()).toBe('2');
        // With JavaScript the bill is swapped in place; without, the form posted and a new page came.
        expect(await page.evaluate(() => (window as unknown as { stillHere?: boolean }).stillHere === true)).toBe(js);
        await screenshot(page, `customer-${tag}-04-out-of-stock`);

        // ---- remove it and take the 5 kg bag instead
        await press(riceLine.getByTestId('remove-line'), touch);
        await riceLine.waitFor({ state: 'detached' });
        expect(await textOf(page.getByTestId('cart-notice').or(page.getByTestId('flash')).first())).toBe(
          'Removed from your cart.',
        );
        expect(await textOf(page.getByTestId('total'))).toBe('₹218.00');
        expect(await textOf(page.getByTestId('free-delivery-hint'))).toBe('Add ₹822.00 more for free delivery.');

        await press(page.getByTestId('store-name'), touch);
        await openProduct(page, RICE, touch);
        const oneKilo = page.getByRole('radio', { name: /^1 kg —/ });
        expect(await oneKilo.isDisabled()).toBe(true);
        expect(await page.getByRole('radio', { name: /^5 kg —/ }).isChecked()).toBe(true);
        await addToCart(page, { touch });
        await press(page.getByTestId('cart-link'), touch);
        await page.waitForURL(/\/cart$/);
        expect(await textOf(cartLine(page, RICE, '5 kg').getByTestId('line-total'))).toBe('₹925.00');
        expect(await textOf(page.getByTestId('subtotal'))).toBe('₹1,103.00');
        expect(await textOf(page.getByTestId('delivery-fee'))).toBe('Free');
        expect(await textOf(page.getByTestId('total'))).toBe('₹1,103.00');
        expect(await page.getByTestId('line-error').count()).toBe(0);
        await screenshot(page, `customer-${tag}-05-cart-renewed`);

        // ---- checkout with UPI
        await press(page.getByTestId('checkout-link'), touch);
        await page.waitForURL(/\/checkout$/);
        await expectFitsPhone(page, 'the checkout page');
        await screenshot(page, `customer-${tag}-05-checkout`);
        const number = await placeOrder(
          page,
          {
            name: js ? 'Asha Rao' : 'Ravi Kumar',
            phone: js ? '98450 12345' : '98450 54321',
            line1: '12 MG Road',
            city: 'Bengaluru',
            pincode: '560001',
          },
          'UPI (any UPI app)',
          touch,
        );
        expect(await orderStatus(page)).toEqual({ status: 'placed', words: 'Order placed' });
        expect(await textOf(page.getByTestId('total'))).toBe('₹1,103.00');
        const upi = await page.getByTestId('upi-link').getAttribute('href');
        expect(upi).toMatch(/^upi:\/\/pay\?/);
        expect(new URL(upi!).searchParams.get('pa')).toBe('sharma@okaxis');
        expect(new URL(upi!).searchParams.get('am')).toBe('1103.00');
        expect(await page.getByTestId('upi-qr').locator('svg').isVisible()).toBe(true);
        // app.js shows the copy button of the UPI id; without JavaScript it stays hidden.
        expect(await page.getByRole('button', { name: 'Copy' }).isVisible()).toBe(js);
        await expectFitsPhone(page, 'the order page');
        await screenshot(page, `customer-${tag}-06-order-placed`);

        const proof = await pngFile(`proof-${tag}`, { size: 360, color: '#2f6fdd', label: 'PAID' });
        await page.getByLabel('Paid? Send a screenshot of the payment').setInputFiles(proof);
        await press(page.getByRole('button', { name: 'Send screenshot' }), touch);
        await flash(page, 'Thank you! The shop will check your payment.');

        // ---- the owner: the order, the screenshot, paid, accepted, shipped
        const row = await openOrder(owner.page, number);
        expect(row).toMatch(/New/);
        expect(row).toContain('Payment proof sent');
        expect(row).toContain('₹1,103.00');
        expect(await textOf(owner.page.getByTestId('payment-status'))).toBe('Payment proof sent');
        expect(await pictureWidth(owner.page.getByTestId('payment').locator('img'))).toBe(360);
        await screenshot(owner.page, `owner-${tag}-04-order`);
        await owner.page.getByTestId('mark-paid').click();
        await flash(owner.page, `Order #${number} marked paid.`);
        expect(await textOf(owner.page.getByTestId('payment-status'))).toBe('Paid');
        expect((await orderStatus(page)).status).toBe('placed');
        expect(await textOf(page.getByTestId('payment-status'))).toContain('Paid');
        expect(await page.getByTestId('upi-pay').count()).toBe(0);

        await moveOrder(owner.page, 'accepted', `Order #${number}: accepted.`);
        expect(await orderStatus(page)).toEqual({ status: 'accepted', words: 'Accepted by the shop' });
        expect(await page.getByTestId('cancel-form').count()).toBe(0);
        await moveOrder(owner.page, 'shipped', `Order #${number}: shipped.`);
        expect(await orderStatus(page)).toEqual({ status: 'shipped', words: 'On the way' });
        await screenshot(page, `customer-${tag}-07-order-shipped`);
        await moveOrder(owner.page, 'delivered', `Order #${number}: delivered.`);
        expect(await orderStatus(page)).toEqual({ status: 'delivered', words: 'Delivered' });
        const steps = await page.getByTestId('timeline').locator('li').allInnerTexts();
        expect(
          steps.map((s) =>
            s
              .split('\n')[0]!
              .replace(/\s+\d.*$/, '')
              .trim(),
          ),
        ).toEqual([
          'Order placed',
          // Every payment action is in the history, with its amount (issue 10 item 12).
          expect.stringMatching(/^Screenshot received — the shop will confirm · ₹[\d,]+\.\d\d$/),
          expect.stringMatching(/^Payment received · ₹[\d,]+\.\d\d$/),
          'Accepted by the shop',
          'On the way',
          'Delivered',
        ]);
        await screenshot(page, `customer-${tag}-08-order-delivered`);
        await screenshot(owner.page, `owner-${tag}-05-order-delivered`);

        expect(watch.dialogs).toEqual([]);
        expect(watch.errors).toEqual([]);
        expect(owner.watch.errors).toEqual([]);
      } finally {
        await customer.close();
      }
    });
  }

  it('the owner sees both orders, and the stock they took', async ({ owner, server }) => {
    needShop();
    await section(owner.page, 'Orders');
    const rows = owner.page.getByTestId('order-row');
    expect(await rows.count()).toBe(2);
    expect(await rows.allInnerTexts()).toEqual([
      expect.stringContaining('#2 · Ravi Kumar'),
      expect.stringContaining('#1 · Asha Rao'),
    ]);
    await setVariantStock(owner.page, server.url, shop.storeId, shop.riceId, '1 kg', 7);
    expect(
      await owner.page.getByRole('region', { name: '5 kg', exact: true }).getByTestId('stock-input').inputValue(),
    ).toBe('3');
    await section(owner.page, 'Products');
    expect(await textOf(owner.page.getByTestId('product-row').filter({ hasText: DAL }).getByTestId('stock'))).toBe(
      '16 in stock',
    );
  });
});
