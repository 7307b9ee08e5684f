/**
 * Between the bill and the order: what the customer saw in the chat is what is ordered. A price changed since the
 * bill is shown (the new bill, confirmed again), never ordered silently.
 */
import { describe, expect } from 'vitest';
import { merchantWithStore, type TestContext } from '../helpers/app.js';
import { whatsappTest } from '../helpers/fixture.js';
import { shownText, type FakeWhatsApp } from '../helpers/fake-whatsapp.js';
import { processInboxOnce } from '../../src/whatsapp/inbox.js';
import { whatsappChannel } from '../../src/notify/channels.js';
import { postWebhook, webhookPayload, type Inbound } from '../helpers/whatsapp-webhook.js';

const SECRET = 'confirm-app-secret';
const SHARED = '100000000000081';

const it = whatsappTest((fake) => ({
  whatsapp: { apiUrl: fake.url, token: 'confirm-graph-token', phoneNumberId: SHARED },
  whatsappAppSecret: SECRET,
  whatsappVerifyToken: 'confirm-verify-token-1a2b',
}));

let owner: Awaited<ReturnType<typeof merchantWithStore>>;
let salt: { id: string; variantId: string };

it.beforeAll(async ({ ctx }) => {
  owner = await merchantWithStore(ctx, { name: 'Confirm Kirana', slug: 'confirm-kirana' });
  const res = await owner.api.post(`/api/v1/stores/${owner.store.id}/products`, {
    name: 'Tata Salt 1 kg',
    price: 2800,
  });
  salt = { id: String(res.body.id), variantId: String(res.body.variants[0].id) };
}, 180_000);

const run = (ctx: TestContext) => processInboxOnce(ctx.testDb.db, ctx.config, whatsappChannel(ctx.config.whatsapp!));
/** What the bot last sent to `from`, as the customer reads it. */
const lastReplyTo = (fake: FakeWhatsApp, from: string) =>
  shownText(
    fake
      .sent()
      .filter((c) => c.body.to === from)
      .at(-1)!,
  );
const chat = (ctx: TestContext, fake: FakeWhatsApp, from: string) => async (message: Inbound) => {
  await postWebhook(ctx.app, webhookPayload({ phoneNumberId: SHARED, from, ...message }), SECRET);
  await run(ctx);
  return lastReplyTo(fake, from);
};
const ordersOf = async (ctx: TestContext, phone: string) =>
  (
    await ctx.testDb.db.query<{ total: number }>(
      `SELECT total::int AS total FROM orders WHERE customer ->> 'phone' = $1`,
      [`+${phone}`],
    )
  ).rows;
const setPrice = async (price: number) => {
  const res = await owner.api.patch(`/api/v1/stores/${owner.store.id}/products/${salt.id}`, { price });
  expect(res.status).toBe(200);
};

describe('the total changed between the bill and the order', () => {
  it('a price raised after the bill: the new bill is shown, nothing ordered, CONFIRM orders at it', async ({
    ctx,
    fake,
  }) => {
    await setPrice(2800);
    const from = '919870001001';
    const say = chat(ctx, fake, from);
    await say({ text: 'ORDER confirm-kirana' });
    expect(await say({ text: '1 tata salt' })).toContain('Total: ₹28');
    await setPrice(3000);
    expect(await say({ text: 'confirm' })).toContain('Please send your name and delivery address');
    const changed = await say({ text: 'Ravi Kumar, 12 MG Road, Pune 411001' });
    expect(changed).toContain('The total has changed since the bill I sent you: it was ₹28, now it is ₹30');
    expect(changed).toContain('Tata Salt 1 kg × 1 — ₹30');
    expect(changed).toContain('Reply CONFIRM to order');
    expect(await ordersOf(ctx, from)).toEqual([]);
    const placed = await say({ button: 'confirm' });
    expect(placed).toContain('placed with Confirm Kirana. Total ₹30');
    expect(await ordersOf(ctx, from)).toEqual([{ total: 3000 }]);
  });

  it('the payment question never shows a total other than the bill: the new bill first (in Hindi too)', async ({
    ctx,
    fake,
  }) => {
    await setPrice(2800);
    await owner.api.patch(`/api/v1/stores/${owner.store.id}`, { payments: { cod: true, upiVpa: 'confirm@okaxis' } });
    const from = '919870001002';
    const say = chat(ctx, fake, from);
    await say({ text: 'ORDER confirm-kirana' });
    expect(await say({ text: 'दो tata salt' })).toContain('कुल: ₹56');
    expect(await say({ text: 'हाँ' })).toContain('पिन कोड');
    await setPrice(2500);
    // The address is in: the payment question would name the total, and it is not the bill's.
    const changed = await say({ text: 'Ravi Kumar, 12 MG Road, Pune 411001' });
    expect(changed).toContain('पहले ₹56 थी, अब ₹50 है');
    expect(changed).toContain('कुल: ₹50');
    expect(await ordersOf(ctx, from)).toEqual([]);
    expect(await say({ text: 'हाँ' })).toContain('₹50');
    expect(await say({ button: 'pay:cod' })).toContain('₹50');
    expect(await ordersOf(ctx, from)).toEqual([{ total: 5000 }]);
    await owner.api.patch(`/api/v1/stores/${owner.store.id}`, { payments: { cod: true, upiVpa: null } });
  });
});

describe('CONFIRM while a "which one?" question is open', () => {
  it('the item not picked is named and asked again; CONFIRM again orders without it', async ({ ctx, fake }) => {
    await setPrice(2800);
    const res = await owner.api.post(`/api/v1/stores/${owner.store.id}/products`, {
      name: 'Amul Butter',
      variants: [
        { name: '100 g', price: 5600 },
        { name: '500 g', price: 27500 },
      ],
    });
    expect(res.status).toBe(201);
    const from = '919870001003';
    const say = chat(ctx, fake, from);
    await say({ text: 'ORDER confirm-kirana' });
    expect(await say({ text: '1 tata salt, amul butter' })).toContain('Which one do you mean for "amul butter"?');
    const asked = await say({ text: 'confirm' });
    expect(asked).toContain('Before I place the order: amul butter is not in your bill yet');
    expect(asked).toContain('2) Amul Butter (500 g) — ₹275');
    expect(asked).toContain('reply CONFIRM again to order without it');
    expect(await ordersOf(ctx, from)).toEqual([]);
    // Picked after all: in the bill.
    const bill = await say({ text: '2' });
    expect(bill).toContain('Amul Butter (500 g) × 1 — ₹275');
    expect(bill).toContain('Total: ₹303');
    // Asked about another one, and ordered without it: told first, then the order at the bill's total.
    expect(await say({ text: 'amul butter' })).toContain('Which one do you mean');
    expect(await say({ text: 'confirm' })).toContain('is not in your bill yet');
    expect(await say({ text: 'confirm' })).toContain('Please send your name and delivery address');
    expect(await say({ text: 'Ravi Kumar, 12 MG Road, Pune 411001' })).toContain(
      'placed with Confirm Kirana. Total ₹303',
    );
    expect(await ordersOf(ctx, from)).toEqual([{ total: 30300 }]);
  });
});

describe('a map pin for the delivery address', () => {
  /** A location message as Meta delivers it; `place` is its name and address, either may be absent. */
  const pinFrom =
    (ctx: TestContext, fake: FakeWhatsApp, from: string) => async (place: { name?: string; address?: string }) => {
      const payload = webhookPayload({ phoneNumberId: SHARED, from, text: '' });
      const message = payload.entry[0]!.changes[0]!.value.messages[0]!;
      payload.entry[0]!.changes[0]!.value.messages = [
        { ...message, type: 'location', location: { latitude: 18.52, longitude: 73.87, ...place } } as never,
      ];
      await postWebhook(ctx.app, payload, SECRET);
      await run(ctx);
      return lastReplyTo(fake, from);
    };
  const savedAddress = async (ctx: TestContext, phone: string) =>
    (
      await ctx.testDb.db.query<{ name: string; address: unknown }>(
        `SELECT name, address FROM whatsapp_customers WHERE phone = $1`,
        [phone],
      )
    ).rows[0];

  it("the pin's address is the address line; only the name and PIN code are asked, then the order", async ({
    ctx,
    fake,
  }) => {
    await setPrice(2800);
    const from = '919870001004';
    const say = chat(ctx, fake, from);
    const pin = pinFrom(ctx, fake, from);
    await say({ text: 'ORDER confirm-kirana' });
    await say({ text: '1 tata salt' });
    expect(await say({ text: 'confirm' })).toContain('Please send your name and delivery address');
    // No text with the pin: nothing to deliver to, the address is asked for in words.
    expect(await pin({})).toContain("I can't read an address from that pin. Please type your name");
    expect(await pin({ name: 'Sharma Apartments', address: '12 MG Road, Camp, Pune' })).toContain(
      'Please send your name and the 6-digit PIN code',
    );
    expect(await say({ text: 'Ravi Kumar' })).toContain('Please send your name and the 6-digit PIN code');
    expect(await say({ text: 'Ravi Kumar, 411001' })).toContain('placed with Confirm Kirana. Total ₹28');
    expect(await savedAddress(ctx, from)).toEqual({
      name: 'Ravi Kumar',
      address: { line1: 'Sharma Apartments, 12 MG Road, Camp', city: 'Pune', pincode: '411001' },
    });
  });

  it('a pin whose address has the PIN code: only the name is asked (in Hindi too)', async ({ ctx, fake }) => {
    await setPrice(2800);
    const from = '919870001005';
    const say = chat(ctx, fake, from);
    await say({ text: 'ORDER confirm-kirana' });
    await say({ text: 'दो tata salt' });
    expect(await say({ text: 'हाँ' })).toContain('पिन कोड');
    expect(await pinFrom(ctx, fake, from)({ address: '12 MG Road, Pune, Maharashtra 411001' })).toContain(
      'डिलीवरी के लिए अपना नाम भेजें',
    );
    expect(await say({ text: 'रवि कुमार' })).toContain('₹56');
    expect(await ordersOf(ctx, from)).toEqual([{ total: 5600 }]);
  });

  it('a pin whose text is only a PIN code: the whole address is asked for, not the PIN code again', async ({
    ctx,
    fake,
  }) => {
    await setPrice(2800);
    const from = '919870001007';
    const say = chat(ctx, fake, from);
    await say({ text: 'ORDER confirm-kirana' });
    await say({ text: '1 tata salt' });
    await say({ text: 'confirm' });
    expect(await pinFrom(ctx, fake, from)({ address: '411001' })).toContain(
      "I can't read an address from that pin. Please type your name",
    );
    expect(await say({ text: 'Ravi Kumar, 12 MG Road, Pune 411001' })).toContain('placed with Confirm Kirana');
    expect(await savedAddress(ctx, from)).toEqual({
      name: 'Ravi Kumar',
      address: { line1: '12 MG Road', city: 'Pune', pincode: '411001' },
    });
  });

  it('a pin when no address was asked for gets the usual help', async ({ ctx, fake }) => {
    const from = '919870001006';
    await chat(ctx, fake, from)({ text: 'ORDER confirm-kirana' });
    expect(await pinFrom(ctx, fake, from)({ address: '12 MG Road, Pune 411001' })).toContain('Send your items list');
  });
});

describe('a delivery area with its own fee', () => {
  it('the bill is priced for the saved PIN code: the order is placed at the fee shown, no CONFIRM loop', async ({
    ctx,
    fake,
  }) => {
    const area = await merchantWithStore(ctx, { name: 'Area Kirana', slug: 'area-kirana' });
    const patched = await area.api.patch(`/api/v1/stores/${area.store.id}`, {
      delivery: { fee: 4000, areas: [{ pincodePrefix: '4110', fee: 9900 }, { pincodePrefix: '56' }] },
    });
    expect(patched.status).toBe(200);
    const made = await area.api.post(`/api/v1/stores/${area.store.id}/products`, {
      name: 'Tata Salt 1 kg',
      price: 2800,
    });
    expect(made.status).toBe(201);
    const from = '919870001009';
    const say = chat(ctx, fake, from);
    await say({ text: 'ORDER area-kirana' });
    // No address yet: the store's fee.
    expect(await say({ text: '1 tata salt' })).toContain('Total: ₹68');
    expect(await say({ text: 'confirm' })).toContain('Please send your name and delivery address');
    // Pune 4110…: the area's fee. Shown once, with the new total; CONFIRM then orders at it.
    const shown = await say({ text: 'Ravi Kumar, 12 MG Road, Pune 411001' });
    expect(shown).toContain('Delivery to your PIN code costs ₹99, so the total is now ₹127 (the bill I sent said ₹68)');
    expect(shown).toContain('Total: ₹127');
    expect(await ordersOf(ctx, from)).toEqual([]);
    let answer = shown;
    for (let turn = 0; turn < 3 && (await ordersOf(ctx, from)).length === 0; turn++) {
      answer = answer.includes('How will you pay') ? await say({ button: 'pay:cod' }) : await say({ text: 'confirm' });
    }
    expect(await ordersOf(ctx, from)).toEqual([{ total: 12700 }]);
    expect(answer).toContain('Total ₹127');
    // The next order, address saved: the bill has the area's fee from the start.
    expect(await say({ text: '1 tata salt' })).toContain('Total: ₹127');
  });
});
