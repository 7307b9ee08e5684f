/**
 * The checkout's stock check (takeStockCtes, used by placeOrder) refuses a move already short in its snapshot
 * without waiting for the variant's row lock, and locks (waits) whenever the snapshot shows enough: the fast path
 * never refuses stock that is there. PostgreSQL only for the lock part: PGlite has one connection, so nothing can
 * hold a row lock beside the statement.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SqlParams } from '../../src/db/params.js';
import { takeStockCtes } from '../../src/inventory/stock.repo.js';
import { createTestApp, type TestContext } from '../helpers/app.js';
import { TEST_BACKEND } from '../helpers/db.js';
import { addProduct, openShop, type Shop } from '../helpers/order-fixtures.js';

let ctx: TestContext;
let shop: Shop;
beforeAll(async () => {
  ctx = await createTestApp();
  shop = await openShop(ctx);
});
afterAll(() => ctx.close());

const db = () => ctx.testDb.db;

/** The stock CTEs alone: what placeOrder would find short for `qty` of `variantId`. */
function shortageSql(variantId: string, qty: number): { sql: string; values: unknown[] } {
  const p = new SqlParams();
  const { lockAndCheck } = takeStockCtes({
    storeId: p.add(shop.storeId, 'uuid'),
    variantIds: p.add([variantId], 'uuid[]'),
    quantities: p.add([qty], 'int[]'),
    when: 'false',
  });
  return {
    sql: `WITH ${lockAndCheck} SELECT coalesce((SELECT json_agg(s) FROM stock_short s), '[]'::json) AS short`,
    values: p.values,
  };
}

async function short(variantId: string, qty: number) {
  const { sql, values } = shortageSql(variantId, qty);
  const { rows } = await db().query<{ short: { id: string; qty: number; available: number }[] }>(sql, values);
  return rows[0]!.short;
}

describe('stock check', () => {
  it('names what is short, with what is left; enough stock and untracked stock are not short', async () => {
    const v = await addProduct(shop, 'Ghee', 50_000, 2);
    const untracked = await addProduct(shop, 'Water', 2_000, null);
    expect(await short(v, 3)).toEqual([{ id: v, qty: 3, available: 2 }]);
    expect(await short(v, 2)).toEqual([]);
    expect(await short(untracked, 1_000)).toEqual([]);
  });

  // Defined on PostgreSQL only (not skipped on PGlite: there is no second connection to hold a lock).
  if (TEST_BACKEND === 'postgres')
    it('a sold-out variant is refused while its row is locked; stock that is there waits for the lock', async () => {
      const soldOut = await addProduct(shop, 'Sold-out saree', 99_000, 0);
      const inStock = await addProduct(shop, 'Last saree', 99_000, 1);
      let release!: () => void;
      const held = new Promise<void>((r) => {
        release = r;
      });
      let locked!: () => void;
      const isLocked = new Promise<void>((r) => {
        locked = r;
      });
      // Another checkout holds both rows, as a flash sale's winner does until its commit.
      const holder = db().tx(async (tx) => {
        await tx.query('SELECT 1 FROM variants WHERE id = ANY($1::uuid[]) FOR UPDATE', [[soldOut, inStock]]);
        locked();
        await held;
      });
      await isLocked;
      try {
        const attempt = (variantId: string) =>
          db().tx(async (tx) => {
            await tx.query(`SET LOCAL lock_timeout = '500ms'`);
            const { sql, values } = shortageSql(variantId, 1);
            return (await tx.query<{ short: unknown[] }>(sql, values)).rows[0]!.short;
          });
        // Short in the snapshot: answered at once, no lock taken.
        expect(await attempt(soldOut)).toEqual([{ id: soldOut, qty: 1, available: 0 }]);
        // Enough in the snapshot: it must wait for the lock (and here gives up after lock_timeout), never refuse.
        await expect(attempt(inStock)).rejects.toMatchObject({ code: '55P03' });
      } finally {
        release();
        await holder;
      }
    });
});
