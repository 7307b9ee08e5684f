/** Issue 10, item 10: the retention purge deletes what is past its period, keeps the rest, and runs once at a time. */
import fs from 'node:fs';
import pg from 'pg';
import { describe, expect } from 'vitest';
import { purgeExpired } from '../../src/server/retention.js';
import { client, signIn, uniquePhone, type TestContext } from '../helpers/app.js';
import { appTest } from '../helpers/fixture.js';
import path from 'node:path';
import { addProduct, newCart, openShop, placeOrder, PNG_1PX, upload, type Shop } from '../helpers/order-fixtures.js';

const it = appTest();
let shop: Shop;
it.beforeAll(async ({ ctx }) => {
  shop = await openShop(ctx, { patch: { payments: { cod: true, upiVpa: 'tea@okbank' } } });
}, 180_000);

const count = async (ctx: TestContext, sql: string, params: unknown[] = []) =>
  (await ctx.testDb.db.query<{ n: number }>(sql, params)).rows[0]!.n;

describe('item 10: retention purge', () => {
  it('deletes old carts, codes, sessions, outbox rows, counters and idempotency records; keeps live ones', async ({
    ctx,
  }) => {
    const db = ctx.testDb.db;
    const v = await addProduct(shop, 'Tea', 100, 10);
    const oldCart = await newCart(shop, [[v, 1]]);
    const liveCart = await newCart(shop, [[v, 1]]);
    await db.query(`UPDATE carts SET updated_at = now() - interval '31 days' WHERE id = $1`, [oldCart]);
    const phone = uniquePhone();
    await client(ctx.app).post('/api/v1/auth/otp', { phone });
    await db.query(`UPDATE otp_codes SET created_at = now() - interval '2 days' WHERE phone = $1`, [phone]);
    const idle = await signIn(ctx);
    const live = await signIn(ctx);
    await db.query(`UPDATE sessions SET last_used_at = now() - interval '9 days' WHERE merchant_id = $1`, [
      idle.merchantId,
    ]);
    await db.query(
      `INSERT INTO outbox (id, topic, recipient, payload, status, created_at)
       VALUES (gen_random_uuid(), 'test.old', '+919800000000', '{}', 'sent', now() - interval '31 days'),
              (gen_random_uuid(), 'test.pending', '+919800000000', '{}', 'pending', now() - interval '31 days')`,
    );
    await db.query(
      `INSERT INTO rate_limit_counters (key, window_start, count) VALUES ('old', now() - interval '2 days', 3)`,
    );
    await db.query(
      `INSERT INTO idempotency_keys (scope, key, request_hash, state, locked_until, created_at)
       VALUES ('POST /x -', 'old', 'h', 'done', now(), now() - interval '3 days')`,
    );

    const result = await purgeExpired(db, ctx.config.dataDir);
    expect(result.ran).toBe(true);
    expect(await count(ctx, `SELECT count(*)::int AS n FROM carts WHERE id = $1`, [oldCart])).toBe(0);
    expect(await count(ctx, `SELECT count(*)::int AS n FROM carts WHERE id = $1`, [liveCart])).toBe(1);
    expect(await count(ctx, `SELECT count(*)::int AS n FROM otp_codes WHERE phone = $1`, [phone])).toBe(0);
    expect(await count(ctx, `SELECT count(*)::int AS n FROM sessions WHERE merchant_id = $1`, [idle.merchantId])).toBe(
      0,
    );
    expect(await count(ctx, `SELECT count(*)::int AS n FROM sessions WHERE merchant_id = $1`, [live.merchantId])).toBe(
      1,
    );
    expect(await count(ctx, `SELECT count(*)::int AS n FROM outbox WHERE topic = 'test.old'`)).toBe(0);
    expect(await count(ctx, `SELECT count(*)::int AS n FROM outbox WHERE topic = 'test.pending'`)).toBe(1);
    expect(await count(ctx, `SELECT count(*)::int AS n FROM rate_limit_counters WHERE key = 'old'`)).toBe(0);
    expect(await count(ctx, `SELECT count(*)::int AS n FROM idempotency_keys WHERE key = 'old'`)).toBe(0);
    expect((await live.api.get('/api/v1/me')).status).toBe(200);
  });

  it('runs once at a time across workers: while another holds the purge lock, a purge skips', async ({ ctx }) => {
    const db = ctx.testDb.db;
    if (ctx.testDb.url) {
      // PostgreSQL: a second connection (another worker or server) holds the lock.
      const other = new pg.Client({ connectionString: ctx.testDb.url });
      await other.connect();
      try {
        await other.query('BEGIN');
        await other.query(`SELECT pg_advisory_xact_lock(hashtext('dukaan:retention'))`);
        expect((await purgeExpired(db, ctx.config.dataDir)).ran).toBe(false);
        await other.query('COMMIT');
      } finally {
        await other.end();
      }
    }
    // Embedded (one process, one connection) and after the other holder let go: purges run, one after another.
    const results = await Promise.all([purgeExpired(db, ctx.config.dataDir), purgeExpired(db, ctx.config.dataDir)]);
    expect(results.some((r) => r.ran)).toBe(true);
  });

  it('deletes upload files unused for 7 days, once a day: images of no product or store, rowless proofs', async ({
    ctx,
  }) => {
    const db = ctx.testDb.db;
    const imageUrl = async () => {
      const res = await upload(ctx, `${shop.base}/images`, PNG_1PX, { token: shop.token });
      expect(res.status).toBe(201);
      return (res.body as { url: string }).url;
    };
    const used = await imageUrl();
    const logo = await imageUrl();
    const unused = await imageUrl();
    const recent = await imageUrl();
    const product = await shop.api.post(`${shop.base}/products`, { name: 'Pictured', price: 100, images: [used] });
    expect(product.status).toBe(201);
    expect((await shop.api.patch(shop.base, { logo })).status).toBe(200);
    const v = await addProduct(shop, 'Proven', 100, 10);
    const order = await placeOrder(shop, [[v, 1]], { ...checkoutUpi() });
    expect((await upload(ctx, `/api/v1/orders/${order.trackingToken}/payment-proof`, PNG_1PX)).status).toBe(200);
    const proofs = path.join(ctx.config.dataDir, 'uploads', 'proofs');
    const images = path.join(ctx.config.dataDir, 'uploads', 'images');
    const strayProof = path.join(proofs, `${'ab'.repeat(16)}.png`);
    fs.writeFileSync(strayProof, PNG_1PX);
    // Everything is 10 days old, except the upload a merchant made just now (its product is not saved yet).
    const old = new Date(Date.now() - 10 * 86_400_000);
    const idOf = (url: string) => url.split('/').pop()!.slice(0, 32);
    for (const dir of [images, proofs])
      for (const name of fs.readdirSync(dir))
        if (!name.startsWith(idOf(recent))) fs.utimesSync(path.join(dir, name), old, old);
    const filesOf = (url: string) => fs.readdirSync(images).filter((n) => n.startsWith(idOf(url)));
    const unusedFiles = filesOf(unused).length;
    expect(unusedFiles).toBeGreaterThan(0);
    const proofFiles = fs.readdirSync(proofs).filter((n) => n !== path.basename(strayProof));
    expect(proofFiles.length).toBe(2); // the original and the merchant's copy

    await db.query(`DELETE FROM retention_runs`);
    const result = await purgeExpired(db, ctx.config.dataDir);
    expect(result.deleted.orphanFiles).toBe(unusedFiles + 1);
    expect(filesOf(unused)).toEqual([]);
    expect(fs.existsSync(strayProof)).toBe(false);
    for (const kept of [used, logo, recent]) expect(filesOf(kept).length).toBeGreaterThan(0);
    for (const name of proofFiles) expect(fs.existsSync(path.join(proofs, name))).toBe(true);
    expect((await client(ctx.app).get(used)).status).toBe(200);

    // Once a day: an orphan made after today's scan waits for tomorrow's.
    fs.writeFileSync(strayProof, PNG_1PX);
    fs.utimesSync(strayProof, old, old);
    expect((await purgeExpired(db, ctx.config.dataDir)).deleted.orphanFiles).toBe(0);
    expect(fs.existsSync(strayProof)).toBe(true);
  });
});

function checkoutUpi(): Record<string, unknown> {
  return {
    customer: {
      name: 'Asha Rao',
      phone: '+919812345678',
      address: { line1: '1 Road', city: 'Pune', pincode: '411001' },
    },
    paymentMethod: 'upi',
  };
}
