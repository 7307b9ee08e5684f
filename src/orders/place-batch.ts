/**
 * Checkouts of one store that arrive together in this process are placed together: one transaction, one hold of
 * the hot rows and ONE durable commit (WAL flush) for many orders. Off by default: see `batching` below.
 *
 * Every checkout of a store takes the store's order counter row, and a flash sale's take the same variant row too,
 * so PostgreSQL runs them one after another anyway, each holding those rows until its commit is flushed. Here the
 * first checkout of a store runs at once, alone, as before (no added latency when it is quiet); checkouts that
 * come while it runs wait in its lane, and when it ends they go as one batch:
 *
 *   1. `lockForBatch` locks all their variants, carts and coupons in the global order and reads the stock;
 *   2. each order in arrival order: if its stock is still there (`fitOrder`, pure) its own `placeOrder` statement
 *      writes it — number, lines, history, messages, idempotency record, each order's own — and checks everything
 *      again; if not, it is refused with the shortage at once, without a statement;
 *   3. one COMMIT.
 *
 * If the batch fails as a whole (an error in any statement), it is rolled back and each order is placed alone,
 * as without batching, so one bad order never fails the others. Per process and per database handle: two worker
 * processes each batch their own, and their batches queue on the rows like two single checkouts.
 */
import type { Db, Queryable } from '../db/db.js';
import { lockForBatch, placeOrder, type PlaceOrderResult } from './orders.repo.js';
import { fitOrder, type LockedStock } from './place-batch.plan.js';

/** placeOrder's arguments after the handle. */
export type PlaceOrderArgs = Parameters<typeof placeOrder> extends [Queryable, ...infer Rest] ? Rest : never;

/** At most this many orders in one transaction: bounds how long one batch holds the store's rows. */
const MAX_BATCH = 64;

interface Waiting {
  args: PlaceOrderArgs;
  resolve: (r: PlaceOrderResult) => void;
  reject: (err: unknown) => void;
}

interface Lane {
  waiting: Waiting[];
}

const lanesByDb = new WeakMap<Db, Map<string, Lane>>();

/** Figures for tests and the bench: how many batches of two or more ran, and the orders in them. */
export const batchStats = { batches: 0, orders: 0, fallbacks: 0 };

/**
 * placeOrder, batched with the same store's concurrent checkouts in this process (see the top of this file).
 *
 * Checkout uses it only with `DUKAAN_CHECKOUT_BATCH=1` (config.checkoutBatch). Why it is off: measured on 2 busy
 * cores, batching cut the flash sale's WAL flushes per customer from 0.67–0.88 to 0.12–0.55, but the one
 * back-to-back checkout-flow pair ran 5.8 checkouts/s with it against 28.9 without (the noise on that box is as
 * large): a batch holds the store's rows across one client round trip per order, and on a busy box each round trip
 * waits for the event loop. The batch must become ONE statement first (docs/write-path.md).
 */
export function placeOrderBatched(db: Db, ...args: PlaceOrderArgs): Promise<PlaceOrderResult> {
  const storeId = args[0].storeId;
  let lanes = lanesByDb.get(db);
  if (!lanes) {
    lanes = new Map();
    lanesByDb.set(db, lanes);
  }
  const busy = lanes.get(storeId);
  if (busy) return new Promise((resolve, reject) => busy.waiting.push({ args, resolve, reject }));
  const lane: Lane = { waiting: [] };
  lanes.set(storeId, lane);
  const first = placeOrder(db, ...args);
  first.finally(() => drain(db, lanes, storeId, lane)).catch(() => {});
  return first;
}

function drain(db: Db, lanes: Map<string, Lane>, storeId: string, lane: Lane): void {
  const batch = lane.waiting.splice(0, MAX_BATCH);
  if (batch.length === 0) {
    lanes.delete(storeId);
    return;
  }
  runBatch(db, batch)
    .catch(() => {})
    .finally(() => drain(db, lanes, storeId, lane));
}

async function runBatch(db: Db, batch: Waiting[]): Promise<void> {
  if (batch.length === 1) {
    await settle(batch[0]!, () => placeOrder(db, ...batch[0]!.args));
    return;
  }
  let results: PlaceOrderResult[];
  try {
    results = await db.tx((tx) =>
      placeTogether(
        tx,
        batch.map((w) => w.args),
      ),
    );
  } catch {
    // Rolled back: nothing of the batch was written. Each alone, so the failing one fails only itself.
    batchStats.fallbacks++;
    for (const w of batch) await settle(w, () => placeOrder(db, ...w.args));
    return;
  }
  batchStats.batches++;
  batchStats.orders += batch.length;
  for (const [i, w] of batch.entries()) w.resolve(results[i]!);
}

async function settle(w: Waiting, run: () => Promise<PlaceOrderResult>): Promise<void> {
  try {
    w.resolve(await run());
  } catch (err) {
    w.reject(err);
  }
}

const movesOf = (args: PlaceOrderArgs) => args[3].filter((m) => m.quantity > 0);

/** Steps 1–2 of the top of this file, inside the batch's transaction. */
async function placeTogether(tx: Queryable, all: readonly PlaceOrderArgs[]): Promise<PlaceOrderResult[]> {
  const storeId = all[0]![0].storeId;
  const unique = (xs: (string | null)[]) => [...new Set(xs.filter((x): x is string => x !== null))].sort();
  let stock: LockedStock = await lockForBatch(tx, storeId, {
    variantIds: unique(all.flatMap((a) => movesOf(a).map((m) => m.variantId))),
    cartIds: unique(all.map((a) => a[0].cartId)),
    couponIds: unique(all.map((a) => a[0].couponId)),
  });
  const results: PlaceOrderResult[] = [];
  for (const args of all) {
    const fit = fitOrder(stock, movesOf(args));
    if (!fit.fits) {
      // What the statement would answer: the locks are ours, so the stock it would see is `stock`.
      results.push({ placed: false, shortages: fit.shortages, cartCurrent: false, couponUsable: true });
      continue;
    }
    const placed = await placeOrder(tx, ...args);
    if (placed.placed) stock = fit.after;
    results.push(placed);
  }
  return results;
}
