/**
 * The owner's side of chat orders in the dashboard: an order placed in the WhatsApp chat shows its source
 * "WhatsApp" in the orders list and on the order, a storefront order does not; the bot switch in the settings
 * (owner only) turns the bot off and on again.
 */
import { describe, expect } from 'vitest';
import { client, uniquePhone, type Client, type TestContext } from '../helpers/app.js';
import { whatsappTest } from '../helpers/fixture.js';
import { shownText, type FakeWhatsApp } from '../helpers/fake-whatsapp.js';
import { postWebhook, webhookPayload } from '../helpers/whatsapp-webhook.js';
import { processInboxOnce } from '../../src/whatsapp/inbox.js';
import { whatsappChannel } from '../../src/notify/channels.js';
import type { WebClient } from '../helpers/web-client.js';
import { ownerWithShop, sessionToken, signInWithForms } from './web-dashboard.helpers.js';

const SECRET = 'dash-secret';
const OWN_ID = '200000000000088';
const CUSTOMER = '919811100088';

const it = whatsappTest((fake) => ({
  whatsapp: { apiUrl: fake.url, token: 't', phoneNumberId: '100000000000088' },
  whatsappAppSecret: SECRET,
  whatsappVerifyToken: 'v',
}));

let owner: WebClient;
let api: Client;
let storeId = '';
let base = '';
let slug = '';
let riceVariant = '';

it.beforeAll(async ({ ctx }) => {
  ({ browser: owner, storeId, base } = await ownerWithShop(ctx, 'Chat Shop'));
  api = client(ctx.app, sessionToken(owner));
  slug = (await api.get(`/api/v1/stores/${storeId}`)).body.slug;
  expect((await api.patch(`/api/v1/stores/${storeId}`, { whatsappPhoneNumberId: OWN_ID })).status).toBe(200);
  riceVariant = (await api.post(`/api/v1/stores/${storeId}/products`, { name: 'Sona Masoori Rice', price: 6000 })).body
    .variants[0].id;
}, 180_000);

async function chat(fake: FakeWhatsApp, ctx: TestContext, text: string): Promise<string[]> {
  const before = fake.calls.length;
  expect(
    (await postWebhook(ctx.app, webhookPayload({ phoneNumberId: OWN_ID, from: CUSTOMER, text }), SECRET)).status,
  ).toBe(200);
  await processInboxOnce(ctx.testDb.db, ctx.config, whatsappChannel(ctx.config.whatsapp!));
  return fake.calls
    .slice(before)
    .filter((c) => c.body.to === CUSTOMER)
    .map(shownText);
}

describe('chat orders in the dashboard', () => {
  it('show the source "WhatsApp" (and "API") in the list and on the order', async ({ ctx, fake }) => {
    const anon = client(ctx.app);
    const cart = await anon.post(`/api/v1/storefront/${slug}/carts`);
    await anon.put(`/api/v1/storefront/${slug}/carts/${cart.body.id}/lines/${riceVariant}`, { quantity: 1 });
    const web = await anon.post(`/api/v1/storefront/${slug}/carts/${cart.body.id}/checkout`, {
      customer: {
        name: 'Web Buyer',
        phone: '+919812345678',
        address: { line1: '1 A St', city: 'Pune', pincode: '411001' },
      },
      paymentMethod: 'cod',
    });
    expect(web.status, web.text).toBe(201);

    expect((await chat(fake, ctx, '2 rice')).join()).toContain('1. Sona Masoori Rice × 2 — ₹120');
    expect((await chat(fake, ctx, 'confirm')).join()).toContain('delivery address');
    const placed = (await chat(fake, ctx, 'Meena Shah, 4 Park Street, Kolkata 700016')).join();
    expect(placed).toContain('Order #2 placed with Chat Shop');

    const list = await owner.get(`${base}/orders`);
    expect(list.status).toBe(200);
    const rows = [...list.body.matchAll(/<li class="line" data-testid="order-row"[\s\S]*?<\/li>/g)].map((m) => m[0]);
    expect(rows).toHaveLength(2);
    expect(rows[0]).toContain('#2 · Meena Shah');
    expect(rows[0]).toContain('<span class="badge" data-testid="order-source">WhatsApp</span>');
    // Placed through the API (the storefront's pages would make it 'web', without a badge: web-storefront.test.ts).
    expect(rows[1]).toContain('#1 · Web Buyer');
    expect(rows[1]).toContain('<span class="badge" data-testid="order-source">API</span>');

    const orders = (await api.get(`/api/v1/stores/${storeId}/orders`)).body.items;
    expect(orders.map((o: { source: string }) => o.source)).toEqual(['whatsapp', 'api']);
    const detail = await owner.get(`${base}/orders/${orders[0].id}`);
    expect(detail.body).toMatch(
      /Order #2 <span[^>]*>Placed<\/span> <span class="badge" data-testid="order-source">WhatsApp/,
    );
    expect(detail.body).toContain('in the WhatsApp chat');
    const apiDetail = await owner.get(`${base}/orders/${orders[1].id}`);
    expect(apiDetail.body).toMatch(
      /Order #1 <span[^>]*>Placed<\/span> <span class="badge" data-testid="order-source">API/,
    );
  });
});

describe('the bot switch in the settings', () => {
  it('the owner turns the bot off (messages go unanswered) and on again; staff do not see it', async ({
    ctx,
    fake,
  }) => {
    const url = `${base}/settings`;
    const form = await owner.get(url);
    expect(form.body).toMatch(/<input id="[^"]*" type="checkbox" name="whatsappBot" value="1" checked/);
    expect(form.body).toContain('data-testid="whatsapp-connected"');
    const settings = { name: 'Chat Shop', isOpen: '1', cod: '1', fee: '0', whatsappBotShown: '1' };
    const off = await owner.post(url, settings);
    expect([off.status, off.location]).toEqual([303, url]);
    expect((await api.get(`/api/v1/stores/${storeId}`)).body.whatsappBot).toBe(false);
    expect(await chat(fake, ctx, 'hi')).toEqual([]);

    expect((await owner.post(url, { ...settings, whatsappBot: '1' }, { from: url })).status).toBe(303);
    expect((await api.get(`/api/v1/stores/${storeId}`)).body.whatsappBot).toBe(true);
    expect((await chat(fake, ctx, 'hi')).join()).toContain('Welcome to Chat Shop');

    // Staff: no switch on the page, and a forged field changes nothing.
    const staffPhone = uniquePhone();
    expect((await api.post(`/api/v1/stores/${storeId}/members`, { phone: staffPhone, role: 'staff' })).status).toBe(
      201,
    );
    const staff = await signInWithForms(ctx, staffPhone);
    const staffForm = await staff.get(url);
    expect(staffForm.status).toBe(200);
    expect(staffForm.body).not.toContain('name="whatsappBot"');
    await staff.post(url, { ...settings, whatsappBot: '' });
    expect((await api.get(`/api/v1/stores/${storeId}`)).body.whatsappBot).toBe(true);
  });
});
