/**
 * Many shops at once: checkouts spread over several stores, all at the same moment, keep each store's order numbers
 * gap-free (1..n, refused checkouts take no number), and stores never share a hot row — a store whose order counter
 * is held locked does not hold up another store's checkout.
 */
import pg from 'pg';
import { describe, expect } from 'vitest';
import type { TestContext } from '../helpers/app.js';
import { appTest } from '../helpers/fixture.js';
import { TEST_BACKEND } from '../helpers/db.js';
import { addProduct, checkoutCart, newCart, openShop, type Shop } from '../helpers/order-fixtures.js';

const it = appTest({ publicUrl: 'https://dukaan.test' });

async function numbersOf(ctx: TestContext, storeId: string): Promise<number[]> {
  const { rows } = await ctx.testDb.db.query<{ number: number }>(
    'SELECT number FROM orders WHERE store_id = $1 ORDER BY number',
    [storeId],
  );
  return rows.map((r) => r.number);
}

describe('checkouts across stores', () => {
  it('keep every store’s order numbers gap-free under concurrent checkouts, refusals taking no number', async ({
    ctx,
  }) => {
    const shops: Shop[] = [];
    for (let i = 0; i < 4; i++) shops.push(await openShop(ctx, { create: { name: `Gapless ${i}` } }));
    // Per store: plenty of one product, and 3 units of a scarce one that 6 carts want (3 of them are refused).
    const plan: { shop: Shop; cartId: string; scarce: boolean }[] = [];
    for (const shop of shops) {
      const plenty = await addProduct(shop, 'Plenty', 1000, 1000);
      const scarce = await addProduct(shop, 'Scarce', 1000, 3);
      for (let c = 0; c < 8; c++) plan.push({ shop, cartId: await newCart(shop, [[plenty, 1]]), scarce: false });
      for (let c = 0; c < 6; c++) plan.push({ shop, cartId: await newCart(shop, [[scarce, 1]]), scarce: true });
    }
    // Interleave the stores, then fire every checkout at once.
    plan.sort(() => Math.random() - 0.5);
    const answers = await Promise.all(plan.map((p) => checkoutCart(p.shop, p.cartId)));
    for (const a of answers) expect([201, 409]).toContain(a.status);
    for (const shop of shops) {
      const mine = answers.filter((_, i) => plan[i]!.shop === shop);
      const placed = mine.filter((a) => a.status === 201);
      const refused = mine.filter((a) => a.status === 409);
      expect(placed).toHaveLength(8 + 3);
      expect(refused).toHaveLength(3);
      for (const r of refused) expect(r.body.code).toBe('cart_has_errors');
      const numbers = await numbersOf(ctx, shop.storeId);
      expect(numbers).toEqual(Array.from({ length: 11 }, (_, i) => i + 1));
      expect(placed.map((a) => a.body.number as number).sort((a, b) => a - b)).toEqual(numbers);
    }
  });

  if (TEST_BACKEND === 'postgres') {
    it('a store whose order counter is locked does not hold up another store’s checkout (PostgreSQL)', async ({
      ctx,
    }) => {
      const busy = await openShop(ctx, { create: { name: 'Busy' } });
      const free = await openShop(ctx, { create: { name: 'Free' } });
      const busyItem = await addProduct(busy, 'Busy item', 1000, 100);
      const freeItem = await addProduct(free, 'Free item', 1000, 100);
      expect((await checkoutCart(busy, await newCart(busy, [[busyItem, 1]]))).status).toBe(201);
      const busyCart = await newCart(busy, [[busyItem, 1]]);
      const freeCart = await newCart(free, [[freeItem, 1]]);

      const holder = new pg.Client({ connectionString: ctx.testDb.url! });
      await holder.connect();
      try {
        await holder.query('BEGIN');
        await holder.query('SELECT 1 FROM store_order_counters WHERE store_id = $1 FOR UPDATE', [busy.storeId]);
        let busyDone = false;
        const busyCheckout = checkoutCart(busy, busyCart).then((r) => {
          busyDone = true;
          return r;
        });
        const freeCheckout = await checkoutCart(free, freeCart);
        expect(freeCheckout.status).toBe(201);
        expect(freeCheckout.body.number).toBe(1);
        // The busy store's checkout waits for its own counter row, and only for it.
        await new Promise((r) => setTimeout(r, 200));
        expect(busyDone).toBe(false);
        await holder.query('COMMIT');
        const busyAnswer = await busyCheckout;
        expect(busyAnswer.status).toBe(201);
        expect(busyAnswer.body.number).toBe(2);
      } finally {
        await holder.end();
      }
    });

    it('stores whose rows are held take their statements’ slots only for a moment (PostgreSQL)', async ({ ctx }) => {
      // More held stores than the process has placing slots (one): a held store's statement waits for its row and
      // gives its slot back after 50 ms; the next statement (the other held stores and the free one) skips the held
      // stores, and the free store's checkout is placed while the rows are still held.
      const held = [];
      for (const name of ['Held 1', 'Held 2', 'Held 3']) {
        const shop = await openShop(ctx, { create: { name } });
        const item = await addProduct(shop, 'Held item', 1000, 100);
        expect((await checkoutCart(shop, await newCart(shop, [[item, 1]]))).status).toBe(201);
        held.push({ shop, cart: await newCart(shop, [[item, 1]]) });
      }
      const free = await openShop(ctx, { create: { name: 'Free of holds' } });
      const freeItem = await addProduct(free, 'Free item', 1000, 100);
      const freeCart = await newCart(free, [[freeItem, 1]]);
      const holder = new pg.Client({ connectionString: ctx.testDb.url! });
      await holder.connect();
      try {
        await holder.query('BEGIN');
        await holder.query('SELECT 1 FROM store_order_counters WHERE store_id = ANY($1::uuid[]) FOR UPDATE', [
          held.map((h) => h.shop.storeId),
        ]);
        const heldCheckouts = held.map((h) => checkoutCart(h.shop, h.cart));
        const freeCheckout = await checkoutCart(free, freeCart);
        expect(freeCheckout.status).toBe(201);
        expect(freeCheckout.body.number).toBe(1);
        let heldDone = 0;
        for (const c of heldCheckouts) void c.then(() => heldDone++);
        await new Promise((r) => setTimeout(r, 100));
        expect(heldDone).toBe(0);
        await holder.query('COMMIT');
        for (const answer of await Promise.all(heldCheckouts)) {
          expect(answer.status).toBe(201);
          expect(answer.body.number).toBe(2);
        }
      } finally {
        await holder.end();
      }
    });
  }
});
