/**
 * The UPI reference under the payment screenshot: the server takes 12 digits with any spaces or dashes. The field's
 * pattern let "1234 5678 90" (10 digits, 12 characters) through, so the page came back refused with the typed
 * reference and the chosen screenshot gone; and it refused "1234-5678-9012", which the server takes. Now the
 * phone itself says so before sending, keeping both, with JavaScript on and off.
 */
import { describe, expect } from 'vitest';
import { ensureDemoStore, DEMO_CODE, DEMO_PHONE, DEMO_SLUG } from '../../src/demo/seed.js';
import { PHONE, openContext, pngFile } from '../helpers/browser.js';
import { browserTest } from '../helpers/browser-test.js';
import { addToCart, placeOrder } from './flows.js';

const it = browserTest(
  { [DEMO_PHONE]: DEMO_CODE },
  { beforeListen: async (_app, d) => void (await ensureDemoStore(d)) },
);

for (const javaScriptEnabled of [true, false]) {
  describe(`the UPI reference, JavaScript ${javaScriptEnabled ? 'on' : 'off'}`, () => {
    it('too few digits are refused on the phone, keeping what was typed; dashes are fine', async ({
      browser,
      server,
    }) => {
      const context = await openContext(browser, { ...PHONE, javaScriptEnabled });
      const page = await context.newPage();
      await page.goto(`${server.url}/${DEMO_SLUG}/p/tata-salt?lang=en`);
      await addToCart(page, { touch: false });
      await page.goto(`${server.url}/${DEMO_SLUG}/checkout`);
      const customer = { name: 'Asha', phone: '98765 43210', line1: '1 MG Road', city: 'Pune', pincode: '411001' };
      await placeOrder(page, customer, 'UPI (any UPI app)', false);
      const orderUrl = page.url();
      const form = page.getByTestId('proof-form');
      const reference = form.getByTestId('proof-reference');
      await form.getByLabel(/screenshot/i).setInputFiles(await pngFile('paid', { size: 200, color: '#2a7' }));
      await reference.fill('1234 5678 90');
      await form.getByRole('button', { name: 'Send screenshot' }).click();
      expect(page.url()).toBe(orderUrl);
      expect(await reference.evaluate((el) => (el as HTMLInputElement).validity.patternMismatch)).toBe(true);
      expect(await reference.inputValue()).toBe('1234 5678 90');
      for (const ok of ['1234-5678-9012', '1234 5678 9012', '123456789012']) {
        await reference.fill(ok);
        expect(await reference.evaluate((el) => (el as HTMLInputElement).validity.valid), ok).toBe(true);
      }
      await context.close();
    });
  });
}
