/**
 * Checkouts of one store that arrive together in this process are placed together: ONE statement, one hold of the
 * hot rows and ONE durable commit (WAL flush) for many orders.
 *
 * Every checkout of a store takes the store's order counter row, and a flash sale's take the same variant row too,
 * so PostgreSQL runs them one after another anyway, each holding those rows until its commit is flushed. Here the
 * first checkout of a store runs at once, alone, as before (no added latency when it is quiet); checkouts that
 * come while it runs wait in its lane, and when it ends they go as one batch: `placeOrderBatch`
 * (place-batch.repo.ts) places them in one statement, first come first served (the rule: place-batch.plan.ts);
 * an order it can neither place nor refuse (`retry`), and an order with a coupon (whose uses it does not count), is
 * then placed alone with `placeOrder`.
 *
 * If the batch statement fails, nothing of it was written and each order is placed alone, as without batching, so
 * one bad order never fails the others. Per process and per database handle: two worker processes each batch their
 * own, and their batches queue on the rows like two single checkouts.
 */
import type { Db, Queryable } from '../db/db.js';
import { placeOrder, type PlaceOrderResult } from './orders.repo.js';
import { placeOrderBatch, type BatchOrder, type BatchOutcome } from './place-batch.repo.js';

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
 * Checkout uses it with `DUKAAN_CHECKOUT_BATCH=1` (config.checkoutBatch).
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
  // An order with a coupon checks and counts the coupon's uses, which the batch statement does not: alone.
  const together = batch.filter((w) => w.args[0].couponId === null);
  const alone = batch.filter((w) => w.args[0].couponId !== null);
  if (together.length >= 2) {
    let outcomes: BatchOutcome[] | null = null;
    try {
      outcomes = await placeOrderBatch(
        db,
        together[0]!.args[0].storeId,
        together.map((w) => batchOrder(w.args)),
      );
    } catch {
      // Nothing of the batch was written (one statement). Each alone, so the failing one fails only itself.
      batchStats.fallbacks++;
      alone.unshift(...together);
    }
    if (outcomes) {
      batchStats.batches++;
      batchStats.orders += together.length;
      for (const [i, w] of together.entries()) {
        const outcome = outcomes[i]!;
        if (outcome === 'retry') alone.push(w);
        else w.resolve(outcome);
      }
    }
  } else alone.unshift(...together);
  for (const w of alone) await settle(w, () => placeOrder(db, ...w.args));
}

async function settle(w: Waiting, run: () => Promise<PlaceOrderResult>): Promise<void> {
  try {
    w.resolve(await run());
  } catch (err) {
    w.reject(err);
  }
}

function batchOrder([order, cartStamp, lines, moves, message, customerMessage, record]: PlaceOrderArgs): BatchOrder {
  const messages: BatchOrder['messages'][number][] = [];
  if (message) messages.push({ message, audience: 'store' });
  if (customerMessage) messages.push({ message: customerMessage, audience: 'customer' });
  return { order, cartStamp, lines, moves, messages, record: record ?? null };
}
