/**
 * The webhook and the bot at their edges, as Meta's Cloud API calls them: what is logged, signatures, sizes, odd
 * shapes, failing media and sends, and which store a message on the shared number is for.
 */
import { Writable } from 'node:stream';
import { describe, expect } from 'vitest';
import { buildApp } from '../../src/app.js';
import { merchantWithStore, type TestContext } from '../helpers/app.js';
import { whatsappTest } from '../helpers/fixture.js';
import { postWebhook, webhookPayload } from '../helpers/whatsapp-webhook.js';

const SECRET = 'edges-app-secret';
const VERIFY = 'edges-verify-token-0d1e';
const SHARED = '100000000000071';

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
  });

  it('above 3 MB → 413 problem, nothing stored', async ({ ctx }) => {
    const payload = webhookPayload({ phoneNumberId: SHARED, from: '919870000002', id: 'wamid.huge-1', text: 'x' });
    const body = JSON.stringify({ ...payload, padding: 'p'.repeat(3 * 1024 * 1024) });
    const res = await postWebhook(ctx.app, body, SECRET);
    expect(res.status).toBe(413);
    expect(await inboxIds(ctx)).not.toContain('wamid.huge-1');
  });
});
