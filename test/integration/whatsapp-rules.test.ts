/**
 * The chat's rules that the seed chat test does not walk through: the address asked once per phone, the cart's
 * 24-hour customer-service window, a crash never losing or doubling a message or an order, and customer text never
 * echoed in a way that lets the bot say arbitrary things.
 */
import { describe, expect } from 'vitest';
import { merchantWithStore, type TestContext } from '../helpers/app.js';
import { whatsappTest } from '../helpers/fixture.js';
import { shownText, type FakeWhatsApp } from '../helpers/fake-whatsapp.js';
import { postWebhook, webhookPayload, type Inbound } from '../helpers/whatsapp-webhook.js';
import { processInboxOnce } from '../../src/whatsapp/inbox.js';
import { claimInbox } from '../../src/whatsapp/whatsapp.repo.js';
import { whatsappChannel } from '../../src/notify/channels.js';

const SECRET = 'rules-secret';
const OWN_ID = '200000000000066';
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==',
  'base64',
);

const it = whatsappTest((fake) => ({
  whatsapp: { apiUrl: fake.url, token: 't', phoneNumberId: '100000000000066' },
  whatsappAppSecret: SECRET,
  whatsappVerifyToken: 'v',
}));

let owner: Awaited<ReturnType<typeof merchantWithStore>>;
let base = '';

it.beforeAll(async ({ ctx }) => {
  owner = await merchantWithStore(ctx, { name: 'Rules Kirana' });
  base = `/api/v1/stores/${owner.store.id}`;
  expect((await owner.api.patch(base, { whatsappPhoneNumberId: OWN_ID })).status).toBe(200);
  await owner.api.post(`${base}/products`, { name: 'Parle-G Biscuit', price: 1000, stock: 100 });
  await owner.api.post(`${base}/products`, { name: 'Amul Taaza Milk', price: 2700, stock: 100 });
}, 180_000);

const run = (ctx: TestContext) => processInboxOnce(ctx.testDb.db, ctx.config, whatsappChannel(ctx.config.whatsapp!));

async function say(fake: FakeWhatsApp, ctx: TestContext, from: string, message: Inbound, id?: string): Promise<string> {
  const before = fake.calls.length;
  const res = await postWebhook(ctx.app, webhookPayload({ phoneNumberId: OWN_ID, from, id, ...message }), SECRET);
  expect(res.status).toBe(200);
  await run(ctx);
  return fake.calls
    .slice(before)
    .filter((c) => c.method === 'POST' && c.body.to === from)
    .map(shownText)
    .join('\n---\n');
}

const ordersOf = async (ctx: TestContext, phone: string) =>
  (
    await ctx.testDb.db.query<{ number: number }>(
      `SELECT number FROM orders WHERE store_id = $1 AND customer->>'phone' = $2 ORDER BY number`,
      [owner.store.id, `+${phone}`],
    )
  ).rows.map((r) => r.number);

describe('the delivery address', () => {
  it('is asked once per phone: the second order goes straight through', async ({ ctx, fake }) => {
    const from = '919800066001';
    await say(fake, ctx, from, { text: '2 parle g' });
    expect(await say(fake, ctx, from, { text: 'confirm' })).toContain('send your name and delivery address');
    expect(await say(fake, ctx, from, { text: 'Anil Verma, 7 Station Road, Nagpur 440001' })).toMatch(
      /Order #\d+ placed with Rules Kirana\. Total ₹20, cash on delivery\./,
    );
    expect(await say(fake, ctx, from, { text: '1 amul taaza milk' })).toContain('1. Amul Taaza Milk × 1 — ₹27');
    const second = await say(fake, ctx, from, { text: 'haan' });
    expect(second).not.toContain('address');
    expect(second).toMatch(/Order #\d+ placed with Rules Kirana\. Total ₹27, cash on delivery\./);
    expect(await ordersOf(ctx, from)).toHaveLength(2);
  });
});

describe('a number checkout does not take', () => {
  it('is told so, with the storefront link, not asked for the address again', async ({ ctx, fake }) => {
    const from = '913150000007'; // +91 3…: not an Indian mobile number
    await say(fake, ctx, from, { text: '1 parle g' });
    await say(fake, ctx, from, { text: 'confirm' });
    const reply = await say(fake, ctx, from, { text: 'Asha, 2 Hill Road, Pune 411001' });
    expect(reply).toContain("orders in this chat need a mobile number from this shop's country");
    expect(reply).toContain(`${ctx.config.publicUrl}/${owner.store.slug}`);
    expect(await ordersOf(ctx, from)).toEqual([]);
  });
});

describe("the cart's 24-hour window", () => {
  it('continues the cart within the window and starts afresh after it', async ({ ctx, fake }) => {
    const from = '919800066002';
    await say(fake, ctx, from, { text: '3 parle g' });
    expect(await say(fake, ctx, from, { text: 'add 1 milk' })).toMatch(
      /1\. Parle-G Biscuit × 3[\s\S]*2\. Amul Taaza Milk × 1/,
    );
    // 25 hours without a message: WhatsApp's customer-service window closed, the old cart is not continued.
    await ctx.testDb.db.query(
      `UPDATE carts SET updated_at = now() - interval '25 hours'
        WHERE id = (SELECT cart_id FROM whatsapp_carts WHERE store_id = $1 AND phone = $2)`,
      [owner.store.id, from],
    );
    const fresh = await say(fake, ctx, from, { text: 'add 1 milk' });
    expect(fresh).toContain('1. Amul Taaza Milk × 1 — ₹27');
    expect(fresh).not.toContain('Parle-G');
  });
});

describe('crashes', () => {
  it('a worker that dies holding a message: another takes it after the lease, answered once', async ({ ctx, fake }) => {
    const from = '919800066003';
    await postWebhook(
      ctx.app,
      webhookPayload({ phoneNumberId: OWN_ID, from, id: 'wamid.crash-1', text: 'hi' }),
      SECRET,
    );
    const claimed = await claimInbox(ctx.testDb.db, 50, 60); // "crashes" right after the claim
    expect(claimed.map((r) => r.message_id)).toContain('wamid.crash-1');
    await run(ctx);
    expect(fake.sent().filter((c) => c.body.to === from)).toHaveLength(0); // leased: nobody else takes it yet
    await ctx.testDb.db.query(`UPDATE whatsapp_inbox SET next_attempt_at = now() WHERE message_id = 'wamid.crash-1'`);
    await run(ctx);
    await run(ctx);
    const replies = fake.sent().filter((c) => c.body.to === from);
    expect(replies).toHaveLength(1);
    expect(shownText(replies[0]!)).toContain('Welcome to Rules Kirana');
  });

  it('the order placed but the reply not committed: the retry finds the same order, never a second', async ({
    ctx,
    fake,
  }) => {
    const from = '919800066004';
    // not an address yet: read as items (unknown)
    await say(fake, ctx, from, { text: 'Sunita Rao, 3 Lake View, Mysuru 570001' });
    await say(fake, ctx, from, { text: '1 parle g' });
    await say(fake, ctx, from, { text: 'confirm' });
    const placed = await say(fake, ctx, from, { text: 'Sunita Rao, 3 Lake View, Mysuru 570001' }, 'wamid.place-1');
    expect(placed).toMatch(/Order #(\d+) placed/);
    expect(await ordersOf(ctx, from)).toHaveLength(1);
    // As if the process died after checkout but before the reply and the "done" mark committed.
    await ctx.testDb.db.query(
      `UPDATE whatsapp_inbox SET status = 'pending', processed_at = NULL, next_attempt_at = now()
        WHERE message_id = 'wamid.place-1'`,
    );
    await ctx.testDb.db.query(`DELETE FROM outbox WHERE payload::text LIKE '%wamid.place-1%'`);
    const before = fake.calls.length;
    await run(ctx);
    const again = fake.calls.slice(before).filter((c) => c.body.to === from);
    expect(again).toHaveLength(1);
    expect(shownText(again[0]!)).toBe(placed);
    expect(await ordersOf(ctx, from)).toHaveLength(1);
  });

  it('a screenshot whose download fails is retried later and attached once', async ({ ctx, fake }) => {
    const from = '919800066005';
    await owner.api.patch(base, { payments: { cod: false, upiVpa: 'rules@okaxis' } });
    try {
      await say(fake, ctx, from, { text: '1 milk' });
      await say(fake, ctx, from, { text: 'confirm' });
      expect(await say(fake, ctx, from, { text: 'Ravi, 1 Main Road, Pune 411001' })).toContain('by UPI');
      // The media is not there yet (the Cloud API answers 404): the message is kept and retried, not lost.
      expect(await say(fake, ctx, from, { image: 'media-late-1' }, 'wamid.late-1')).toBe('');
      const row = await ctx.testDb.db.query<{ status: string; attempts: number }>(
        `SELECT status, attempts FROM whatsapp_inbox WHERE message_id = 'wamid.late-1'`,
      );
      expect(row.rows[0]).toMatchObject({ status: 'pending', attempts: 1 });
      fake.media.set('media-late-1', { bytes: PNG, mime: 'image/png' });
      await ctx.testDb.db.query(`UPDATE whatsapp_inbox SET next_attempt_at = now() WHERE message_id = 'wamid.late-1'`);
      const before = fake.calls.length;
      await run(ctx);
      await run(ctx);
      const acks = fake.calls.slice(before).filter((c) => c.method === 'POST' && c.body.to === from);
      expect(acks.map(shownText)).toEqual([
        expect.stringMatching(/^Screenshot received — Rules Kirana will confirm your payment for order #\d+\.$/),
      ]);
      const proofs = await ctx.testDb.db.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM payment_proofs p JOIN orders o ON o.id = p.order_id
          WHERE o.customer->>'phone' = $1`,
        [`+${from}`],
      );
      expect(proofs.rows[0]!.n).toBe(1);
    } finally {
      await owner.api.patch(base, { payments: { cod: true, upiVpa: null } });
    }
  });
});

describe('what the customer typed', () => {
  it('is never echoed as links, markup or long text: only short words of letters and digits', async ({ ctx, fake }) => {
    const from = '919800066006';
    const reply = await say(fake, ctx, from, {
      text: '1 <b>FREE</b> https://evil.example/pay?x=1, 2 pay now to upi://pay?pa=thief@bank, 3 parle g',
    });
    expect(reply).toContain('1. Parle-G Biscuit × 3');
    const found = /I couldn't find: (.*)/.exec(reply)![1]!;
    expect(found).not.toMatch(/[<>/:?=@.]/);
    for (const word of found.split(', ')) expect(word.length).toBeLessThanOrEqual(30);
    expect(reply).not.toContain('evil.example');
    expect(reply).not.toContain('thief@bank');
  });
});
