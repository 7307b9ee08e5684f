/**
 * Issue 10, items 4, 8 and 9: forged lines in messages, proof floods, decompression bombs as proofs.
 */
import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { describe, expect } from 'vitest';
import { appTest } from '../helpers/fixture.js';
import {
  addProduct,
  checkoutBody,
  openShop,
  outboxFor,
  placeOrder,
  PNG_1PX,
  upload,
  type Shop,
  newCart,
  checkoutCart,
} from '../helpers/order-fixtures.js';

const it = appTest();
let shop: Shop;
it.beforeAll(async ({ ctx }) => {
  shop = await openShop(ctx, {
    create: { name: 'Kirana', whatsapp: '+919876543210' },
    patch: { payments: { cod: true, upiVpa: 'kirana@okhdfc' } },
  });
}, 180_000);

const proofUrl = (order: { trackingToken: string }) => `/api/v1/orders/${order.trackingToken}/payment-proof`;

function crc32(buf: Buffer): number {
  let c = ~0;
  for (const b of buf) {
    c ^= b;
    for (let k = 0; k < 8; k++) c = (c >>> 1) ^ (0xedb88320 & -(c & 1));
  }
  return ~c >>> 0;
}

/** A tiny PNG whose header claims width × height pixels (what a decompression bomb looks like before decoding). */
function pngClaiming(width: number, height: number): Buffer {
  const png = Buffer.from(PNG_1PX);
  // IHDR data starts at byte 16 (8 signature + 4 length + 4 type); its CRC follows the 13 data bytes.
  png.writeUInt32BE(width, 16);
  png.writeUInt32BE(height, 20);
  png.writeUInt32BE(crc32(png.subarray(12, 29)), 29);
  return png;
}

describe('item 4: customer text cannot forge lines in messages', () => {
  it('refuses a customer name with a newline', async () => {
    const v = await addProduct(shop, 'Tea', 5000, 10);
    const cart = await newCart(shop, [[v, 1]]);
    const res = await checkoutCart(
      shop,
      cart,
      checkoutBody({
        customer: {
          name: 'Asha\n✅ Payment confirmed',
          phone: '+919812345678',
          address: { line1: 'x', city: 'y', pincode: '560001' },
        },
      }),
    );
    expect([400, 422]).toContain(res.status);
    expect(res.body.code).toBe('validation_failed');
  });

  it('quotes the note on one line and defangs its links in the store’s message', async ({ ctx }) => {
    const v = await addProduct(shop, 'Rice', 5000, 10);
    const order = await placeOrder(
      shop,
      [[v, 1]],
      checkoutBody({ note: 'ring bell\n\n✅ Payment of ₹5,000 confirmed\nOpen: https://evil.example/pay' }),
    );
    const [placed] = await outboxFor(ctx, order.id);
    const lines = placed!.text.split('\n');
    expect(lines.some((l) => l.startsWith('✅'))).toBe(false);
    expect(lines.filter((l) => l.startsWith('Open:'))).toHaveLength(1);
    expect(placed!.text).not.toContain('https://evil.example');
    expect(placed!.text).toContain('https[:]//evil[.]example');
    expect(placed!.text).toContain('“ring bell ✅ Payment of ₹5,000 confirmed Open: https[:]//evil[.]example/pay”');
  });
});

describe('item 8: proof flood', () => {
  it('keeps at most 3 proofs per order, deletes replaced files, and messages the store once a minute', async ({
    ctx,
  }) => {
    const v = await addProduct(shop, 'Dal', 5000, 10);
    const order = await placeOrder(shop, [[v, 1]], checkoutBody({ paymentMethod: 'upi' }));
    for (let i = 0; i < 6; i++) expect((await upload(ctx, proofUrl(order), PNG_1PX)).status).toBe(200);
    const { rows } = await ctx.testDb.db.query<{ file_name: string; view_file_name: string }>(
      `SELECT file_name, view_file_name FROM payment_proofs WHERE order_id = $1`,
      [order.id],
    );
    expect(rows).toHaveLength(3);
    const dir = path.join(ctx.config.dataDir, 'uploads', 'proofs');
    const kept = new Set(rows.flatMap((r) => [r.file_name, r.view_file_name]));
    expect(fs.readdirSync(dir).filter((f) => kept.has(f))).toHaveLength(6);
    // 6 uploads, 3 kept with their copies: the other 3 originals and 3 copies are gone from disk.
    const { rows: all } = await ctx.testDb.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM payment_proofs`);
    expect(fs.readdirSync(dir).length).toBe(all[0]!.n * 2);
    const messages = (await outboxFor(ctx, order.id)).filter((m) => m.topic === 'order.payment_proof');
    expect(messages).toHaveLength(1);
  });
});

describe('item 9: decompression bombs as proofs', () => {
  it('refuses an image that decodes to 20000×20000 px with 422', async ({ ctx }) => {
    const v = await addProduct(shop, 'Oil', 5000, 10);
    const order = await placeOrder(shop, [[v, 1]], checkoutBody({ paymentMethod: 'upi' }));
    const bomb = pngClaiming(20_000, 20_000);
    expect(bomb.length).toBeLessThan(200);
    const res = await upload(ctx, proofUrl(order), bomb);
    expect(res.status).toBe(422);
    expect(res.body.code).toBe('validation_failed');
  });

  it('serves the merchant a re-encoded WebP of at most 1600 px, keeping the original', async ({ ctx }) => {
    const v = await addProduct(shop, 'Ghee', 5000, 10);
    const order = await placeOrder(shop, [[v, 1]], checkoutBody({ paymentMethod: 'upi' }));
    const big = await sharp({ create: { width: 3000, height: 2000, channels: 3, background: { r: 9, g: 99, b: 199 } } })
      .png()
      .toBuffer();
    expect((await upload(ctx, proofUrl(order), big)).status).toBe(200);
    const seen = await ctx.app.inject({
      method: 'GET',
      url: `${shop.base}/orders/${order.id}/payment-proof`,
      headers: { authorization: `Bearer ${shop.token}` },
    });
    expect(seen.statusCode).toBe(200);
    expect(seen.headers['content-type']).toBe('image/webp');
    const meta = await sharp(seen.rawPayload).metadata();
    expect(meta.format).toBe('webp');
    expect(Math.max(meta.width!, meta.height!)).toBe(1600);
    const { rows } = await ctx.testDb.db.query<{ file_name: string }>(
      `SELECT file_name FROM payment_proofs WHERE order_id = $1`,
      [order.id],
    );
    expect(fs.readFileSync(path.join(ctx.config.dataDir, 'uploads', 'proofs', rows[0]!.file_name)).equals(big)).toBe(
      true,
    );
  });
});
