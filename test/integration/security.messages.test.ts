/**
 * Issue 10, item 5: the platform's number does not message strangers. A store's WhatsApp number gets messages only
 * once verified; daily caps per store and per customer number; customer messages only with the opt-in given at
 * checkout; every send is in the outbox with its cost class.
 */
import { describe, expect } from 'vitest';
import { signIn, type TestContext } from '../helpers/app.js';
import { appTest } from '../helpers/fixture.js';
import {
  addProduct,
  checkoutBody,
  CUSTOMER_PHONE,
  outboxFor,
  placeOrder,
  type Shop,
} from '../helpers/order-fixtures.js';
import { client } from '../helpers/app.js';
import { enqueueMessage, processOutboxOnce } from '../../src/notify/outbox.js';
import type { MessageChannel, OutboundMessage } from '../../src/notify/channels.js';
import { newId } from '../../src/shared/ids.js';
import { ownerWithShop, sessionToken } from './web-dashboard.helpers.js';

const it = appTest();

/** A store whose WhatsApp number is NOT verified (the helper in app.ts would verify it). */
async function unverifiedShop(ctx: TestContext, whatsapp: string): Promise<Shop & { ownerPhone: string }> {
  const m = await signIn(ctx);
  const created = await m.api.post('/api/v1/stores', { name: `Shop ${whatsapp.slice(-4)}`, whatsapp });
  expect(created.status).toBe(201);
  const store = created.body;
  const base = `/api/v1/stores/${store.id}`;
  await m.api.patch(base, { payments: { cod: true } });
  return {
    ...m,
    store,
    base,
    slug: store.slug,
    storeId: store.id,
    customer: client(ctx.app),
    ownerPhone: m.phone,
  };
}

const storeMessages = async (ctx: TestContext, orderId: string) =>
  (await outboxFor(ctx, orderId)).filter((m) => m.topic === 'order.placed' && m.recipient !== CUSTOMER_PHONE);

async function outboxRows(ctx: TestContext, where: string, params: unknown[]) {
  const { rows } = await ctx.testDb.db.query<{
    topic: string;
    recipient: string;
    cost_class: string;
    audience: string;
    status: string;
    payload: unknown;
  }>(
    `SELECT topic, recipient, cost_class, audience, status, payload FROM outbox WHERE ${where} ORDER BY created_at`,
    params,
  );
  return rows;
}

describe("item 5: a store's number gets messages only once verified", () => {
  it('sends to the owner until a code sent to the number comes back; then to the number', async ({ ctx }) => {
    const shop = await unverifiedShop(ctx, '+919811100001');
    expect(shop.store).toMatchObject({ whatsapp: '+919811100001', whatsappVerified: false });
    const v = await addProduct(shop, 'Tea', 5000, 50);
    const first = await placeOrder(shop, [[v, 1]]);
    expect((await storeMessages(ctx, first.id)).map((m) => m.recipient)).toEqual([shop.ownerPhone]);

    // A wrong code, then the code the number received.
    const wrong = await shop.api.post(`${shop.base}/whatsapp/verification/confirm`, { code: '000000' });
    expect(wrong.status).toBe(422);
    const sent = await shop.api.post(`${shop.base}/whatsapp/verification`);
    expect(sent.status).toBe(202);
    expect(sent.body).toEqual({ sentTo: '+919811100001', expiresInMinutes: 10 });
    const again = await shop.api.post(`${shop.base}/whatsapp/verification`);
    expect(again.status).toBe(429);
    const code = ctx.sentCodes.get('+919811100001')!.at(-1)!;
    // The send is recorded as an authentication message, without the code.
    const recorded = await outboxRows(ctx, `topic = 'store.whatsapp_code' AND recipient = $1`, ['+919811100001']);
    expect(recorded).toHaveLength(1);
    expect(recorded[0]).toMatchObject({ cost_class: 'authentication', status: 'sent' });
    expect(JSON.stringify(recorded[0]!.payload)).not.toContain(code);

    const ok = await shop.api.post(`${shop.base}/whatsapp/verification/confirm`, { code });
    expect(ok.status).toBe(200);
    expect(ok.body.whatsappVerified).toBe(true);
    const second = await placeOrder(shop, [[v, 1]]);
    expect((await storeMessages(ctx, second.id)).map((m) => m.recipient)).toEqual(['+919811100001']);

    // A new number is unverified again: messages go back to the owner.
    const changed = await shop.api.patch(shop.base, { whatsapp: '+919811100002' });
    expect(changed.body.whatsappVerified).toBe(false);
    const third = await placeOrder(shop, [[v, 1]]);
    expect((await storeMessages(ctx, third.id)).map((m) => m.recipient)).toEqual([shop.ownerPhone]);
  });

  it("the owner's own signed-in phone needs no code; five wrong codes void the one sent", async ({ ctx }) => {
    const shop = await unverifiedShop(ctx, '+919811100003');
    const own = await shop.api.patch(shop.base, { whatsapp: shop.ownerPhone });
    expect(own.body).toMatchObject({ whatsapp: shop.ownerPhone, whatsappVerified: true });

    await shop.api.patch(shop.base, { whatsapp: '+919811100004' });
    expect((await shop.api.post(`${shop.base}/whatsapp/verification`)).status).toBe(202);
    const code = ctx.sentCodes.get('+919811100004')!.at(-1)!;
    for (let i = 0; i < 5; i++) {
      const wrong = String((Number(code) + 1 + i) % 1_000_000).padStart(6, '0');
      expect((await shop.api.post(`${shop.base}/whatsapp/verification/confirm`, { code: wrong })).status).toBe(422);
    }
    expect((await shop.api.post(`${shop.base}/whatsapp/verification/confirm`, { code })).status).toBe(422);
  });

  it('staff cannot verify a number', async ({ ctx }) => {
    const shop = await unverifiedShop(ctx, '+919811100005');
    const staff = await signIn(ctx);
    expect((await shop.api.post(`${shop.base}/members`, { phone: staff.phone, role: 'staff' })).status).toBe(201);
    expect((await staff.api.post(`${shop.base}/whatsapp/verification`)).status).toBe(403);
  });
});

describe('item 5: customers get messages only with the opt-in, and every send has a cost class', () => {
  it('no messages to a customer who said no, nor on an order without the answer', async ({ ctx }) => {
    const shop = await unverifiedShop(ctx, '+919811100006');
    const v = await addProduct(shop, 'Rice', 5000, 50);
    const optedOut = await placeOrder(
      shop,
      [[v, 1]],
      checkoutBody({ customer: { ...(checkoutBody().customer as object), whatsappUpdates: false } }),
    );
    await shop.api.post(`${shop.base}/orders/${optedOut.id}/transitions`, { to: 'accepted' });
    expect((await outboxFor(ctx, optedOut.id)).filter((m) => m.recipient === CUSTOMER_PHONE)).toEqual([]);

    const older = await placeOrder(shop, [[v, 1]]);
    await ctx.testDb.db.query(`UPDATE orders SET customer = customer - 'whatsappUpdates' WHERE id = $1`, [older.id]);
    await shop.api.post(`${shop.base}/orders/${older.id}/transitions`, { to: 'accepted' });
    const toCustomer = (await outboxFor(ctx, older.id)).filter((m) => m.recipient === CUSTOMER_PHONE);
    expect(toCustomer.map((m) => m.topic)).toEqual(['order.confirmed']); // the confirmation at placement only

    const optedIn = await placeOrder(shop, [[v, 1]]);
    await shop.api.post(`${shop.base}/orders/${optedIn.id}/transitions`, { to: 'accepted' });
    const rows = await outboxRows(ctx, `payload->'data'->>'orderId' = $1`, [optedIn.id]);
    expect(rows.map((r) => [r.topic, r.audience, r.cost_class])).toEqual([
      ['order.placed', 'store', 'utility'],
      ['order.confirmed', 'customer', 'utility'],
      ['order.status_changed', 'customer', 'utility'],
    ]);
  });

  it('records sign-in codes as authentication sends without the code', async ({ ctx }) => {
    const m = await signIn(ctx);
    const rows = await outboxRows(ctx, `topic = 'otp.sign_in' AND recipient = $1`, [m.phone]);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ cost_class: 'authentication', status: 'sent' });
    const code = ctx.sentCodes.get(m.phone)!.at(-1)!;
    expect(JSON.stringify(rows[0]!.payload)).not.toContain(code);
  });
});

describe('item 5: daily caps per customer number and per store', () => {
  it('sends at most the cap and marks the rest skipped', async ({ ctx }) => {
    const db = ctx.testDb.db;
    await db.query(`UPDATE outbox SET status = 'sent', sent_at = now() - interval '2 days' WHERE status = 'pending'`);
    const storeA = newId();
    const storeB = newId();
    const stranger = '+919822200001';
    await db.tx(async (tx) => {
      for (let i = 0; i < 5; i++)
        await enqueueMessage(tx, { topic: 't', recipient: stranger, text: `a${i}`, data: { storeId: storeA } });
      for (let i = 0; i < 6; i++)
        await enqueueMessage(tx, {
          topic: 't',
          recipient: `+9198222001${10 + i}`,
          text: `b${i}`,
          data: { storeId: storeB },
        });
      // the store's own number is held only to the store's cap; codes and answers to a customer are not capped
      await enqueueMessage(tx, { topic: 't', recipient: stranger, text: 'svc', costClass: 'service' });
    });
    const sent: OutboundMessage[] = [];
    const channel: MessageChannel = {
      name: 'recording',
      async send(m) {
        sent.push(m);
      },
    };
    const caps = { perStore: 4, perRecipient: 3 };
    const r = await processOutboxOnce(db, channel, { batchSize: 50, caps });
    expect(r).toMatchObject({ claimed: 12, sent: 8, skipped: 4 });
    const toStranger = sent.filter((m) => m.recipient === stranger).map((m) => m.text);
    expect(toStranger.filter((t) => t.startsWith('a'))).toHaveLength(3);
    expect(toStranger).toContain('svc');
    expect(sent.filter((m) => m.text.startsWith('b'))).toHaveLength(4);
    // Each skipped row keeps its own reason (all of a round's are marked in one statement).
    const reasons = await db.query<{ to_stranger: boolean; last_error: string; n: number }>(
      `SELECT recipient = $1 AS to_stranger, last_error, count(*)::int AS n FROM outbox WHERE status = 'skipped'
        GROUP BY 1, 2 ORDER BY 1`,
      [stranger],
    );
    expect(reasons.rows).toEqual([
      { to_stranger: false, last_error: 'daily cap: 4 messages for one store', n: 2 },
      { to_stranger: true, last_error: 'daily cap: 3 messages to one number', n: 2 },
    ]);
    // The next day's round counts what was sent in the last 24 hours: nothing more for the stranger today.
    await db.tx((tx) =>
      enqueueMessage(tx, { topic: 't', recipient: stranger, text: 'later', data: { storeId: storeA } }),
    );
    expect(await processOutboxOnce(db, channel, { caps })).toMatchObject({ sent: 0, skipped: 1 });
    const skipped = await outboxRows(ctx, `status = 'skipped' AND recipient = $1`, [stranger]);
    expect(skipped).toHaveLength(3);
  });
});

describe('item 5 in the dashboard', () => {
  it('the settings page says where messages go, sends the code and verifies the number', async ({ ctx }) => {
    const { browser, storeId, base } = await ownerWithShop(ctx);
    const api = client(ctx.app, sessionToken(browser));
    await api.patch(`/api/v1/stores/${storeId}`, { whatsapp: '+919811100009' });
    const settings = `${base}/settings`;
    const before = await browser.open(settings);
    expect(before.body).toContain('data-testid="whatsapp-unverified"');
    expect(before.body).toContain('Order messages go to your own phone until +919811100009 is verified.');

    const sent = await browser.submit(`${settings}/whatsapp/send`, {}, { from: settings });
    expect(sent.page.body).toContain('Code sent to +919811100009.');
    const code = ctx.sentCodes.get('+919811100009')!.at(-1)!;
    const wrong = await browser.submit(
      `${settings}/whatsapp/confirm`,
      { code: '999999' === code ? '888888' : '999999' },
      {
        from: settings,
      },
    );
    expect(wrong.page.body).toContain('The code is wrong or has expired');
    const ok = await browser.submit(`${settings}/whatsapp/confirm`, { code }, { from: settings });
    expect(ok.page.body).toContain('data-testid="whatsapp-verified"');
    expect((await api.get(`/api/v1/stores/${storeId}`)).body.whatsappVerified).toBe(true);
  });
});
