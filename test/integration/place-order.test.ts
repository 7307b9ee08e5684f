/**
 * The contended part of a checkout is one autocommit statement (`placeOrder`): with no transaction around it to
 * roll back, every way it can refuse must leave the database exactly as it was. These tests make each refusal
 * happen at the statement itself (the reads before it saw a good cart) and compare everything it could touch.
 */
import { describe, expect } from 'vitest';
import type { TestContext } from '../helpers/app.js';
import { appTest } from '../helpers/fixture.js';
import { addProduct, checkoutCart, newCart, openShop, stockOf, type Shop } from '../helpers/order-fixtures.js';
import { placeOrder, type NewOrderLine, type UnnumberedOrder } from '../../src/orders/orders.repo.js';
import { CART_STAMP_SQL } from '../../src/cart/cart.repo.js';
import { newId } from '../../src/shared/ids.js';
import { unnumberedOrder } from '../helpers/order-rows.js';
import { TEST_BACKEND } from '../helpers/db.js';

const it = appTest();
let shop: Shop;
it.beforeAll(async ({ ctx }) => {
  shop = await openShop(ctx, { patch: { delivery: { fee: 0, freeAbove: null, pickup: true } } });
});

async function cartStamp(ctx: TestContext, cartId: string): Promise<number> {
  const { rows } = await ctx.testDb.db.query<{ stamp: number }>(
    `SELECT ${CART_STAMP_SQL('c')} AS stamp FROM carts c WHERE c.id = $1`,
    [cartId],
  );
  return rows[0]!.stamp;
}

/** Everything a placement writes, for before/after comparison. */
async function footprint(ctx: TestContext, cartId: string, variantIds: string[], couponId: string | null) {
  const q = async <T>(sql: string, params: unknown[]) =>
    (await ctx.testDb.db.query<T & Record<string, unknown>>(sql, params)).rows;
  return {
    stock: await Promise.all(variantIds.map((v) => stockOf(ctx, v))),
    nextNumber: (
      await q<{ n: number }>(
        `SELECT coalesce((SELECT next_order_number FROM store_order_counters WHERE store_id = $1), 1) AS n`,
        [shop.storeId],
      )
    )[0]!.n,
    orders: (await q<{ n: number }>(`SELECT count(*)::int AS n FROM orders WHERE store_id = $1`, [shop.storeId]))[0]!.n,
    lines: (
      await q<{ n: number }>(
        `SELECT count(*)::int AS n FROM order_lines l JOIN orders o ON o.id = l.order_id WHERE o.store_id = $1`,
        [shop.storeId],
      )
    )[0]!.n,
    outbox: (
      await q<{ n: number }>(`SELECT count(*)::int AS n FROM outbox WHERE payload->'data'->>'storeId' = $1`, [
        shop.storeId,
      ])
    )[0]!.n,
    cart: (
      await q<{ order_id: string | null; stamp: number }>(
        `SELECT order_id, ${CART_STAMP_SQL('c')} AS stamp FROM carts c WHERE id = $1`,
        [cartId],
      )
    )[0],
    couponUses: couponId
      ? (await q<{ n: number }>(`SELECT used_count AS n FROM coupons WHERE id = $1`, [couponId]))[0]!.n
      : null,
  };
}

const unnumbered = (cartId: string, couponId: string | null = null): UnnumberedOrder =>
  unnumberedOrder(shop.storeId, cartId, { couponId, couponCode: couponId ? 'ONCE' : null });

const line = (variantId: string, quantity: number): NewOrderLine => ({
  variantId,
  productId: newId(),
  name: 'x',
  variantName: 'Default',
  unitPrice: 100,
  quantity,
});

async function productOf(ctx: TestContext, variantId: string): Promise<string> {
  const { rows } = await ctx.testDb.db.query<{ product_id: string }>(`SELECT product_id FROM variants WHERE id = $1`, [
    variantId,
  ]);
  return rows[0]!.product_id;
}

async function twoLineCart(ctx: TestContext): Promise<{ cartId: string; a: string; b: string; lines: NewOrderLine[] }> {
  const a = await addProduct(shop, `Alpha ${newId().slice(-6)}`, 100, 10);
  const b = await addProduct(shop, `Beta ${newId().slice(-6)}`, 100, 10);
  const cartId = await newCart(shop, [
    [a, 1],
    [b, 2],
  ]);
  const lines = [
    { ...line(a, 1), productId: await productOf(ctx, a) },
    { ...line(b, 2), productId: await productOf(ctx, b) },
  ];
  return { cartId, a, b, lines };
}

const moves = (lines: NewOrderLine[]) => lines.map((l) => ({ variantId: l.variantId, quantity: l.quantity }));

describe('placing an order in one statement', () => {
  it('places: stock taken, number given, order, lines, history, cart marked, message with the number', async ({
    db,
    ctx,
  }) => {
    const { cartId, a, b, lines } = await twoLineCart(ctx);
    const before = await footprint(ctx, cartId, [a, b], null);
    const order = unnumbered(cartId);
    const message = {
      id: newId(),
      topic: 'order.placed',
      recipient: '+919800000000',
      textBeforeNumber: 'New order #',
      textAfterNumber: ' here',
      data: { orderId: order.id, storeId: shop.storeId },
    };
    const placed = await placeOrder(db, order, await cartStamp(ctx, cartId), lines, moves(lines), message);
    expect(placed).toMatchObject({ placed: true, number: before.nextNumber });
    const after = await footprint(ctx, cartId, [a, b], null);
    expect(after.stock).toEqual([9, 8]);
    expect(after.nextNumber).toBe(before.nextNumber + 1);
    expect(after.orders).toBe(before.orders + 1);
    expect(after.lines).toBe(before.lines + 2);
    expect(after.outbox).toBe(before.outbox + 1);
    expect(after.cart!.order_id).toBe(order.id);
    const { rows } = await db.query<{ payload: { text: string } }>(`SELECT payload FROM outbox WHERE id = $1`, [
      message.id,
    ]);
    expect(rows[0]!.payload.text).toBe(`New order #${before.nextNumber} here`);
    const history = await db.query<{ status: string }>(`SELECT status FROM order_history WHERE order_id = $1`, [
      order.id,
    ]);
    expect(history.rows.map((r) => r.status)).toEqual(['placed']);
  });

  it('a line short at the statement: nothing taken (not even the lines that had enough), no number, cart open', async ({
    db,
    ctx,
  }) => {
    const { cartId, a, b, lines } = await twoLineCart(ctx);
    await db.query(`UPDATE variants SET stock = 1 WHERE id = $1`, [b]);
    const before = await footprint(ctx, cartId, [a, b], null);
    const placed = await placeOrder(db, unnumbered(cartId), await cartStamp(ctx, cartId), lines, moves(lines), null);
    expect(placed).toEqual({
      placed: false,
      shortages: [{ variantId: b, requested: 2, available: 1 }],
      cartCurrent: false,
      couponUsable: true,
    });
    expect(await footprint(ctx, cartId, [a, b], null)).toEqual(before);
  });

  it('a cart changed after it was read: nothing happens, and the caller is told to read it again', async ({
    db,
    ctx,
  }) => {
    const { cartId, a, b, lines } = await twoLineCart(ctx);
    const stale = await cartStamp(ctx, cartId);
    const changed = await shop.customer.put(`/api/v1/storefront/${shop.slug}/carts/${cartId}/lines/${a}`, {
      quantity: 3,
    });
    expect(changed.status).toBe(200);
    const before = await footprint(ctx, cartId, [a, b], null);
    expect(before.cart!.stamp).not.toBe(stale);
    const placed = await placeOrder(db, unnumbered(cartId), stale, lines, moves(lines), null);
    expect(placed).toEqual({ placed: false, shortages: [], cartCurrent: false, couponUsable: true });
    expect(await footprint(ctx, cartId, [a, b], null)).toEqual(before);
  });

  it('a cart already ordered: the second placement changes nothing', async ({ db, ctx }) => {
    const { cartId, a, b, lines } = await twoLineCart(ctx);
    const stamp = await cartStamp(ctx, cartId);
    expect((await placeOrder(db, unnumbered(cartId), stamp, lines, moves(lines), null)).placed).toBe(true);
    const before = await footprint(ctx, cartId, [a, b], null);
    const again = await placeOrder(db, unnumbered(cartId), stamp, lines, moves(lines), null);
    expect(again).toMatchObject({ placed: false, cartCurrent: false });
    expect(await footprint(ctx, cartId, [a, b], null)).toEqual(before);
  });

  it('a coupon used up at the statement: no use counted, no stock taken, cart open', async ({ db, ctx }) => {
    const coupon = await shop.api.post(`${shop.base}/coupons`, {
      code: `ONCE${newId().slice(-4)}`,
      type: 'flat',
      value: 10,
      usageLimit: 1,
    });
    expect(coupon.status).toBe(201);
    const { cartId, a, b, lines } = await twoLineCart(ctx);
    await db.query(`UPDATE coupons SET used_count = 1 WHERE id = $1`, [coupon.body.id]);
    const before = await footprint(ctx, cartId, [a, b], coupon.body.id);
    const placed = await placeOrder(
      db,
      unnumbered(cartId, coupon.body.id),
      await cartStamp(ctx, cartId),
      lines,
      moves(lines),
      null,
    );
    expect(placed).toEqual({ placed: false, shortages: [], cartCurrent: true, couponUsable: false });
    expect(await footprint(ctx, cartId, [a, b], coupon.body.id)).toEqual(before);
  });

  it(
    'checkouts racing changes to their own carts: every order holds ' + 'exactly its cart’s final lines, stock adds up',
    async ({ ctx, db }) => {
      const hot = await addProduct(shop, 'Race Mango', 50, 1000);
      const other = await addProduct(shop, 'Race Lime', 20, 1000);
      const carts = await Promise.all(Array.from({ length: 12 }, () => newCart(shop, [[hot, 1]])));
      // Each cart gets a checkout and, at the same moment, a line added: either the line makes it into the order
      // (the checkout read the cart again) or the change is refused because the cart was already ordered.
      const results = await Promise.all(
        carts.map(async (cartId) => {
          const [order, change] = await Promise.all([
            checkoutCart(shop, cartId, {
              customer: { name: 'Ravi', phone: '+919812345678' },
              paymentMethod: 'cod',
              fulfillment: 'pickup',
            }),
            shop.customer.put(`/api/v1/storefront/${shop.slug}/carts/${cartId}/lines/${other}`, { quantity: 2 }),
          ]);
          return { cartId, order, change };
        }),
      );
      let sold = { hot: 0, other: 0 };
      for (const { cartId, order, change } of results) {
        expect(order.status).toBe(201);
        expect([200, 409]).toContain(change.status);
        if (change.status === 409) expect(change.body.code).toBe('cart_already_ordered');
        const { rows } = await db.query<{ variant_id: string; quantity: number }>(
          `SELECT variant_id, quantity FROM cart_lines WHERE cart_id = $1 ORDER BY variant_id`,
          [cartId],
        );
        const ordered = (order.body.lines as { variantId: string; quantity: number }[])
          .map((l) => ({ variant_id: l.variantId, quantity: l.quantity }))
          .sort((x, y) => (x.variant_id < y.variant_id ? -1 : 1));
        expect(ordered).toEqual(rows);
        for (const l of ordered)
          sold =
            l.variant_id === hot
              ? { ...sold, hot: sold.hot + l.quantity }
              : { ...sold, other: sold.other + l.quantity };
      }
      expect(await stockOf(ctx, hot)).toBe(1000 - sold.hot);
      expect(await stockOf(ctx, other)).toBe(1000 - sold.other);
    },
  );

  // Defined on PostgreSQL only (not skipped on PGlite: one connection cannot hold rows while two statements wait).
  if (TEST_BACKEND === 'postgres')
    it('placements queued behind a stock change and a cart line all place: PostgreSQL’s deadlock is retried', async ({
      db,
      ctx,
    }) => {
      // Seen in CI behind nginx: a 500 from 40P01 "while locking updated version of tuple in relation variants".
      // A cart line being added holds FOR KEY SHARE on its variant (its foreign key's check) and another checkout
      // has taken stock, both not yet committed: the row's lockers are a group (a multixact). Two placements wait
      // for the group. When the stock change commits, the first locks the newest version; the second, holding the
      // old version's tuple lock, follows the update chain and waits for the first; the first's stock UPDATE meets
      // the old version its snapshot saw and asks for that tuple lock. PostgreSQL ends one of them (40P01).
      const hot = await addProduct(shop, `Queued Mango ${newId().slice(-6)}`, 50, 100);
      const productId = await productOf(ctx, hot);
      const carts = [await newCart(shop, [[hot, 1]]), await newCart(shop, [[hot, 1]])];
      const stamps = await Promise.all(carts.map((c) => cartStamp(ctx, c)));
      const holdInTx = (sql: string) => {
        let release!: () => void;
        const held = new Promise<void>((r) => {
          release = r;
        });
        let holding!: () => void;
        const isHolding = new Promise<void>((r) => {
          holding = r;
        });
        const done = db.tx(async (tx) => {
          await tx.query(sql, [hot]);
          holding();
          await held;
        });
        return {
          isHolding,
          release: () => {
            release();
            return done;
          },
        };
      };
      const cartLine = holdInTx('SELECT 1 FROM variants WHERE id = $1 FOR KEY SHARE');
      await cartLine.isHolding;
      const stockChange = holdInTx('UPDATE variants SET stock = stock - 1 WHERE id = $1');
      await stockChange.isHolding;
      const lines = [{ ...line(hot, 1), productId }];
      const placements = carts.map((cartId, i) =>
        placeOrder(db, unnumbered(cartId), stamps[i]!, lines, moves(lines), null).catch((err: unknown) => err),
      );
      try {
        const waiting = async () =>
          (
            await db.query<{ n: number }>(
              `SELECT count(*)::int AS n FROM pg_stat_activity
                WHERE datname = current_database() AND wait_event_type = 'Lock' AND query LIKE 'WITH stock_want%'`,
            )
          ).rows[0]!.n;
        for (let tries = 0; (await waiting()) < 2; tries++) {
          expect(tries, 'both placements wait for the row').toBeLessThan(200);
          await new Promise((r) => setTimeout(r, 25));
        }
      } finally {
        await stockChange.release();
        await new Promise((r) => setTimeout(r, 50));
        await cartLine.release();
      }
      expect(await Promise.all(placements)).toEqual([
        expect.objectContaining({ placed: true }),
        expect.objectContaining({ placed: true }),
      ]);
      expect(await stockOf(ctx, hot)).toBe(97);
      const { rows } = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM orders WHERE cart_id = ANY($1)`, [
        carts,
      ]);
      expect(rows[0]!.n).toBe(2);
    });
});
