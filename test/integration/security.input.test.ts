/**
 * Issue 10, items 6, 7 and 13: the JSON API takes bearer tokens and JSON only; anonymous idempotency keys are
 * scoped per client; bad input (NUL, malformed cursors and multipart, over-long paths/queries/headers) gets a
 * clear problem+json 4xx, never a 500.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect } from 'vitest';
import { client } from '../helpers/app.js';
import { appTest } from '../helpers/fixture.js';
import { addProduct, openShop, placeOrder, type Shop } from '../helpers/order-fixtures.js';

const it = appTest();
let shop: Shop;
let variantId: string;
it.beforeAll(async ({ ctx }) => {
  shop = await openShop(ctx);
  variantId = await addProduct(shop, 'Tea', 5000, 100);
});

function expectProblem(
  res: { status: number; headers: Record<string, unknown>; body: any },
  status: number,
  code: string,
) {
  expect(res.status).toBe(status);
  expect(String(res.headers['content-type'])).toContain('application/problem+json');
  expect(res.body.code).toBe(code);
}

describe('item 6: the API takes bearer tokens and JSON only', () => {
  it('ignores the dashboard cookie on /api/v1 (a cross-site form cannot mark an order paid)', async ({ ctx }) => {
    const order = await placeOrder(shop, [[variantId, 1]]);
    const url = `${shop.base}/orders/${order.id}/payment`;
    const viaCookie = await ctx.app.inject({
      method: 'POST',
      url,
      headers: { cookie: `dukaan_session=${shop.token}`, 'content-type': 'application/x-www-form-urlencoded' },
      payload: 'status=paid',
    });
    expect([401, 404, 415]).toContain(viaCookie.statusCode);
    const viaCookieJson = await ctx.app.inject({
      method: 'GET',
      url: '/api/v1/me',
      headers: { cookie: `dukaan_session=${shop.token}` },
    });
    expect(viaCookieJson.statusCode).toBe(401);
    const after = await shop.api.get(`${shop.base}/orders/${order.id}`);
    expect(after.body.paymentStatus).toBe('pending');
  });

  it('answers 415 to form and text bodies even with a valid bearer token', async ({ ctx }) => {
    const order = await placeOrder(shop, [[variantId, 1]]);
    for (const [type, payload] of [
      ['application/x-www-form-urlencoded', 'status=paid'],
      ['text/plain', '{"status":"paid"}'],
      [
        'multipart/form-data; boundary=x',
        '--x\r\nContent-Disposition: form-data; name="status"\r\n\r\npaid\r\n--x--\r\n',
      ],
    ] as const) {
      const res = await ctx.app.inject({
        method: 'POST',
        url: `${shop.base}/orders/${order.id}/payment`,
        headers: { authorization: `Bearer ${shop.token}`, 'content-type': type },
        payload,
      });
      expectProblem({ status: res.statusCode, headers: res.headers, body: res.json() }, 415, 'unsupported_media_type');
    }
    expect((await shop.api.get(`${shop.base}/orders/${order.id}`)).body.paymentStatus).toBe('pending');
  });
});

describe('item 7: idempotency keys of anonymous callers', () => {
  it('two customers with the same Idempotency-Key get two carts; a retry gets its own cart again', async ({ ctx }) => {
    const url = `/api/v1/storefront/${shop.slug}/carts`;
    const anon = client(ctx.app);
    const key = { 'idempotency-key': 'same-key-for-everyone' };
    const a = await anon.post(url, {}, { ...key, 'x-forwarded-for': '198.51.100.10', 'user-agent': 'phone A' });
    const b = await anon.post(url, {}, { ...key, 'x-forwarded-for': '198.51.100.11', 'user-agent': 'phone B' });
    const aAgain = await anon.post(url, {}, { ...key, 'x-forwarded-for': '198.51.100.10', 'user-agent': 'phone A' });
    expect(a.status).toBe(201);
    expect(b.status).toBe(201);
    expect(b.body.id).not.toBe(a.body.id);
    expect(aAgain.body.id).toBe(a.body.id);
  });
});

describe('item 13: bad input is a clear 4xx', () => {
  it('NUL in a body field → 400 validation_failed naming the field', async () => {
    const res = await shop.api.post(`${shop.base}/products`, { name: 'Bad\u0000name', price: 100 });
    expectProblem(res, 400, 'validation_failed');
    expect(res.body.errors.map((e: { path: string }) => e.path)).toContain('/name');
  });

  it('NUL in a checkout field is one more field problem of its one-round 422, and nothing is taken', async () => {
    const cart = await shop.customer.post(`/api/v1/storefront/${shop.slug}/carts`, {
      lines: [{ variantId, quantity: 1 }],
    });
    expect(cart.status).toBe(201);
    const checkout = (customer: Record<string, unknown>, extra: Record<string, unknown> = {}) =>
      shop.customer.post(`/api/v1/storefront/${shop.slug}/carts/${cart.body.id}/checkout`, {
        customer,
        paymentMethod: 'cod',
        ...extra,
      });
    const address = { line1: 'x\u0000', city: 'y', pincode: '1' };
    const res = await checkout({ name: 'A\u0000B', phone: 'bad', address }, { paymentMethod: 'cash' });
    expectProblem(res, 422, 'validation_failed');
    expect(res.body.errors.map((e: { path: string }) => e.path).sort()).toEqual(
      [
        '/customer/address/line1',
        '/customer/address/pincode',
        '/customer/name',
        '/customer/phone',
        '/paymentMethod',
      ].sort(),
    );
    expect(res.body.errors.find((e: { path: string }) => e.path === '/customer/name').message).toMatch(/NUL/);
    // A NUL alone is refused the same way; the cart stays open (the next valid checkout places it).
    const alone = await checkout({
      name: 'A\u0000B',
      phone: '+919812345678',
      address: { ...address, pincode: '560001' },
    });
    expectProblem(alone, 422, 'validation_failed');
    expect(alone.body.errors.map((e: { path: string }) => e.path).sort()).toEqual([
      '/customer/address/line1',
      '/customer/name',
    ]);
    const placed = await checkout({
      name: 'A B',
      phone: '+919812345678',
      address: { line1: 'x', city: 'y', pincode: '560001' },
    });
    expect(placed.status).toBe(201);
  });

  it('NUL in a query or path parameter → 400 validation_failed', async () => {
    const q = await shop.customer.get(`/api/v1/storefront/${shop.slug}/products?q=te%00a`);
    expectProblem(q, 400, 'validation_failed');
    expect(q.body.errors[0].path).toBe('querystring/q');
    const p = await shop.customer.get(`/api/v1/storefront/ab%00cd/products`);
    expectProblem(p, 400, 'validation_failed');
    expect(p.body.errors[0].path).toBe('params/slug');
  });

  it('malformed orders cursors → 400', async () => {
    const bad = [
      'not-base64!!',
      Buffer.from('[1e300]').toString('base64url'),
      Buffer.from('[99999999999999]').toString('base64url'),
      Buffer.from('["x"]').toString('base64url'),
      Buffer.from('[1.5]').toString('base64url'),
    ];
    for (const cursor of bad) {
      const res = await shop.api.get(`${shop.base}/orders?cursor=${encodeURIComponent(cursor)}`);
      expectProblem(res, 400, 'validation_failed');
    }
  });

  it('malformed multipart (no boundary, truncated part) → 400, never 500', async ({ ctx }) => {
    const order = await placeOrder(shop, [[variantId, 1]]);
    const url = `/api/v1/orders/${order.trackingToken}/payment-proof`;
    const noBoundary = await ctx.app.inject({
      method: 'POST',
      url,
      headers: { 'content-type': 'multipart/form-data' },
      payload: 'whatever',
    });
    expect(noBoundary.statusCode).toBe(400);
    expect(noBoundary.json().code).toBe('validation_failed');
    const truncated = await ctx.app.inject({
      method: 'POST',
      url,
      headers: { 'content-type': 'multipart/form-data; boundary=zzz' },
      payload:
        '--zzz\r\nContent-Disposition: form-data; name="file"; filename="a.png"\r\n' +
        'Content-Type: image/png\r\n\r\n\x89PNG',
    });
    expect(truncated.statusCode).toBe(400);
    expect(truncated.json().code).toBe('validation_failed');
  });

  it('an over-long path → 414, an over-long query → 431, as problem+json', async () => {
    const longPath = await shop.customer.get(`/api/v1/storefront/${'a'.repeat(3000)}`);
    expectProblem(longPath, 414, 'uri_too_long');
    const longQuery = await shop.customer.get(`/api/v1/storefront/${shop.slug}/products?q=${'a'.repeat(5000)}`);
    expectProblem(longQuery, 431, 'request_too_large');
  });

  it('over-long headers → 431 problem+json from the real server', async ({ ctx }) => {
    await ctx.app.listen({ port: 0, host: '127.0.0.1' });
    const port = (ctx.app.server.address() as AddressInfo).port;
    const res = await new Promise<{ status: number; type: string; body: string }>((resolve, reject) => {
      const req = http.get(
        { host: '127.0.0.1', port, path: '/healthz', headers: { 'x-big': 'b'.repeat(20_000) } },
        (r) => {
          let body = '';
          r.on('data', (c: Buffer) => (body += c.toString()));
          r.on('end', () => resolve({ status: r.statusCode!, type: String(r.headers['content-type']), body }));
        },
      );
      req.on('error', reject);
    });
    expect(res.status).toBe(431);
    expect(res.type).toContain('application/problem+json');
    expect(JSON.parse(res.body).code).toBe('request_too_large');
  });
});
