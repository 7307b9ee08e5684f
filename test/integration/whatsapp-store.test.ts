/**
 * The store's side of WhatsApp ordering: the connected number on PATCH /stores/{id} (owner only), the storefront's
 * "Order on WhatsApp" link (JSON and pages), and the chat's cart continued on the storefront.
 */
import { describe, expect } from 'vitest';
import { merchantWithStore, signIn, uniquePhone, type TestContext } from '../helpers/app.js';
import { whatsappTest } from '../helpers/fixture.js';
import { shownText } from '../helpers/fake-whatsapp.js';
import { postWebhook, webhookPayload } from '../helpers/whatsapp-webhook.js';
import { processInboxOnce } from '../../src/whatsapp/inbox.js';
import { whatsappChannel } from '../../src/notify/channels.js';

const SECRET = 'store-test-secret';
const SHARED_ID = '100000000000077';
const OWN_ID = '200000000000077';

const it = whatsappTest((fake) => ({
  whatsapp: { apiUrl: fake.url, token: 't', phoneNumberId: SHARED_ID },
  whatsappAppSecret: SECRET,
  whatsappVerifyToken: 'v',
  whatsappNumber: '15550783881',
}));

let owner: Awaited<ReturnType<typeof merchantWithStore>>;
let staff: Awaited<ReturnType<typeof signIn>>;
let base = '';

it.beforeAll(async ({ ctx }) => {
  owner = await merchantWithStore(ctx, { name: 'Gupta Kirana', slug: 'gupta-kirana', whatsapp: '+919876500001' });
  base = `/api/v1/stores/${owner.store.id}`;
  const staffPhone = uniquePhone();
  expect((await owner.api.post(`${base}/members`, { phone: staffPhone, role: 'staff' })).status).toBe(201);
  staff = await signIn(ctx, staffPhone);
  await owner.api.post(`${base}/products`, { name: 'Tata Salt 1 kg', price: 2800, stock: 50 });
}, 180_000);

const publicStore = async (ctx: TestContext) =>
  (await ctx.app.inject({ url: '/api/v1/storefront/gupta-kirana' })).json();

describe('the connected number on PATCH /stores/{id}', () => {
  it('the owner sets whatsappPhoneNumberId and whatsappBot; Store shows them; staff get 403', async () => {
    const fresh = await owner.api.get(base);
    expect(fresh.body).toMatchObject({ whatsappPhoneNumberId: null, whatsappBot: true });

    const denied = await staff.api.patch(base, { whatsappPhoneNumberId: OWN_ID });
    expect(denied.status).toBe(403);
    expect(denied.body.code).toBe('forbidden');
    expect((await staff.api.patch(base, { whatsappBot: false })).status).toBe(403);
    expect((await staff.api.patch(base, { name: 'Gupta Kirana' })).status).toBe(200); // the rest stays staff's
    expect((await owner.api.get(base)).body.whatsappPhoneNumberId).toBeNull();

    const set = await owner.api.patch(base, { whatsappPhoneNumberId: OWN_ID });
    expect(set.status, set.text).toBe(200);
    expect(set.body).toMatchObject({ whatsappPhoneNumberId: OWN_ID, whatsappBot: true });
    // The same setting the WhatsApp settings endpoint shows.
    expect((await owner.api.get(`${base}/whatsapp`)).body).toEqual({ phoneNumberId: OWN_ID, bot: true });
  });

  it('refuses a malformed id (400) and one connected to another store (409)', async ({ ctx }) => {
    expect((await owner.api.patch(base, { whatsappPhoneNumberId: '12ab' })).status).toBe(400);
    expect((await owner.api.patch(base, { whatsappPhoneNumberId: '' })).status).toBe(400);
    const other = await merchantWithStore(ctx, { name: 'Other Shop' });
    const taken = await other.api.patch(`/api/v1/stores/${other.store.id}`, { whatsappPhoneNumberId: OWN_ID });
    expect(taken.status).toBe(409);
    expect(taken.body.code).toBe('conflict');
  });

  it("messages to the connected number are that store's", async ({ ctx, fake }) => {
    const from = '919877700001';
    await postWebhook(ctx.app, webhookPayload({ phoneNumberId: OWN_ID, from, text: 'hi' }), SECRET);
    await processInboxOnce(ctx.testDb.db, ctx.config, whatsappChannel(ctx.config.whatsapp!));
    const sent = fake.sent().filter((c) => c.body.to === from);
    expect(sent.map((c) => c.path)).toEqual([`/${OWN_ID}/messages`]);
    expect(shownText(sent[0]!)).toContain('Welcome to Gupta Kirana');
  });
});

describe('"Order on WhatsApp"', () => {
  it("links to the store's own number with the store code; the shared number without one; none when off", async ({
    ctx,
  }) => {
    expect((await publicStore(ctx)).whatsappOrderUrl).toBe('https://wa.me/919876500001?text=ORDER%20gupta-kirana');
    expect(JSON.stringify(await publicStore(ctx))).not.toContain(OWN_ID); // the Cloud API id stays the owner's

    await owner.api.patch(base, { whatsappPhoneNumberId: null });
    expect((await publicStore(ctx)).whatsappOrderUrl).toBe('https://wa.me/15550783881?text=ORDER%20gupta-kirana');

    await owner.api.patch(base, { whatsappBot: false });
    expect((await publicStore(ctx)).whatsappOrderUrl).toBeNull();
    await owner.api.patch(base, { whatsappBot: true });
  });

  it('the store page and the product page show it as a button', async ({ ctx }) => {
    const home = await ctx.app.inject({ url: '/gupta-kirana' });
    expect(home.statusCode).toBe(200);
    const button = new RegExp(
      '<a class="btn secondary" href="https://wa\\.me/15550783881\\?text=ORDER%20gupta-kirana" rel="noopener" ' +
        'data-testid="order-on-whatsapp">Order on WhatsApp</a>',
    );
    expect(home.body).toMatch(button);
    const product = await ctx.app.inject({ url: '/gupta-kirana/p/tata-salt-1-kg' });
    expect(product.statusCode).toBe(200);
    expect(product.body).toMatch(button);
    const hindi = await ctx.app.inject({ url: '/gupta-kirana?lang=hi' });
    expect(hindi.body).toContain('WhatsApp पर ऑर्डर करें');
  });

  it('the store code opens the chat with that store on the shared number', async ({ ctx, fake }) => {
    const from = '919877700002';
    await postWebhook(ctx.app, webhookPayload({ phoneNumberId: SHARED_ID, from, text: 'ORDER gupta-kirana' }), SECRET);
    await processInboxOnce(ctx.testDb.db, ctx.config, whatsappChannel(ctx.config.whatsapp!));
    const sent = fake.sent().filter((c) => c.body.to === from);
    expect(sent).toHaveLength(1);
    expect(shownText(sent[0]!)).toContain('Welcome to Gupta Kirana');
  });
});

describe("the chat's cart on the storefront", () => {
  it('the link in the bill opens the same cart; changes on either side show on the other', async ({ ctx, fake }) => {
    const from = '919877700003';
    const say = async (text: string) => {
      const before = fake.calls.length;
      await postWebhook(ctx.app, webhookPayload({ phoneNumberId: SHARED_ID, from, text }), SECRET);
      await processInboxOnce(ctx.testDb.db, ctx.config, whatsappChannel(ctx.config.whatsapp!));
      return fake.calls
        .slice(before)
        .filter((c) => c.body.to === from)
        .map(shownText)
        .join('\n');
    };
    await say('ORDER gupta-kirana');
    const bill = await say('3 tata salt');
    expect(bill).toContain('1. Tata Salt 1 kg × 3 — ₹84');
    const link = /See or change this cart on the website: (\S+)/.exec(bill)![1]!;
    const path = new URL(link).pathname;
    expect(path).toMatch(/^\/gupta-kirana\/c\/[0-9a-f-]{36}$/);

    // Opened in a browser: the cart cookie is set to the chat's cart and the cart page shows its lines.
    const opened = await ctx.app.inject({ url: path });
    expect(opened.statusCode).toBe(303);
    expect(opened.headers.location).toBe('/gupta-kirana/cart');
    const cookie = opened.cookies.find((c) => c.name === 'cart')!;
    expect(cookie.value).toBe(path.split('/').pop());
    const page = await ctx.app.inject({ url: '/gupta-kirana/cart', cookies: { cart: cookie.value } });
    expect(page.body).toContain('Tata Salt 1 kg');
    expect(page.body).toContain('₹84');

    // Changed on the storefront (the same cart API the pages use) → the chat's next bill shows it.
    const variantId = (await publicStoreProducts(ctx))[0].variants[0].id as string;
    const put = await ctx.app.inject({
      method: 'PUT',
      url: `/api/v1/storefront/gupta-kirana/carts/${cookie.value}/lines/${variantId}`,
      payload: { quantity: 5 },
    });
    expect(put.statusCode).toBe(200);
    expect(await say('1 ko 6 karo')).toContain('1. Tata Salt 1 kg × 6 — ₹168');
    const again = await ctx.app.inject({ url: `/api/v1/storefront/gupta-kirana/carts/${cookie.value}` });
    expect(again.json().lines[0].quantity).toBe(6);
  });

  it('an unknown or malformed cart id leaves the browser cart alone', async ({ ctx }) => {
    for (const id of ['not-a-uuid', '00000000-0000-4000-8000-000000000000']) {
      const res = await ctx.app.inject({ url: `/gupta-kirana/c/${id}` });
      expect(res.statusCode).toBe(303);
      expect(res.cookies.find((c) => c.name === 'cart')).toBeUndefined();
    }
  });
});

async function publicStoreProducts(ctx: TestContext) {
  return (await ctx.app.inject({ url: '/api/v1/storefront/gupta-kirana/products' })).json().items;
}
