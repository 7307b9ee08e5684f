/** Dashboard orders (placed through the storefront API), coupons and store settings. */
import { describe, expect } from 'vitest';
import { client, type Client, type TestContext } from '../helpers/app.js';
import { appTest } from '../helpers/fixture.js';
import { HOSTILE, HOSTILE_ESCAPED, ownerWithShop, pngOf, sessionToken } from './web-dashboard.helpers.js';
import type { WebClient } from '../helpers/web-client.js';

const it = appTest({ publicUrl: 'https://shop.example' });
let browser: WebClient;
let storeId: string;
let base: string;
let api: Client;
let slug: string;
let riceVariant: string;
let dalVariant: string;

const customer = (ctx: TestContext) => client(ctx.app);

async function placeOrder(
  ctx: TestContext,
  lines: [string, number][],
  extra: Record<string, unknown> = {},
): Promise<any> {
  const anon = customer(ctx);
  const cart = await anon.post(`/api/v1/storefront/${slug}/carts`);
  for (const [variantId, quantity] of lines) {
    const res = await anon.put(`/api/v1/storefront/${slug}/carts/${cart.body.id}/lines/${variantId}`, { quantity });
    if (res.status !== 200) throw new Error(`line: ${res.status} ${res.text}`);
  }
  const order = await anon.post(`/api/v1/storefront/${slug}/carts/${cart.body.id}/checkout`, {
    customer: {
      name: 'Asha Rao',
      phone: '+919812345678',
      address: { line1: '12 MG Road', city: 'Bengaluru', pincode: '560001' },
    },
    paymentMethod: 'cod',
    ...extra,
  });
  if (order.status !== 201) throw new Error(`checkout: ${order.status} ${order.text}`);
  return order.body;
}

const orderOf = async (id: string) => (await api.get(`/api/v1/stores/${storeId}/orders/${id}`)).body;
const stockOf = async (ctx: TestContext, productVariant: string) => {
  const { rows } = await ctx.testDb.db.query<{ stock: number | null }>(`SELECT stock FROM variants WHERE id = $1`, [
    productVariant,
  ]);
  return rows[0]!.stock;
};

it.beforeAll(async ({ ctx }) => {
  ({ browser, storeId, base } = await ownerWithShop(ctx, 'Order Shop'));
  api = client(ctx.app, sessionToken(browser));
  slug = (await api.get(`/api/v1/stores/${storeId}`)).body.slug;
  await api.patch(`/api/v1/stores/${storeId}`, { payments: { upiVpa: 'ordershop@okbank' } });
  riceVariant = (await api.post(`/api/v1/stores/${storeId}/products`, { name: 'Rice', price: 5000, stock: 20 })).body
    .variants[0].id;
  dalVariant = (await api.post(`/api/v1/stores/${storeId}/products`, { name: 'Dal', price: 12000, stock: 10 })).body
    .variants[0].id;
});

describe('orders', () => {
  it('lists newest first with unseen orders marked; opening one marks it seen', async ({ ctx }) => {
    const first = await placeOrder(ctx, [[riceVariant, 1]]);
    const second = await placeOrder(ctx, [[dalVariant, 2]]);
    const home = await browser.get(base);
    expect(home.body).toMatch(/data-testid="new-orders">2 new orders</);
    const list = await browser.get(`${base}/orders`);
    expect(list.status).toBe(200);
    const rows = [...list.body.matchAll(/data-testid="order-row" data-order-id="([^"]+)"( data-unseen="true")?/g)];
    expect(rows.map((r) => r[1])).toEqual([second.id, first.id]);
    expect(rows.every((r) => r[2])).toBe(true);

    const detail = await browser.get(`${base}/orders/${second.id}`);
    expect(detail.status).toBe(200);
    expect(detail.body).toContain(`Order #${second.number}`);
    expect(detail.body).toContain('href="tel:+919812345678"');
    expect(detail.body).toContain('href="https://wa.me/919812345678"');
    expect(detail.body).toContain('2 × Dal');
    expect(detail.body).toMatch(/data-testid="total">₹240.00</);
    expect(detail.body).toContain('12 MG Road, Bengaluru, 560001');

    const again = await browser.get(`${base}/orders`);
    const unseen = [...again.body.matchAll(/data-order-id="([^"]+)" data-unseen="true"/g)].map((m) => m[1]);
    expect(unseen).toEqual([first.id]);
    expect((await browser.get(`${base}/orders?status=placed`)).body).toContain(first.id);
    expect((await browser.get(`${base}/orders?status=shipped`)).body).toContain('data-testid="no-orders"');
    // Unknown filters are ignored, not errors.
    expect((await browser.get(`${base}/orders?status=bogus`)).status).toBe(200);
  });

  it('in Hindi, the unseen mark and the "placed" status are different words', async ({ ctx }) => {
    // "नया" + "नया आया" read "new new-arrived" on every unseen row.
    const order = await placeOrder(ctx, [[riceVariant, 1]]);
    const list = await browser.get(`${base}/orders?lang=hi`);
    await browser.get(`${base}/orders?lang=en`);
    const row = new RegExp(`data-order-id="${order.id}" data-unseen="true">[\\s\\S]*?</li>`).exec(list.body)![0];
    const unseen = /data-testid="unseen">([^<]+)</.exec(row)![1]!;
    const status = /data-testid="order-status"[^>]*>([^<]+)</.exec(row)?.[1] ?? '';
    expect(status).toBe('नया आया');
    expect(status).not.toContain(unseen);
  });

  it('moves an order through its statuses with a note, and refuses a move the rules forbid', async ({ ctx }) => {
    const order = await placeOrder(ctx, [[riceVariant, 2]]);
    const page = `${base}/orders/${order.id}`;
    await browser.get(page);
    const accepted = await browser.post(`${page}/transitions`, { to: 'accepted', note: 'Packing now' });
    // Without JS the answer lands back on the order itself, not the top of the list.
    expect([accepted.status, accepted.location]).toEqual([303, `${page}#order`]);
    // …and the flash is inside the order, where that link lands, not above the tabs.
    const landed = (await browser.get(page)).body;
    expect(landed).toMatch(/<div id="order"[\s\S]*data-testid="flash">Order #\d+: accepted\./);
    expect(landed.match(/data-testid="flash"/g)).toHaveLength(1);
    let view = await orderOf(order.id);
    expect(view.status).toBe('accepted');
    expect(view.history.at(-1)).toMatchObject({ status: 'accepted', note: 'Packing now' });

    const shown = await browser.open(page);
    expect(shown.body).toContain('data-testid="to-shipped"');
    expect(shown.body).not.toContain('data-testid="to-accepted"');
    expect(shown.body).toContain('Packing now');

    // A stale page asking to accept again: 409, shown on the page; nothing moves.
    const stale = await browser.post(`${page}/transitions`, { to: 'accepted' }, { from: page });
    expect(stale.status).toBe(409);
    expect(stale.body).toContain('data-testid="form-error"');
    const bogus = await browser.post(`${page}/transitions`, { to: 'teleported' }, { from: page });
    expect(bogus.status).toBe(422);
    expect((await browser.post(`${page}/transitions`, { to: 'shipped' }, { from: page })).status).toBe(303);
    expect((await browser.post(`${page}/transitions`, { to: 'delivered' }, { from: page })).status).toBe(303);
    view = await orderOf(order.id);
    expect(view.history.map((h: any) => h.status)).toEqual(['placed', 'accepted', 'shipped', 'delivered']);
    expect((await browser.open(page)).body).not.toContain('data-testid="transition-form"');
  });

  it('rejecting gives the stock back', async ({ ctx }) => {
    const before = await stockOf(ctx, dalVariant);
    const order = await placeOrder(ctx, [[dalVariant, 3]]);
    expect(await stockOf(ctx, dalVariant)).toBe(before! - 3);
    const page = `${base}/orders/${order.id}`;
    await browser.get(page);
    // First "Are you sure?": nothing happens yet.
    const asked = await browser.post(`${page}/transitions`, { to: 'rejected', note: 'Closed today' });
    expect(asked.status).toBe(200);
    expect(asked.body).toContain('data-testid="confirm-step"');
    expect(asked.body).toContain(`Reject order #${order.number}?`);
    expect(asked.body).toMatch(/name="note" value="Closed today"/);
    expect((await orderOf(order.id)).status).toBe('placed');
    expect(await stockOf(ctx, dalVariant)).toBe(before! - 3);
    const sure = await browser.post(`${page}/transitions`, { to: 'rejected', note: 'Closed today', confirm: '1' });
    expect([sure.status, sure.location]).toEqual([303, `${page}#order`]);
    expect(await stockOf(ctx, dalVariant)).toBe(before);
    expect((await orderOf(order.id)).history.at(-1)).toMatchObject({ status: 'rejected', note: 'Closed today' });
  });

  it('answers an action sent with fetch (x-fragment: order) with the order re-rendered in place', async ({ ctx }) => {
    const order = await placeOrder(ctx, [[riceVariant, 1]]);
    const page = `${base}/orders/${order.id}`;
    const inPlace = { headers: { 'x-fragment': 'order', accept: 'text/html' }, from: page };
    await browser.get(page);
    // The forward move is the first button of the order, before any other form.
    const shown = (await browser.open(page)).body;
    const firstButton = /<button[^>]*data-testid="([^"]+)"/.exec(shown.slice(shown.indexOf('id="order"')))?.[1];
    expect(firstButton).toBe('to-accepted');
    expect(shown).toMatch(/class="btn" id="to-accepted"/);
    expect(shown).toMatch(/class="btn danger" id="to-rejected"/);
    // Before accepting, ending the order is Reject only; after, Cancel order only.
    expect(shown).not.toContain('data-testid="to-cancelled"');

    const accepted = await browser.post(`${page}/transitions`, { to: 'accepted' }, inPlace);
    expect(accepted.status).toBe(200);
    expect(accepted.body.startsWith('<div id="order"')).toBe(true);
    expect(accepted.body).not.toContain('<html');
    expect(accepted.body).toMatch(/role="status"[^>]*data-status[^>]*>Order #\d+: accepted\. The customer is told\./);
    expect(accepted.body).toContain('data-testid="to-shipped"');
    expect(accepted.body).toContain('data-testid="to-cancelled"');
    expect(accepted.body).not.toContain('data-testid="to-rejected"');
    expect(accepted.headers['cache-control']).toBe('no-store');

    // Cancel asks first, in place; then the confirmed one cancels.
    const asked = await browser.post(`${page}/transitions`, { to: 'cancelled' }, inPlace);
    expect(asked.status).toBe(200);
    expect(asked.body).toContain('data-testid="confirm-cancelled"');
    expect(asked.body).toMatch(/id="to-cancelled"/);
    expect((await orderOf(order.id)).status).toBe('accepted');
    const stale = await browser.post(`${page}/transitions`, { to: 'accepted' }, inPlace);
    expect(stale.status).toBe(409);
    expect(stale.body).toContain('data-testid="form-error"');
    const cancelled = await browser.post(`${page}/transitions`, { to: 'cancelled', confirm: '1' }, inPlace);
    expect(cancelled.status).toBe(200);
    expect(cancelled.body).toContain('data-order-status="cancelled"');
    expect(cancelled.body).not.toContain('data-testid="transition-form"');
  });

  it('does not count an order the customer cancelled before it was opened as new', async ({ ctx }) => {
    const before = (await browser.get(`${base}/orders`)).body;
    const count = (body: string) => Number(/data-unseen="(\d+)"/.exec(body)?.[1]);
    const order = await placeOrder(ctx, [[riceVariant, 1]]);
    expect(count((await browser.get(`${base}/orders`)).body)).toBe(count(before) + 1);
    const cancel = await customer(ctx).post(`/api/v1/orders/${order.trackingToken}/cancel`, {});
    expect(cancel.status, cancel.text).toBe(200);
    const list = (await browser.get(`${base}/orders`)).body;
    expect(count(list)).toBe(count(before));
    expect(list).not.toContain(`data-order-id="${order.id}" data-unseen="true"`);
  });

  it('edits the lines: the bill is renewed and stock moves', async ({ ctx }) => {
    const order = await placeOrder(ctx, [
      [riceVariant, 1],
      [dalVariant, 1],
    ]);
    const page = `${base}/orders/${order.id}`;
    const riceBefore = await stockOf(ctx, riceVariant);
    const shown = await browser.get(page);
    expect(shown.body).toContain('data-testid="lines-form"');
    const edited = await browser.post(`${page}/lines`, { variant: [riceVariant, dalVariant], quantity: ['3', '0'] });
    expect(edited.status).toBe(303);
    const view = await orderOf(order.id);
    expect(view.lines.map((l: any) => [l.name, l.quantity])).toEqual([['Rice', 3]]);
    expect(view.subtotal).toBe(15000);
    expect(view.history.at(-1).status).toBe('edited');
    expect(await stockOf(ctx, riceVariant)).toBe(riceBefore! - 2);

    // Adding an item from the picker.
    await browser.get(page);
    expect(
      (
        await browser.post(`${page}/lines`, {
          variant: [riceVariant],
          quantity: ['3'],
          addVariant: dalVariant,
          addQuantity: '2',
        })
      ).status,
    ).toBe(303);
    expect((await orderOf(order.id)).lines.map((l: any) => [l.name, l.quantity])).toEqual([
      ['Rice', 3],
      ['Dal', 2],
    ]);

    // More than there is: refused with the line named; nothing changes.
    await browser.get(page);
    const tooMany = await browser.post(`${page}/lines`, { variant: [riceVariant, dalVariant], quantity: ['3', '999'] });
    expect(tooMany.status).toBe(409);
    expect(tooMany.body).toContain('data-testid="line-errors"');
    expect(tooMany.body).toMatch(/Dal[^<]*only \d+ left/);
    const empty = await browser.post(
      `${page}/lines`,
      { variant: [riceVariant, dalVariant], quantity: ['0', '0'] },
      { from: page },
    );
    expect(empty.status).toBe(422);
    const junk = await browser.post(
      `${page}/lines`,
      { variant: [riceVariant, dalVariant], quantity: ['1.5', 'x'] },
      { from: page },
    );
    expect(junk.status).toBe(422);
    expect((await orderOf(order.id)).lines.map((l: any) => l.quantity)).toEqual([3, 2]);
  });

  it('shows the payment proof and marks the order paid', async ({ ctx }) => {
    const order = await placeOrder(ctx, [[riceVariant, 1]], { paymentMethod: 'upi' });
    const proof = await pngOf(40, 40);
    const boundary = '----proof';
    const payload = Buffer.concat([
      Buffer.from(
        `--\
${boundary}\r\nContent-Disposition: form-data; name="file"; filename="paid.png"\r\nContent-Type: image/png\r\n\r\n`,
      ),
      proof,
      Buffer.from(`\r\n--${boundary}--\r\n`),
    ]);
    const up = await ctx.app.inject({
      method: 'POST',
      url: `/api/v1/orders/${order.trackingToken}/payment-proof`,
      payload,
      headers: { 'content-type': `multipart/form-data; boundary=${boundary}` },
    });
    expect(up.statusCode).toBe(200);

    const page = `${base}/orders/${order.id}`;
    const shown = await browser.get(page);
    expect(shown.body).toContain('Payment proof sent');
    expect(shown.body).toContain('data-testid="proof-link"');
    const image = await browser.get(`${page}/proof`);
    expect(image.status).toBe(200);
    // Proofs are shown as a re-encoded WebP copy, never the uploaded bytes (payments.test.ts asserts the same).
    expect(image.headers['content-type']).toBe('image/webp');
    expect(image.headers['x-content-type-options']).toBe('nosniff');

    const paid = await browser.post(`${page}/payment`, { status: 'paid' }, { from: page });
    expect([paid.status, paid.location]).toEqual([303, `${page}#order`]);
    const view = await orderOf(order.id);
    expect([view.paymentStatus, view.amountPaid, view.balanceDue]).toEqual(['paid', view.total, 0]);
    const after = await browser.open(page);
    expect(after.body).not.toContain('data-testid="mark-paid"');
    expect(after.body).toContain('data-testid="record-refund"');
    // Paying twice is refused with words, not an error page.
    const twice = await browser.post(`${page}/payment`, { status: 'paid' }, { from: page });
    expect(twice.status).toBe(303);
    expect((await browser.open(page)).body).toMatch(/data-testid="flash"[^>]*>The payment is already paid/);
    // In place: a refund, and the refused second one with its words inside the order.
    const inPlace = { headers: { 'x-fragment': 'order' }, from: page };
    const refund = await browser.post(`${page}/payment`, { status: 'refunded', amount: '10' }, inPlace);
    expect(refund.status).toBe(200);
    expect(refund.body).toMatch(/data-status[^>]*>Refund of ₹10.00 recorded/);
    const tooMuch = await browser.post(`${page}/payment`, { status: 'refunded', amount: '9999' }, inPlace);
    expect(tooMuch.status).toBe(409);
    expect(tooMuch.body.startsWith('<div id="order"')).toBe(true);
    expect(tooMuch.body).toContain('data-testid="form-error"');
    // Every payment action is in the order's history: the proof, the payment, the refund.
    const history = (await orderOf(order.id)).history.map((h: any) => h.status);
    expect(history).toEqual(['placed', 'proof_submitted', 'paid', 'refunded']);
    const words = (await browser.open(page)).body;
    const timeline = words.slice(words.indexOf('data-testid="history"'));
    for (const said of ['Payment screenshot received', 'Payment received', 'Refund recorded'])
      expect(timeline).toContain(said);
    // No proof on a COD order: the 404 page.
    const cod = await placeOrder(ctx, [[riceVariant, 1]]);
    expect((await browser.get(`${base}/orders/${cod.id}/proof`)).status).toBe(404);
  });

  it("follows the short link of the store's WhatsApp message to the order, for members only", async ({ ctx }) => {
    const order = await placeOrder(ctx, [[riceVariant, 1]]);
    const res = await browser.get(`/dashboard/orders/${order.id}`);
    expect([res.status, res.location]).toEqual([303, `${base}/orders/${order.id}`]);
    const stranger = await ownerWithShop(ctx);
    expect((await stranger.browser.get(`/dashboard/orders/${order.id}`)).status).toBe(404);
    expect((await stranger.browser.get(`${base}/orders/${order.id}`)).status).toBe(404);
    expect((await stranger.browser.get(`${stranger.base}/orders/${order.id}`)).status).toBe(404);
    expect((await stranger.browser.get('/dashboard/orders/not-a-uuid')).status).toBe(404);
    const token = /name="_csrf" value="([^"]+)"/.exec((await stranger.browser.get(stranger.base)).body)![1]!;
    for (const [url, fields] of [
      [`${base}/orders/${order.id}/transitions`, { to: 'cancelled' }],
      [`${base}/orders/${order.id}/payment`, { status: 'paid' }],
      [`${stranger.base}/orders/${order.id}/transitions`, { to: 'cancelled' }],
      [`${stranger.base}/orders/${order.id}/payment`, { status: 'paid' }],
      [`${stranger.base}/orders/${order.id}/lines`, { variant: riceVariant, quantity: '5' }],
    ] as const) {
      expect((await stranger.browser.post(url, fields, { csrf: token })).status, url).toBe(404);
    }
    const view = await orderOf(order.id);
    expect([view.status, view.paymentStatus, view.lines[0].quantity]).toEqual(['placed', 'pending', 1]);
  });

  it('a hostile customer name and note render as text', async ({ ctx }) => {
    const order = await placeOrder(ctx, [[riceVariant, 1]], {
      customer: { name: HOSTILE, phone: '+919812345678', address: { line1: HOSTILE, city: 'Pune', pincode: '411001' } },
      note: HOSTILE,
    });
    for (const url of [`${base}/orders`, `${base}/orders/${order.id}`]) {
      const page = await browser.get(url);
      expect(page.body, url).not.toContain(HOSTILE);
      expect(page.body, url).toContain(HOSTILE_ESCAPED);
    }
  });
});

describe('coupons', () => {
  it('creates percent and flat coupons from rupees, lists them, edits, switches off and deletes', async () => {
    const url = `${base}/coupons`;
    await browser.get(url);
    const pct = await browser.post(url, {
      code: 'DIWALI10',
      type: 'percent',
      value: '10',
      minOrder: '200',
      maxDiscount: '50',
      usageLimit: '100',
      expiresOn: '2099-11-01',
      isActive: '1',
    });
    expect(pct.status).toBe(303);
    await browser.get(url);
    expect((await browser.post(url, { code: 'FLAT20', type: 'flat', value: '20.50', isActive: '1' })).status).toBe(303);
    const items = (await api.get(`/api/v1/stores/${storeId}/coupons`)).body.items;
    expect(
      items.map((c: any) => [c.code, c.type, c.value, c.minOrder, c.maxDiscount, c.usageLimit, c.isActive]),
    ).toEqual([
      ['FLAT20', 'flat', 2050, null, null, null, true],
      ['DIWALI10', 'percent', 10, 20000, 5000, 100, true],
    ]);
    expect(items[1].expiresAt).toBe('2099-11-01T18:29:59.999Z');

    const list = await browser.get(url);
    expect(list.body).toContain('10% off (up to ₹50) on ₹200 or more');
    expect(list.body).toContain('₹20.50 off');
    expect(list.body).toContain('2099-11-01');

    const edit = `${url}/${items[1].id}`;
    const editPage = await browser.get(edit);
    expect(editPage.body).toContain('value="2099-11-01"');
    expect(editPage.body).toContain('value="200.00"');
    const saved = await browser.post(edit, {
      code: 'DIWALI15',
      type: 'percent',
      value: '15',
      minOrder: '',
      maxDiscount: '',
      usageLimit: '',
      expiresOn: '',
    });
    expect(saved.status).toBe(303);
    expect((await api.get(`/api/v1/stores/${storeId}/coupons/${items[1].id}`)).body).toMatchObject({
      code: 'DIWALI15',
      value: 15,
      minOrder: null,
      maxDiscount: null,
      usageLimit: null,
      expiresAt: null,
      isActive: false,
    });

    await browser.get(edit);
    expect((await browser.post(`${edit}/delete`, {})).status).toBe(303);
    expect((await api.get(`/api/v1/stores/${storeId}/coupons/${items[1].id}`)).status).toBe(404);
    expect((await browser.get(edit)).status).toBe(404);
  });

  it('shows mistakes on the form and creates nothing', async () => {
    const url = `${base}/coupons`;
    const before = (await api.get(`/api/v1/stores/${storeId}/coupons`)).body.items.length;
    await browser.get(url);
    const cases: [Record<string, string>, number, string][] = [
      [{ code: 'BIG', type: 'percent', value: '101' }, 422, 'error-value'],
      [{ code: 'BIG', type: 'percent', value: '10.5' }, 422, 'error-value'],
      [{ code: 'BIG', type: 'flat', value: 'lots' }, 422, 'error-value'],
      [{ code: 'BIG', type: 'flat', value: '0' }, 422, 'error-value'],
      [{ code: 'has space', type: 'flat', value: '5' }, 422, 'error-code'],
      [{ code: '', type: 'flat', value: '5' }, 422, 'error-code'],
      [{ code: 'X'.repeat(41), type: 'flat', value: '5' }, 422, 'error-code'],
      [{ code: 'OK1', type: 'free', value: '5' }, 422, 'error-type'],
      [{ code: 'OK2', type: 'flat', value: '5', expiresOn: '2025-02-30' }, 422, 'error-expiresOn'],
      [{ code: 'OK3', type: 'flat', value: '5', usageLimit: '0' }, 422, 'error-usageLimit'],
      [{ code: 'flat20', type: 'flat', value: '5' }, 409, 'form-error'],
    ];
    for (const [fields, status, testid] of cases) {
      const res = await browser.post(url, fields);
      expect(res.status, JSON.stringify(fields)).toBe(status);
      expect(res.body, JSON.stringify(fields)).toContain(`data-testid="${testid}"`);
    }
    expect((await api.get(`/api/v1/stores/${storeId}/coupons`)).body.items.length).toBe(before);
  });
});

describe('settings', () => {
  it('saves delivery, payments, open/closed and WhatsApp, typed in rupees', async () => {
    const url = `${base}/settings`;
    const form = await browser.get(url);
    expect(form.body).toContain('data-testid="settings-form"');
    const res = await browser.post(url, {
      name: 'Order Shop & Sons',
      isOpen: '0',
      whatsapp: '+91 98765 43210',
      fee: '30',
      freeAbove: '499.50',
      minOrder: '100',
      pickup: '1',
      upiVpa: 'shop@okaxis',
    });
    expect([res.status, res.location]).toEqual([303, url]);
    const store = (await api.get(`/api/v1/stores/${storeId}`)).body;
    expect(store).toMatchObject({
      name: 'Order Shop & Sons',
      isOpen: false,
      whatsapp: '+919876543210',
      delivery: { fee: 3000, freeAbove: 49950, minOrder: 10000, pickup: true },
      payments: { cod: false, upiVpa: 'shop@okaxis' },
    });
    const shown = await browser.open(url);
    expect(shown.body).toContain('value="499.50"');
    expect(shown.body).toContain('Order Shop &amp; Sons');
    expect(shown.body).toContain('Settings saved.');

    // Back to defaults: empty optional amounts are null, empty WhatsApp hides the button.
    await browser.post(
      url,
      { name: 'Order Shop', isOpen: '1', whatsapp: '', fee: '', freeAbove: '', minOrder: '', cod: '1', upiVpa: '' },
      { from: url },
    );
    expect((await api.get(`/api/v1/stores/${storeId}`)).body).toMatchObject({
      isOpen: true,
      whatsapp: null,
      delivery: { fee: 0, freeAbove: null, minOrder: null, pickup: false },
      payments: { cod: true, upiVpa: null },
    });
  });

  it('shows mistakes beside their fields and saves nothing', async () => {
    const url = `${base}/settings`;
    const before = (await api.get(`/api/v1/stores/${storeId}`)).body;
    await browser.get(url);
    const cases: [Record<string, string>, string][] = [
      [{ name: 'Ok', fee: '-1' }, 'error-fee'],
      [{ name: 'Ok', fee: '1.234' }, 'error-fee'],
      [{ name: 'Ok', freeAbove: 'free' }, 'error-freeAbove'],
      [{ name: 'Ok', minOrder: '100000000.01' }, 'error-minOrder'],
      [{ name: 'Ok', whatsapp: '12345' }, 'error-whatsapp'],
      [{ name: 'Ok', upiVpa: 'not a vpa' }, 'error-upiVpa'],
      [{ name: '' }, 'error-name'],
      [{ name: 'x'.repeat(10_000) }, 'error-name'],
    ];
    for (const [fields, testid] of cases) {
      const res = await browser.post(url, { isOpen: '1', cod: '1', ...fields });
      expect(res.status, JSON.stringify(fields)).toBe(422);
      expect(res.body, JSON.stringify(fields)).toContain(`data-testid="${testid}"`);
    }
    expect((await api.get(`/api/v1/stores/${storeId}`)).body).toEqual(before);
  });
});
