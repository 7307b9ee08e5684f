/**
 * What an owner and a customer do, step by step, through the pages only (labels, roles and data-testid),
 * shared by the browser tests and the screenshot script.
 */
import type { Locator, Page } from 'playwright-core';
import { press, textOf } from '../helpers/browser.js';

/** Waits for the page's flash message that says `text` (the answer of the form just sent). */
export async function flash(page: Page, text: string | RegExp): Promise<string> {
  return textOf(page.getByTestId('flash').filter({ hasText: text }));
}

// ------------------------------------------------------------------ owner (dashboard)

/** Phone → code → signed in. A new owner lands on "Open your shop". */
export async function signIn(page: Page, base: string, typedPhone: string, code: string): Promise<void> {
  await page.goto(`${base}/dashboard`);
  await page.waitForURL(/\/dashboard\/signin/);
  await page.getByLabel('Mobile number').fill(typedPhone);
  await page.getByRole('button', { name: 'Send code' }).click();
  await page.waitForURL(/\/dashboard\/signin\/code/);
  await page.getByLabel('Code', { exact: true }).fill(code);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL((url) => !url.pathname.startsWith('/dashboard/signin'));
}

export interface OpenedShop {
  storeId: string;
  /** the shop's link as the welcome page shows it */
  storeUrl: string;
}

/** Onboarding: name the shop; the welcome page shows its link. */
export async function openShop(page: Page, name: string): Promise<OpenedShop> {
  await page.waitForURL(/\/dashboard\/new$/);
  await page.getByLabel('Shop name').fill(name);
  await page.getByRole('button', { name: 'Open my shop' }).click();
  await page.waitForURL(/\/dashboard\/stores\/[0-9a-f-]{36}\/welcome$/);
  const storeId = /\/stores\/([0-9a-f-]{36})\//.exec(page.url())![1]!;
  const link = page.getByTestId('store-link');
  const storeUrl = (await link.getAttribute('href')) ?? '';
  return { storeId, storeUrl };
}

/** Opens one of the store's sections from the tabs on top of every store page. */
export async function section(page: Page, name: 'Orders' | 'Products' | 'Coupons' | 'Settings'): Promise<void> {
  await page.getByRole('navigation', { name: 'Dashboard' }).getByRole('link', { name, exact: true }).click();
  await page.waitForURL(new RegExp(`/${name.toLowerCase()}(\\?|$)`));
}

export async function saveSettings(page: Page, s: { fee: string; freeAbove: string; upi: string }): Promise<void> {
  await section(page, 'Settings');
  await page.getByLabel(/^Delivery fee/).fill(s.fee);
  await page.getByLabel(/^Free delivery from/).fill(s.freeAbove);
  await page.getByLabel(/^UPI ID/).fill(s.upi);
  await page.getByRole('button', { name: 'Save settings' }).click();
  await flash(page, 'Settings saved.');
}

export interface VariantRow {
  name: string;
  price: string;
  mrp?: string;
  stock?: string;
}

export interface NewProduct {
  name: string;
  picture?: string;
  price?: string;
  stock?: string;
  variants?: VariantRow[];
}

/** Products → Add product → fill the form (picture, single price or variant rows) → its page. Returns its id. */
export async function addProduct(page: Page, p: NewProduct): Promise<string> {
  await section(page, 'Products');
  await page.getByTestId('new-product').click();
  const form = page.getByTestId('product-form');
  await form.waitFor();
  await form.getByTestId('name').fill(p.name);
  if (p.picture) await form.getByTestId('image').setInputFiles(p.picture);
  if (p.price) await form.getByTestId('price').fill(p.price);
  if (p.stock) await form.getByTestId('stock').fill(p.stock);
  // Sizes fold away behind "+ add sizes / options" (a <details>): open it first.
  if (p.variants?.length && !(await form.getByTestId('sizes').getAttribute('open'))) {
    await form.getByTestId('add-sizes').click();
  }
  for (const [i, v] of (p.variants ?? []).entries()) {
    const row = form.getByTestId('variant-row').nth(i);
    await row.getByLabel(`Size ${i + 1}`, { exact: true }).fill(v.name);
    await row.getByLabel(/^Price \(₹\)$/).fill(v.price);
    if (v.mrp) await row.getByLabel(/\(MRP\)|MRP\)$/).fill(v.mrp);
    if (v.stock) await row.getByLabel(/^Stock/).fill(v.stock);
  }
  await form.getByTestId('save-product').click();
  await flash(page, `Added ${p.name}.`);
  return /\/products\/([0-9a-f-]{36})$/.exec(page.url())![1]!;
}

/** On the product's page, the stock of one variant (the panel named after it). */
export async function setVariantStock(
  page: Page,
  base: string,
  storeId: string,
  productId: string,
  variant: string,
  stock: number,
): Promise<void> {
  await page.goto(`${base}/dashboard/stores/${storeId}/products/${productId}`);
  const panel = page.getByRole('region', { name: variant, exact: true });
  // One Save per size: price and stock together.
  await panel.getByTestId('stock-input').fill(String(stock));
  await panel.getByTestId('save-variant').click();
  await flash(page, `Saved ${variant}.`);
}

/** In the product list, the stock of a one-variant product. */
export async function setListedStock(page: Page, productName: string, stock: number): Promise<void> {
  await section(page, 'Products');
  const row = page.getByTestId('product-row').filter({ hasText: productName });
  await row.getByLabel(`Stock of ${productName}`).fill(String(stock));
  await row.getByRole('button', { name: 'Save', exact: true }).click();
  await flash(page, `Stock is ${stock} now.`);
}

/** Orders → the order numbered `number`. Returns the words of its row in the list. */
export async function openOrder(page: Page, number: number): Promise<string> {
  await section(page, 'Orders');
  const row = page.getByTestId('order-row').filter({ hasText: `#${number} ·` });
  const words = await textOf(row);
  await row.getByRole('link').first().click();
  await page.waitForURL(/\/orders\/[0-9a-f-]{36}$/);
  return words;
}

/** One "Next step" button of the order page (Accept, Mark shipped…), then its flash. */
export async function moveOrder(
  page: Page,
  to: 'accepted' | 'shipped' | 'delivered' | 'rejected' | 'cancelled',
  flashWord: string,
): Promise<void> {
  await page.getByTestId(`to-${to}`).click();
  await flash(page, flashWord);
}

// ------------------------------------------------------------------ customer (storefront)

/** From the store home: open a product's page by its card. */
export async function openProduct(page: Page, name: string, touch: boolean): Promise<void> {
  const card = page.getByTestId('product-card').filter({ hasText: name });
  await press(card.getByRole('link').first(), touch);
  await page.getByTestId('product-name').filter({ hasText: name }).waitFor();
}

/** On a product page: choose the variant (when there are several), the quantity, "Add to cart". */
export async function addToCart(
  page: Page,
  opts: { variant?: string; quantity?: number; touch: boolean },
): Promise<void> {
  const form = page.getByTestId('add-to-cart');
  if (opts.variant)
    await form
      .getByRole('radio', { name: new RegExp(`^${opts.variant.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} —`) })
      .check();
  if (opts.quantity) await form.getByLabel('Quantity').fill(String(opts.quantity));
  await press(form.getByRole('button', { name: 'Add to cart' }), opts.touch);
  await flash(page, /to your cart/);
}

/** The cart line of a product (and variant, when given: its "1 kg · ₹199.00 each" line). */
export function cartLine(page: Page, product: string, variant?: string): Locator {
  const line = page.getByTestId('cart-line').filter({ hasText: product });
  return variant ? line.filter({ hasText: `${variant} ·` }) : line;
}

export interface Customer {
  name: string;
  phone: string;
  line1: string;
  city: string;
  pincode: string;
}

/** Fills the checkout form, chooses the payment method, places the order; returns the order's number. */
export async function placeOrder(
  page: Page,
  c: Customer,
  payment: 'UPI (any UPI app)' | 'Cash on delivery',
  touch: boolean,
): Promise<number> {
  const form = page.getByTestId('checkout-form');
  await form.getByLabel('Your name').fill(c.name);
  await form.getByLabel('Mobile number').fill(c.phone);
  await form.getByLabel('House, street').fill(c.line1);
  await form.getByLabel('City').fill(c.city);
  await form.getByLabel('PIN code').fill(c.pincode);
  await form.getByRole('radio', { name: payment }).check();
  await press(form.getByTestId('place-order'), touch);
  await page.waitForURL(/\/o\/[0-9a-f-]{36}\?placed=1$/);
  const heading = await textOf(page.getByRole('heading', { level: 1 }));
  return Number(/Order #(\d+)/.exec(heading)![1]);
}

/** The customer's order page, reloaded: its status (the data-status of the badge) and that badge's words. */
export async function orderStatus(page: Page): Promise<{ status: string; words: string }> {
  await page.reload();
  const badge = page.getByTestId('order-status');
  return { status: (await badge.getAttribute('data-status')) ?? '', words: await textOf(badge) };
}
