import fs from 'node:fs';
import path from 'node:path';
import { describe, expect } from 'vitest';
import { appTest } from '../helpers/fixture.js';
import {
  JPEG_1PX,
  PNG_1PX,
  WEBP_1PX,
  addProduct,
  checkoutBody,
  openShop,
  outboxFor,
  placeOrder,
  upload,
  type Shop,
} from '../helpers/order-fixtures.js';

const it = appTest();
let shop: Shop;
it.beforeAll(async ({ ctx }) => {
  shop = await openShop(ctx, {
    create: { name: 'Kirana & Sons', whatsapp: '+919876543210' },
    patch: { payments: { cod: true, upiVpa: 'kirana@okhdfc' } },
  });
});

const track = (order: { trackingToken: string }, rest = '') => `/api/v1/orders/${order.trackingToken}${rest}`;
const proofUrl = (order: { trackingToken: string }) => track(order, '/payment-proof');

async function upiOrder(quantity = 1): Promise<any> {
  const v = await addProduct(shop, `UPI item ${Math.random()}`, 12_345, 100);
  return placeOrder(shop, [[v, quantity]], checkoutBody({ paymentMethod: 'upi' }));
}

describe('UPI', () => {
  it('gives upi orders a upi:// link with the exact amount and order number, and a QR code of it', async ({ ctx }) => {
    const order = await upiOrder(2);
    expect(order.total).toBe(24_690);
    expect(order.upiUrl).toBe(
      `upi://pay?pa=kirana@okhdfc&pn=Kirana%20%26%20Sons&am=246.90&cu=INR&tn=Order%20${order.number}`,
    );
    expect((await shop.customer.get(track(order))).body.upiUrl).toBe(order.upiUrl);
    const qr = await ctx.app.inject({ method: 'GET', url: track(order, '/upi-qr.svg') });
    expect(qr.statusCode).toBe(200);
    expect(qr.headers['content-type']).toContain('image/svg+xml');
    expect(qr.body.startsWith('<svg')).toBe(true);
    expect(qr.body).toContain('</svg>');
  });

  it('cash orders have no upiUrl and no QR code', async () => {
    const v = await addProduct(shop, 'Cash item', 500);
    const order = await placeOrder(shop, [[v, 1]]);
    expect(order).not.toHaveProperty('upiUrl');
    const qr = await shop.customer.get(track(order, '/upi-qr.svg'));
    expect(qr.status).toBe(404);
    expect(qr.body.code).toBe('not_found');
    expect((await shop.customer.get('/api/v1/orders/00000000-0000-4000-8000-000000000000/upi-qr.svg')).status).toBe(
      404,
    );
  });

  it('asks only for the balance still due once part is paid', async () => {
    const order = await upiOrder(2);
    await shop.api.post(`${shop.base}/orders/${order.id}/payment`, { status: 'paid' });
    const edited = await shop.customer.put(track(order, '/lines'), {
      lines: [{ variantId: order.lines[0].variantId, quantity: 3 }],
    });
    expect(edited.status).toBe(200);
    expect(edited.body.balanceDue).toBe(12_345);
    expect(edited.body.upiUrl).toContain('&am=123.45&');
  });
});

describe('payment proof', () => {
  it('takes a PNG by its bytes, stores it under DATA_DIR/uploads/proofs and marks the payment proof_submitted', async ({
    ctx,
    db,
  }) => {
    const order = await upiOrder();
    const res = await upload(ctx, proofUrl(order), PNG_1PX, { filename: 'screenshot.png' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id: order.id, paymentStatus: 'proof_submitted' });
    const { rows } = await db.query<{ file_name: string; content_type: string; size_bytes: number }>(
      `SELECT file_name, content_type, size_bytes FROM payment_proofs WHERE order_id = $1`,
      [order.id],
    );
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ content_type: 'image/png', size_bytes: PNG_1PX.length });
    expect(rows[0]!.file_name).toMatch(/^[0-9a-f]{32}\.png$/);
    const stored = path.join(ctx.config.dataDir, 'uploads', 'proofs', rows[0]!.file_name);
    expect(fs.readFileSync(stored).equals(PNG_1PX)).toBe(true);
    const messages = await outboxFor(ctx, order.id);
    expect(messages.at(-1)).toMatchObject({ topic: 'order.payment_proof', recipient: '+919876543210' });
  });

  it("shows the proof to the customer and the store's members only, with its type and nosniff", async ({ ctx }) => {
    const order = await upiOrder();
    expect(
      (await upload(ctx, proofUrl(order), JPEG_1PX, { filename: 'x.bin', contentType: 'application/octet-stream' }))
        .status,
    ).toBe(200);
    // Issue 10 item 9: what is shown is a re-encoded WebP copy, never the uploaded bytes.
    const mine = await ctx.app.inject({ method: 'GET', url: proofUrl(order) });
    expect(mine.statusCode).toBe(200);
    expect(mine.headers['content-type']).toBe('image/webp');
    expect(mine.headers['x-content-type-options']).toBe('nosniff');
    expect(mine.rawPayload.equals(JPEG_1PX)).toBe(false);
    const merchant = await ctx.app.inject({
      method: 'GET',
      url: `${shop.base}/orders/${order.id}/payment-proof`,
      headers: { authorization: `Bearer ${shop.token}` },
    });
    expect(merchant.statusCode).toBe(200);
    expect(merchant.headers['content-type']).toBe('image/webp');
    expect(merchant.headers['x-content-type-options']).toBe('nosniff');
    expect(merchant.rawPayload.equals(JPEG_1PX)).toBe(false);
    const other = await openShop(ctx);
    expect((await other.api.get(`${shop.base}/orders/${order.id}/payment-proof`)).status).toBe(404);
    expect((await other.api.get(`${other.base}/orders/${order.id}/payment-proof`)).status).toBe(404);
    expect((await shop.customer.get(`${shop.base}/orders/${order.id}/payment-proof`)).status).toBe(401);
  });

  it('takes WebP, and a second proof replaces the first in view', async ({ ctx }) => {
    const order = await upiOrder();
    expect((await upload(ctx, proofUrl(order), PNG_1PX)).status).toBe(200);
    expect(
      (await upload(ctx, proofUrl(order), WEBP_1PX, { filename: 'better.webp', contentType: 'image/webp' })).status,
    ).toBe(200);
    const latest = await ctx.app.inject({ method: 'GET', url: proofUrl(order) });
    expect(latest.headers['content-type']).toBe('image/webp');
  });

  it('404 when there is no proof yet', async () => {
    const order = await upiOrder();
    expect((await shop.customer.get(proofUrl(order))).status).toBe(404);
    expect((await shop.api.get(`${shop.base}/orders/${order.id}/payment-proof`)).status).toBe(404);
  });

  it('refuses a renamed text file with 415, by content not by name or header', async ({ ctx, db }) => {
    const order = await upiOrder();
    const res = await upload(ctx, proofUrl(order), Buffer.from('I promise I paid. Totally a PNG.'), {
      filename: 'proof.png',
      contentType: 'image/png',
    });
    expect(res.status).toBe(415);
    expect(res.body.code).toBe('unsupported_media_type');
    const gif = await upload(
      ctx,
      proofUrl(order),
      Buffer.from('R0lGODlhAQABAIAAAP///wAAACwAAAAAAQABAAACAkQBADs=', 'base64'),
      { filename: 'proof.jpg', contentType: 'image/jpeg' },
    );
    expect(gif.status).toBe(415);
    expect((await shop.customer.get(track(order))).body.paymentStatus).toBe('pending');
    const { rows } = await db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM payment_proofs WHERE order_id = $1`,
      [order.id],
    );
    expect(rows[0]!.n).toBe(0);
  });

  it('refuses a file over 5 MB with 413, even one that is not an image (size first)', async ({ ctx }) => {
    const order = await upiOrder();
    const big = Buffer.alloc(6 * 1024 * 1024, 0x41);
    const text = await upload(ctx, proofUrl(order), big, { filename: 'big.png' });
    expect(text.status).toBe(413);
    expect(text.body.code).toBe('payload_too_large');
    const bigPng = Buffer.concat([PNG_1PX, Buffer.alloc(6 * 1024 * 1024)]);
    expect((await upload(ctx, proofUrl(order), bigPng)).status).toBe(413);
    // Just under the limit is fine.
    const fits = Buffer.concat([PNG_1PX, Buffer.alloc(5 * 1024 * 1024 - PNG_1PX.length - 1)]);
    expect((await upload(ctx, proofUrl(order), fits)).status).toBe(200);
  });

  it('refuses a request that is not multipart with 415, and a multipart without `file` with 400', async ({ ctx }) => {
    const order = await upiOrder();
    const json = await shop.customer.post(proofUrl(order), { file: 'aGVsbG8=' });
    expect(json.status).toBe(415);
    expect(json.body.code).toBe('unsupported_media_type');
    const raw = await ctx.app.inject({
      method: 'POST',
      url: proofUrl(order),
      payload: PNG_1PX,
      headers: { 'content-type': 'image/png' },
    });
    expect(raw.statusCode).toBe(415);
    const empty = await ctx.app.inject({ method: 'POST', url: proofUrl(order) });
    expect(empty.statusCode).toBe(415);
    const wrongField = await upload(ctx, proofUrl(order), PNG_1PX, { field: 'image' });
    expect(wrongField.status).toBe(400);
    expect(wrongField.body.code).toBe('validation_failed');
  });

  it('404 for an unknown order; 409 once paid or cancelled', async ({ ctx, db }) => {
    expect(
      (await upload(ctx, '/api/v1/orders/00000000-0000-4000-8000-000000000000/payment-proof', PNG_1PX)).status,
    ).toBe(404);
    expect((await upload(ctx, '/api/v1/orders/nope/payment-proof', PNG_1PX)).status).toBe(404);
    const paid = await upiOrder();
    await shop.api.post(`${shop.base}/orders/${paid.id}/payment`, { status: 'paid' });
    const late = await upload(ctx, proofUrl(paid), PNG_1PX);
    expect(late.status).toBe(409);
    expect(late.body.code).toBe('invalid_transition');
    const cancelled = await upiOrder();
    await shop.customer.post(track(cancelled, '/cancel'));
    expect((await upload(ctx, proofUrl(cancelled), PNG_1PX)).status).toBe(409);
    // Refused uploads leave no files behind.
    const files = fs.readdirSync(path.join(ctx.config.dataDir, 'uploads', 'proofs'));
    const { rows } = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM payment_proofs`);
    // each proof: the original and its re-encoded copy
    expect(files).toHaveLength(rows[0]!.n * 2);
  });

  it('the merchant then marks the proven payment paid', async ({ ctx }) => {
    const order = await upiOrder();
    await upload(ctx, proofUrl(order), PNG_1PX);
    const res = await shop.api.post(`${shop.base}/orders/${order.id}/payment`, { status: 'paid' });
    expect(res.body).toMatchObject({ paymentStatus: 'paid', amountPaid: order.total, balanceDue: 0 });
  });
});
