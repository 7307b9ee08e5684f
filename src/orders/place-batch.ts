/**
 * Checkouts that arrive together in this process are placed together: ONE statement, one hold of the hot rows and
 * ONE durable commit (WAL flush) for many orders, of one store or of many.
 *
 * Every checkout of a store takes the store's order counter row, and a flash sale's take the same variant row too,
 * so PostgreSQL runs them one after another anyway, each holding those rows until its commit is flushed. And a
 * statement's fixed cost (~0.9 ms for one order, ~0.2 ms an order in a batch of 16) is paid per statement, so many
 * small shops each checking out alone spend the database's CPU on that fixed cost.
 *
 * So: a checkout runs at once, alone, when this process has a free slot (at most `SLOTS` placing statements at once)
 * and nothing of its store is being placed (no added latency when it is quiet). Otherwise it waits; when a slot
 * frees, everything waiting whose store is not being placed goes as one batch: `placeOrderBatch`
 * (place-batch.repo.ts) places it in one statement, each store's orders first come first served (the rule:
 * place-batch.plan.ts); an order it can neither place nor refuse (`retry`), and an order with a coupon (whose uses
 * it does not count), is then placed alone with `placeOrder`.
 *
 * Stores share a statement but never wait for each other's rows. A batch of several stores waits for no row
 * (`skipLocked`): a store whose rows another transaction holds (a stock import, another process's batch) is skipped
 * and then placed on its own, waiting for its rows like a single checkout. A statement that waits longer than 50 ms
 * (`placementTuning`) gives its slot back, so held stores never stop the process's other stores for longer.
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

/** At most this many orders in one statement: bounds how long one batch holds its rows. */
const MAX_BATCH = 64;

/**
 * Placing statements at once per process: one, so the orders that come meanwhile gather into the next batch
 * instead of each paying a statement. Measured (docs/write-path.md, "Many stores in one statement"): with two, the
 * 200-store flow stayed below the one-store one; with one, level. A statement waiting for a held row gives its slot
 * back after `placementTuning.slowMs`.
 */
const SLOTS = 1;

/**
 * A statement running longer than `slowMs` (waiting for a row) gives its slot back to the other stores. A setting
 * only so a test can hold it still on a slow machine.
 */
export const placementTuning = { slowMs: 50 };

interface Waiting {
  args: PlaceOrderArgs;
  resolve: (r: PlaceOrderResult) => void;
  reject: (err: unknown) => void;
}

interface Placer {
  waiting: Waiting[];
  /** Slots in use. */
  running: number;
  /** Stores with a statement running: their next orders wait for it, to go in the next batch. */
  placing: Set<string>;
}

const placers = new WeakMap<Db, Placer>();

/** Figures for tests: batches of two or more orders, the orders in them, fallbacks, the batches of several stores. */
export const batchStats = { batches: 0, orders: 0, fallbacks: 0, severalStores: 0 };

/**
 * placeOrder, batched with this process's concurrent checkouts (see the top of this file).
 *
 * Checkout uses it with `DUKAAN_CHECKOUT_BATCH=1` (config.checkoutBatch).
 */
export function placeOrderBatched(db: Db, ...args: PlaceOrderArgs): Promise<PlaceOrderResult> {
  let placer = placers.get(db);
  if (!placer) {
    placer = { waiting: [], running: 0, placing: new Set() };
    placers.set(db, placer);
  }
  const placed = new Promise<PlaceOrderResult>((resolve, reject) => placer.waiting.push({ args, resolve, reject }));
  dispatch(db, placer);
  return placed;
}

/** Starts a statement in each free slot with the waiting orders whose stores are not being placed. */
function dispatch(db: Db, placer: Placer): void {
  while (placer.running < SLOTS) {
    const batch: Waiting[] = [];
    const rest: Waiting[] = [];
    for (const w of placer.waiting)
      (batch.length < MAX_BATCH && !placer.placing.has(w.args[0].storeId) ? batch : rest).push(w);
    if (batch.length === 0) return;
    placer.waiting = rest;
    const stores = new Set(batch.map((w) => w.args[0].storeId));
    for (const store of stores) placer.placing.add(store);
    placer.running++;
    let slotHeld = true;
    const releaseSlot = () => {
      if (slotHeld) placer.running--;
      slotHeld = false;
    };
    const slow = setTimeout(() => {
      releaseSlot();
      dispatch(db, placer);
    }, placementTuning.slowMs);
    slow.unref();
    runBatch(db, batch)
      .catch(() => {})
      .finally(() => {
        clearTimeout(slow);
        for (const store of stores) placer.placing.delete(store);
        releaseSlot();
        dispatch(db, placer);
      });
  }
}

async function runBatch(db: Db, batch: Waiting[]): Promise<void> {
  const severalStores = new Set(batch.map((w) => w.args[0].storeId)).size > 1;
  const alone: Waiting[] = [];
  // Several stores: a statement that waits for no row, so no store waits for another's held row.
  const skipped = await placeTogether(db, batch, { skipLocked: severalStores }, alone);
  // The rest store by store, the stores side by side: a store it skipped is placed on its own, waiting for its rows
  // as a single checkout would, and holds up only its own orders.
  const byStore = new Map<string, { skipped: Waiting[]; alone: Waiting[] }>();
  const of = (w: Waiting) => {
    const store = w.args[0].storeId;
    const rest = byStore.get(store) ?? { skipped: [], alone: [] };
    byStore.set(store, rest);
    return rest;
  };
  for (const w of skipped) of(w).skipped.push(w);
  for (const w of alone) of(w).alone.push(w);
  await Promise.all(
    [...byStore.values()].map(async (rest) => {
      await placeTogether(db, rest.skipped, { skipLocked: false }, rest.alone);
      for (const w of rest.alone) await settle(w, () => placeOrder(db, ...w.args));
    }),
  );
}

/**
 * Places `batch` with one statement when two or more of its orders can go together; adds to `alone` the orders
 * to place one by one (coupons, retries, or all of them if the statement failed); returns the orders it skipped.
 */
async function placeTogether(
  db: Db,
  batch: readonly Waiting[],
  opts: { skipLocked: boolean },
  alone: Waiting[],
): Promise<Waiting[]> {
  // An order with a coupon checks and counts the coupon's uses, which the batch statement does not: alone.
  const together = batch.filter((w) => w.args[0].couponId === null);
  alone.push(...batch.filter((w) => w.args[0].couponId !== null));
  if (together.length < 2) {
    alone.unshift(...together);
    return [];
  }
  let outcomes: BatchOutcome[];
  try {
    outcomes = await placeOrderBatch(
      db,
      together.map((w) => batchOrder(w.args)),
      opts,
    );
  } catch {
    // Nothing of the batch was written (one statement). Each alone, so the failing one fails only itself.
    batchStats.fallbacks++;
    alone.unshift(...together);
    return [];
  }
  batchStats.batches++;
  batchStats.orders += together.length;
  if (new Set(together.map((w) => w.args[0].storeId)).size > 1) batchStats.severalStores++;
  const skipped: Waiting[] = [];
  for (const [i, w] of together.entries()) {
    const outcome = outcomes[i]!;
    if (outcome === 'retry') alone.push(w);
    else if (outcome === 'skipped') skipped.push(w);
    else w.resolve(outcome);
  }
  return skipped;
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
