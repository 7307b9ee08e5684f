/**
 * Issue 15 in a real browser on a 360×740 phone, JavaScript on and off: the storefront's "Order on WhatsApp" button
 * (the shared number, the store code typed in), and the chat's cart continued on the storefront — the link in the
 * bot's bill opens the same cart, a change made in the browser shows in the chat's next bill.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { ensureDemoStore, DEMO_CODE, DEMO_PHONE, DEMO_SLUG } from '../../src/demo/seed.js';
import {
  PHONE,
  horizontalOverflow,
  launchChromium,
  openContext,
  startBrowserServer,
  type BrowserServer,
} from '../helpers/browser.js';
import { shownText, startFakeWhatsApp, type FakeWhatsApp } from '../helpers/fake-whatsapp.js';
import { sign, webhookPayload } from '../helpers/whatsapp-webhook.js';

const SECRET = 'browser-wa-secret';
const SHARED_ID = '100000000000055';

let fake: FakeWhatsApp;
let server: BrowserServer;
let browser: Browser;
beforeAll(async () => {
  fake = await startFakeWhatsApp();
  server = await startBrowserServer(
    { [DEMO_PHONE]: DEMO_CODE },
    { beforeListen: async (_app, db) => void (await ensureDemoStore(db)) },
    {
      WHATSAPP_API_URL: fake.url,
      WHATSAPP_TOKEN: 'browser-token',
      WHATSAPP_PHONE_NUMBER_ID: SHARED_ID,
      WHATSAPP_APP_SECRET: SECRET,
      WHATSAPP_VERIFY_TOKEN: 'v',
      WHATSAPP_NUMBER: '+1 555 078 3881',
      WHATSAPP_POLL_MS: '100',
      OUTBOX_POLL_MS: '100',
    },
  );
  browser = await launchChromium();
}, 120_000);
afterAll(async () => {
  await browser?.close();
  await server?.close();
  await fake?.close();
});

/** A customer's message through the signed webhook; resolves with the bot's next reply text. */
async function chat(from: string, text: string): Promise<string> {
  const before = fake.sent().filter((c) => c.body.to === from).length;
  const body = JSON.stringify(webhookPayload({ phoneNumberId: SHARED_ID, from, text }));
  const res = await fetch(`${server.url}/webhooks/whatsapp`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-hub-signature-256': sign(body, SECRET) },
    body,
  });
  expect(res.status).toBe(200);
  await expect
    .poll(() => fake.sent().filter((c) => c.body.to === from).length, { timeout: 30_000 })
    .toBeGreaterThan(before);
  return shownText(fake.sent().filter((c) => c.body.to === from)[before]!);
}

for (const javaScriptEnabled of [true, false]) {
  describe(`WhatsApp ordering on the storefront, JavaScript ${javaScriptEnabled ? 'on' : 'off'}`, () => {
    it('"Order on WhatsApp" on the store and product pages opens the shared number with the store code', async () => {
      const context = await openContext(browser, { ...PHONE, javaScriptEnabled });
      const page = await context.newPage();
      await page.goto(`${server.url}/${DEMO_SLUG}`);
      const button = page.getByTestId('order-on-whatsapp');
      expect((await button.textContent())!.trim()).toBe('Order on WhatsApp');
      expect(await button.isVisible()).toBe(true);
      const href = await button.getAttribute('href');
      expect(href).toBe(`https://wa.me/15550783881?text=ORDER%20${DEMO_SLUG}`);
      expect(await horizontalOverflow(page)).toBeLessThanOrEqual(0);
      await page.goto(`${server.url}/${DEMO_SLUG}?lang=hi`);
      expect((await page.getByTestId('order-on-whatsapp').textContent())!.trim()).toBe('WhatsApp पर ऑर्डर करें');
      await page.goto(`${server.url}/${DEMO_SLUG}?lang=en`);
      await page.getByTestId('product-card').first().locator('a').first().click();
      await page.waitForURL(/\/p\//);
      expect(await page.getByTestId('order-on-whatsapp').getAttribute('href')).toBe(href);
      await context.close();
    });

    it("the bill's link opens the chat's cart; a change in the browser is in the chat's next bill", async () => {
      const from = javaScriptEnabled ? '919800011101' : '919800011102';
      expect(await chat(from, `ORDER ${DEMO_SLUG}`)).toContain('Welcome to');
      const bill = await chat(from, '2 tata salt');
      expect(bill).toContain('1. Tata Salt × 2 — ₹56');
      const link = /See or change this cart on the website: (\S+)/.exec(bill)![1]!;

      const context = await openContext(browser, { ...PHONE, javaScriptEnabled });
      const page = await context.newPage();
      await page.goto(link);
      await page.waitForURL(new RegExp(`/${DEMO_SLUG}/cart$`));
      const quantity = page.locator('input[id^="q-"]');
      expect(await quantity.count()).toBe(1);
      expect(await quantity.inputValue()).toBe('2');
      expect(await page.locator('main').textContent()).toContain('Tata Salt');
      await page.locator('button[id^="inc-"]').click();
      await expect.poll(() => page.locator('input[id^="q-"]').inputValue()).toBe('3');
      expect(await horizontalOverflow(page)).toBeLessThanOrEqual(0);
      await context.close();

      expect(await chat(from, 'add 1 tata salt')).toContain('1. Tata Salt × 4 — ₹112');
    });
  });
}
