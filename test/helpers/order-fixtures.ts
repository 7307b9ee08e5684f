/**
 * Helpers for checkout, order and payment tests, all through the HTTP API: a shop with products, carts,
 * orders, multipart uploads and tiny images recognisable by their bytes.
 */
import type { InjectOptions } from 'fastify';
import { expect } from 'vitest';
import { client, merchantWithStore, type Client, type Res, type TestContext } from './app.js';
import { multipartBody } from './multipart.js';

export type Shop = Awaited<ReturnType<typeof merchantWithStore>> & {
  base: string;
  slug: string;
  storeId: string;
  customer: Client;
};

/** A store (optionally patched: delivery, payments, isOpen, ...) whose owner and an anonymous customer are ready. */
export async function openShop(
  ctx: TestContext,
  opts: { create?: Record<string, unknown>; patch?: Record<string, unknown> } = {},
): Promise<Shop> {
  const m = await merchantWithStore(ctx, opts.create ?? {});
  const base = `/api/v1/stores/${m.store.id}`;
  if (opts.patch) {
    const res = await m.api.patch(base, opts.patch);
    if (res.status !== 200) throw new Error(`patch store failed: ${res.status} ${res.text}`);
  }
  return { ...m, base, slug: m.store.slug, storeId: m.store.id, customer: client(ctx.app) };
}

/** A product with one variant through the catalog API; returns the variant id. `stock` undefined/null = not tracked. */
export async function addProduct(
  shop: Shop,
  name: string,
  price: number,
  stock: number | null = null,
): Promise<string> {
  const res = await shop.api.post(`${shop.base}/products`, { name, price, ...(stock === null ? {} : { stock }) });
  if (res.status !== 201) throw new Error(`create product failed: ${res.status} ${res.text}`);
  return res.body.variants[0].id as string;
}

export async function newCart(shop: Shop, lines: [variantId: string, quantity: number][] = []): Promise<string> {
  const created = await shop.customer.post(`/api/v1/storefront/${shop.slug}/carts`);
  if (created.status !== 201) throw new Error(`create cart failed: ${created.status} ${created.text}`);
  const cartId = created.body.id as string;
  for (const [variantId, quantity] of lines) {
    const res = await shop.customer.put(`/api/v1/storefront/${shop.slug}/carts/${cartId}/lines/${variantId}`, {
      quantity,
    });
    if (res.status !== 200) throw new Error(`add line failed: ${res.status} ${res.text}`);
  }
  return cartId;
}

export const ADDRESS = { line1: '12 MG Road', city: 'Bengaluru', pincode: '560001' };
export const CUSTOMER_PHONE = '+919812345678';

export function checkoutBody(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    customer: { name: 'Asha Rao', phone: CUSTOMER_PHONE, address: ADDRESS },
    paymentMethod: 'cod',
    ...overrides,
  };
}

export const checkoutUrl = (shop: Shop, cartId: string) => `/api/v1/storefront/${shop.slug}/carts/${cartId}/checkout`;

export function checkoutCart(
  shop: Shop,
  cartId: string,
  body: Record<string, unknown> = checkoutBody(),
  headers?: Record<string, string>,
): Promise<Res> {
  return shop.customer.post(checkoutUrl(shop, cartId), body, headers);
}

/** A cart with these lines, checked out; throws unless 201. Returns the customer's Order. */
export async function placeOrder(
  shop: Shop,
  lines: [string, number][],
  body: Record<string, unknown> = checkoutBody(),
): Promise<any> {
  const cartId = await newCart(shop, lines);
  const res = await checkoutCart(shop, cartId, body);
  if (res.status !== 201) throw new Error(`checkout failed: ${res.status} ${res.text}`);
  return res.body;
}

export async function stockOf(ctx: TestContext, variantId: string): Promise<number | null> {
  const { rows } = await ctx.testDb.db.query<{ stock: number | null }>(`SELECT stock FROM variants WHERE id = $1`, [
    variantId,
  ]);
  return rows[0]!.stock;
}

export async function outboxFor(
  ctx: TestContext,
  orderId: string,
): Promise<{ topic: string; recipient: string; text: string }[]> {
  const { rows } = await ctx.testDb.db.query<{ topic: string; recipient: string; payload: { text: string } | string }>(
    `SELECT topic, recipient, payload FROM outbox WHERE payload->'data'->>'orderId' = $1 ORDER BY created_at, id`,
    [orderId],
  );
  return rows.map((r) => ({
    topic: r.topic,
    recipient: r.recipient,
    text: (typeof r.payload === 'string' ? JSON.parse(r.payload) : r.payload).text,
  }));
}

/** A multipart/form-data body with one file part. */
export function multipart(
  bytes: Buffer,
  opts: { field?: string; filename?: string; contentType?: string } = {},
): { payload: Buffer; headers: Record<string, string> } {
  const { payload, contentType } = multipartBody([
    {
      name: opts.field ?? 'file',
      filename: opts.filename ?? 'proof.png',
      type: opts.contentType ?? 'image/png',
      data: bytes,
    },
  ]);
  return { payload, headers: { 'content-type': contentType } };
}

export async function upload(
  ctx: TestContext,
  url: string,
  bytes: Buffer,
  opts: Parameters<typeof multipart>[1] & { token?: string } = {},
): Promise<Res> {
  const { payload, headers } = multipart(bytes, opts);
  const h: Record<string, string> = { ...headers };
  if (opts.token) h.authorization = `Bearer ${opts.token}`;
  const res = await ctx.app.inject({ method: 'POST', url, payload, headers: h } as InjectOptions);
  let body: unknown;
  try {
    body = JSON.parse(res.body);
  } catch {
    body = undefined;
  }
  return { status: res.statusCode, body, headers: res.headers, text: res.body };
}

/** 1×1 images whose bytes say what they are. */
export const PNG_1PX = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==',
  'base64',
);
export const JPEG_1PX = Buffer.from(
  '/9j/4AAQSkZJRgABAQEASABIAAD/2wBDAAMCAgICAgMCAgIDAwMDBAYEBAQEBAgGBgUGCQgKCgkICQkKDA8MCgsOCwkJDRENDg8QEBEQCgwS' +
    'ExIQEw8QEBD/yQALCAABAAEBAREA/8wABgAQEAX/2gAIAQEAAD8A0s8g/9k=',
  'base64',
);
export const WEBP_1PX = Buffer.from('UklGRiIAAABXRUJQVlA4IBYAAAAwAQCdASoBAAEADsD+JaQAA3AAAAAA', 'base64');

/** `n` calls of `fn`, `width` at a time: a crowd bigger than the pool, without a thundering herd of setup. */
export async function inBatches<T>(n: number, width: number, fn: (i: number) => Promise<T>): Promise<T[]> {
  const out: T[] = [];
  for (let start = 0; start < n; start += width)
    out.push(...(await Promise.all(Array.from({ length: Math.min(width, n - start) }, (_, k) => fn(start + k)))));
  return out;
}

/** How many requests `asClient` found shed by the pool (503) and sent again, in this test file. */
export const shedRetries = { count: 0 };

/**
 * Sends as a client would: a 503 `unavailable` (the pool shed the request under load; never stored by the
 * idempotency layer) is retried after a short random pause; anything else, 500s included, is the answer.
 */
export async function asClient(send: () => Promise<Res>): Promise<Res> {
  for (let attempt = 1; ; attempt++) {
    const res = await send();
    if (res.status !== 503 || attempt === 30) return res;
    expect(res.body.code).toBe('unavailable');
    expect(res.headers['retry-after']).toBeDefined();
    shedRetries.count++;
    await new Promise((r) => setTimeout(r, 50 + Math.random() * 200));
  }
}

/** Answers counted by status and problem code: `{ "201": 40, "409 cart_has_errors": 110 }`. */
export function statusCounts(results: Res[]): Record<string, number> {
  const count: Record<string, number> = {};
  for (const r of results) {
    const key = r.status >= 400 ? `${r.status} ${r.body?.code}` : String(r.status);
    count[key] = (count[key] ?? 0) + 1;
  }
  return count;
}
