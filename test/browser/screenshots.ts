/**
 * `npm run screenshots`: the pictures in docs/ — the demo store's home on a phone (docs/storefront-phone.png),
 * the owner's orders list with a few orders (docs/dashboard-orders.png), and the Hindi store, cart and order pages
 * (docs/storefront-hi.png, docs/cart-hi.png, docs/order-hi.png).
 *
 * It starts a real server on a fresh embedded database with the demo store, gives the demo products pictures,
 * has five customers order from their phones through the storefront, and moves some orders along in the
 * dashboard, all in chromium. It also says when a page it visits is wider than the phone's screen.
 */
import { mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { ensureDemoStore, DEMO_CODE, DEMO_PHONE, DEMO_SLUG } from '../../src/demo/seed.js';
import { listProducts, updateProduct } from '../../src/catalog/products.service.js';
import { storeImage } from '../../src/media/images.js';
import type { Db } from '../../src/db/db.js';
import {
  PHONE,
  horizontalOverflow,
  launchChromium,
  openContext,
  overflowingElements,
  pngFile,
  startBrowserServer,
  textOf,
} from '../helpers/browser.js';
import {
  addToCart,
  flash,
  moveOrder,
  openOrder,
  openProduct,
  placeOrder,
  section,
  signIn,
  type Customer,
} from './flows.js';

const DOCS = path.resolve('docs');

// A word per product on a colour of its own: picture stand-ins that read like packs on a shelf.
const PACK_COLOURS = ['#b9873a', '#c2562b', '#2f7fb5', '#7a4fb0', '#3c8d5a', '#b8434f', '#d08a1e', '#4a6fa5'];
const WORDS: [RegExp, string][] = [
  [/Atta/, 'ATTA'],
  [/Basmati/, 'RICE'],
  [/Toor/, 'TOOR'],
  [/Moong/, 'MOONG'],
  [/Chana/, 'CHANA'],
  [/Salt/, 'SALT'],
  [/Sunflower/, 'OIL'],
  [/Ghee/, 'GHEE'],
  [/Saffola/, 'OIL'],
  [/Garam Masala/, 'MASALA'],
  [/Haldi/, 'HALDI'],
  [/Maggi/, 'MAGGI'],
  [/Milk/, 'MILK'],
  [/Butter/, 'BUTTER'],
  [/Bread/, 'BREAD'],
  [/Dahi/, 'DAHI'],
  [/Paneer/, 'PANEER'],
  [/Parle/, 'PARLE-G'],
  [/Bhujia/, 'BHUJIA'],
  [/Tea/, 'CHAI'],
  [/Coffee/, 'COFFEE'],
  [/Dry Fruit/, 'GIFT'],
];

async function picturesForDemo(db: Db, dataDir: string): Promise<void> {
  const store = await db.query<{ id: string }>(`SELECT id FROM stores WHERE slug = $1`, [DEMO_SLUG]);
  const storeId = store.rows[0]!.id;
  const { items } = await listProducts(db, storeId, { limit: 100 });
  for (const [i, product] of items.entries()) {
    const word = WORDS.find(([re]) => re.test(product.name))?.[1] ?? product.name.split(' ')[0]!.toUpperCase();
    const colour = PACK_COLOURS[i % PACK_COLOURS.length]!;
    const file = await pngFile(`demo-${product.id}`, { size: 800, color: colour, label: word });
    const { url } = await storeImage(dataDir, await readFile(file));
    await updateProduct(db, storeId, product.id, { images: [url] });
  }
}

const CUSTOMERS: (Customer & {
  buys: { product: string; variant?: string; quantity?: number }[];
  pay: 'UPI (any UPI app)' | 'Cash on delivery';
})[] = [
  {
    name: 'Asha Rao',
    phone: '98450 12345',
    line1: '12 MG Road',
    city: 'Bengaluru',
    pincode: '560001',
    pay: 'UPI (any UPI app)',
    buys: [
      { product: 'Aashirvaad Shudh Chakki Atta', variant: '5 kg' },
      { product: 'Amul Butter', variant: '100 g', quantity: 2 },
    ],
  },
  {
    name: 'Ravi Kumar',
    phone: '98860 22211',
    line1: '3rd Cross, Jayanagar',
    city: 'Bengaluru',
    pincode: '560011',
    pay: 'Cash on delivery',
    buys: [
      { product: 'Tata Tea Premium', variant: '500 g' },
      { product: 'Parle-G Biscuits', variant: '250 g', quantity: 3 },
    ],
  },
  {
    name: 'Fatima Sheikh',
    phone: '99001 45678',
    line1: '44 Frazer Town',
    city: 'Bengaluru',
    pincode: '560005',
    pay: 'UPI (any UPI app)',
    buys: [{ product: 'India Gate Basmati Rice Classic', variant: '1 kg', quantity: 2 }],
  },
  {
    name: 'Suresh Patil',
    phone: '97400 98765',
    line1: '7 Malleshwaram',
    city: 'Bengaluru',
    pincode: '560003',
    pay: 'Cash on delivery',
    buys: [{ product: 'Amul Malai Paneer', quantity: 2 }, { product: 'Britannia Brown Bread' }],
  },
  {
    name: 'Meena Iyer',
    phone: '98455 67890',
    line1: '21 Indiranagar',
    city: 'Bengaluru',
    pincode: '560038',
    pay: 'UPI (any UPI app)',
    buys: [
      { product: 'Maggi 2-Minute Masala Noodles', variant: 'Pack of 12 (840 g)' },
      { product: 'Bru Instant Coffee' },
    ],
  },
];

async function warnIfWide(page: Page, what: string): Promise<void> {
  const overflow = await horizontalOverflow(page);
  if (overflow > 0)
    console.warn(`! ${what} is ${overflow}px wider than the phone: ${(await overflowingElements(page)).join('; ')}`);
}

async function order(browser: Browser, base: string, c: (typeof CUSTOMERS)[number]): Promise<number> {
  const context = await openContext(browser, PHONE);
  const page = await context.newPage();
  try {
    for (const item of c.buys) {
      await page.goto(`${base}/${DEMO_SLUG}`);
      await openProduct(page, item.product, true);
      await addToCart(page, { variant: item.variant, quantity: item.quantity, touch: true });
    }
    await page.getByTestId('cart-link').tap();
    await page.getByTestId('checkout-link').tap();
    await page.waitForURL(/\/checkout$/);
    return await placeOrder(page, c, c.pay, true);
  } finally {
    await context.close();
  }
}

const server = await startBrowserServer(
  { [DEMO_PHONE]: DEMO_CODE },
  {
    beforeListen: async (app, db) => {
      await ensureDemoStore(db);
      await picturesForDemo(db, app.config.dataDir);
    },
  },
);
const browser = await launchChromium();
try {
  await mkdir(DOCS, { recursive: true });
  const base = server.url;

  const numbers: number[] = [];
  for (const c of CUSTOMERS) numbers.push(await order(browser, base, c));

  // The owner, on a phone too: moves the first orders along; the last two stay new (unseen).
  const ownerContext = await openContext(browser, PHONE);
  const owner = await ownerContext.newPage();
  await signIn(owner, base, DEMO_PHONE, DEMO_CODE);
  const [first, second, third] = numbers as [number, number, number];
  await openOrder(owner, first);
  await owner.getByTestId('mark-paid').click();
  await flash(owner, 'marked paid');
  for (const [to, word] of [
    ['accepted', 'accepted'],
    ['shipped', 'shipped'],
    ['delivered', 'delivered'],
  ] as const)
    await moveOrder(owner, to, `: ${word}.`);
  await openOrder(owner, second);
  await moveOrder(owner, 'accepted', ': accepted.');
  await moveOrder(owner, 'shipped', ': shipped.');
  await warnIfWide(owner, 'the dashboard order page');
  await openOrder(owner, third);
  await moveOrder(owner, 'accepted', ': accepted.');
  await section(owner, 'Orders');
  await textOf(owner.getByTestId('order-list'));
  await warnIfWide(owner, 'the dashboard orders list');
  await owner.screenshot({ path: path.join(DOCS, 'dashboard-orders.png'), fullPage: true });
  for (const name of ['Products', 'Settings'] as const) {
    await section(owner, name);
    await warnIfWide(owner, `the dashboard ${name.toLowerCase()} page`);
  }
  await ownerContext.close();

  // A new customer opens the shop's link on a phone: the first screen, as the phone shows it.
  const customerContext = await openContext(browser, PHONE);
  const customer = await customerContext.newPage();
  await customer.goto(`${base}/${DEMO_SLUG}`);
  await customer.getByTestId('product-grid').waitFor();
  // Wait for the pictures of the first screen, so the shot is not of grey boxes.
  await customer.waitForFunction(() =>
    Array.from(document.images)
      .filter((img) => img.getBoundingClientRect().top < innerHeight)
      .every((img) => img.complete && img.naturalWidth > 0),
  );
  await warnIfWide(customer, 'the store home');
  await customer.screenshot({ path: path.join(DOCS, 'storefront-phone.png') });
  await customerContext.close();

  // A customer who reads Hindi: the store, the cart and the order page right after placing (docs/customer-path.md).
  const hindiContext = await openContext(browser, PHONE);
  const hindi = await hindiContext.newPage();
  await hindi.goto(`${base}/${DEMO_SLUG}?lang=hi`);
  await hindi.getByTestId('product-grid').waitFor();
  await hindi.waitForFunction(() =>
    Array.from(document.images)
      .filter((img) => img.getBoundingClientRect().top < innerHeight)
      .every((img) => img.complete && img.naturalWidth > 0),
  );
  await warnIfWide(hindi, 'the Hindi store home');
  await hindi.screenshot({ path: path.join(DOCS, 'storefront-hi.png') });
  for (const [product, quantity] of [
    ['Aashirvaad Shudh Chakki Atta', 1],
    ['Amul Butter', 2],
    ['Tata Salt', 1],
  ] as const) {
    await hindi.goto(`${base}/${DEMO_SLUG}`);
    await openProduct(hindi, product, true);
    await hindi.fill('#quantity', String(quantity));
    await hindi.getByTestId('add-button').tap();
    await hindi.getByTestId('flash').filter({ hasText: product }).waitFor();
  }
  await hindi.getByTestId('cart-link').tap();
  await hindi.getByTestId('cart-lines').waitFor();
  await warnIfWide(hindi, 'the Hindi cart');
  await hindi.screenshot({ path: path.join(DOCS, 'cart-hi.png') });
  await hindi.getByTestId('checkout-link').tap();
  await hindi.waitForURL(/\/checkout$/);
  for (const [field, value] of [
    ['#name', 'आशा राव'],
    ['#phone', '98765 43210'],
    ['#pincode', '560001'],
    ['#line1', '12 MG Road'],
    ['#city', 'Bengaluru'],
  ] as const)
    await hindi.fill(field, value);
  await hindi.getByTestId('place-order').tap();
  await hindi.waitForURL(/\/o\/[0-9a-f-]{36}\?placed=1$/);
  await warnIfWide(hindi, 'the Hindi order page');
  await hindi.screenshot({ path: path.join(DOCS, 'order-hi.png') });
  await hindiContext.close();
  const shots = ['storefront-phone', 'dashboard-orders', 'storefront-hi', 'cart-hi', 'order-hi'];
  console.log(`wrote ${shots.map((n) => path.join(DOCS, `${n}.png`)).join(', ')} (orders ${numbers.join(', ')})`);
} finally {
  await browser.close();
  await server.close();
}
