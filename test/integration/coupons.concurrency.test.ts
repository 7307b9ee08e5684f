import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, merchantWithStore, type TestContext } from '../helpers/app.js';
import { consumeCouponUse, releaseCouponUse } from '../../src/coupons/coupons.repo.js';

let ctx: TestContext;
let storeId: string;
let api: Awaited<ReturnType<typeof merchantWithStore>>['api'];
beforeAll(async () => {
  ctx = await createTestApp();
  const m = await merchantWithStore(ctx);
  api = m.api;
  storeId = m.store.id;
});
afterAll(() => ctx.close());

async function usedCount(id: string): Promise<number> {
  const { rows } = await ctx.testDb.db.query<{ used_count: number }>(`SELECT used_count FROM coupons WHERE id = $1`, [
    id,
  ]);
  return rows[0]!.used_count;
}

describe('coupon usage under concurrency', () => {
  it('50 parallel consumes on usageLimit 10 → exactly 10 succeed', async () => {
    const coupon = (
      await api.post(`/api/v1/stores/${storeId}/coupons`, {
        code: 'RACE10',
        type: 'percent',
        value: 10,
        usageLimit: 10,
      })
    ).body;
    const db = ctx.testDb.db;
    // Each consume runs in its own transaction that stays open a moment after the UPDATE, so on PostgreSQL the
    // transactions overlap and the row lock decides.
    const results = await Promise.all(
      Array.from({ length: 50 }, () =>
        db.tx(async (tx) => {
          const ok = await consumeCouponUse(tx, coupon.id);
          await tx.query('SELECT pg_sleep(0.005)');
          return ok;
        }),
      ),
    );
    expect(results.filter(Boolean)).toHaveLength(10);
    expect(await usedCount(coupon.id)).toBe(10);
    const view = await api.get(`/api/v1/stores/${storeId}/coupons/${coupon.id}`);
    expect(view.body.usedCount).toBe(10);
  });

  it('a consume rolled back with its transaction is not counted', async () => {
    const coupon = (
      await api.post(`/api/v1/stores/${storeId}/coupons`, { code: 'ROLLBACK', type: 'flat', value: 100, usageLimit: 1 })
    ).body;
    await expect(
      ctx.testDb.db.tx(async (tx) => {
        expect(await consumeCouponUse(tx, coupon.id)).toBe(true);
        throw new Error('checkout failed later');
      }),
    ).rejects.toThrow('checkout failed later');
    expect(await usedCount(coupon.id)).toBe(0);
    expect(await ctx.testDb.db.tx((tx) => consumeCouponUse(tx, coupon.id))).toBe(true);
    expect(await ctx.testDb.db.tx((tx) => consumeCouponUse(tx, coupon.id))).toBe(false);
  });

  it('without a usage limit every consume counts', async () => {
    const coupon = (
      await api.post(`/api/v1/stores/${storeId}/coupons`, { code: 'UNLIMITED', type: 'flat', value: 100 })
    ).body;
    const results = await Promise.all(
      Array.from({ length: 20 }, () => ctx.testDb.db.tx((tx) => consumeCouponUse(tx, coupon.id))),
    );
    expect(results.every(Boolean)).toBe(true);
    expect(await usedCount(coupon.id)).toBe(20);
  });

  it('release gives one use back and never goes below zero', async () => {
    const coupon = (
      await api.post(`/api/v1/stores/${storeId}/coupons`, { code: 'GIVEBACK', type: 'flat', value: 100, usageLimit: 2 })
    ).body;
    const db = ctx.testDb.db;
    expect(await db.tx((tx) => consumeCouponUse(tx, coupon.id))).toBe(true);
    expect(await db.tx((tx) => consumeCouponUse(tx, coupon.id))).toBe(true);
    expect(await db.tx((tx) => consumeCouponUse(tx, coupon.id))).toBe(false);
    await db.tx((tx) => releaseCouponUse(tx, coupon.id));
    expect(await usedCount(coupon.id)).toBe(1);
    expect(await db.tx((tx) => consumeCouponUse(tx, coupon.id))).toBe(true);
    for (let i = 0; i < 4; i++) await db.tx((tx) => releaseCouponUse(tx, coupon.id));
    expect(await usedCount(coupon.id)).toBe(0);
  });

  it('an unknown coupon id consumes nothing', async () => {
    expect(await ctx.testDb.db.tx((tx) => consumeCouponUse(tx, '00000000-0000-4000-8000-000000000000'))).toBe(false);
  });
});
