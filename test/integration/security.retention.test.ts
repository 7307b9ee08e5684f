/** Issue 10, item 10: the retention purge deletes what is past its period, keeps the rest, and runs once at a time. */
import fs from 'node:fs';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { purgeExpired } from '../../src/server/retention.js';
import { client, createTestApp, signIn, uniquePhone, type TestContext } from '../helpers/app.js';
import { addProduct, newCart, openShop, type Shop } from '../helpers/order-fixtures.js';

let ctx: TestContext;
let shop: Shop;
let dataDir: string;
beforeAll(async () => {
  dataDir = fs.mkdtempSync('/tmp/dukaan-retention-');
  ctx = await createTestApp({ dataDir });
  shop = await openShop(ctx);
}, 180_000);
afterAll(async () => {
  await ctx?.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

const count = async (sql: string, params: unknown[] = []) =>
  (await ctx.testDb.db.query<{ n: number }>(sql, params)).rows[0]!.n;

describe('item 10: retention purge', () => {
  it('deletes old carts, codes, sessions, outbox rows, counters and idempotency records; keeps live ones', async () => {
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

    const result = await purgeExpired(db, dataDir);
    expect(result.ran).toBe(true);
    expect(await count(`SELECT count(*)::int AS n FROM carts WHERE id = $1`, [oldCart])).toBe(0);
    expect(await count(`SELECT count(*)::int AS n FROM carts WHERE id = $1`, [liveCart])).toBe(1);
    expect(await count(`SELECT count(*)::int AS n FROM otp_codes WHERE phone = $1`, [phone])).toBe(0);
    expect(await count(`SELECT count(*)::int AS n FROM sessions WHERE merchant_id = $1`, [idle.merchantId])).toBe(0);
    expect(await count(`SELECT count(*)::int AS n FROM sessions WHERE merchant_id = $1`, [live.merchantId])).toBe(1);
    expect(await count(`SELECT count(*)::int AS n FROM outbox WHERE topic = 'test.old'`)).toBe(0);
    expect(await count(`SELECT count(*)::int AS n FROM outbox WHERE topic = 'test.pending'`)).toBe(1);
    expect(await count(`SELECT count(*)::int AS n FROM rate_limit_counters WHERE key = 'old'`)).toBe(0);
    expect(await count(`SELECT count(*)::int AS n FROM idempotency_keys WHERE key = 'old'`)).toBe(0);
    expect((await live.api.get('/api/v1/me')).status).toBe(200);
  });

  it('runs once at a time across workers: while another holds the purge lock, a purge skips', async () => {
    const db = ctx.testDb.db;
    if (ctx.testDb.url) {
      // PostgreSQL: a second connection (another worker or server) holds the lock.
      const other = new pg.Client({ connectionString: ctx.testDb.url });
      await other.connect();
      try {
        await other.query('BEGIN');
        await other.query(`SELECT pg_advisory_xact_lock(hashtext('dukaan:retention'))`);
        expect((await purgeExpired(db, dataDir)).ran).toBe(false);
        await other.query('COMMIT');
      } finally {
        await other.end();
      }
    }
    // Embedded (one process, one connection) and after the other holder let go: purges run, one after another.
    const results = await Promise.all([purgeExpired(db, dataDir), purgeExpired(db, dataDir)]);
    expect(results.some((r) => r.ran)).toBe(true);
  });
});
