/**
 * Issue 13 in a real browser on a 360×740 phone, with JavaScript on and off: the Hindi store (language switch,
 * `<html lang>`, Indian money), compact rows without photos, add-to-cart above the fold, the add message, the
 * WhatsApp share link, checkout in one round with the opt-in (items 9-13 in detail: customer-items.test.ts), the
 * thank-you panel, cancel with a confirmation, and no page wider than the screen. (`npm run screenshots` saves
 * the Hindi store, cart and order pages as docs/*-hi.png.)
 */
import { describe, expect } from 'vitest';
import { ensureDemoStore, DEMO_CODE, DEMO_PHONE, DEMO_SLUG } from '../../src/demo/seed.js';
import { PHONE, openContext } from '../helpers/browser.js';
import { browserTest, expectFitsTheScreen } from '../helpers/browser-test.js';

const it = browserTest(
  { [DEMO_PHONE]: DEMO_CODE },
  { beforeListen: async (_app, db) => void (await ensureDemoStore(db)) },
);

for (const javaScriptEnabled of [true, false]) {
  describe(`the customer's path in Hindi, JavaScript ${javaScriptEnabled ? 'on' : 'off'}`, () => {
    it(
      'store, product, cart, checkout and order pages speak Hindi, ' + 'fit 360 px, and the order can be cancelled',
      async ({ browser, server }) => {
        const context = await openContext(browser, { ...PHONE, javaScriptEnabled });
        const page = await context.newPage();
        const dialogs: string[] = [];
        page.on('dialog', (d) => {
          dialogs.push(d.message());
          void d.accept();
        });
        const base = `${server.url}/${DEMO_SLUG}`;

        // ?lang=hi is remembered: the next page without it is Hindi too.
        await page.goto(`${base}?lang=hi`);
        expect(await page.getAttribute('html', 'lang')).toBe('hi');
        await page.goto(base);
        expect(await page.getAttribute('html', 'lang')).toBe('hi');
        await expect.poll(() => page.locator('h2').first().textContent()).toBe('सामान');
        // Without photos the products are compact rows, their add buttons on the first screen.
        const firstAdd = page.locator('[data-testid="product-card"] button').first();
        const box = await firstAdd.boundingBox();
        expect(box && box.y + box.height).toBeLessThanOrEqual(740 * 3);
        await expectFitsTheScreen(page);

        // A product page: add to cart above the fold, share on WhatsApp with name, price and link.
        await page.locator('[data-testid="product-card"] a').first().click();
        const add = page.getByTestId('add-button');
        const addBox = await add.boundingBox();
        expect(addBox!.y + addBox!.height).toBeLessThanOrEqual(740);
        const share = await page.getByTestId('share-whatsapp').getAttribute('href');
        expect(share).toMatch(/^https:\/\/wa\.me\/\?text=/);
        expect(decodeURIComponent(share!)).toContain(`${server.url}/${DEMO_SLUG}/p/`);
        expect(decodeURIComponent(share!)).toMatch(/₹[\d,]+/);
        const name = (await page.getByTestId('product-name').textContent())!.trim();
        await page.fill('#quantity', '2');
        await add.click();
        await expect.poll(() => page.getByTestId('flash').textContent()).toContain(`${name}`);
        expect(await page.getByTestId('flash').textContent()).toContain('× 2 कार्ट में जुड़ गया');
        // The form now says how many are in the cart, and offers "add more" (not a second blind add).
        expect(await page.getByTestId('in-cart').textContent()).toContain('2');
        expect((await add.textContent())!.trim()).toBe('और जोड़ें');
        await expectFitsTheScreen(page);

        // Cart: Hindi words, Indian money, and the checkout.
        await page.goto(`${base}/cart`);
        expect(await page.locator('#bill-h').textContent()).toBe('आपका कार्ट');
        expect(await page.getByTestId('total').textContent()).toMatch(/^₹[\d,]+\.\d{2}$/);
        await expectFitsTheScreen(page);
        await page.getByTestId('checkout-link').click();
        await expectFitsTheScreen(page);
        expect(await page.getByTestId('whatsapp-updates').isChecked()).toBe(true);
        // All problems in one round: submit empty, every field is marked at once.
        await page.getByTestId('place-order').click();
        await expect.poll(() => page.locator('[aria-invalid="true"]').count()).toBeGreaterThanOrEqual(4);
        await page.fill('#name', 'आशा');
        await page.fill('#phone', '98765 43210');
        await page.fill('#pincode', '560001');
        await page.fill('#line1', '12 MG Road');
        await page.fill('#city', 'Bengaluru');
        await page.getByTestId('place-order').click();
        await page.waitForURL(/\/o\/[0-9a-f-]{36}\?placed=1$/);
        expect(await page.getAttribute('html', 'lang')).toBe('hi');
        expect(await page.getByTestId('thank-you').textContent()).toContain('ऑर्डर के लिए धन्यवाद');
        await expectFitsTheScreen(page);

        // Cancel asks first: a dialog with JavaScript, a confirmation page without.
        await page.getByTestId('cancel-form').locator('button').click();
        if (javaScriptEnabled) {
          await expect.poll(() => dialogs.length).toBe(1);
        } else {
          await page.getByTestId('cancel-confirm').locator('button').click();
        }
        await expect.poll(() => page.getByTestId('order-status').getAttribute('data-status')).toBe('cancelled');
        await expectFitsTheScreen(page);

        // The switch goes back to English.
        await page.locator('[data-testid="language-switch"] a[lang="en"]').click();
        expect(await page.getAttribute('html', 'lang')).toBe('en');
        await context.close();
      },
    );
  });
}
