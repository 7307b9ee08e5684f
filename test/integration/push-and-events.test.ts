/**
 * New orders are noticed (issue 14, item 6), on both databases: the installable app's files, the Web Push
 * subscriptions of signed-in members (CSRF, validation, store isolation), the push the outbox gets for every new
 * order (one per subscription of a current member), and the order events the live list listens to.
 */
import { createECDH, randomBytes } from 'node:crypto';
import sharp from 'sharp';
import { describe, expect, vi } from 'vitest';
import webpush, { WebPushError } from 'web-push';
import { PermanentSendError } from '../../src/notify/channels.js';
import { pushChannel } from '../../src/notify/push.js';
import { orderEventHub, type OrderEvent } from '../../src/notify/order-events.js';
import { signIn, type TestContext } from '../helpers/app.js';
import { appTest } from '../helpers/fixture.js';
import { addProduct, openShop, placeOrder, type Shop } from '../helpers/order-fixtures.js';
import { csrfOf } from '../helpers/web-client.js';
import { waitFor } from '../helpers/process.js';

const it = appTest();
let shop: Shop;
let variant: string;

it.beforeAll(async ({ ctx }) => {
  shop = await openShop(ctx);
  variant = await addProduct(shop, 'Basmati Rice 1kg', 12000, 100);
});

/** A browser's PushSubscription.toJSON(), with a real P-256 key pair and auth secret. */
function browserSubscription(host = 'push.example.net') {
  const ecdh = createECDH('prime256v1');
  ecdh.generateKeys();
  return {
    endpoint: `https://${host}/send/${randomBytes(12).toString('base64url')}`,
    keys: { p256dh: ecdh.getPublicKey('base64url'), auth: randomBytes(16).toString('base64url') },
  };
}

/** The dashboard as a signed-in member's browser: session cookie, the CSRF cookie and token of the orders page. */
async function dashboardAs(ctx: TestContext, token: string, storeId: string) {
  const jar = new Map<string, string>([['dukaan_session', token]]);
  const cookie = () => [...jar].map(([k, v]) => `${k}=${v}`).join('; ');
  const keep = (raw: unknown) => {
    for (const c of ([] as string[]).concat((raw as string[] | string | undefined) ?? [])) {
      const [pair] = c.split(';');
      const eq = pair!.indexOf('=');
      jar.set(pair!.slice(0, eq), pair!.slice(eq + 1));
    }
  };
  const page = await ctx.app.inject({
    method: 'GET',
    url: `/dashboard/stores/${storeId}/orders`,
    headers: { cookie: cookie() },
  });
  keep(page.headers['set-cookie']);
  const csrf = page.statusCode === 200 ? csrfOf(page.body, `/dashboard/stores/${storeId}/push`) : '';
  return {
    page,
    send: async (method: 'POST' | 'DELETE', path: string, body: unknown, opts: { csrf?: boolean } = {}) => {
      const res = await ctx.app.inject({
        method,
        url: `/dashboard/stores/${storeId}${path}`,
        headers: {
          cookie: cookie(),
          'content-type': 'application/json',
          ...(opts.csrf === false ? {} : { 'x-csrf-token': csrf }),
        },
        payload: JSON.stringify(body),
      });
      return { status: res.statusCode, json: () => res.json() as Record<string, unknown> };
    },
  };
}

async function pushRows(ctx: TestContext, orderId: string) {
  const { rows } = await ctx.testDb.db.query<{
    recipient: string;
    cost_class: string;
    audience: string;
    status: string;
  }>(
    `SELECT recipient, cost_class, audience, status FROM outbox
      WHERE topic = 'push.order_placed' AND payload->'data'->>'orderId' = $1 ORDER BY recipient`,
    [orderId],
  );
  return rows;
}

describe('the installable dashboard', () => {
  it('serves a manifest in each language, PNG icons, the service worker and the offline page', async ({ ctx }) => {
    const en = await ctx.app.inject({ method: 'GET', url: '/dashboard/manifest.webmanifest?lang=en' });
    expect(en.statusCode).toBe(200);
    expect(en.headers['content-type']).toContain('application/manifest+json');
    const m = en.json();
    expect(m).toMatchObject({ start_url: '/dashboard/', scope: '/dashboard/', display: 'standalone', lang: 'en' });
    expect(m.theme_color).toMatch(/^#[0-9a-f]{6}$/);
    expect(m.name).toContain('dashboard');
    const hi = (await ctx.app.inject({ method: 'GET', url: '/dashboard/manifest.webmanifest?lang=hi' })).json();
    expect(hi.lang).toBe('hi');
    expect(hi.name).toMatch(/[\u0900-\u097F]/);

    for (const icon of m.icons as { src: string; sizes: string; type: string }[]) {
      const res = await ctx.app.inject({ method: 'GET', url: icon.src });
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-type']).toBe('image/png');
      const meta = await sharp(res.rawPayload).metadata();
      expect(`${meta.width}x${meta.height}`).toBe(icon.sizes);
    }

    const sw = await ctx.app.inject({ method: 'GET', url: '/dashboard/sw.js' });
    expect(sw.statusCode).toBe(200);
    expect(sw.headers['content-type']).toContain('text/javascript');
    expect(sw.headers['cache-control']).toBe('no-cache');
    const shell = JSON.parse(/^var SHELL = (\[[^\]]*\])/.exec(sw.body)![1]!) as string[];
    expect(shell).toEqual(
      expect.arrayContaining(['/dashboard/offline', expect.stringMatching(/^\/static\/app\.[0-9a-f]+\.css$/)]),
    );
    // Nothing private is ever in the shell: no store page, no order, no API.
    expect(shell.filter((url) => /\/stores\/|\/orders|\/api\//.test(url))).toEqual([]);
    for (const url of shell) expect((await ctx.app.inject({ method: 'GET', url })).statusCode, url).toBe(200);
  });

  it('the offline page carries nothing of a session, even when asked with one', async ({ ctx }) => {
    const res = await ctx.app.inject({
      method: 'GET',
      url: '/dashboard/offline?lang=hi',
      headers: { cookie: `dukaan_session=${shop.token}` },
    });
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('data-testid="offline-message"');
    expect(res.body).toContain('इंटरनेट नहीं है');
    expect(res.body).not.toContain(shop.phone);
    expect(res.body).not.toContain('_csrf');
  });

  it('every dashboard page links the manifest; the orders list offers push and names its event stream', async ({
    ctx,
  }) => {
    const { page } = await dashboardAs(ctx, shop.token, shop.storeId);
    expect(page.statusCode).toBe(200);
    expect(page.body).toMatch(
      /<link rel="manifest" href="\/dashboard\/manifest\.webmanifest\?lang=(en|hi)" data-sw="\/dashboard\/sw\.js">/,
    );
    expect(page.body).toContain('id="push-optin"');
    expect(page.body).toContain(`data-events="/dashboard/stores/${shop.storeId}/orders/events"`);
    const signin = await ctx.app.inject({ method: 'GET', url: '/dashboard/signin' });
    expect(signin.body).toContain('rel="manifest"');
    expect(signin.body).not.toContain('push-optin');
  });

  it('hands out one VAPID public key (made once, kept in the database)', async ({ ctx }) => {
    const a = (await ctx.app.inject({ method: 'GET', url: '/dashboard/push/key' })).json();
    const b = (await ctx.app.inject({ method: 'GET', url: '/dashboard/push/key' })).json();
    expect(Buffer.from(a.publicKey, 'base64url')).toHaveLength(65);
    expect(b.publicKey).toBe(a.publicKey);
    const { rows } = await ctx.testDb.db.query<{ n: number }>('SELECT count(*)::int AS n FROM push_vapid_keys');
    expect(rows[0]!.n).toBe(1);
  });
});

describe('push subscriptions', () => {
  it('a member subscribes this phone; again replaces the keys; status and unsubscribe', async ({ ctx }) => {
    const owner = await dashboardAs(ctx, shop.token, shop.storeId);
    const sub = browserSubscription();
    const created = await owner.send('POST', '/push', sub);
    expect(created.status).toBe(201);
    const id = created.json().id;
    const again = await owner.send('POST', '/push', { ...sub, keys: browserSubscription().keys });
    expect(again.status).toBe(201);
    expect(again.json().id).toBe(id);
    const { rows } = await ctx.testDb.db.query<{ merchant_id: string; p256dh: string }>(
      'SELECT merchant_id, p256dh FROM push_subscriptions WHERE endpoint = $1',
      [sub.endpoint],
    );
    expect(rows).toHaveLength(1);
    expect(rows[0]!.merchant_id).toBe(shop.merchantId);
    expect(rows[0]!.p256dh).not.toBe(sub.keys.p256dh);

    expect((await owner.send('POST', '/push/status', { endpoint: sub.endpoint })).json()).toEqual({ subscribed: true });
    expect((await owner.send('DELETE', '/push', { endpoint: sub.endpoint })).status).toBe(204);
    expect((await owner.send('POST', '/push/status', { endpoint: sub.endpoint })).json()).toEqual({
      subscribed: false,
    });
    expect((await owner.send('DELETE', '/push', { endpoint: sub.endpoint })).status).toBe(404);
  });

  it('refuses bad subscriptions with 422 naming each field, and a missing CSRF token with 403', async ({ ctx }) => {
    const owner = await dashboardAs(ctx, shop.token, shop.storeId);
    const good = browserSubscription();
    for (const [body, path] of [
      [{ ...good, endpoint: 'http://push.example.net/x' }, '/endpoint'],
      [{ ...good, endpoint: 'https://user:pw@push.example.net/x' }, '/endpoint'],
      [{ ...good, endpoint: `https://push.example.net/${'x'.repeat(2000)}` }, '/endpoint'],
      [{ ...good, keys: { ...good.keys, p256dh: randomBytes(65).toString('base64url') } }, '/keys/p256dh'],
      [{ ...good, keys: { ...good.keys, auth: randomBytes(8).toString('base64url') } }, '/keys/auth'],
      [{ endpoint: good.endpoint }, '/keys/p256dh'],
    ] as const) {
      const res = await owner.send('POST', '/push', body);
      expect(res.status, path).toBe(422);
    }
    expect((await owner.send('POST', '/push', good, { csrf: false })).status).toBe(403);
    const { rows } = await ctx.testDb.db.query('SELECT 1 FROM push_subscriptions WHERE endpoint = $1', [good.endpoint]);
    expect(rows).toHaveLength(0);
  });

  it('another merchant gets 404 on the store (subscribe, status, delete, events) and nothing is stored', async ({
    ctx,
  }) => {
    const intruder = await signIn(ctx);
    const own = await intruder.api.post('/api/v1/stores', { name: 'Intruder Shop' });
    expect(own.status).toBe(201);
    const mine = await dashboardAs(ctx, intruder.token, own.body.id);
    // The intruder's own token and cookies, aimed at the victim's store.
    const victim = await dashboardAs(ctx, intruder.token, shop.storeId);
    expect(victim.page.statusCode).toBe(404);
    const sub = browserSubscription();
    const asVictim = async (method: 'POST' | 'DELETE', path: string, body: unknown) =>
      ctx.app.inject({
        method,
        url: `/dashboard/stores/${shop.storeId}${path}`,
        headers: {
          cookie: `dukaan_session=${intruder.token}`,
          'content-type': 'application/json',
        },
        payload: JSON.stringify(body),
      });
    expect((await mine.send('POST', '/push', sub)).status).toBe(201);
    for (const [method, path] of [
      ['POST', '/push'],
      ['POST', '/push/status'],
      ['DELETE', '/push'],
    ] as const)
      expect((await asVictim(method, path, sub)).statusCode, `${method} ${path}`).toBe(404);
    const events = await ctx.app.inject({
      method: 'GET',
      url: `/dashboard/stores/${shop.storeId}/orders/events`,
      headers: { cookie: `dukaan_session=${intruder.token}` },
    });
    expect(events.statusCode).toBe(404);
    expect(events.headers['content-type']).not.toContain('event-stream');
    const anonymous = await ctx.app.inject({ method: 'GET', url: `/dashboard/stores/${shop.storeId}/orders/events` });
    expect(anonymous.statusCode).toBe(303);
    const { rows } = await ctx.testDb.db.query<{ store_id: string }>(
      'SELECT store_id FROM push_subscriptions WHERE endpoint = $1',
      [sub.endpoint],
    );
    expect(rows.map((r) => r.store_id)).toEqual([own.body.id]);
  });
});

describe('a new order enqueues a push per subscription', () => {
  it('one outbox row per current member subscription, none for a member who left', async ({ ctx }) => {
    const staffPhone = `+9197${String(Date.now()).slice(-8)}`;
    const staff = await signIn(ctx, staffPhone);
    expect((await shop.api.post(`${shop.base}/members`, { phone: staffPhone, role: 'staff' })).status).toBe(201);
    const owner = await dashboardAs(ctx, shop.token, shop.storeId);
    const helper = await dashboardAs(ctx, staff.token, shop.storeId);
    const ownerPhone = await owner.send('POST', '/push', browserSubscription());
    const ownerLaptop = await owner.send('POST', '/push', browserSubscription('updates.push.example.org'));
    const staffPhoneSub = await helper.send('POST', '/push', browserSubscription());
    expect([ownerPhone.status, ownerLaptop.status, staffPhoneSub.status]).toEqual([201, 201, 201]);

    const first = await placeOrder(shop, [[variant, 1]]);
    const ids = [ownerPhone, ownerLaptop, staffPhoneSub].map((r) => String(r.json().id)).sort();
    const rows = await pushRows(ctx, first.id);
    expect(rows.map((r) => r.recipient)).toEqual(ids);
    expect(rows.every((r) => r.cost_class === 'push' && r.audience === 'store' && r.status === 'pending')).toBe(true);

    // The staff member is removed: their phone hears nothing of the next order.
    expect((await shop.api.delete(`${shop.base}/members/${staff.merchantId}`)).status).toBe(204);
    const second = await placeOrder(shop, [[variant, 2]]);
    expect((await pushRows(ctx, second.id)).map((r) => r.recipient)).toEqual(
      [ownerPhone, ownerLaptop].map((r) => String(r.json().id)).sort(),
    );
  });
  it('none for a store where no phone subscribed, while a store with a subscription gets its push', async ({ ctx }) => {
    const [loud, quiet] = [await openShop(ctx), await openShop(ctx)];
    const [loudRice, quietRice] = [
      await addProduct(loud, 'Sona 5kg', 40000, 10),
      await addProduct(quiet, 'Sona', 40000, 10),
    ];
    const sub = await (await dashboardAs(ctx, loud.token, loud.storeId)).send('POST', '/push', browserSubscription());
    expect(sub.status).toBe(201);
    const heard = await placeOrder(loud, [[loudRice, 1]]);
    const unheard = await placeOrder(quiet, [[quietRice, 1]]);
    expect((await pushRows(ctx, heard.id)).map((r) => r.recipient)).toEqual([String(sub.json().id)]);
    expect(await pushRows(ctx, unheard.id)).toEqual([]);
    const { rows } = await ctx.testDb.db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM outbox WHERE topic = 'push.order_placed' AND store_id = $1`,
      [quiet.storeId],
    );
    expect(rows[0]!.n).toBe(0);
  });
});

describe('the push channel', () => {
  it('sends the order in the member’s words; 404/410 forget the phone, 429/5xx retry, other 4xx give up', async ({
    ctx,
  }) => {
    // The owner reads the dashboard in Hindi (a ?lang= link saves it on the account): so do their pushes.
    await ctx.app.inject({
      method: 'GET',
      url: '/dashboard?lang=hi',
      headers: { cookie: `dukaan_session=${shop.token}` },
    });
    const owner = await dashboardAs(ctx, shop.token, shop.storeId);
    const created = await owner.send('POST', '/push', browserSubscription());
    const subscriptionId = String(created.json().id);
    const order = await placeOrder(shop, [[variant, 3]]);
    const message = {
      id: 'm1',
      topic: 'push.order_placed',
      recipient: subscriptionId,
      text: '',
      data: { orderId: order.id, storeId: shop.storeId, subscriptionId },
    };
    const channel = pushChannel(ctx.testDb.db, ctx.config);
    const exists = async () =>
      (await ctx.testDb.db.query('SELECT 1 FROM push_subscriptions WHERE id = $1', [subscriptionId])).rows.length;
    const answer = (status: number) => new WebPushError('push service said no', status, {}, 'no', 'https://x');
    const send = vi.spyOn(webpush, 'sendNotification');
    try {
      send.mockResolvedValueOnce({ statusCode: 201, body: '', headers: {} });
      await channel.send(message);
      const [target, payload, options] = send.mock.calls[0]!;
      expect(target.endpoint).toMatch(/^https:\/\/push\.example\.net\/send\//);
      expect(JSON.parse(String(payload))).toMatchObject({
        title: `नया ऑर्डर #${order.number} · ${shop.store.name}`,
        url: `/dashboard/orders/${order.id}`,
      });
      expect(options).toMatchObject({ contentEncoding: 'aes128gcm', urgency: 'high', TTL: 86_400 });
      expect(options?.vapidDetails?.publicKey).toBe(
        (await ctx.app.inject({ method: 'GET', url: '/dashboard/push/key' })).json().publicKey,
      );

      for (const status of [429, 500, 503]) {
        send.mockRejectedValueOnce(answer(status));
        const err = await channel.send(message).catch((e: unknown) => e);
        expect(err, String(status)).toBeInstanceOf(Error);
        expect(err, String(status)).not.toBeInstanceOf(PermanentSendError);
      }
      send.mockRejectedValueOnce(answer(400));
      await expect(channel.send(message)).rejects.toBeInstanceOf(PermanentSendError);
      expect(await exists()).toBe(1);

      send.mockRejectedValueOnce(answer(410));
      await expect(channel.send(message)).rejects.toBeInstanceOf(PermanentSendError);
      expect(await exists()).toBe(0);
      // Gone for good: nothing is sent for it any more.
      const calls = send.mock.calls.length;
      await expect(channel.send(message)).rejects.toBeInstanceOf(PermanentSendError);
      expect(send.mock.calls.length).toBe(calls);
    } finally {
      send.mockRestore();
    }
  });
});

describe('order events (the live list)', () => {
  it('tells a watcher of a new order and of a change, and only about its own store', async ({ ctx }) => {
    const other = await openShop(ctx);
    const otherVariant = await addProduct(other, 'Tea 250g', 9000, 10);
    const hub = orderEventHub(ctx.testDb.db, 50);
    const seen: OrderEvent[] = [];
    const elsewhere: OrderEvent[] = [];
    try {
      const stop = await hub.watch(shop.storeId, (e) => seen.push(e));
      await hub.watch(other.storeId, (e) => elsewhere.push(e));
      expect(hub.watching).toBe(2);
      const order = await placeOrder(shop, [[variant, 1]]);
      await waitFor('the new-order event', () => seen.length > 0, 10_000, 20);
      expect(seen[0]).toEqual({ type: 'order', number: order.number, count: 1 });
      expect(elsewhere).toEqual([]);

      const accepted = await shop.api.post(`${shop.base}/orders/${order.id}/transitions`, { to: 'accepted' });
      expect(accepted.status).toBe(200);
      await waitFor('the changed event', () => seen.length > 1, 10_000, 20);
      expect(seen[1]).toEqual({ type: 'changed' });

      await placeOrder(other, [[otherVariant, 1]]);
      await waitFor('the other store event', () => elsewhere.length > 0, 10_000, 20);
      expect(seen).toHaveLength(2);
      stop();
      expect(hub.watching).toBe(1);
    } finally {
      hub.close();
    }
  });
});
