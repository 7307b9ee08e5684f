/** The webhook's security and robustness: verification, signatures, replays, unknown stores, malformed payloads. */
import { describe, expect } from 'vitest';
import { merchantWithStore, type TestContext } from '../helpers/app.js';
import { whatsappTest } from '../helpers/fixture.js';
import { shownText, type FakeWhatsApp } from '../helpers/fake-whatsapp.js';
import { postWebhook, sign, webhookPayload } from '../helpers/whatsapp-webhook.js';
import { processInboxOnce, startInboxWorker } from '../../src/whatsapp/inbox.js';
import { whatsappChannel } from '../../src/notify/channels.js';

const SECRET = 'webhook-secret';
const SHARED = '100000000000009';
const OWN = '200000000000009';

const it = whatsappTest((fake) => ({
  whatsapp: { apiUrl: fake.url, token: 't', phoneNumberId: SHARED },
  whatsappAppSecret: SECRET,
  whatsappVerifyToken: 'verify-me',
  whatsappRatePerMinute: 4,
}));

let owner: Awaited<ReturnType<typeof merchantWithStore>>;

it.beforeAll(async ({ ctx }) => {
  owner = await merchantWithStore(ctx, { name: 'Verma Store', slug: 'verma-store' });
  await owner.api.post(`/api/v1/stores/${owner.store.id}/products`, { name: 'Tata Salt 1 kg', price: 2800 });
}, 180_000);

const inbox = async (ctx: TestContext) =>
  (
    await ctx.testDb.db.query<{ message_id: string; status: string; last_error: string | null }>(
      `SELECT message_id, status, last_error FROM whatsapp_inbox ORDER BY received_at, id`,
    )
  ).rows;
const run = (ctx: TestContext) => processInboxOnce(ctx.testDb.db, ctx.config, whatsappChannel(ctx.config.whatsapp!));
const sentTo = (fake: FakeWhatsApp, phone: string) => fake.sent().filter((c) => c.body.to === phone);

describe('verification handshake', () => {
  it('echoes hub.challenge for the right token, 403 otherwise', async ({ ctx }) => {
    const ok = await ctx.app.inject({
      url: '/webhooks/whatsapp?hub.mode=subscribe&hub.verify_token=verify-me&hub.challenge=1158201444',
    });
    expect(ok.statusCode).toBe(200);
    expect(ok.body).toBe('1158201444');
    for (const query of [
      'hub.mode=subscribe&hub.verify_token=wrong&hub.challenge=1',
      'hub.mode=unsubscribe&hub.verify_token=verify-me&hub.challenge=1',
      '',
    ]) {
      const res = await ctx.app.inject({ url: `/webhooks/whatsapp?${query}` });
      expect(res.statusCode).toBe(403);
      expect(res.headers['content-type']).toContain('application/problem+json');
    }
  });
});

describe('signatures', () => {
  it('a bad or missing X-Hub-Signature-256 → 401 and nothing stored', async ({ ctx }) => {
    const payload = webhookPayload({ phoneNumberId: SHARED, from: '919811111111', text: 'hi' });
    const body = JSON.stringify(payload);
    expect((await postWebhook(ctx.app, payload, SECRET, null)).status).toBe(401);
    expect((await postWebhook(ctx.app, payload, SECRET, sign(body, 'other-secret'))).status).toBe(401);
    expect((await postWebhook(ctx.app, payload, SECRET, 'sha256=abc')).status).toBe(401);
    expect((await postWebhook(ctx.app, payload, SECRET, sign(`${body} `, SECRET))).status).toBe(401);
    expect(await inbox(ctx)).toEqual([]);
  });
});

describe('replays and routing', () => {
  it('the same message id twice → stored once, answered once', async ({ ctx, fake }) => {
    const payload = webhookPayload({ phoneNumberId: OWN, from: '919822222222', id: 'wamid.replay-1', text: 'hi' });
    await owner.api.patch(`/api/v1/stores/${owner.store.id}/whatsapp`, { phoneNumberId: OWN });
    const first = await postWebhook(ctx.app, payload, SECRET);
    const again = await postWebhook(ctx.app, payload, SECRET);
    expect([first.status, again.status]).toEqual([200, 200]);
    expect(JSON.parse(first.body)).toEqual({ received: 1 });
    expect(JSON.parse(again.body)).toEqual({ received: 0 });
    await run(ctx);
    await postWebhook(ctx.app, payload, SECRET); // after processing, too
    await run(ctx);
    const replies = sentTo(fake, '919822222222');
    expect(replies).toHaveLength(1);
    expect(replies[0]!.path).toBe(`/${OWN}/messages`);
    expect(shownText(replies[0]!)).toContain('Welcome to Verma Store');
  });

  it('a shared number without a store → "which shop?"; ORDER <slug> picks the store', async ({ ctx, fake }) => {
    const from = '919833333333';
    await postWebhook(ctx.app, webhookPayload({ phoneNumberId: SHARED, from, text: 'hello' }), SECRET);
    await run(ctx);
    await postWebhook(ctx.app, webhookPayload({ phoneNumberId: SHARED, from, text: 'ORDER no-such-shop' }), SECRET);
    await run(ctx);
    await postWebhook(ctx.app, webhookPayload({ phoneNumberId: SHARED, from, text: 'ORDER verma-store' }), SECRET);
    await run(ctx);
    await postWebhook(ctx.app, webhookPayload({ phoneNumberId: SHARED, from, text: '2 tata salt' }), SECRET);
    await run(ctx);
    const texts = sentTo(fake, from).map(shownText);
    expect(texts).toHaveLength(4);
    expect(texts[0]).toContain('Which shop');
    expect(texts[1]).toContain("I couldn't find a shop with that code");
    expect(texts[2]).toContain('Welcome to Verma Store');
    expect(texts[3]).toContain('1. Tata Salt 1 kg × 2 — ₹56');
    expect(sentTo(fake, from).every((c) => c.path === `/${SHARED}/messages`)).toBe(true);
  });

  it('the bot turned off → messages go unanswered (skipped), the owner only', async ({ ctx, fake }) => {
    const off = await owner.api.patch(`/api/v1/stores/${owner.store.id}/whatsapp`, { bot: false });
    expect(off.body).toEqual({ phoneNumberId: OWN, bot: false });
    const from = '919844444444';
    await postWebhook(ctx.app, webhookPayload({ phoneNumberId: OWN, from, id: 'wamid.off-1', text: 'hi' }), SECRET);
    await run(ctx);
    expect(sentTo(fake, from)).toEqual([]);
    expect((await inbox(ctx)).find((r) => r.message_id === 'wamid.off-1')).toMatchObject({
      status: 'skipped',
      last_error: 'bot off',
    });
    await owner.api.patch(`/api/v1/stores/${owner.store.id}/whatsapp`, { bot: true });
    const other = await merchantWithStore(ctx, { name: 'Other' });
    const taken = await other.api.patch(`/api/v1/stores/${other.store.id}/whatsapp`, { phoneNumberId: OWN });
    expect(taken.status).toBe(409);
    const bad = await other.api.patch(`/api/v1/stores/${other.store.id}/whatsapp`, { phoneNumberId: 'abc' });
    expect(bad.status).toBe(400);
    const foreign = await other.api.get(`/api/v1/stores/${owner.store.id}/whatsapp`);
    expect(foreign.status).toBe(404);
  });

  it('a phone sending too fast is answered up to the per-minute limit only', async ({ ctx, fake }) => {
    const from = '919855555555';
    for (let i = 0; i < 7; i++)
      await postWebhook(ctx.app, webhookPayload({ phoneNumberId: OWN, from, text: 'hi' }), SECRET);
    for (let i = 0; i < 7; i++) await run(ctx);
    expect(sentTo(fake, from)).toHaveLength(4);
    const limited = (await inbox(ctx)).filter((r) => r.last_error === 'rate limited');
    expect(limited).toHaveLength(3);
  });
});

describe('malformed payloads', () => {
  it('→ 200 (Meta would retry anything else), nothing stored, nothing sent', async ({ ctx, fake }) => {
    const before = (await inbox(ctx)).length;
    const sentBefore = fake.calls.length;
    const statusOnly = {
      object: 'whatsapp_business_account',
      entry: [
        {
          changes: [
            {
              field: 'messages',
              value: { metadata: { phone_number_id: OWN }, statuses: [{ id: 'wamid.x', status: 'delivered' }] },
            },
          ],
        },
      ],
    };
    for (const body of [
      'not json at all',
      '{}',
      '[]',
      'null',
      JSON.stringify({ entry: 'x' }),
      JSON.stringify({ entry: [{ changes: [{ field: 'messages', value: { messages: [{ id: 1 }] } }] }] }),
      JSON.stringify({ entry: [{ changes: [{ field: 'messages', value: { metadata: { phone_number_id: '1' } } }] }] }),
      JSON.stringify(statusOnly),
    ]) {
      const res = await postWebhook(ctx.app, body, SECRET);
      expect(res.status, body).toBe(200);
    }
    expect((await inbox(ctx)).length).toBe(before);
    expect(fake.calls.length).toBe(sentBefore);
  });
});

describe('the worker loop', () => {
  it('answers after the webhook has answered 200, with no manual step', async ({ ctx, fake }) => {
    const worker = startInboxWorker(
      ctx.testDb.db,
      { ...ctx.config, whatsappPollMs: 50 },
      ctx.app.log,
      whatsappChannel(ctx.config.whatsapp!),
    );
    try {
      const from = '919866666666';
      const res = await postWebhook(ctx.app, webhookPayload({ phoneNumberId: OWN, from, text: 'tata salt' }), SECRET);
      expect(res.status).toBe(200);
      const deadline = Date.now() + 10_000;
      while (sentTo(fake, from).length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      expect(shownText(sentTo(fake, from)[0]!)).toContain('Tata Salt 1 kg × 1');
    } finally {
      await worker.stop();
    }
  });
});
