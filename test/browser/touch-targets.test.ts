/**
 * A thumb needs 44 × 44 CSS px. On a 360 px phone the Hindi cart's "बदलें" and "हटाएँ" were link buttons 36 and
 * 38 px wide, the product list's −1 / +1 stock buttons were squeezed to 43 px and the photo picker's button was
 * ~25 px tall: every button on those pages is at least 44 px each way, JavaScript on and off.
 */
import { describe, expect } from 'vitest';
import type { Page } from 'playwright-core';
import { ensureDemoStore, DEMO_CODE, DEMO_PHONE, DEMO_SLUG } from '../../src/demo/seed.js';
import { PHONE, openContext } from '../helpers/browser.js';
import { browserTest, expectFitsTheScreen } from '../helpers/browser-test.js';
import { addToCart, signIn } from './flows.js';

const it = browserTest(
  { [DEMO_PHONE]: DEMO_CODE },
  { beforeListen: async (_app, d) => void (await ensureDemoStore(d)) },
);

/** The visible buttons of the page's main part narrower or shorter than 44 px, described. */
async function smallButtons(page: Page): Promise<string[]> {
  return page.locator('main button:visible').evaluateAll((buttons) =>
    buttons
      .map((b) => ({ text: (b.textContent ?? '').trim(), r: b.getBoundingClientRect() }))
      .filter(({ r }) => r.width < 44 || r.height < 44)
      .map(({ text, r }) => `"${text}" ${Math.round(r.width)}×${Math.round(r.height)}`),
  );
}

for (const javaScriptEnabled of [true, false]) {
  describe(`buttons a thumb can press, JavaScript ${javaScriptEnabled ? 'on' : 'off'}`, () => {
    it('the Hindi cart and the owner’s product list', async ({ browser, server }) => {
      const context = await openContext(browser, { ...PHONE, javaScriptEnabled });
      const page = await context.newPage();
      await page.goto(`${server.url}/${DEMO_SLUG}?lang=en`);
      await page.goto(`${server.url}/${DEMO_SLUG}/p/tata-salt`);
      await addToCart(page, { touch: false });
      await page.goto(`${server.url}/${DEMO_SLUG}/cart?lang=hi`);
      await page.getByRole('button', { name: 'हटाएँ' }).first().waitFor();
      expect(await smallButtons(page)).toEqual([]);
      await expectFitsTheScreen(page);

      await page.goto(`${server.url}/${DEMO_SLUG}?lang=en`);
      await signIn(page, server.url, '90000 00000', DEMO_CODE);
      await page.goto(`${page.url().replace(/\/stores\/([0-9a-f-]{36}).*$/, '/stores/$1')}/products?lang=en`);
      await page.locator('main button', { hasText: '+1' }).first().waitFor();
      expect(await smallButtons(page)).toEqual([]);
      await expectFitsTheScreen(page);
      // The photo picker of a new product: the browser's own button was ~25 px tall.
      await page.getByTestId('new-product').click();
      const picker = await page.getByTestId('image').boundingBox();
      expect(picker!.height).toBeGreaterThanOrEqual(44);
      await expectFitsTheScreen(page);
      await context.close();
    });
  });
}
