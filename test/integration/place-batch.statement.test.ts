/**
 * The one-statement batch placement (src/orders/place-batch.repo.ts) on its own, both databases: first come first
 * served inside the batch, refusals only for stock that is not there, a changed or doubled cart not placed and not
 * in anyone's way, gap-free numbers, and each placed order whole.
 */
import fc from 'fast-check';
import pg from 'pg';
import { describe, expect } from 'vitest';
import { appTest } from '../helpers/fixture.js';
import { TEST_BACKEND } from '../helpers/db.js';
import { addProduct, newCart, openShop, type Shop } from '../helpers/order-fixtures.js';
import { placeOrderBatch, type BatchOrder } from '../../src/orders/place-batch.repo.js';
import { placeOrder } from '../../src/orders/orders.repo.js';
import { batchVerdicts, batchVerdictsByStore } from '../../src/orders/place-batch.plan.js';
import { batchStats, placementTuning, placeOrderBatched } from '../../src/orders/place-batch.js';
import { CART_STAMP_SQL } from '../../src/cart/cart.repo.js';
import { newId } from '../../src/shared/ids.js';
import { unnumberedOrder } from '../helpers/order-rows.js';
import type { Queryable } from '../../src/db/db.js';

const it = appTest();
let shop: Shop;
it.beforeAll(async ({ ctx }) => {
  shop = await openShop(ctx);
});

async function stockOf(db: Queryable, variantId: string): Promise<number | null> {
  return (await db.query<{ stock: number | null }>('SELECT stock FROM variants WHERE id = $1', [variantId])).rows[0]!
    .stock;
}

async function stampOf(db: Queryable, cartId: string): Promise<number> {
  const { rows } = await db.query<{ stamp: string }>(
    `SELECT ${CART_STAMP_SQL('c')} AS stamp FROM carts c WHERE id = $1`,
    [cartId],
  );
  return Number(rows[0]!.stamp);
}

/**
 * A batch entry for this cart, ordering `moves` (each its own line at 100 a unit, of the variant's own product:
 * order_lines has a foreign key to products).
 */
async function entry(
  db: Queryable,
  cartId: string,
  moves: [variantId: string, quantity: number][],
  ofShop: Shop = shop,
): Promise<BatchOrder> {
  const { rows } = await db.query<{ id: string; product_id: string }>(
    'SELECT id, product_id FROM variants WHERE id = ANY($1::uuid[])',
    [moves.map(([variantId]) => variantId)],
  );
  const productOf = new Map(rows.map((r) => [r.id, r.product_id]));
  const lines = moves.map(([variantId, quantity]) => ({
    variantId,
    productId: productOf.get(variantId)!,
    name: 'Item',
    variantName: 'Default',
    unitPrice: 100,
    quantity,
  }));
  const total = lines.reduce((sum, l) => sum + l.unitPrice * l.quantity, 0);
  return {
    order: unnumberedOrder(ofShop.storeId, cartId, { subtotal: total, total }),
    cartStamp: await stampOf(db, cartId),
    lines,
    moves: moves.map(([variantId, quantity]) => ({ variantId, quantity })),
    messages: [],
    record: null,
  };
}

/** A parameter as an SQL literal (text, number, null, or a flat array of those), typed by where it goes. */
function sqlLiteral(value: unknown): string {
  if (value === null || value === undefined) return 'NULL';
  const text = Array.isArray(value)
    ? `{${value.map((x) => (x === null ? 'NULL' : `"${String(x).replace(/[\\"]/g, '\\$&')}"`)).join(',')}}`
    : String(value);
  return `'${text.replace(/'/g, "''")}'`;
}

describe('placeOrderBatch: one statement for a batch of one store', () => {
  it('first come first served; a later order that fits what is left is retried, never refused', async ({ db }) => {
    const v = await addProduct(shop, 'Batch rice', 100, 5);
    const [a, b, c] = [await newCart(shop), await newCart(shop), await newCart(shop)];
    const batch = [await entry(db, a, [[v, 3]]), await entry(db, b, [[v, 4]]), await entry(db, c, [[v, 2]])];

    const out = await placeOrderBatch(db, batch);
    expect(out[0]).toMatchObject({ placed: true, number: expect.any(Number), answer: null });
    // B asks 4 of the 2 left: short now; C's 2 would fit: not refused, placed alone after.
    expect(out[1]).toEqual({
      placed: false,
      shortages: [{ variantId: v, requested: 4, available: 2 }],
      cartCurrent: true,
      couponUsable: true,
    });
    expect(out[2]).toBe('retry');
    expect(await stockOf(db, v)).toBe(2);
  });

  it('numbers the placed orders gap-free in arrival order, each order whole, stock taken once', async ({ db }) => {
    const v = await addProduct(shop, 'Batch tea', 100, 10);
    const w = await addProduct(shop, 'Batch sugar', 100, null);
    const carts = [await newCart(shop), await newCart(shop), await newCart(shop)];
    const batch = [
      await entry(db, carts[0]!, [
        [v, 2],
        [w, 5],
      ]),
      await entry(db, carts[1]!, [[v, 3]]),
      await entry(db, carts[2]!, [[w, 1]]),
    ];
    batch[1]!.messages = [
      {
        audience: 'store',
        message: {
          id: newId(),
          topic: 'order.placed',
          recipient: '+919800000001',
          textBeforeNumber: 'New order #',
          textAfterNumber: '!',
          data: { k: 1 },
        },
      },
    ];
    batch[2]!.record = {
      scope: `batch-test ${newId()}`,
      key: 'k1',
      requestHash: 'h',
      answer: '{"n":9007199254740991}',
    };

    const out = await placeOrderBatch(db, batch);
    const numbers = out.map((o) => (typeof o !== 'string' && o.placed ? o.number : null));
    expect(numbers[1]).toBe(numbers[0]! + 1);
    expect(numbers[2]).toBe(numbers[0]! + 2);
    const third = out[2]!;
    expect(typeof third !== 'string' && third.placed && third.answer).toBe(`{"n":${numbers[2]}}`);

    const { rows } = await db.query<{ number: number; lines: number; history: number; cart_order: string }>(
      `SELECT o.number,
              (SELECT count(*)::int FROM order_lines l WHERE l.order_id = o.id) AS lines,
              (SELECT count(*)::int FROM order_history h WHERE h.order_id = o.id AND h.status = 'placed') AS history,
              (SELECT c.order_id::text FROM carts c WHERE c.id = o.cart_id) AS cart_order
         FROM orders o WHERE o.id = ANY($1::uuid[]) ORDER BY o.number`,
      [batch.map((e) => e.order.id)],
    );
    expect(rows.map((r) => [r.number, r.lines, r.history])).toEqual([
      [numbers[0], 2, 1],
      [numbers[1], 1, 1],
      [numbers[2], 1, 1],
    ]);
    expect(rows.map((r) => r.cart_order).sort()).toEqual(batch.map((e) => e.order.id).sort());
    const stock = await db.query<{ id: string; stock: number | null }>(
      'SELECT id, stock FROM variants WHERE id IN ($1, $2)',
      [v, w],
    );
    expect(Object.fromEntries(stock.rows.map((r) => [r.id, r.stock]))).toEqual({ [v]: 5, [w]: null });
    const outbox = await db.query<{ text: string }>(`SELECT payload->>'text' AS text FROM outbox WHERE id = $1`, [
      batch[1]!.messages[0]!.message.id,
    ]);
    expect(outbox.rows).toEqual([{ text: `New order #${numbers[1]}!` }]);
  });

  it('a cart changed since its read, or checked out twice in one batch, is not placed and blocks no one', async ({
    db,
  }) => {
    const v = await addProduct(shop, 'Batch dal', 100, 3);
    const [changed, twice, other] = [await newCart(shop), await newCart(shop), await newCart(shop)];
    const batch = [
      await entry(db, changed, [[v, 1]]),
      await entry(db, twice, [[v, 1]]),
      await entry(db, twice, [[v, 1]]),
      await entry(db, other, [[v, 2]]),
    ];
    await db.query(`UPDATE carts SET updated_at = updated_at + interval '1 second' WHERE id = $1`, [changed]);

    const out = await placeOrderBatch(db, batch);
    const notCurrent = { placed: false, shortages: [], cartCurrent: false, couponUsable: true };
    expect(out[0]).toEqual(notCurrent);
    expect(out[1]).toMatchObject({ placed: true });
    expect(out[2]).toEqual(notCurrent);
    expect(out[3]).toMatchObject({ placed: true });
    expect(await stockOf(db, v)).toBe(0);
  });

  it('a variant short in the snapshot is refused without a lock, with what is there', async ({ db }) => {
    const v = await addProduct(shop, 'Batch ghee', 100, 1);
    const batch = [await entry(db, await newCart(shop), [[v, 2]]), await entry(db, await newCart(shop), [[v, 1]])];
    const out = await placeOrderBatch(db, batch);
    expect(out[0]).toEqual({
      placed: false,
      shortages: [{ variantId: v, requested: 2, available: 1 }],
      cartCurrent: true,
      couponUsable: true,
    });
    expect(out[1]).toMatchObject({ placed: true });
  });
});

describe('an Idempotency-Key that already has a record (a refusal stored a moment ago)', () => {
  it('stops the order, alone or in a batch: the checkout reads again and answers as a repeat', async ({ db }) => {
    const v = await addProduct(shop, 'Keyed jaggery', 100, 5);
    const scope = `POST /keyed-race ${newId()}`;
    await db.query(
      `INSERT INTO idempotency_keys (scope, key, request_hash, state, locked_until, response_status, response_body)
       VALUES ($1, 'refused', 'h', 'done', now(), 409, '{}')`,
      [scope],
    );
    const alone = await entry(db, await newCart(shop), [[v, 1]]);
    const batch = [await entry(db, await newCart(shop), [[v, 1]]), await entry(db, await newCart(shop), [[v, 1]])];
    const record = { scope, key: 'refused', requestHash: 'h', answer: null };
    const notCurrent = { placed: false, shortages: [], cartCurrent: false, couponUsable: true };

    const { order, cartStamp, lines, moves } = alone;
    expect(await placeOrder(db, order, cartStamp, lines, moves, null, null, record)).toEqual(notCurrent);
    batch[0]!.record = record;
    const out = await placeOrderBatch(db, batch);
    expect(out[0]).toEqual(notCurrent);
    expect(out[1]).toMatchObject({ placed: true });
    expect(await stockOf(db, v)).toBe(4);
  });
});

describe('the statement follows its model (src/orders/place-batch.plan.ts)', () => {
  it('random batches over three variants: the same verdict for every order, the same stock left', async ({ db }) => {
    const stocks: (number | null)[] = [4, 6, null];
    const variants = [
      await addProduct(shop, 'Model tea', 100, 4),
      await addProduct(shop, 'Model rice', 100, 6),
      await addProduct(shop, 'Model salt', 100, null),
    ];
    const orderArb = fc
      .uniqueArray(fc.constantFrom(...variants), { minLength: 1, maxLength: 2 })
      .chain((ids) =>
        fc.tuple(...ids.map((id) => fc.integer({ min: 1, max: 4 }).map((q) => [id, q] as [string, number]))),
      );
    await fc.assert(
      fc.asyncProperty(fc.array(orderArb, { minLength: 2, maxLength: 8 }), async (orders) => {
        for (const [i, v] of variants.entries())
          await db.query('UPDATE variants SET stock = $2 WHERE id = $1', [v, stocks[i]]);
        const batch: BatchOrder[] = [];
        for (const moves of orders) {
          batch.push(await entry(db, await newCart(shop), moves));
        }
        const stock = new Map<string, number | null>(variants.map((v, i) => [v, stocks[i]!]));
        const expected = batchVerdicts(
          stock,
          orders.map((moves) => moves.map(([variantId, quantity]) => ({ variantId, quantity }))),
        );
        const out = await placeOrderBatch(db, batch);
        expect(
          out.map((o) =>
            typeof o === 'string' ? o : o.placed ? { placed: true } : { placed: false, shortages: o.shortages },
          ),
        ).toEqual(expected);
        const left = new Map(stock);
        for (const [i, verdict] of expected.entries())
          if (verdict !== 'retry' && verdict.placed)
            for (const [v, q] of orders[i]!) if (left.get(v) !== null) left.set(v, left.get(v)! - q);
        for (const v of variants) expect(await stockOf(db, v)).toBe(left.get(v));
      }),
      { numRuns: 12, seed: 20261130 },
    );
  });

  it('random batches of two stores: each store judged alone, numbered gap-free on its own counter', async ({
    db,
    ctx,
  }) => {
    const other = await openShop(ctx, { create: { name: 'Second batch shop' } });
    const stocks: (number | null)[] = [3, 5, 4];
    const variants = [
      { shop, id: await addProduct(shop, 'Mixed tea', 100, 3) },
      { shop, id: await addProduct(shop, 'Mixed salt', 100, 5) },
      { shop: other, id: await addProduct(other, 'Mixed rice', 100, 4) },
    ];
    const numbersOf = async (storeId: string) =>
      (
        await db.query<{ number: number }>('SELECT number FROM orders WHERE store_id = $1 ORDER BY number', [storeId])
      ).rows.map((r) => r.number);
    const orderArb = fc.oneof(
      fc
        .uniqueArray(fc.constantFrom(0, 1), { minLength: 1, maxLength: 2 })
        .chain((ix) => fc.tuple(...ix.map((i) => fc.integer({ min: 1, max: 3 }).map((q) => [i, q] as const)))),
      fc.integer({ min: 1, max: 3 }).map((q) => [[2, q] as const]),
    );
    await fc.assert(
      // Nothing else holds a row here, so skipping held rows changes nothing.
      fc.asyncProperty(fc.array(orderArb, { minLength: 2, maxLength: 8 }), fc.boolean(), async (orders, skipLocked) => {
        for (const [i, v] of variants.entries())
          await db.query('UPDATE variants SET stock = $2 WHERE id = $1', [v.id, stocks[i]]);
        const before = { first: await numbersOf(shop.storeId), second: await numbersOf(other.storeId) };
        const batch: BatchOrder[] = [];
        for (const moves of orders) {
          const owner = variants[moves[0]![0]]!.shop;
          const lines = moves.map(([i, q]) => [variants[i]!.id, q] as [string, number]);
          batch.push(await entry(db, await newCart(owner), lines, owner));
        }
        const stock = new Map<string, number | null>(variants.map((v, i) => [v.id, stocks[i]!]));
        const expected = batchVerdictsByStore(
          stock,
          batch.map((b) => ({ storeId: b.order.storeId, moves: b.moves })),
        );
        const out = await placeOrderBatch(db, batch, { skipLocked });
        expect(
          out.map((o) =>
            typeof o === 'string' ? o : o.placed ? { placed: true } : { placed: false, shortages: o.shortages },
          ),
        ).toEqual(expected);
        // Each store's counter moved by its own placed orders only, in arrival order, without a gap.
        for (const [s, storeId, had] of [
          [shop, shop.storeId, before.first],
          [other, other.storeId, before.second],
        ] as const) {
          const placed = out.flatMap((o, i) =>
            typeof o !== 'string' && o.placed && batch[i]!.order.storeId === storeId ? [o.number] : [],
          );
          const last = had.length ? had[had.length - 1]! : 0;
          expect(placed).toEqual(placed.map((_, k) => last + k + 1));
          expect(await numbersOf(s.storeId)).toEqual([...had, ...placed]);
        }
      }),
      { numRuns: 10, seed: 20261201 },
    );
  });

  if (TEST_BACKEND === 'postgres')
    it('skipLocked: a store whose variant, cart or counter is held is skipped whole, at once (PostgreSQL)', async ({
      db,
      ctx,
    }) => {
      const other = await openShop(ctx, { create: { name: 'Never held' } });
      const mine = await addProduct(shop, 'Held tea', 100, 10);
      const theirs = await addProduct(other, 'Free tea', 100, 10);
      // A first order of each store, so both have an order counter row to hold.
      for (const [s, v] of [
        [shop, mine],
        [other, theirs],
      ] as const) {
        const first = await entry(db, await newCart(s), [[v, 1]], s);
        expect(await placeOrder(db, first.order, first.cartStamp, first.lines, first.moves, null)).toMatchObject({
          placed: true,
        });
      }
      const holds = {
        counter: ['SELECT 1 FROM store_order_counters WHERE store_id = $1 FOR UPDATE', shop.storeId],
        variant: ['SELECT 1 FROM variants WHERE id = $1 FOR UPDATE', mine],
        cart: ['SELECT 1 FROM carts WHERE id = $1 FOR UPDATE', null],
      } as const;
      for (const [what, [sql, param]] of Object.entries(holds)) {
        const batch = [
          await entry(db, await newCart(shop), [[mine, 1]]),
          await entry(db, await newCart(other), [[theirs, 1]], other),
          await entry(db, await newCart(shop), [[mine, 2]]),
        ];
        const holder = new pg.Client({ connectionString: ctx.testDb.url! });
        await holder.connect();
        let out: Awaited<ReturnType<typeof placeOrderBatch>>;
        try {
          await holder.query('BEGIN');
          await holder.query(sql, [param ?? batch[2]!.order.cartId]);
          // Answered while the row is still held: it waited for nothing.
          out = await Promise.race([
            placeOrderBatch(db, batch, { skipLocked: true }),
            new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`waited for the ${what}`)), 5000)),
          ]);
        } finally {
          await holder.query('ROLLBACK');
          await holder.end();
        }
        expect([what, out[0], out[2]]).toEqual([what, 'skipped', 'skipped']);
        expect(out[1]).toMatchObject({ placed: true });
      }
      // Nothing of the skipped store was written: its stock is what its first order left.
      expect(await stockOf(db, mine)).toBe(9);
      expect(await stockOf(db, theirs)).toBe(6);
    });

  it('a variant gone before it could be locked is refused, never ordered', async ({ db }) => {
    const v = await addProduct(shop, 'Vanishing tea', 100, 10);
    const batch = [await entry(db, await newCart(shop), [[v, 1]]), await entry(db, await newCart(shop), [[v, 2]])];
    const gone = `DELETE FROM variants WHERE id = $1`;
    let out: Awaited<ReturnType<typeof placeOrderBatch>>;
    if (TEST_BACKEND === 'postgres') {
      // Deleted by a transaction that commits while the statement waits for the row: its snapshot still saw the
      // variant, its lock finds none (nothing of the batch can be locked).
      let placing: Promise<typeof out> | null = null;
      await db.tx(async (tx) => {
        await tx.query(gone, [v]);
        placing = placeOrderBatch(db, batch);
        await new Promise((r) => setTimeout(r, 300));
      });
      out = await placing!;
    } else {
      // One connection: no statement runs between a snapshot and its locks; gone before the statement, it is short
      // in the snapshot.
      await db.query(gone, [v]);
      out = await placeOrderBatch(db, batch);
    }
    expect(out).toEqual([
      {
        placed: false,
        shortages: [{ variantId: v, requested: 1, available: 0 }],
        cartCurrent: true,
        couponUsable: true,
      },
      {
        placed: false,
        shortages: [{ variantId: v, requested: 2, available: 0 }],
        cartCurrent: true,
        couponUsable: true,
      },
    ]);
  });

  it("a cart line being written does not hold up the stock's lock (FOR KEY SHARE against NO KEY UPDATE)", async ({
    db,
  }) => {
    // A cart created with its lines holds FOR KEY SHARE on each variant (the foreign key's check) until it commits,
    // taken in the order its lines came; the checkouts lock the same rows in id order. Were their lock FOR UPDATE,
    // a cart of lines B, A and a checkout of A, B would each wait for the other (seen under load: "deadlock
    // detected"). The stock's lock is the one its UPDATE takes, FOR NO KEY UPDATE, which a key share does not block.
    const [a, b] = [await addProduct(shop, 'Shared tea A', 100, 10), await addProduct(shop, 'Shared tea B', 100, 10)];
    const single = await entry(db, await newCart(shop), [
      [a, 1],
      [b, 1],
    ]);
    const batch = [
      await entry(db, await newCart(shop), [
        [a, 1],
        [b, 1],
      ]),
      await entry(db, await newCart(shop), [[b, 2]]),
    ];
    const linesCart = await newCart(shop);
    const writeLines = (q: Queryable) =>
      q.query(
        `INSERT INTO cart_lines (cart_id, store_id, variant_id, quantity)
         SELECT $1, $2, v, 1 FROM unnest($3::uuid[]) AS v`,
        [linesCart, shop.storeId, [b, a]],
      );
    const place = () =>
      Promise.all([
        placeOrder(db, single.order, single.cartStamp, single.lines, single.moves, null),
        placeOrderBatch(db, batch),
      ]);
    let placed: Awaited<ReturnType<typeof place>>;
    if (TEST_BACKEND === 'postgres') {
      let placing: ReturnType<typeof place> | null = null;
      let finishedWhileHeld = false;
      await db.tx(async (tx) => {
        await writeLines(tx);
        placing = place();
        // Both statements must finish while the lines' transaction is still open; were they waiting for it, the
        // race ends after 5 s, the transaction commits and lets them go, and the test fails.
        finishedWhileHeld = await Promise.race([
          placing.then(() => true),
          new Promise<boolean>((r) => setTimeout(() => r(false), 5000)),
        ]);
      });
      placed = await placing!;
      expect(finishedWhileHeld).toBe(true);
    } else {
      // One connection: nothing runs in between; the statements must still place with the lines written.
      await writeLines(db);
      placed = await place();
    }
    expect(placed![0]).toMatchObject({ placed: true });
    expect(placed![1]).toEqual([expect.objectContaining({ placed: true }), expect.objectContaining({ placed: true })]);
    expect(await stockOf(db, a)).toBe(8);
    expect(await stockOf(db, b)).toBe(6);
  });

  it('its work grows with the batch, not with its square (the plan the app runs: generic)', async ({ db }) => {
    const variants = await Promise.all([1, 2, 3].map((i) => addProduct(shop, `Linear ${i}`, 100, null)));
    /** Rows every plan node produced, times its loops, for a batch of `n` orders of 3 lines each. */
    const rowsVisited = async (n: number): Promise<{ total: number; unnestLoops: number }> => {
      const batch: BatchOrder[] = [];
      for (let i = 0; i < n; i++) {
        const e = await entry(
          db,
          await newCart(shop),
          variants.map((v) => [v, 1]),
        );
        e.record = { scope: 'linear', key: newId(), requestHash: 'h', answer: '{}' };
        batch.push(e);
      }
      // The statement as the app sends it, planned as the app plans it (one generic plan per connection), explained
      // and rolled back.
      let sent: { sql: string; params: readonly unknown[] } | null = null;
      await placeOrderBatch(
        {
          async query<T>(sql: string, params?: readonly unknown[]) {
            sent = { sql, params: params ?? [] };
            return { rows: [] as T[], rowCount: 0 };
          },
        },
        batch,
      );
      const { sql, params } = sent!;
      type Node = { 'Node Type': string; 'Actual Rows': number; 'Actual Loops': number; Plans?: Node[] };
      let plan: Node | null = null;
      await db
        .tx(async (tx) => {
          await tx.query(`SET LOCAL plan_cache_mode = force_generic_plan`);
          await tx.query(`PREPARE linear_batch AS ${sql}`);
          // EXECUTE takes no bound parameters: its arguments are literals.
          const { rows } = await tx.query<{ 'QUERY PLAN': [{ Plan: Node }] }>(
            `EXPLAIN (ANALYZE, FORMAT JSON) EXECUTE linear_batch(${params.map(sqlLiteral).join(', ')})`,
          );
          plan = rows[0]!['QUERY PLAN'][0].Plan;
          // Not undone by the rollback: a prepared statement belongs to the connection.
          await tx.query('DEALLOCATE linear_batch');
          throw new Error('rolled back');
        })
        .catch((err: Error) => {
          if (err.message !== 'rolled back') throw err;
        });
      let total = 0;
      let unnestLoops = 0;
      const walk = (node: Node) => {
        total += node['Actual Rows'] * node['Actual Loops'];
        if (node['Node Type'] === 'Function Scan') unnestLoops = Math.max(unnestLoops, node['Actual Loops']);
        for (const child of node.Plans ?? []) walk(child);
      };
      walk(plan!);
      return { total, unnestLoops };
    };
    const small = await rowsVisited(8);
    const large = await rowsVisited(32);
    // Each list the statement is given is read once, whatever the batch's size (it once was read again per order).
    expect([small.unnestLoops, large.unnestLoops]).toEqual([1, 1]);
    // Four times the orders, about four times the rows: at most five (a join per order per order would be 16).
    expect(large.total / small.total).toBeLessThanOrEqual(5);
  });
});

describe('placeOrderBatched: the checkouts of several stores that wait share one statement', () => {
  it('the orders that wait while one is placed go together, several stores in one; each numbered apart', async ({
    db,
    ctx,
  }) => {
    const shops = [shop];
    for (const name of ['Slot B', 'Slot C']) shops.push(await openShop(ctx, { create: { name } }));
    const items = await Promise.all(shops.map((s) => addProduct(s, 'Slot item', 100, 10)));
    const args = async (i: number) => {
      const e = await entry(db, await newCart(shops[i]!), [[items[i]!, 1]], shops[i]);
      return [e.order, e.cartStamp, e.lines, e.moves, null, null, null] as const;
    };
    // Built before any is placed, then handed over in one tick: the first (store A) takes the process's placing
    // slot alone; B, A, B, C, C wait. When A's statement ends, all five go as one statement of three stores.
    const ready = [await args(0), await args(1), await args(0), await args(1), await args(2), await args(2)];
    const before = { ...batchStats };
    // A slow first statement (a cold embedded database) must not give its slot back mid-test.
    const slowMs = placementTuning.slowMs;
    placementTuning.slowMs = 60_000;
    let placed: Awaited<ReturnType<typeof placeOrderBatched>>[];
    try {
      placed = await Promise.all(ready.map((a) => placeOrderBatched(db, ...a)));
    } finally {
      placementTuning.slowMs = slowMs;
    }
    expect(placed.every((p) => p.placed)).toBe(true);
    expect(batchStats.severalStores - before.severalStores).toBeGreaterThanOrEqual(1);
    expect(batchStats.fallbacks).toBe(before.fallbacks);
    for (const [i, s] of shops.entries()) {
      const mine = placed.filter((_, k) => ready[k]![0].storeId === s.storeId).map((p) => (p.placed ? p.number : 0));
      const { rows } = await db.query<{ number: number }>(
        'SELECT number FROM orders WHERE store_id = $1 AND id = ANY($2::uuid[]) ORDER BY number',
        [s.storeId, ready.filter((a) => a[0].storeId === s.storeId).map((a) => a[0].id)],
      );
      expect(rows.map((r) => r.number)).toEqual([...mine].sort((a, b) => a - b));
      expect(mine[1]).toBe(mine[0]! + 1);
      expect(await stockOf(db, items[i]!)).toBe(8);
    }
  });
});
