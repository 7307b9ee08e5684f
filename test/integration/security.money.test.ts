/**
 * Issue 10, item 12 (money records) and issue 13, item 15 (the honest UPI proof flow), through the API and the
 * dashboard: refunds are their own entries, "mark paid" never erases a refund due, a proof for an older total is
 * flagged, every payment action is in the order's history, and a refund never makes the customer owe money.
 */
import fs from 'node:fs';
import { describe, expect } from 'vitest';
import { client, type TestContext } from '../helpers/app.js';
import { appTest } from '../helpers/fixture.js';
import { multipartBody } from '../helpers/multipart.js';
import {
  addProduct,
  checkoutBody,
  CUSTOMER_PHONE,
  openShop,
  outboxFor,
  placeOrder,
  PNG_1PX,
  type Shop,
} from '../helpers/order-fixtures.js';
import { ownerWithShop, sessionToken } from './web-dashboard.helpers.js';
import type { WebClient } from '../helpers/web-client.js';

const it = appTest();
let shop: Shop;
it.beforeAll(async ({ ctx }) => {
  shop = await openShop(ctx, {
    create: { name: 'Money Kirana' },
    patch: { delivery: { fee: 0 }, payments: { cod: true, upiVpa: 'kirana@okhdfc' } },
  });
}, 180_000);

const merchantUrl = (order: { id: string }, tail: string) => `${shop.base}/orders/${order.id}${tail}`;
const pay = (order: { id: string }, body: Record<string, unknown>) =>
  shop.api.post(merchantUrl(order, '/payment'), body);
const editLines = (order: { trackingToken: string }, variantId: string, quantity: number) =>
  shop.customer.put(`/api/v1/orders/${order.trackingToken}/lines`, { lines: [{ variantId, quantity }] });

async function sendProof(ctx: TestContext, order: { trackingToken: string }, reference?: string) {
  const parts = [
    { name: 'file', filename: 'proof.png', type: 'image/png', data: PNG_1PX },
    ...(reference === undefined ? [] : [{ name: 'reference', data: reference }]),
  ];
  const { payload, contentType } = multipartBody(parts);
  const res = await ctx.app.inject({
    method: 'POST',
    url: `/api/v1/orders/${order.trackingToken}/payment-proof`,
    payload,
    headers: { 'content-type': contentType },
  });
  return { status: res.statusCode, body: JSON.parse(res.body) };
}

describe('item 12: refunds are their own entries', () => {
  it('paid 25,000, lowered to 15,000: a refund due of 10,000 that "mark paid" never erases', async ({ ctx }) => {
    const v = await addProduct(shop, 'Ghee', 5000, 50);
    const order = await placeOrder(shop, [[v, 5]]);
    expect(order.total).toBe(25_000);
    const paid = await pay(order, { status: 'paid' });
    expect(paid.status).toBe(200);
    expect(paid.body).toMatchObject({ amountPaid: 25_000, amountRefunded: 0, refundDue: 0, paymentStatus: 'paid' });

    const lowered = await editLines(order, v, 3);
    expect(lowered.status).toBe(200);
    expect(lowered.body).toMatchObject({ total: 15_000, amountPaid: 25_000, refundDue: 10_000, balanceDue: -10_000 });

    // "Mark paid" again: refused, and the refund due is still there.
    const again = await pay(order, { status: 'paid' });
    expect(again.status).toBe(409);
    expect(again.body.code).toBe('invalid_transition');
    const after = await shop.api.get(merchantUrl(order, ''));
    expect(after.body).toMatchObject({ refundDue: 10_000, amountPaid: 25_000, paymentStatus: 'paid' });

    // The refund is recorded: by default the refund due, with the merchant's reference.
    const refund = await pay(order, { status: 'refunded', reference: 'UPI 4321' });
    expect(refund.status).toBe(200);
    expect(refund.body).toMatchObject({
      total: 15_000,
      amountPaid: 15_000,
      amountRefunded: 10_000,
      refundDue: 0,
      balanceDue: 0,
      paymentStatus: 'paid',
    });
    expect(refund.body.payment.entries.map((e: { kind: string; amount: number }) => [e.kind, e.amount])).toEqual([
      ['payment', 25_000],
      ['refund', 10_000],
    ]);
    expect(refund.body.payment.entries[1].reference).toBe('UPI 4321');
    // Every payment action is in the order's history, with its amount.
    const money = refund.body.history
      .filter((h: { status: string }) => ['paid', 'refunded', 'edited'].includes(h.status))
      .map((h: { status: string; amount?: number }) => [h.status, h.amount ?? null]);
    expect(money).toEqual([
      ['paid', 25_000],
      ['edited', null],
      ['refunded', 10_000],
    ]);
    // Nothing more is owed back: a second default refund would give back what the order still costs.
    const tooMuch = await pay(order, { status: 'refunded', amount: 15_001 });
    expect(tooMuch.status).toBe(409);
    const texts = (await outboxFor(ctx, order.id)).filter((m) => m.topic === 'order.payment_updated');
    expect(texts.at(-1)!.text).toContain('A refund of ₹100.00');
    expect(texts.at(-1)!.recipient).toBe(CUSTOMER_PHONE);
  });

  it('a cancelled paid order owes all of it back; partial refunds add up to refunded', async () => {
    const v = await addProduct(shop, 'Oil', 10_000, 10);
    const order = await placeOrder(shop, [[v, 1]]);
    await pay(order, { status: 'paid' });
    const cancelled = await shop.api.post(merchantUrl(order, '/transitions'), { to: 'cancelled' });
    expect(cancelled.body).toMatchObject({ status: 'cancelled', refundDue: 10_000 });
    const part = await pay(order, { status: 'refunded', amount: 4_000 });
    expect(part.body).toMatchObject({
      amountPaid: 6_000,
      amountRefunded: 4_000,
      refundDue: 6_000,
      paymentStatus: 'paid',
    });
    const rest = await pay(order, { status: 'refunded' });
    expect(rest.body).toMatchObject({ amountPaid: 0, amountRefunded: 10_000, refundDue: 0, paymentStatus: 'refunded' });
    expect((await pay(order, { status: 'refunded' })).status).toBe(409);
    for (const bad of [
      { status: 'refunded', amount: 0 },
      { status: 'refunded', amount: 'x' },
      { status: 'paid', amount: 5 },
    ])
      expect((await pay(order, bad)).status).toBe(400);
  });

  it('a raised total asks only for the difference and "mark paid" records just that', async () => {
    const v = await addProduct(shop, 'Atta', 5000, 50);
    const order = await placeOrder(shop, [[v, 5]], checkoutBody({ paymentMethod: 'upi' }));
    await pay(order, { status: 'paid' });
    const raised = await editLines(order, v, 6);
    expect(raised.body).toMatchObject({ total: 30_000, paymentStatus: 'pending', balanceDue: 5_000 });
    expect(raised.body.payment.amountToPay).toBe(5_000);
    expect(raised.body.upiUrl).toContain('am=50.00');
    const repaid = await pay(order, { status: 'paid' });
    expect(repaid.body.payment.entries.map((e: { amount: number }) => e.amount)).toEqual([25_000, 5_000]);
  });
});

describe('issue 13 item 15: the proof carries its UPI reference and its total', () => {
  it('keeps the 12-digit reference, flags a proof made for an older total and asks only for the rise', async ({
    ctx,
  }) => {
    const v = await addProduct(shop, 'Dal', 5000, 50);
    const order = await placeOrder(shop, [[v, 2]], checkoutBody({ paymentMethod: 'upi' }));
    const bad = await sendProof(ctx, order, '12345');
    expect(bad.status).toBe(422);
    expect(bad.body.code).toBe('validation_failed');
    expect(bad.body.errors[0].path).toBe('/reference');

    const sent = await sendProof(ctx, order, '1234 5678 9012');
    expect(sent.status).toBe(200);
    expect(sent.body.paymentStatus).toBe('proof_submitted');
    expect(sent.body.payment).toMatchObject({
      reference: '123456789012',
      proofTotal: 10_000,
      proofOutdated: false,
      amountToPay: 0,
    });
    const proofEntry = sent.body.history.find((h: { status: string }) => h.status === 'proof_submitted');
    expect(proofEntry).toMatchObject({ amount: 10_000, note: '123456789012' });

    const raised = await editLines(order, v, 3);
    expect(raised.body).toMatchObject({ total: 15_000, paymentStatus: 'proof_submitted' });
    expect(raised.body.payment).toMatchObject({ proofOutdated: true, proofTotal: 10_000, amountToPay: 5_000 });
    expect(raised.body.upiUrl).toContain('am=50.00');
    const merchantView = await shop.api.get(merchantUrl(order, ''));
    expect(merchantView.body.payment).toMatchObject({ proofOutdated: true, reference: '123456789012' });
    // A proof without a reference is still taken.
    expect((await sendProof(ctx, order)).status).toBe(200);
  });
});

describe('the dashboard records refunds and shows the reference', () => {
  let browser: WebClient;
  let storeId: string;
  let base: string;
  it('records a refund typed in rupees and shows the flagged proof with its reference', async ({ ctx }) => {
    ({ browser, storeId, base } = await ownerWithShop(ctx, 'Refund Shop'));
    const api = client(ctx.app, sessionToken(browser));
    const slug = (await api.get(`/api/v1/stores/${storeId}`)).body.slug;
    await api.patch(`/api/v1/stores/${storeId}`, { delivery: { fee: 0 }, payments: { upiVpa: 'refund@okbank' } });
    const v = (await api.post(`/api/v1/stores/${storeId}/products`, { name: 'Rice', price: 5000, stock: 20 })).body
      .variants[0].id;
    const own: Shop = { ...shop, api, base: `/api/v1/stores/${storeId}`, slug, storeId };
    const order = await placeOrder(own, [[v, 5]], checkoutBody({ paymentMethod: 'upi' }));
    await sendProof(ctx, order, '987654321098');
    await own.customer.put(`/api/v1/orders/${order.trackingToken}/lines`, { lines: [{ variantId: v, quantity: 6 }] });
    const page = `${base}/orders/${order.id}`;
    const flagged = await browser.open(page);
    expect(flagged.body).toContain('data-testid="proof-outdated"');
    expect(flagged.body).toMatch(/data-testid="proof-reference"[^>]*>[^<]*<strong>987654321098</);

    await api.post(`/api/v1/stores/${storeId}/orders/${order.id}/payment`, { status: 'paid' });
    await own.customer.put(`/api/v1/orders/${order.trackingToken}/lines`, { lines: [{ variantId: v, quantity: 4 }] });
    const owed = await browser.open(page);
    expect(owed.body).toMatch(/data-testid="balance">₹100\.00</);
    expect(owed.body).not.toContain('data-testid="mark-paid"');
    const res = await browser.post(
      `${page}/payment`,
      { status: 'refunded', amount: '100', reference: 'R-1' },
      {
        from: page,
      },
    );
    expect(res.status).toBe(303);
    const view = (await api.get(`/api/v1/stores/${storeId}/orders/${order.id}`)).body;
    expect(view).toMatchObject({ amountRefunded: 10_000, refundDue: 0, amountPaid: 20_000 });
    const shown = await browser.open(page);
    expect(shown.body).toContain('Refund recorded');
    expect(shown.body).toMatch(/data-testid="amount-refunded">−₹100\.00</);
  });
});

describe('a refund never makes the customer owe money: beyond the refund due it is waived', () => {
  const transition = (order: { id: string }, to: string) => shop.api.post(merchantUrl(order, '/transitions'), { to });
  const customerView = async (order: { trackingToken: string }) =>
    (await shop.customer.get(`/api/v1/orders/${order.trackingToken}`)).body;

  it('₹50 goodwill back on a delivered, paid ₹500 order: still paid, nothing to pay, nowhere', async ({ ctx }) => {
    const v = await addProduct(shop, 'Pressure cooker', 50_000, 10);
    const order = await placeOrder(shop, [[v, 1]], checkoutBody({ paymentMethod: 'upi' }));
    expect(order.total).toBe(50_000);
    expect((await pay(order, { status: 'paid' })).status).toBe(200);
    for (const to of ['accepted', 'shipped', 'delivered']) expect((await transition(order, to)).status).toBe(200);

    const refund = await pay(order, { status: 'refunded', amount: 5_000, reference: 'damaged lid' });
    expect(refund.status).toBe(200);
    expect(refund.body).toMatchObject({
      status: 'delivered',
      paymentStatus: 'paid',
      total: 50_000,
      amountPaid: 45_000,
      amountRefunded: 5_000,
      amountWaived: 5_000,
      balanceDue: 0,
      refundDue: 0,
      payment: { amountToPay: 0 },
    });
    const mine = await customerView(order);
    expect(mine).toMatchObject({
      paymentStatus: 'paid',
      balanceDue: 0,
      amountWaived: 5_000,
      payment: { amountToPay: 0 },
    });
    expect(mine.upiUrl ?? '').not.toContain('am=50.00');
    // Nothing to mark paid: the owner cannot collect the goodwill back either.
    expect((await pay(order, { status: 'paid' })).status).toBe(409);

    // The customer's page and bill ask for nothing and say the refund is not to be paid back.
    const page = await ctx.app.inject({ url: `/o/${order.trackingToken}?lang=en` });
    expect(page.statusCode).toBe(200);
    expect(page.body).not.toContain('data-testid="balance-due"');
    expect(page.body).not.toContain('data-testid="upi-link"');
    expect(page.body).toMatch(/data-testid="amount-waived">₹50\.00</);
    const bill = await ctx.app.inject({ url: `/o/${order.trackingToken}/bill?lang=en` });
    expect(bill.statusCode).toBe(200);
    expect(bill.body).toContain('Waived (goodwill, nothing to pay back)');
    expect(bill.body).not.toMatch(/To pay[^₹]*₹50\.00/);
    const said = (await outboxFor(ctx, order.id)).filter((m) => m.topic === 'order.payment_updated').at(-1)!.text;
    expect(said).toContain('A refund of ₹50.00');
  });

  it('a refund after an edit lowered the total gives back what is due and waives only the excess', async () => {
    const v = await addProduct(shop, 'Dal', 5_000, 50);
    const order = await placeOrder(shop, [[v, 5]], checkoutBody({ paymentMethod: 'upi' }));
    await pay(order, { status: 'paid' });
    const lowered = await editLines(order, v, 3);
    expect(lowered.body).toMatchObject({ total: 15_000, refundDue: 10_000, balanceDue: -10_000, amountWaived: 0 });
    // the refund due alone waives nothing (unchanged behaviour)
    const due = await pay(order, { status: 'refunded', amount: 8_000 });
    expect(due.body).toMatchObject({ amountPaid: 17_000, refundDue: 2_000, amountWaived: 0, paymentStatus: 'paid' });
    // 2,000 more was due; the other 1,000 is goodwill
    const beyond = await pay(order, { status: 'refunded', amount: 3_000 });
    expect(beyond.body).toMatchObject({
      total: 15_000,
      amountPaid: 14_000,
      amountRefunded: 11_000,
      amountWaived: 1_000,
      refundDue: 0,
      balanceDue: 0,
      paymentStatus: 'paid',
      payment: { amountToPay: 0 },
    });
    expect((await pay(order, { status: 'paid' })).status).toBe(409);
  });

  it('a goodwill refund then an edit raising the total asks the customer for the rise only', async () => {
    const v = await addProduct(shop, 'Sugar', 5_000, 50);
    const order = await placeOrder(shop, [[v, 5]], checkoutBody({ paymentMethod: 'upi' }));
    await pay(order, { status: 'paid' });
    expect((await transition(order, 'accepted')).status).toBe(200);
    const goodwill = await pay(order, { status: 'refunded', amount: 2_500 });
    expect(goodwill.body).toMatchObject({ paymentStatus: 'paid', amountWaived: 2_500, balanceDue: 0 });

    const raised = await shop.api.put(merchantUrl(order, '/lines'), { lines: [{ variantId: v, quantity: 6 }] });
    expect(raised.status).toBe(200);
    expect(raised.body).toMatchObject({
      total: 30_000,
      amountPaid: 22_500,
      amountWaived: 2_500,
      paymentStatus: 'pending',
      balanceDue: 5_000,
      payment: { amountToPay: 5_000 },
    });
    expect(raised.body.upiUrl).toContain('am=50.00');
    const mine = await customerView(order);
    expect(mine.payment.amountToPay).toBe(5_000);
    const repaid = await pay(order, { status: 'paid' });
    expect(repaid.body).toMatchObject({ paymentStatus: 'paid', amountPaid: 27_500, balanceDue: 0 });
    expect(repaid.body.payment.entries.map((e: { kind: string; amount: number }) => [e.kind, e.amount])).toEqual([
      ['payment', 25_000],
      ['refund', 2_500],
      ['payment', 5_000],
    ]);
    // Lowered again: the store owes back what the customer paid beyond total − waived.
    const lowered = await shop.api.put(merchantUrl(order, '/lines'), { lines: [{ variantId: v, quantity: 4 }] });
    expect(lowered.body).toMatchObject({
      total: 20_000,
      refundDue: 10_000,
      balanceDue: -10_000,
      paymentStatus: 'paid',
    });
  });

  it('a cancelled order owes back all it holds and waives nothing; a full refund ends refunded', async () => {
    const v = await addProduct(shop, 'Tea', 10_000, 10);
    const cancelled = await placeOrder(shop, [[v, 1]]);
    await pay(cancelled, { status: 'paid' });
    await transition(cancelled, 'cancelled');
    const all = await pay(cancelled, { status: 'refunded' });
    expect(all.body).toMatchObject({ amountPaid: 0, amountWaived: 0, paymentStatus: 'refunded' });

    const delivered = await placeOrder(shop, [[v, 1]]);
    await pay(delivered, { status: 'paid' });
    for (const to of ['accepted', 'shipped', 'delivered']) await transition(delivered, to);
    const back = await pay(delivered, { status: 'refunded' });
    expect(back.body).toMatchObject({
      amountPaid: 0,
      amountWaived: 10_000,
      balanceDue: 0,
      paymentStatus: 'refunded',
      payment: { amountToPay: 0 },
    });
  });

  it('the dashboard shows the waived amount and neither a balance nor "mark paid"', async ({ ctx }) => {
    const { browser, storeId, base } = await ownerWithShop(ctx, 'Goodwill Shop');
    const api = client(ctx.app, sessionToken(browser));
    const slug = (await api.get(`/api/v1/stores/${storeId}`)).body.slug;
    await api.patch(`/api/v1/stores/${storeId}`, { delivery: { fee: 0 } });
    const v = (await api.post(`/api/v1/stores/${storeId}/products`, { name: 'Kettle', price: 50_000, stock: 5 })).body
      .variants[0].id;
    const own: Shop = { ...shop, api, base: `/api/v1/stores/${storeId}`, slug, storeId };
    const order = await placeOrder(own, [[v, 1]]);
    await api.post(`/api/v1/stores/${storeId}/orders/${order.id}/payment`, { status: 'paid' });
    await api.post(`/api/v1/stores/${storeId}/orders/${order.id}/payment`, { status: 'refunded', amount: 5_000 });
    const shown = (await browser.open(`${base}/orders/${order.id}`)).body;
    expect(shown).toMatch(/data-testid="amount-waived">₹50\.00</);
    expect(shown).not.toContain('data-testid="balance"');
    expect(shown).not.toContain('data-testid="mark-paid"');
  });

  it('migration 192 waives what refunds left owed on open orders never edited, and only there', async ({ db }) => {
    const v = await addProduct(shop, 'Soap', 50_000, 10);
    const hit = await placeOrder(shop, [[v, 1]]);
    const edited = await placeOrder(shop, [[v, 2]]);
    await editLines(edited, v, 1);
    const paidBack = await placeOrder(shop, [[v, 1]]);
    // What the old rule left: ₹50 of ₹500 refunded, the payment back to pending, nothing waived.
    await db.query(
      `UPDATE orders SET amount_paid = 45000, amount_refunded = 5000, amount_waived = 0, payment_status = 'pending'
        WHERE id = ANY($1::uuid[])`,
      [[hit.id, edited.id]],
    );
    // …and an order whose customer paid the ₹50 back meanwhile.
    await db.query(
      `UPDATE orders SET amount_paid = 50000, amount_refunded = 5000, payment_status = 'paid' WHERE id = $1`,
      [paidBack.id],
    );
    const migration = fs.readFileSync(
      new URL('../../src/db/migrations/192.do.orders-amount-waived.sql', import.meta.url),
      'utf8',
    );
    await db.query(migration.slice(migration.indexOf('UPDATE orders')));
    const merchantView = async (o: { id: string }) => (await shop.api.get(merchantUrl(o, ''))).body;
    expect(await merchantView(hit)).toMatchObject({ amountWaived: 5_000, balanceDue: 0, paymentStatus: 'paid' });
    expect(await merchantView(edited)).toMatchObject({ amountWaived: 0, balanceDue: 5_000, paymentStatus: 'pending' });
    expect(await merchantView(paidBack)).toMatchObject({ amountWaived: 0, balanceDue: 0, paymentStatus: 'paid' });
  });
});
