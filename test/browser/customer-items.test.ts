/**
 * Issue 13, item by item, in a real browser on a 360×740 phone with JavaScript on and off (customer-path.test.ts
 * walks the Hindi path itself: items 1, 5, 7, 8, 12's one round, 13's panel, 14). Here:
 * 1 the language from the phone and the store's default · 2 Indian money · 3 forgiving search, search terms,
 * a category search that points to the whole store · 4 pinned and positioned products first · 6 the store
 * profile and open/closed by hours · 8 the UPI proof field fits the screen · 9 a coupon not applied does not
 * block · 10 a total that changed is shown before ordering · 11 "set to N" and replacement suggestions ·
 * 12 delivery area and remembered details · 13 the WhatsApp confirmation at placement.
 */
import { readFile } from 'node:fs/promises';
import { describe, expect } from 'vitest';
import type { BrowserContext, Page } from 'playwright-core';
import { ensureDemoStore, DEMO_CODE, DEMO_PHONE, DEMO_SLUG } from '../../src/demo/seed.js';
import { createProduct, updateProduct } from '../../src/catalog/products.service.js';
import { createCoupon } from '../../src/coupons/coupons.service.js';
import { setStock } from '../../src/inventory/stock.js';
import { storeImage } from '../../src/media/images.js';
import { updateStore } from '../../src/stores/stores.service.js';
import type { Db } from '../../src/db/db.js';
import { PHONE, openContext, pngFile, textOf, type BrowserServer } from '../helpers/browser.js';
import { browserTest, expectFitsTheScreen } from '../helpers/browser-test.js';

const it = browserTest(
  { [DEMO_PHONE]: DEMO_CODE },
  { beforeListen: async (_app, d) => void (await ensureDemoStore(d)) },
);
let db: Db;
let storeId: string;
/** product name → { id, slug, variant id of its first variant } */
const products = new Map<string, { id: string; slug: string; variantId: string }>();

const ALL_DAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;

it.beforeAll(async ({ server }) => {
  db = server.server.db;
  storeId = (await db.query<{ id: string }>(`SELECT id FROM stores WHERE slug = $1`, [DEMO_SLUG])).rows[0]!.id;
  // Item 4: the merchant pins the salt, puts the coffee and the biscuits next.
  await createProduct(db, storeId, { name: 'Silver Pooja Thali', price: 12_345_650, unit: '1 pc' });
  const { rows } = await db.query<{ id: string; name: string; slug: string; variant_id: string }>(
    `SELECT p.id, p.name, p.slug,
            (SELECT v.id FROM variants v WHERE v.product_id = p.id ORDER BY v.position LIMIT 1) AS variant_id
       FROM products p WHERE p.store_id = $1`,
    [storeId],
  );
  for (const r of rows) products.set(r.name, { id: r.id, slug: r.slug, variantId: r.variant_id });
  const id = (name: string) => products.get(name)!.id;
  await updateProduct(db, storeId, id('Tata Salt'), { pinned: true });
  await updateProduct(db, storeId, id('Bru Instant Coffee'), { position: 0 });
  await updateProduct(db, storeId, id('Parle-G Biscuits'), { position: 1 });
  // Item 11: the chickpeas are back in stock (the demo has none), so a customer can put them in the cart.
  await setStock(db, storeId, products.get('Kabuli Chana')!.variantId, 30);
  // Item 3: the merchant's own words for the milk.
  await updateProduct(db, storeId, id('Amul Taaza Toned Milk'), { searchTerms: ['doodh', 'दूध'] });
  // Item 9: a coupon for orders of ₹500 and more.
  await createCoupon(db, storeId, { code: 'SAVE50', type: 'flat', value: 5000, minOrder: 50_000 });
  // Item 6: the shop's profile.
  const picture = async (name: string, color: string) =>
    (await storeImage(server.config.dataDir, await readFile(await pngFile(name, { size: 400, color })))).url;
  await updateStore(
    db,
    storeId,
    {
      description: 'Fresh atta, dal and dairy since 1998.',
      address: { line1: '12 MG Road', city: 'Bengaluru', pincode: '560001' },
      logo: await picture('logo', '#2f7fb5'),
      banner: await picture('banner', '#b9873a'),
    },
    server.config,
  );
});

const base = (server: BrowserServer) => `${server.url}/${DEMO_SLUG}`;
const productUrl = (server: BrowserServer, name: string) => `${base(server)}/p/${products.get(name)!.slug}`;

async function cardNames(page: Page): Promise<string[]> {
  return (await page.getByTestId('product-card').locator('h2').allTextContents()).map((t) => t.trim());
}

async function search(page: Page, words: string): Promise<void> {
  await page.fill('#q', words);
  await Promise.all([page.waitForURL(/[?&]q=/), page.locator('form[role="search"] button').click()]);
}

/** On a product page: the quantity, "Add to cart", and the flash that says so. */
async function add(server: BrowserServer, page: Page, name: string, quantity = 1): Promise<void> {
  await page.goto(productUrl(server, name));
  await page.fill('#quantity', String(quantity));
  await page.getByTestId('add-button').click();
  await expect.poll(() => page.getByTestId('flash').textContent()).toContain(name);
}

async function emptyCart(context: BrowserContext): Promise<void> {
  await context.clearCookies();
}

async function fillCheckout(page: Page, c: { pincode: string; name?: string }): Promise<void> {
  await page.fill('#name', c.name ?? 'Asha');
  await page.fill('#phone', '98765 43210');
  await page.fill('#pincode', c.pincode);
  await page.fill('#line1', '4 Temple Street');
  await page.fill('#city', 'Bengaluru');
}

for (const javaScriptEnabled of [true, false]) {
  const js = javaScriptEnabled ? 'on' : 'off';
  describe(`issue 13 items in a browser, JavaScript ${js}`, () => {
    it('item 1: the phone’s language picks Hindi; else the store’s default; ?lang= wins and is kept', async ({
      browser,
      server,
    }) => {
      const hindiPhone = await openContext(browser, { ...PHONE, locale: 'hi-IN', javaScriptEnabled });
      const page = await hindiPhone.newPage();
      await page.goto(base(server));
      expect(await page.getAttribute('html', 'lang')).toBe('hi');
      expect(await textOf(page.locator('main h2').first())).toBe('सामान');
      await page.goto(`${base(server)}/cart?lang=en`);
      expect(await page.getAttribute('html', 'lang')).toBe('en');
      await page.goto(base(server));
      expect(await page.getAttribute('html', 'lang')).toBe('en');
      await hindiPhone.close();
      // A phone in a language the shop has no words for: the store's default language.
      const frenchPhone = await openContext(browser, { ...PHONE, locale: 'fr-FR', javaScriptEnabled });
      try {
        await updateStore(db, storeId, { defaultLanguage: 'hi' }, server.config);
        const french = await frenchPhone.newPage();
        await french.goto(base(server));
        expect(await french.getAttribute('html', 'lang')).toBe('hi');
      } finally {
        await updateStore(db, storeId, { defaultLanguage: 'en' }, server.config);
        await frenchPhone.close();
      }
    });

    it('item 2: money in the Indian grouping, in English and Hindi', async ({ browser, server }) => {
      const context = await openContext(browser, { ...PHONE, javaScriptEnabled });
      const page = await context.newPage();
      await page.goto(`${productUrl(server, 'Silver Pooja Thali')}?lang=en`);
      expect(await textOf(page.getByTestId('product').getByTestId('price').first())).toBe('₹1,23,456.50');
      await page.goto(`${productUrl(server, 'Silver Pooja Thali')}?lang=hi`);
      expect(await textOf(page.getByTestId('product').getByTestId('price').first())).toBe('₹1,23,456.50');
      await page.goto(`${base(server)}?lang=en`);
      const salt = page.getByTestId('product-card').filter({ hasText: 'Tata Salt' });
      expect(await textOf(salt.getByTestId('price'))).toBe('₹28');
      await context.close();
    });

    it('item 3: search forgives spellings, finds search terms in any script, never hides the rest', async ({
      browser,
      server,
    }) => {
      const context = await openContext(browser, { ...PHONE, javaScriptEnabled });
      const page = await context.newPage();
      await page.goto(`${base(server)}?lang=en`);
      const firstHit: [string, string][] = [
        ['aata', 'Aashirvaad Shudh Chakki Atta'],
        ['panner', 'Amul Malai Paneer'],
        ['magi', 'Maggi 2-Minute Masala Noodles'],
        ['doodh', 'Amul Taaza Toned Milk'],
        ['दूध', 'Amul Taaza Toned Milk'],
      ];
      for (const [words, name] of firstHit) {
        await search(page, words);
        expect((await cardNames(page))[0], words).toBe(name);
      }
      // In a category: nothing there, but the whole store has it — say so, with a link.
      await page.goto(`${base(server)}?lang=en`);
      await page.getByTestId('categories').getByRole('link', { name: 'Atta, Rice & Dal' }).click();
      await page.waitForURL(/category=/);
      await search(page, 'doodh');
      expect(page.url()).toMatch(/category=/);
      expect(await textOf(page.getByTestId('search-elsewhere'))).toBe(
        'Nothing in Atta, Rice & Dal — 1 result in all products',
      );
      await expect.poll(() => page.getByTestId('no-products').count()).toBe(0);
      await expectFitsTheScreen(page);
      await page.getByTestId('search-all-link').click();
      await page.waitForURL((url) => !url.search.includes('category='));
      expect(await cardNames(page)).toEqual(['Amul Taaza Toned Milk']);
      // The same in Hindi.
      const { rows } = await db.query<{ slug: string }>(
        `SELECT slug FROM categories WHERE store_id = $1 AND name = 'Atta, Rice & Dal'`,
        [storeId],
      );
      await page.goto(`${base(server)}?lang=hi&category=${rows[0]!.slug}&q=doodh`);
      expect(await textOf(page.getByTestId('search-elsewhere'))).toBe(
        'Atta, Rice & Dal में कुछ नहीं मिला — सभी सामान में 1 नतीजा',
      );
      await context.close();
    });

    it('item 4: pinned products first, then by the merchant’s position, then the newest', async ({
      browser,
      server,
    }) => {
      const context = await openContext(browser, { ...PHONE, javaScriptEnabled });
      const page = await context.newPage();
      await page.goto(`${base(server)}?lang=en`);
      const names = await cardNames(page);
      expect(names.slice(0, 4)).toEqual(['Tata Salt', 'Bru Instant Coffee', 'Parle-G Biscuits', 'Silver Pooja Thali']);
      // A category page keeps the order: the pinned salt leads its category too.
      await page.getByTestId('categories').getByRole('link', { name: 'Atta, Rice & Dal' }).click();
      await page.waitForURL(/category=/);
      expect((await cardNames(page))[0]).toBe('Tata Salt');
      await context.close();
    });

    it('item 6: the shop looks like the shop — logo, banner, description, address, hours, open or closed', async ({
      browser,
      server,
    }) => {
      const context = await openContext(browser, { ...PHONE, javaScriptEnabled });
      const page = await context.newPage();
      try {
        await updateStore(
          db,
          storeId,
          { hours: Object.fromEntries(ALL_DAYS.map((d) => [d, [['00:00', '23:59']]])) },
          server.config,
        );
        await page.goto(`${base(server)}?lang=en`);
        expect(await page.getByTestId('store-banner').count()).toBe(1);
        expect(await page.getByTestId('store-name').locator('img.logo').count()).toBe(1);
        expect(await textOf(page.getByTestId('store-description'))).toBe('Fresh atta, dal and dairy since 1998.');
        expect(await textOf(page.getByTestId('store-address'))).toContain('12 MG Road, Bengaluru 560001');
        expect(await page.getByTestId('store-hours').count()).toBe(1);
        expect(await page.getByTestId('closed-notice').count()).toBe(0);
        await expectFitsTheScreen(page);
        // Closed every day by its hours: the page says so.
        await updateStore(db, storeId, { hours: Object.fromEntries(ALL_DAYS.map((d) => [d, []])) }, server.config);
        await page.reload();
        expect(await page.getByTestId('closed-notice').count()).toBe(1);
        // No hours but the manual switch off: closed too.
        await updateStore(db, storeId, { hours: null, isOpen: false }, server.config);
        await page.reload();
        expect(await page.getByTestId('closed-notice').count()).toBe(1);
      } finally {
        await updateStore(db, storeId, { hours: null, isOpen: true }, server.config);
        await context.close();
      }
    });

    it('items 9, 11: a coupon below its minimum is not applied and does not block; set to N; add instead', async ({
      browser,
      server,
    }) => {
      const context = await openContext(browser, { ...PHONE, javaScriptEnabled });
      const page = await context.newPage();
      const coffee = products.get('Bru Instant Coffee')!;
      const chana = products.get('Kabuli Chana')!;
      try {
        await page.goto(`${base(server)}?lang=en`);
        await add(server, page, 'Tata Salt');
        await page.goto(`${base(server)}/cart`);
        await page.fill('#coupon', 'SAVE50');
        await page.click('#coupon-apply');
        await expect
          .poll(() => page.getByTestId('coupon-not-applied').textContent())
          .toContain('Add ₹472.00 more to use coupon SAVE50.');
        expect(await page.getByTestId('checkout-link').count()).toBe(1);
        expect(await page.getByTestId('checkout-blocked').count()).toBe(0);

        // Item 11: too few left → "Set to 3"; none left → up to 3 replacements, "Add instead".
        await add(server, page, 'Bru Instant Coffee', 5);
        await add(server, page, 'Kabuli Chana', 1);
        await setStock(db, storeId, coffee.variantId, 3);
        await setStock(db, storeId, chana.variantId, 0);
        await page.goto(`${base(server)}/cart`);
        const coffeeLine = page.getByTestId('cart-line').filter({ hasText: 'Bru Instant Coffee' });
        expect(await textOf(coffeeLine.getByTestId('set-to-available'))).toBe('Set to 3');
        const chanaLine = page.getByTestId('cart-line').filter({ hasText: 'Kabuli Chana' });
        const offers = chanaLine.getByTestId('suggestions').locator('li');
        expect(await offers.count()).toBeGreaterThanOrEqual(1);
        expect(await offers.count()).toBeLessThanOrEqual(3);
        await expectFitsTheScreen(page);
        await coffeeLine.getByTestId('set-to-available').click();
        await expect.poll(() => coffeeLine.getByTestId('line-error').count()).toBe(0);
        expect(await page.inputValue(`#q-${coffee.variantId}`)).toBe('3');
        const offered = (await offers.first().locator('span').textContent())!.split(' (')[0]!.split(' · ')[0]!;
        await offers.first().getByTestId('add-instead').click();
        await expect.poll(() => page.getByTestId('cart-line').filter({ hasText: 'Kabuli Chana' }).count()).toBe(0);
        expect(await page.getByTestId('cart-line').filter({ hasText: offered }).count()).toBe(1);
        expect(await page.getByTestId('checkout-link').count()).toBe(1);
      } finally {
        await setStock(db, storeId, coffee.variantId, 7);
        await setStock(db, storeId, chana.variantId, 30);
        await emptyCart(context);
        await context.close();
      }
    });

    // With JavaScript only: without it the coupon form is a page load of its own, as any form.
    if (javaScriptEnabled)
      it('a quantity typed, not yet saved, stays typed when a coupon is applied; the bill keeps the saved one', async ({
        browser,
        server,
      }) => {
        const context = await openContext(browser, { ...PHONE, javaScriptEnabled });
        const page = await context.newPage();
        const salt = products.get('Tata Salt')!;
        try {
          await page.goto(`${base(server)}?lang=en`);
          await add(server, page, 'Tata Salt');
          await page.goto(`${base(server)}/cart`);
          const total = await page.getByTestId('total').textContent();
          await page.fill(`#q-${salt.variantId}`, '4');
          await page.fill('#coupon', 'SAVE50');
          await page.click('#coupon-apply');
          await expect.poll(() => page.getByTestId('coupon-not-applied').count()).toBe(1);
          expect(await page.inputValue(`#q-${salt.variantId}`)).toBe('4');
          expect(await page.getByTestId('total').textContent()).toBe(total);
          // Saved when its own Update is pressed.
          await page.click(`#upd-${salt.variantId}`);
          await expect.poll(() => page.getByTestId('total').textContent()).not.toBe(total);
          expect(await page.inputValue(`#q-${salt.variantId}`)).toBe('4');
        } finally {
          await emptyCart(context);
          await context.close();
        }
      });

    it('items 8, 10, 12, 13: delivery area, changed total, WhatsApp confirmation, remembered details', async ({
      browser,
      server,
    }) => {
      const context = await openContext(browser, { ...PHONE, javaScriptEnabled });
      const page = await context.newPage();
      const salt = products.get('Tata Salt')!;
      try {
        await updateStore(db, storeId, { delivery: { areas: [{ pincodePrefix: '5600', fee: 2000 }] } }, server.config);
        await page.goto(`${base(server)}?lang=en`);
        await add(server, page, 'Tata Salt', 2);
        await page.goto(`${base(server)}/checkout`);
        // Outside the area: said as the PIN is typed (JS), and at the order in any case.
        await page.fill('#pincode', '411001');
        if (javaScriptEnabled) {
          await expect
            .poll(() => page.locator('[data-delivery-answer]').textContent())
            .toBe('Sorry, the shop does not deliver to this PIN code.');
        }
        await fillCheckout(page, { pincode: '411001' });
        await page.getByTestId('place-order').click();
        await expect.poll(() => page.locator('#pincode').getAttribute('aria-invalid')).toBe('true');
        expect(await textOf(page.locator('#pincode-error'))).toBe('Sorry, the shop does not deliver to this PIN code.');
        await page.fill('#pincode', '560001');
        if (javaScriptEnabled) {
          await expect
            .poll(() => page.locator('[data-delivery-answer]').textContent())
            .toBe('Delivery to 560001: ₹20.00');
        }
        // The price changes while the customer types: the page shows the new bill instead of ordering.
        await updateProduct(db, storeId, salt.id, { price: 3000 });
        await page.getByRole('radio', { name: 'UPI (any UPI app)' }).check();
        await page.getByTestId('place-order').click();
        // (the bill seen before may also lack the area's fee: "from" is whatever the page showed)
        await expect
          .poll(() => page.getByTestId('total-changed').textContent())
          .toMatch(/^The total changed from ₹\d+\.00 to ₹80\.00 since you saw it\./);
        expect(await textOf(page.getByTestId('place-order'))).toContain('₹80.00');
        await expectFitsTheScreen(page);
        await page.getByTestId('place-order').click();
        await page.waitForURL(/\/o\/[0-9a-f-]{36}\?placed=1$/);
        expect(await page.getByTestId('thank-you').count()).toBe(1);
        // Item 8: the UPI panel with the proof upload field fits the phone.
        expect(await page.getByTestId('proof-form').count()).toBe(1);
        await expectFitsTheScreen(page);
        // Item 13: the confirmation to the customer went into the outbox with the order.
        const token = /\/o\/([0-9a-f-]{36})/.exec(page.url())![1]!;
        const { rows } = await db.query<{ topic: string; recipient: string }>(
          `SELECT o.topic, o.recipient FROM outbox o JOIN orders r ON o.payload->'data'->>'orderId' = r.id::text
            WHERE r.tracking_token = $1`,
          [token],
        );
        expect(rows).toContainEqual({ topic: 'order.confirmed', recipient: '+919876543210' });
        // Item 12: the details are remembered on this phone for the next order.
        await add(server, page, 'Tata Salt');
        await page.goto(`${base(server)}/checkout`);
        expect(await page.inputValue('#name')).toBe('Asha');
        expect(await page.inputValue('#pincode')).toBe('560001');
        expect(await page.inputValue('#line1')).toBe('4 Temple Street');
      } finally {
        await updateProduct(db, storeId, salt.id, { price: 2800 });
        await updateStore(db, storeId, { delivery: { areas: [] } }, server.config);
        await context.close();
      }
    });
  });
}
