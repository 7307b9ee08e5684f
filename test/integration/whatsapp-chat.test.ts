/**
 * The seed's chat, end to end, against the fake Cloud API: items list → bill → out of stock → replace → new bill →
 * confirm → address → UPI link → screenshot → the merchant accepts → the status message; every message asserted.
 */
import { describe, expect } from 'vitest';
import { merchantWithStore, type TestContext } from '../helpers/app.js';
import { whatsappTest } from '../helpers/fixture.js';
import { shownText, type FakeCall, type FakeWhatsApp } from '../helpers/fake-whatsapp.js';
import { postWebhook, webhookPayload, type Inbound } from '../helpers/whatsapp-webhook.js';
import { processInboxOnce } from '../../src/whatsapp/inbox.js';
import { countedDb } from '../helpers/db.js';
import { whatsappChannel } from '../../src/notify/channels.js';
import { processOutboxOnce } from '../../src/notify/outbox.js';

const SECRET = 'app-secret-for-tests';
const STORE_NUMBER_ID = '200000000000001';
const CUSTOMER = '919812345678';
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==',
  'base64',
);

const it = whatsappTest((fake) => ({
  whatsapp: { apiUrl: fake.url, token: 'cloud-token', phoneNumberId: '100000000000001' },
  whatsappAppSecret: SECRET,
  whatsappVerifyToken: 'verify-me',
}));

let owner: Awaited<ReturnType<typeof merchantWithStore>>;
const ids: Record<string, string> = {};

it.beforeAll(async ({ ctx, fake }) => {
  fake.token = 'cloud-token';
  owner = await merchantWithStore(ctx, { name: 'Sharma Kirana', whatsapp: '+919876543210' });
  const base = `/api/v1/stores/${owner.store.id}`;
  expect(
    (await owner.api.patch(base, { payments: { cod: true, upiVpa: 'sharma@okaxis' }, delivery: { fee: 3000 } })).status,
  ).toBe(200);
  const settings = await owner.api.patch(`${base}/whatsapp`, { phoneNumberId: STORE_NUMBER_ID });
  expect(settings.status, settings.text).toBe(200);
  expect(settings.body).toEqual({ phoneNumberId: STORE_NUMBER_ID, bot: true });
  const category = async (name: string) => (await owner.api.post(`${base}/categories`, { name })).body.id as string;
  const staples = await category('Staples');
  const drinks = await category('Beverages');
  const dairy = await category('Dairy');
  const product = async (key: string, body: Record<string, unknown>) => {
    const res = await owner.api.post(`${base}/products`, body);
    expect(res.status, res.text).toBe(201);
    ids[key] = res.body.variants[0].id;
    return res.body;
  };
  await product('atta', {
    name: 'Aashirvaad Atta',
    categoryId: staples,
    variants: [
      { name: '5 kg', price: 24500, stock: 20 },
      { name: '10 kg', price: 46000, stock: 5 },
    ],
  });
  await product('bru', { name: 'Bru Instant Coffee 100 g', categoryId: drinks, price: 21000, stock: 4 });
  await product('nescafe', { name: 'Nescafe Classic 100 g', categoryId: drinks, price: 22000, stock: 6 });
  await product('butter', { name: 'Amul Butter 500 g', categoryId: dairy, price: 27500, stock: 8 });
  await product('maggi', {
    name: 'Maggi Masala Noodles 70 g',
    categoryId: staples,
    price: 1400,
    stock: 50,
    searchTerms: ['मैगी'],
  });
  fake.media.set('media-screenshot-1', { bytes: PNG, mime: 'image/png' });
}, 180_000);

/** Sends one customer message through the webhook, lets the worker answer, and returns what was sent to them. */
async function say(
  fake: FakeWhatsApp,
  ctx: TestContext,
  message: Inbound,
  from = CUSTOMER,
  phoneNumberId = STORE_NUMBER_ID,
): Promise<FakeCall[]> {
  const before = fake.calls.length;
  const res = await postWebhook(ctx.app, webhookPayload({ phoneNumberId, from, ...message }), SECRET);
  expect(res.status).toBe(200);
  await processInboxOnce(ctx.testDb.db, ctx.config, whatsappChannel(ctx.config.whatsapp!));
  return fake.calls.slice(before).filter((c) => c.method === 'POST' && c.body.to === from);
}

async function one(fake: FakeWhatsApp, ctx: TestContext, message: Inbound, from = CUSTOMER): Promise<FakeCall> {
  const sent = await say(fake, ctx, message, from);
  expect(sent).toHaveLength(1);
  expect(sent[0]!.path).toBe(`/${STORE_NUMBER_ID}/messages`);
  expect(sent[0]!.authorization).toBe('Bearer cloud-token');
  expect(sent[0]!.formatError).toBeNull(); // the fake checks every message against the Cloud API's formats
  expect(sent[0]!.answered).toBe(200);
  return sent[0]!;
}

describe("the seed's chat on WhatsApp", () => {
  let trackingToken = '';

  it('"hi" → the greeting with the categories as an interactive list and the storefront link', async ({
    ctx,
    fake,
  }) => {
    const greeting = await one(fake, ctx, { text: 'hi' });
    expect(greeting.body.type).toBe('interactive');
    expect(greeting.body.interactive!.type).toBe('list');
    expect(shownText(greeting)).toContain('Welcome to Sharma Kirana');
    expect(shownText(greeting)).toContain(`${ctx.config.publicUrl}/${owner.store.slug}`);
    const rows = greeting.body.interactive!.action.sections![0]!.rows.map((r) => r.title);
    expect(rows).toEqual(['Staples', 'Beverages', 'Dairy']);
  });

  it('a category row → its products with prices', async ({ ctx, fake }) => {
    const list = await one(fake, ctx, { listRow: 'cat:dairy', title: 'Dairy' });
    expect(shownText(list)).toContain('Amul Butter 500 g — ₹275');
  });

  it('the items list → the bill; a misspelling matched, an unknown word named', async ({ ctx, fake }) => {
    const bill = await one(fake, ctx, { text: 'aata 5kg x2\n1 bru coffee, amul butter 500g, xyzzy' });
    const text = shownText(bill);
    expect(text).toContain('Your bill from Sharma Kirana:');
    expect(text).toContain('1. Aashirvaad Atta (5 kg) × 2 — ₹490');
    expect(text).toContain('2. Bru Instant Coffee 100 g × 1 — ₹210');
    expect(text).toContain('3. Amul Butter 500 g × 1 — ₹275');
    expect(text).toContain('Subtotal: ₹975');
    expect(text).toContain('Delivery: ₹30');
    expect(text).toContain('Total: ₹1,005');
    expect(text).toContain("I couldn't find: xyzzy");
    expect(bill.body.interactive?.action.buttons?.map((b) => b.reply.id)).toEqual(['confirm', 'menu']);
    // The same cart on the storefront: the link opens it there (test/integration/whatsapp-store.test.ts goes on).
    const link = /See or change this cart on the website: (\S+)/.exec(text)![1]!;
    expect(link).toMatch(new RegExp(`^${ctx.config.publicUrl}/${owner.store.slug}/c/[0-9a-f-]{36}$`));
    const cart = await ctx.app.inject({ url: `/api/v1/storefront/${owner.store.slug}/carts/${link.split('/').pop()}` });
    expect(cart.json().total).toBe(100500);
  });

  it('out of stock → the line says so with replacements; "replace 2 with 1" → a new bill', async ({ ctx, fake }) => {
    await ctx.testDb.db.query(`UPDATE variants SET stock = 0 WHERE id = $1`, [ids.bru]);
    const bill = await one(fake, ctx, { text: 'add 1 maggi' });
    const text = shownText(bill);
    expect(text).toContain('2. Bru Instant Coffee 100 g — out of stock');
    expect(text).toContain('1) Nescafe Classic 100 g — ₹220');
    expect(text).toContain('replace 2 with 1');
    expect(text).toContain('4. Maggi Masala Noodles 70 g × 1 — ₹14');
    expect(bill.body.type).toBe('text'); // no confirm button while a line cannot be sold
    expect(text).toContain('Fix the lines marked above (replace or remove them), then reply CONFIRM.');
    expect(text).not.toContain('Reply CONFIRM to order');

    const renewed = shownText(await one(fake, ctx, { text: 'replace 2 with 1' }));
    expect(renewed).not.toContain('Bru');
    expect(renewed).toContain('4. Nescafe Classic 100 g × 1 — ₹220'); // the replacement, added at the end
    expect(renewed).toContain('Total: ₹1,029');
  });

  it('changes in words: "1 ko 3 karo", "remove maggi" → new bills', async ({ ctx, fake }) => {
    const changed = shownText(await one(fake, ctx, { text: '1 ko 3 karo' }));
    expect(changed).toContain('Aashirvaad Atta (5 kg) × 3 — ₹735');
    const removed = shownText(await one(fake, ctx, { text: 'remove maggi' }));
    expect(removed).not.toContain('Maggi');
    expect(removed).toContain('Total: ₹1,260');
  });

  it('confirm → the address is asked once, then the payment method', async ({ ctx, fake }) => {
    const ask = await one(fake, ctx, { button: 'confirm' });
    expect(shownText(ask)).toContain('send your name and delivery address');
    const bad = await one(fake, ctx, { text: 'near the temple' });
    expect(shownText(bad)).toContain('could not read that address');
    const pay = await one(fake, ctx, { text: 'Ravi Kumar, 12 MG Road, Camp, Pune 411001' });
    expect(shownText(pay)).toContain('How will you pay ₹1,260?');
    expect(pay.body.interactive?.action.buttons?.map((b) => b.reply.id)).toEqual(['pay:cod', 'pay:upi']);
  });

  it('UPI → the order is placed through checkout (source whatsapp): UPI link, QR image, tracking link', async ({
    ctx,
    fake,
  }) => {
    const sent = await say(fake, ctx, { button: 'pay:upi' });
    expect(sent.map((c) => [c.body.type, c.formatError, c.answered])).toEqual([
      ['text', null, 200],
      ['image', null, 200],
    ]);
    const placed = shownText(sent[0]!);
    expect(placed).toContain('Order #1 placed with Sharma Kirana. Pay ₹1,260 by UPI: upi://pay?');
    expect(placed).toMatch(/pa=sharma(@|%40)okaxis/);
    expect(placed).toContain('scan the QR code below');
    // The QR code: an image message by link (Meta fetches it), a PNG of the same upi:// link, with a caption.
    const image = sent[1]!.body.image!;
    expect(image.caption).toBe('Scan with any UPI app to pay ₹1,260 for order #1.');
    expect(image.link).toMatch(new RegExp(`^${ctx.config.publicUrl}/api/v1/orders/[^/]+/upi-qr\\.png$`));
    const png = await ctx.app.inject({ url: new URL(image.link!).pathname });
    expect(png.statusCode).toBe(200);
    expect(png.headers['content-type']).toBe('image/png');
    expect(png.rawPayload.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
    const tracking = /Track it: (\S+)/.exec(placed)![1]!;
    trackingToken = tracking.split('/').pop()!;
    const orders = await owner.api.get(`/api/v1/stores/${owner.store.id}/orders`);
    const order = orders.body.items[0];
    expect(order).toMatchObject({
      number: 1,
      source: 'whatsapp',
      paymentMethod: 'upi',
      total: 126000,
      customer: { name: 'Ravi Kumar', phone: `+${CUSTOMER}` },
    });
    expect(order.lines.map((l: { name: string; quantity: number }) => [l.name, l.quantity])).toEqual([
      ['Aashirvaad Atta', 3],
      ['Amul Butter 500 g', 1],
      ['Nescafe Classic 100 g', 1],
    ]);
    const stock = await ctx.testDb.db.query<{ stock: number }>(`SELECT stock FROM variants WHERE id = $1`, [ids.atta]);
    expect(stock.rows[0]!.stock).toBe(17);
  });

  it('a screenshot → downloaded through the media endpoint, attached as the payment proof', async ({ ctx, fake }) => {
    const before = fake.calls.length;
    const ack = await one(fake, ctx, { image: 'media-screenshot-1' });
    expect(shownText(ack)).toBe('Screenshot received — Sharma Kirana will confirm your payment for order #1.');
    const gets = fake.calls.slice(before).filter((c) => c.method === 'GET');
    expect(gets.map((c) => c.path)).toEqual(['/media-screenshot-1', '/media-bytes/media-screenshot-1']);
    expect(gets.every((c) => c.authorization === 'Bearer cloud-token')).toBe(true);
    const order = await ctx.app.inject({ url: `/api/v1/orders/${trackingToken}` });
    expect(order.json().paymentStatus).toBe('proof_submitted');
  });

  it('the merchant accepts → the customer gets the status message; "status" answers the latest', async ({
    ctx,
    fake,
  }) => {
    const orders = await owner.api.get(`/api/v1/stores/${owner.store.id}/orders`);
    const before = fake.calls.length;
    const res = await owner.api.post(`/api/v1/stores/${owner.store.id}/orders/${orders.body.items[0].id}/transitions`, {
      to: 'accepted',
    });
    expect(res.status, res.text).toBe(200);
    await processOutboxOnce(ctx.testDb.db, whatsappChannel(ctx.config.whatsapp!));
    const toCustomer = fake.calls.slice(before).filter((c) => c.body.to === CUSTOMER);
    expect(toCustomer).toHaveLength(1);
    const accepted = 'Your order #1 at Sharma Kirana has been accepted.';
    expect(shownText(toCustomer[0]!)).toBe(`${accepted}\nTrack it: ${ctx.config.publicUrl}/o/${trackingToken}`);
    // From the store's own number, the one the customer chats with (not the platform's shared one).
    expect(toCustomer[0]!.path).toBe(`/${STORE_NUMBER_ID}/messages`);
    const status = shownText(await one(fake, ctx, { text: 'mera order' }));
    expect(status).toContain('Order #1: accepted. Total ₹1,260.');
  });

  it('the next items start a new cart (the ordered one is closed)', async ({ ctx, fake }) => {
    const bill = shownText(await one(fake, ctx, { text: '2 kg atta' }));
    // no 2 kg pack: asked back which one is meant (5 kg or 10 kg)
    expect(bill).toContain('1) Aashirvaad Atta (5 kg)');
    expect(bill).toContain('2) Aashirvaad Atta (10 kg)');
    const picked = shownText(await one(fake, ctx, { text: '1' }));
    expect(picked).toContain('1. Aashirvaad Atta (5 kg) × 1');
    expect(picked).not.toContain('Amul Butter');
  });
});

describe('Hindi chat', () => {
  const HINDI = '919800000002';
  it('"दो पैकेट मैगी" → the bill in Hindi, the address kept per phone for the next order', async ({ ctx, fake }) => {
    const bill = shownText(await one(fake, ctx, { text: 'दो पैकेट मैगी' }, HINDI));
    expect(bill).toContain('Sharma Kirana से आपका बिल:');
    expect(bill).toContain('1. Maggi Masala Noodles 70 g × 2 — ₹28');
    expect(bill).toContain('कुल: ₹58');
  });
});

describe('what a chat costs the database', () => {
  const NEWCOMER = '919800000003';
  const CART_READ = /JOIN carts c ON c.store_id = s.id/;
  /** The newcomer's message, handled by the worker on a handle that records every statement it sends. */
  async function handled(ctx: TestContext, fake: FakeWhatsApp, text: string) {
    const res = await postWebhook(
      ctx.app,
      webhookPayload({ phoneNumberId: STORE_NUMBER_ID, from: NEWCOMER, text }),
      SECRET,
    );
    expect(res.status).toBe(200);
    const { counted, sql } = countedDb(ctx.testDb.db);
    await processInboxOnce(counted, ctx.config, whatsappChannel(ctx.config.whatsapp!));
    return { sql, sent: fake.calls.filter((c) => c.method === 'POST' && c.body.to === NEWCOMER) };
  }

  it("a newcomer's first message makes their cart and does not read it back", async ({ ctx, fake }) => {
    const { sql, sent } = await handled(ctx, fake, 'hi');
    expect(sent).toHaveLength(1);
    // Made in one statement, which answers the new cart's view; no read of the cart after it (the greeting needs none).
    expect(sql.filter((s) => s.includes('INSERT INTO carts'))).toHaveLength(1);
    expect(sql.filter((s) => CART_READ.test(s))).toEqual([]);
  });

  it('an items message shows the bill its line change answered: the cart is read once, to decide', async ({
    ctx,
    fake,
  }) => {
    const { sql, sent } = await handled(ctx, fake, 'add 2 maggi');
    expect(shownText(sent.at(-1)!)).toContain('Maggi Masala Noodles 70 g × 2 — ₹28');
    // decide() reads the chat's cart to know its lines; the put answers the new cart; the bill reads nothing more.
    expect(sql.filter((s) => CART_READ.test(s))).toHaveLength(1);
  });

  it('"clear" empties a cart of several lines with one DELETE, not a transaction per line', async ({ ctx, fake }) => {
    const linesInCart = async () =>
      (
        await ctx.testDb.db.query<{ n: number }>(
          `SELECT count(*)::int AS n FROM cart_lines
            WHERE cart_id = (SELECT cart_id FROM whatsapp_carts WHERE phone = $1)`,
          [NEWCOMER],
        )
      ).rows[0]!.n;
    await handled(ctx, fake, '1 bru coffee, 1 nescafe');
    expect(await linesInCart()).toBeGreaterThanOrEqual(2);
    const { sql, sent } = await handled(ctx, fake, 'clear');
    expect(shownText(sent.at(-1)!)).toBe('Your cart is empty now.');
    expect(sql.filter((s) => /DELETE FROM cart_lines/.test(s))).toHaveLength(1);
    // One transaction for the cart change, one for the replies and the chat's state.
    expect(sql.filter((s) => s === 'BEGIN')).toHaveLength(2);
    expect(await linesInCart()).toBe(0);
  });
});
