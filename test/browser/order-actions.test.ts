/**
 * Issue 14 item 5, "orders handled in seconds", on a 360×740 phone. With JavaScript every order action (accept,
 * ship, deliver, mark paid, line edits, refund, cancel) happens in place: no navigation (a marker set on `window`
 * survives), the order is re-rendered, focus stays inside it; Reject / Cancel order ask "Are you sure?" first.
 * Without JavaScript the same forms land back on the order (`…/orders/{id}#order`) and the confirmation is a page.
 * The Hindi dashboard says all of it in Hindi.
 */
import { describe, expect } from 'vitest';
import type { Page } from 'playwright-core';
import { PHONE, openContext, placeStorefrontOrder, textOf, watchPage, type BrowserServer } from '../helpers/browser.js';
import { browserTest } from '../helpers/browser-test.js';
import { flash, openShop, signIn } from './flows.js';

const OWNERS = {
  on: { phone: '+919812300081', typed: '98123 00081' },
  off: { phone: '+919812300082', typed: '98123 00082' },
};
const CODE = '246801';

const it = browserTest({ [OWNERS.on.phone]: CODE, [OWNERS.off.phone]: CODE });

/** A product through the API with the dashboard's own session, and two orders of it through the storefront API. */
async function shopWithOrders(
  server: BrowserServer,
  page: Page,
  storeId: string,
  count: number,
): Promise<{ id: string; number: number }[]> {
  const session = (await page.context().cookies()).find((c) => c.name === 'dukaan_session')!.value;
  const owner = (p: string, method: string, body?: unknown) =>
    fetch(`${server.url}/api/v1/stores/${storeId}${p}`, {
      method,
      headers: { authorization: `Bearer ${session}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    }).then((r) => r.json() as Promise<Record<string, any>>);
  const product = await owner('/products', 'POST', { name: 'Toor Dal', price: 12000, stock: 50 });
  const variantId = String(product.variants[0].id);
  const slug = String((await owner('', 'GET')).slug);
  const orders: { id: string; number: number }[] = [];
  for (let i = 0; i < count; i++) orders.push(await placeStorefrontOrder(server, slug, variantId));
  return orders;
}

/** Marks the loaded document; a navigation (a page load) drops the mark. */
const mark = (page: Page) => page.evaluate(() => Object.assign(window, { __stayed: 'yes' }));
const stillSamePage = (page: Page) =>
  page.evaluate(() => (window as unknown as { __stayed?: string }).__stayed === 'yes');
/** Where focus is: inside the order? and the focused element's test id. */
const focus = (page: Page) =>
  page.evaluate(() => {
    const el = document.activeElement;
    return { inOrder: !!el?.closest('#order'), testid: el?.getAttribute('data-testid') ?? null };
  });
const status = (page: Page) => page.getByTestId('order').getAttribute('data-order-status');

describe('order actions, JavaScript on: in place', () => {
  it('accept, mark paid, edit lines, ship, deliver, refund and cancel without a page load; focus stays', async ({
    browser,
    server,
  }) => {
    const context = await openContext(browser, { ...PHONE, javaScriptEnabled: true });
    const page = await context.newPage();
    const watch = watchPage(page);
    await signIn(page, server.url, OWNERS.on.typed, CODE);
    const { storeId } = await openShop(page, 'Patel Provisions');
    const [first, second] = await shopWithOrders(server, page, storeId, 2);
    const base = `${server.url}/dashboard/stores/${storeId}/orders`;

    await page.goto(`${base}/${first!.id}`);
    await mark(page);
    // The next action is the first button of the order.
    const firstButton = page.getByTestId('order').locator('button').first();
    expect(await firstButton.getAttribute('data-testid')).toBe('to-accepted');

    await page.getByTestId('to-accepted').click();
    await flash(page, `Order #${first!.number}: accepted.`);
    expect(await status(page)).toBe('accepted');
    expect(await stillSamePage(page)).toBe(true);
    // The pressed button is gone: focus is on the words that say what happened (role=status).
    expect(await focus(page)).toEqual({ inOrder: true, testid: 'flash' });

    await page.getByTestId('mark-paid').click();
    await flash(page, `Order #${first!.number} marked paid.`);
    expect(await textOf(page.getByTestId('payment-status'))).toBe('Paid');
    expect(await stillSamePage(page)).toBe(true);

    // Line edits: the bill is renewed, focus back on "Save items".
    await page.getByTestId('line-qty').first().fill('3');
    await page.getByTestId('save-lines').click();
    await flash(page, 'Items saved');
    expect(await textOf(page.getByTestId('total'))).toContain('360');
    expect(await focus(page)).toEqual({ inOrder: true, testid: 'save-lines' });
    expect(await stillSamePage(page)).toBe(true);

    await page.getByTestId('to-shipped').click();
    await flash(page, 'shipped.');
    await page.getByTestId('to-delivered').click();
    await flash(page, 'delivered.');
    expect(await status(page)).toBe('delivered');

    // Refund (the total rose to ₹360 after the payment of ₹240; the refund is of ₹10).
    await page.getByTestId('refund-amount').fill('10');
    await page.getByTestId('record-refund').click();
    await flash(page, 'Refund of ₹10.00 recorded');
    expect(await stillSamePage(page)).toBe(true);
    const history = await textOf(page.getByTestId('history'));
    for (const said of ['Payment received', 'Items changed', 'Refund recorded']) expect(history).toContain(said);

    // Cancel order asks first, in place, with focus on "Yes, cancel"; "No" keeps the order.
    await page.goto(`${base}/${second!.id}`);
    await mark(page);
    await page.getByTestId('to-accepted').click();
    await flash(page, 'accepted.');
    await page.getByTestId('note').fill('Out of stock today');
    await page.getByTestId('to-cancelled').click();
    await page.getByTestId('confirm-step').waitFor();
    expect(await textOf(page.getByTestId('confirm-step'))).toContain(`Cancel order #${second!.number}?`);
    expect(await focus(page)).toEqual({ inOrder: true, testid: 'confirm-cancelled' });
    expect(await status(page)).toBe('accepted');
    expect(await stillSamePage(page)).toBe(true);
    await page.getByTestId('confirm-cancelled').click();
    await flash(page, 'cancelled.');
    expect(await status(page)).toBe('cancelled');
    expect(await textOf(page.getByTestId('history'))).toContain('Out of stock today');
    expect(await stillSamePage(page)).toBe(true);
    expect(watch.errors).toEqual([]);
    await context.close();
  });
});

describe('order actions, JavaScript off: the same forms land back on the order', () => {
  it('accept redirects to the order, Reject asks on a page first; in Hindi', async ({ browser, server }) => {
    const context = await openContext(browser, { ...PHONE, javaScriptEnabled: false });
    const page = await context.newPage();
    await signIn(page, server.url, OWNERS.off.typed, CODE);
    const { storeId } = await openShop(page, 'Kumar General Store');
    const [first, second] = await shopWithOrders(server, page, storeId, 2);
    const base = `${server.url}/dashboard/stores/${storeId}/orders`;

    await page.goto(`${base}/${first!.id}`);
    await page.getByTestId('to-accepted').click();
    await page.waitForURL(`${base}/${first!.id}#order`);
    await flash(page, `Order #${first!.number}: accepted.`);
    expect(await status(page)).toBe('accepted');

    // Reject: "Are you sure?" as a page, nothing changed yet; "No" goes back to the order.
    await page.goto(`${base}/${second!.id}?lang=hi`);
    expect(await textOf(page.getByTestId('to-accepted'))).toBe('मंज़ूर करें');
    expect(await textOf(page.getByTestId('to-rejected'))).toContain('मना करें');
    await page.getByTestId('to-rejected').click();
    await page.getByTestId('confirm-step').waitFor();
    expect(await textOf(page.getByTestId('confirm-step'))).toContain(`ऑर्डर #${second!.number} को मना करें?`);
    await page.getByTestId('keep-order').click();
    await page.waitForURL(`${base}/${second!.id}#order`);
    expect(await status(page)).toBe('placed');
    await page.getByTestId('to-rejected').click();
    await page.getByTestId('confirm-rejected').click();
    await page.waitForURL(`${base}/${second!.id}#order`);
    expect(await status(page)).toBe('rejected');
    expect(await textOf(page.getByTestId('flash'))).toContain(`ऑर्डर #${second!.number}`);
    await context.close();
  });
});
