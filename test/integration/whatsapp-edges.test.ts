/**
 * The webhook and the bot at their edges, as Meta's Cloud API calls them: what is logged, signatures, sizes, odd
 * shapes, failing media and sends, and which store a message on the shared number is for.
 */
import { Writable } from 'node:stream';
import { describe, expect } from 'vitest';
import { buildApp } from '../../src/app.js';
import { merchantWithStore, type TestContext } from '../helpers/app.js';
import { countedDb } from '../helpers/db.js';
import { whatsappTest } from '../helpers/fixture.js';
import { shownText, type FakeWhatsApp } from '../helpers/fake-whatsapp.js';
import { processInboxOnce } from '../../src/whatsapp/inbox.js';
import { claimInbox } from '../../src/whatsapp/whatsapp.repo.js';
import { handleInboxRow, StaleClaimError } from '../../src/whatsapp/whatsapp.service.js';
import { whatsappChannel } from '../../src/notify/channels.js';
import { postWebhook, webhookPayload } from '../helpers/whatsapp-webhook.js';

const SECRET = 'edges-app-secret';
const VERIFY = 'edges-verify-token-0d1e';
const SHARED = '100000000000071';
/** A 1×1 PNG: a picture the payment-proof upload takes. */
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==',
  'base64',
);

const it = whatsappTest((fake) => ({
  whatsapp: { apiUrl: fake.url, token: 'edges-graph-token', phoneNumberId: SHARED },
  whatsappAppSecret: SECRET,
  whatsappVerifyToken: VERIFY,
}));

let owner: Awaited<ReturnType<typeof merchantWithStore>>;

it.beforeAll(async ({ ctx }) => {
  owner = await merchantWithStore(ctx, { name: 'Edge Kirana', slug: 'edge-kirana' });
  await owner.api.post(`/api/v1/stores/${owner.store.id}/products`, { name: 'Tata Salt 1 kg', price: 2800 });
}, 180_000);

describe('logs', () => {
  it('the verification token in the query string never reaches the request log', async ({ ctx }) => {
    const lines: string[] = [];
    const stream = new Writable({
      write(chunk: Buffer, _enc, done) {
        lines.push(chunk.toString('utf8'));
        done();
      },
    });
    const app = await buildApp({ config: ctx.config, db: ctx.testDb.db, logger: { level: 'info', stream } });
    try {
      const res = await app.inject({
        url: `/webhooks/whatsapp?hub.mode=subscribe&hub.verify_token=${VERIFY}&hub.challenge=77`,
      });
      expect(res.body).toBe('77');
    } finally {
      await app.close();
    }
    const log = lines.join('');
    expect(log).toContain('hub.verify_token=[redacted]&hub.challenge=77');
    expect(log).not.toContain(VERIFY);
  });
});

const inboxIds = async (ctx: TestContext) =>
  (await ctx.testDb.db.query<{ message_id: string }>(`SELECT message_id FROM whatsapp_inbox`)).rows.map(
    (r) => r.message_id,
  );

describe('sizes', () => {
  it('a delivery of 2.5 MB (Meta sends up to 3 MB) is stored, not refused with 413', async ({ ctx }) => {
    const payload = webhookPayload({ phoneNumberId: SHARED, from: '919870000001', id: 'wamid.big-1', text: 'hi' });
    const value = payload.entry[0]!.changes[0]!.value;
    const base = value.messages[0]!;
    // 600 messages of 4,096 characters each (WhatsApp's longest text), from 600 customers: about 2.5 MB.
    value.messages = Array.from({ length: 600 }, (_, i) => ({
      ...base,
      id: `wamid.big-${i}`,
      from: `9198700${String(10000 + i)}`,
      text: { body: 'a'.repeat(4096) },
    }));
    const body = JSON.stringify(payload);
    expect(body.length).toBeGreaterThan(2_400_000);
    const res = await postWebhook(ctx.app, body, SECRET);
    expect(res.status).toBe(200);
    expect(JSON.parse(res.body)).toEqual({ received: 600 });
    expect((await inboxIds(ctx)).filter((id) => id.startsWith('wamid.big-'))).toHaveLength(600);
    // Not answered here: the later tests' worker rounds take the oldest pending messages first.
    await ctx.testDb.db.query(`UPDATE whatsapp_inbox SET status = 'skipped' WHERE message_id LIKE 'wamid.big-%'`);
  });

  it("a delivery's messages are stored in one statement, each id once, in their order", async ({ ctx }) => {
    const { counted, sql } = countedDb(ctx.testDb.db);
    const app = await buildApp({ config: ctx.config, db: counted, logger: false });
    try {
      const payload = webhookPayload({ phoneNumberId: SHARED, from: '919870000003', id: 'wamid.batch-0', text: 'a' });
      const value = payload.entry[0]!.changes[0]!.value;
      const first = value.messages[0]!;
      value.messages = ['wamid.batch-0', 'wamid.batch-1', 'wamid.batch-0', 'wamid.batch-2'].map((id, i) => ({
        ...first,
        id,
        text: { body: `m${i}` },
      }));
      const res = await postWebhook(app, payload, SECRET);
      expect(JSON.parse(res.body)).toEqual({ received: 3 });
    } finally {
      await app.close();
    }
    expect(sql.filter((s) => s.includes('INSERT INTO whatsapp_inbox'))).toHaveLength(1);
    const stored = await ctx.testDb.db.query<{ message_id: string; body: string }>(
      `SELECT message_id, message -> 'text' ->> 'body' AS body FROM whatsapp_inbox
        WHERE message_id LIKE 'wamid.batch-%' ORDER BY received_at, id`,
    );
    expect(stored.rows).toEqual([
      { message_id: 'wamid.batch-0', body: 'm0' },
      { message_id: 'wamid.batch-1', body: 'm1' },
      { message_id: 'wamid.batch-2', body: 'm3' },
    ]);
    await ctx.testDb.db.query(`UPDATE whatsapp_inbox SET status = 'skipped' WHERE message_id LIKE 'wamid.batch-%'`);
  });

  it('above 3 MB → 413 problem, nothing stored', async ({ ctx }) => {
    const payload = webhookPayload({ phoneNumberId: SHARED, from: '919870000002', id: 'wamid.huge-1', text: 'x' });
    const body = JSON.stringify({ ...payload, padding: 'p'.repeat(3 * 1024 * 1024) });
    const res = await postWebhook(ctx.app, body, SECRET);
    expect(res.status).toBe(413);
    expect(await inboxIds(ctx)).not.toContain('wamid.huge-1');
  });
});

const run = (ctx: TestContext) => processInboxOnce(ctx.testDb.db, ctx.config, whatsappChannel(ctx.config.whatsapp!));
const sentTo = (fake: FakeWhatsApp, phone: string) => fake.sent().filter((c) => c.body.to === phone);
const inboxRow = async (ctx: TestContext, messageId: string) =>
  (
    await ctx.testDb.db.query<{ status: string; last_error: string | null; attempts: number }>(
      `SELECT status, last_error, attempts FROM whatsapp_inbox WHERE message_id = $1`,
      [messageId],
    )
  ).rows[0];

/** A delivery of one raw message object (any shape) to the shared number. */
const rawDelivery = (message: Record<string, unknown>) => {
  const payload = webhookPayload({ phoneNumberId: SHARED, from: String(message.from), text: '' });
  payload.entry[0]!.changes[0]!.value.messages = [message as never];
  return payload;
};

describe('odd message shapes', () => {
  it('a field of the wrong type is read as absent: answered at once, the next message not held up', async ({
    ctx,
    fake,
  }) => {
    const from = '919870000011';
    await postWebhook(ctx.app, webhookPayload({ phoneNumberId: SHARED, from, text: 'ORDER edge-kirana' }), SECRET);
    await run(ctx);
    const at = { from, timestamp: '1700000000' };
    for (const [id, fields] of [
      ['wamid.odd-1', { type: 'text', text: { body: 123 } }],
      ['wamid.odd-2', { type: 'interactive', interactive: { type: 'button_reply', button_reply: { id: 42 } } }],
      ['wamid.odd-3', { type: 'image', image: { id: { a: 1 } } }],
    ] as const)
      expect((await postWebhook(ctx.app, rawDelivery({ ...at, id, ...fields }), SECRET)).status).toBe(200);
    await postWebhook(
      ctx.app,
      webhookPayload({ phoneNumberId: SHARED, from, id: 'wamid.odd-4', text: 'tata salt' }),
      SECRET,
    );
    for (let i = 0; i < 4; i++) await run(ctx);
    for (const id of ['wamid.odd-1', 'wamid.odd-2', 'wamid.odd-3', 'wamid.odd-4'])
      expect(await inboxRow(ctx, id), id).toMatchObject({ status: 'done', attempts: 1 });
    const texts = sentTo(fake, from).map(shownText);
    expect(texts).toHaveLength(5);
    expect(texts.slice(1, 4).every((t) => t.includes('Send your items list'))).toBe(true);
    expect(texts[4]).toContain('Tata Salt 1 kg × 1');
  });

  it('a NUL or a lone surrogate in one message does not refuse the delivery and its other messages', async ({
    ctx,
    fake,
  }) => {
    const from = '919870000013';
    await postWebhook(ctx.app, webhookPayload({ phoneNumberId: SHARED, from, text: 'ORDER edge-kirana' }), SECRET);
    await run(ctx);
    const payload = webhookPayload({ phoneNumberId: SHARED, from, id: 'wamid.nul-1', text: 'tata\u0000salt \ud800' });
    const value = payload.entry[0]!.changes[0]!.value;
    value.messages.push({ ...value.messages[0]!, id: 'wamid.nul-2', text: { body: '2 tata salt' } });
    const res = await postWebhook(ctx.app, payload, SECRET);
    expect(res.status).toBe(200);
    expect(JSON.parse(res.body)).toEqual({ received: 2 });
    await run(ctx);
    await run(ctx);
    expect(await inboxRow(ctx, 'wamid.nul-1')).toMatchObject({ status: 'done' });
    expect(shownText(sentTo(fake, from).at(-1)!)).toContain('Tata Salt 1 kg × 3');
  });

  it('a reaction or a system notice is stored and left unanswered', async ({ ctx, fake }) => {
    const from = '919870000012';
    await postWebhook(ctx.app, webhookPayload({ phoneNumberId: SHARED, from, text: 'ORDER edge-kirana' }), SECRET);
    await run(ctx);
    const at = { from, timestamp: '1700000000' };
    await postWebhook(
      ctx.app,
      rawDelivery({ ...at, id: 'wamid.react-1', type: 'reaction', reaction: { message_id: 'wamid.x', emoji: '👍' } }),
      SECRET,
    );
    await postWebhook(
      ctx.app,
      rawDelivery({
        ...at,
        id: 'wamid.sys-1',
        type: 'system',
        system: { body: 'changed', type: 'user_changed_number' },
      }),
      SECRET,
    );
    await run(ctx);
    await run(ctx);
    expect(sentTo(fake, from)).toHaveLength(1); // the greeting only
    expect(await inboxRow(ctx, 'wamid.react-1')).toMatchObject({ status: 'skipped' });
    expect(await inboxRow(ctx, 'wamid.sys-1')).toMatchObject({ status: 'skipped' });
  });
});

describe('which store, on the shared number', () => {
  it("a lone word that is another store's slug is an item, not a move to that store", async ({ ctx, fake }) => {
    const other = await merchantWithStore(ctx, { name: 'Paneer', slug: 'paneer' });
    await other.api.post(`/api/v1/stores/${other.store.id}/products`, { name: 'Malai Paneer 200 g', price: 9000 });
    await owner.api.post(`/api/v1/stores/${owner.store.id}/products`, { name: 'Amul Paneer 200 g', price: 9500 });
    const from = '919870000021';
    const say = async (text: string) => {
      await postWebhook(ctx.app, webhookPayload({ phoneNumberId: SHARED, from, text }), SECRET);
      await run(ctx);
      return shownText(sentTo(fake, from).at(-1)!);
    };
    expect(await say('ORDER edge-kirana')).toContain('Welcome to Edge Kirana');
    const bill = await say('paneer');
    expect(bill).toContain('Your bill from Edge Kirana');
    expect(bill).toContain('Amul Paneer 200 g × 1');
    // Asked for by name, the other store is taken: the storefront's button sends "ORDER <slug>".
    expect(await say('ORDER paneer')).toContain('Welcome to Paneer');
    expect(await say('ORDER edge-kirana')).toContain('Welcome to Edge Kirana');
    // A shop that does not exist is said to be unknown; the chat stays with its shop and its cart.
    expect(await say('ORDER no-such-shop')).toContain("couldn't find a shop with that code");
    const after = await say('1 tata salt');
    expect(after).toContain('Your bill from Edge Kirana');
    expect(after).toContain('Amul Paneer 200 g × 1');
    expect(after).toContain('Tata Salt 1 kg × 1');
  });
});

describe('the payment screenshot cannot be downloaded', () => {
  it('too large → asked again at once; a lookup failing 5 times → asked again, not dropped', async ({ ctx, fake }) => {
    await owner.api.patch(`/api/v1/stores/${owner.store.id}`, { payments: { cod: false, upiVpa: 'edge@okaxis' } });
    const from = '919870000031';
    const post = (m: Parameters<typeof webhookPayload>[0]) => postWebhook(ctx.app, webhookPayload(m), SECRET);
    for (const text of ['ORDER edge-kirana', '1 tata salt', 'confirm', 'Ravi Kumar, 12 MG Road, Pune 411001']) {
      await post({ phoneNumberId: SHARED, from, text });
      await run(ctx);
    }
    expect(shownText(sentTo(fake, from).at(-2)!)).toContain('Pay ₹28 by UPI');

    // The media lookup says 6 MB: it will never fit the 5 MB proof, so no retry.
    fake.media.set('media-6mb', { bytes: Buffer.alloc(6 * 1024 * 1024), mime: 'image/jpeg' });
    await post({ phoneNumberId: SHARED, from, id: 'wamid.shot-big', image: 'media-6mb' });
    await run(ctx);
    expect(await inboxRow(ctx, 'wamid.shot-big')).toMatchObject({ status: 'done', attempts: 1 });
    expect(shownText(sentTo(fake, from).at(-1)!)).toContain("I couldn't get that picture from WhatsApp");

    // The media endpoint out of reach: retried (the sender's next message waits), and on the last attempt the
    // customer is asked to send it again instead of hearing nothing.
    const unreachable = { ...ctx.config, whatsapp: { ...ctx.config.whatsapp!, apiUrl: 'http://127.0.0.1:9' } };
    await post({ phoneNumberId: SHARED, from, id: 'wamid.shot-down', image: 'media-1' });
    const before = sentTo(fake, from).length;
    for (let i = 0; i < 5; i++) {
      await ctx.testDb.db.query(
        `UPDATE whatsapp_inbox SET next_attempt_at = now() WHERE message_id = 'wamid.shot-down' AND status = 'pending'`,
      );
      await processInboxOnce(ctx.testDb.db, unreachable, whatsappChannel(ctx.config.whatsapp!));
      if (i < 4) expect(sentTo(fake, from)).toHaveLength(before);
    }
    expect(await inboxRow(ctx, 'wamid.shot-down')).toMatchObject({ status: 'done', attempts: 5 });
    expect(sentTo(fake, from)).toHaveLength(before + 1);
    expect(shownText(sentTo(fake, from).at(-1)!)).toContain("I couldn't get that picture from WhatsApp");
  });
});

describe('a screenshot sent as a document', () => {
  it('an image document is the payment proof, checked by content like a photo; a PDF is not', async ({ ctx, fake }) => {
    await owner.api.patch(`/api/v1/stores/${owner.store.id}`, { payments: { cod: false, upiVpa: 'edge@okaxis' } });
    const from = '919870000032';
    for (const text of ['ORDER edge-kirana', '1 tata salt', 'confirm', 'Ravi Kumar, 12 MG Road, Pune 411001']) {
      await postWebhook(ctx.app, webhookPayload({ phoneNumberId: SHARED, from, text }), SECRET);
      await run(ctx);
    }
    expect(shownText(sentTo(fake, from).at(-2)!)).toContain('Pay ₹28 by UPI');
    const paymentStatus = async () =>
      (
        await ctx.testDb.db.query<{ payment_status: string }>(
          `SELECT payment_status FROM orders WHERE customer ->> 'phone' = $1`,
          [`+${from}`],
        )
      ).rows[0]?.payment_status;
    const sendDocument = async (id: string, media: string, mime: string) => {
      const document = { id: media, mime_type: mime, filename: 'payment', sha256: 'x' };
      await postWebhook(
        ctx.app,
        rawDelivery({ from, id, timestamp: '1700000000', type: 'document', document }),
        SECRET,
      );
      await run(ctx);
      expect(await inboxRow(ctx, id)).toMatchObject({ status: 'done' });
      return shownText(sentTo(fake, from).at(-1)!);
    };
    fake.media.set('doc-pdf', { bytes: Buffer.from('%PDF-1.4 receipt'), mime: 'application/pdf' });
    expect(await sendDocument('wamid.doc-pdf', 'doc-pdf', 'application/pdf')).toContain('Send your items list');
    // Said to be an image, but is not one: the upload's own check by content refuses it.
    fake.media.set('doc-fake', { bytes: Buffer.from('not a picture at all'), mime: 'image/webp' });
    expect(await sendDocument('wamid.doc-fake', 'doc-fake', 'image/webp')).toContain('as a JPEG or PNG image');
    expect(await paymentStatus()).toBe('pending');
    fake.media.set('doc-png', { bytes: PNG, mime: 'image/png' });
    expect(await sendDocument('wamid.doc-png', 'doc-png', 'image/png')).toContain('Screenshot received');
    expect(await paymentStatus()).toBe('proof_submitted');
  });
});

describe('exactly once', () => {
  it('a worker whose lease ran out (the row claimed again) sends no reply of its own', async ({ ctx, fake }) => {
    const from = '919870000041';
    await postWebhook(
      ctx.app,
      webhookPayload({ phoneNumberId: SHARED, from, id: 'wamid.lease-1', text: 'hi' }),
      SECRET,
    );
    const [slow] = (await claimInbox(ctx.testDb.db, 50, 60)).filter((r) => r.message_id === 'wamid.lease-1');
    expect(slow).toBeDefined();
    // The slow worker's lease ran out and another worker claimed the row (attempts is the claim token).
    await ctx.testDb.db.query(
      `UPDATE whatsapp_inbox SET attempts = attempts + 1, next_attempt_at = now() + interval '60 seconds'
        WHERE message_id = 'wamid.lease-1'`,
    );
    await expect(handleInboxRow(ctx.testDb.db, ctx.config, slow!)).rejects.toBeInstanceOf(StaleClaimError);
    const queued = await ctx.testDb.db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM outbox WHERE payload::jsonb -> 'data' ->> 'inbox' = 'wamid.lease-1'`,
    );
    expect(queued.rows[0]!.n).toBe(0);
    // The current claim (here: its lease run out too, and the row taken by the normal worker) answers it, once.
    await ctx.testDb.db.query(`UPDATE whatsapp_inbox SET next_attempt_at = now() WHERE message_id = 'wamid.lease-1'`);
    await run(ctx);
    expect(sentTo(fake, from)).toHaveLength(1);
    expect(await inboxRow(ctx, 'wamid.lease-1')).toMatchObject({ status: 'done' });
  });
});

describe('verification', () => {
  it('anything but one right token and a challenge → 403 problem (never 400), the token unset → 403', async ({
    ctx,
  }) => {
    for (const query of [
      `hub.mode=subscribe&hub.verify_token=${VERIFY}&hub.verify_token=other&hub.challenge=1`,
      `hub.mode=subscribe&hub.verify_token=${VERIFY}&hub.challenge=1&hub.challenge=2`,
      `hub.mode=subscribe&hub.verify_token=${'x'.repeat(600)}&hub.challenge=1`,
      `hub.mode=subscribe&hub.verify_token=${VERIFY}`,
      `hub.mode=SUBSCRIBE&hub.verify_token=${VERIFY}&hub.challenge=1`,
      'hub.challenge=1',
    ]) {
      const res = await ctx.app.inject({ url: `/webhooks/whatsapp?${query}` });
      expect(res.statusCode, query).toBe(403);
      expect(res.headers['content-type']).toContain('application/problem+json');
    }
    const unset = await buildApp({
      config: { ...ctx.config, whatsappVerifyToken: null },
      db: ctx.testDb.db,
      logger: false,
    });
    try {
      const res = await unset.inject({
        url: '/webhooks/whatsapp?hub.mode=subscribe&hub.verify_token=&hub.challenge=1',
      });
      expect(res.statusCode).toBe(403);
    } finally {
      await unset.close();
    }
  });
});

describe('an order sent from the WhatsApp catalog', () => {
  it("adds its products by SKU (or variant id) to the chat's cart and answers the bill", async ({ ctx, fake }) => {
    const atta = await owner.api.post(`/api/v1/stores/${owner.store.id}/products`, {
      name: 'Aashirvaad Atta 5 kg',
      price: 24500,
      sku: 'ATTA-5KG',
    });
    expect(atta.status).toBe(201);
    const ghee = await owner.api.post(`/api/v1/stores/${owner.store.id}/products`, {
      name: 'Amul Ghee 1 l',
      price: 62000,
    });
    const gheeVariant = String(ghee.body.variants[0].id);
    const from = '919870000051';
    await postWebhook(ctx.app, webhookPayload({ phoneNumberId: SHARED, from, text: 'ORDER edge-kirana' }), SECRET);
    await run(ctx);
    const order = {
      from,
      id: 'wamid.catalog-1',
      timestamp: '1700000000',
      type: 'order',
      order: {
        catalog_id: '194836987003835',
        text: 'please deliver by evening',
        product_items: [
          { product_retailer_id: 'ATTA-5KG', quantity: 2, item_price: 245, currency: 'INR' },
          { product_retailer_id: gheeVariant, quantity: 1, item_price: 620, currency: 'INR' },
          { product_retailer_id: 'NOT-IN-SHOP', quantity: 1, item_price: 10, currency: 'INR' },
        ],
      },
    };
    expect((await postWebhook(ctx.app, rawDelivery(order), SECRET)).status).toBe(200);
    await run(ctx);
    const bill = shownText(sentTo(fake, from).at(-1)!);
    expect(bill).toContain('Your bill from Edge Kirana');
    expect(bill).toContain('Aashirvaad Atta 5 kg × 2 — ₹490');
    expect(bill).toContain('Amul Ghee 1 l × 1 — ₹620');
    expect(bill).toContain("I couldn't find: NOTINSHOP");
  });
});

describe('language', () => {
  it('a customer who greeted in Hindi is answered in Hindi after the pre-filled "ORDER <slug>"', async ({
    ctx,
    fake,
  }) => {
    const from = '919870000061';
    await postWebhook(ctx.app, webhookPayload({ phoneNumberId: SHARED, from, text: 'नमस्ते' }), SECRET);
    await run(ctx);
    expect(shownText(sentTo(fake, from).at(-1)!)).toContain('आप किस दुकान से ऑर्डर करना चाहते हैं');
    await postWebhook(ctx.app, webhookPayload({ phoneNumberId: SHARED, from, text: 'ORDER edge-kirana' }), SECRET);
    await run(ctx);
    expect(shownText(sentTo(fake, from).at(-1)!)).toContain('Edge Kirana में आपका स्वागत है');
  });
});
