import type { Queryable } from '../db/db.js';

/**
 * The SQL of stock. Orders take and give back stock only here: each change is one conditional UPDATE, made in
 * variant-id order so that concurrent transactions touching the same variants lock them in the same order and
 * cannot deadlock. Untracked stock (NULL) is never written. Call inside the transaction that writes the order.
 * The merchant's own changes (set / adjust, rules in ./stock.ts) are single conditional UPDATEs too.
 */

export interface StockMove {
  variantId: string;
  quantity: number;
}

export interface StockShortage {
  variantId: string;
  /** how many were asked for in this move */
  requested: number;
  /** what is in stock now (0 when out, or when the variant is gone) */
  available: number;
}

const byVariantId = <T extends { variantId: string }>(moves: readonly T[]): T[] =>
  [...moves].sort((a, b) => (a.variantId < b.variantId ? -1 : a.variantId > b.variantId ? 1 : 0));

async function takeOne(tx: Queryable, storeId: string, move: StockMove): Promise<StockShortage | null> {
  const taken = await tx.query(
    `UPDATE variants SET stock = stock - $2 WHERE id = $1 AND store_id = $3 AND stock IS NOT NULL AND stock >= $2`,
    [move.variantId, move.quantity, storeId],
  );
  if (taken.rowCount === 1) return null;
  // Either not tracked (nothing to take) or not enough: find out which, and how many are left.
  const { rows } = await tx.query<{ stock: number | null }>(
    `SELECT stock FROM variants WHERE id = $1 AND store_id = $2`,
    [move.variantId, storeId],
  );
  const row = rows[0];
  if (row && row.stock === null) return null;
  return { variantId: move.variantId, requested: move.quantity, available: row?.stock ?? 0 };
}

/**
 * The CTEs that take a checkout's stock inside one larger statement (see `placeOrder`), so the hot rows stay locked
 * for that statement and its commit instead of a round trip per line. The caller binds the store id and two arrays
 * (variant ids and quantities > 0, one entry per variant) and names their placeholders.
 * - `stock_locked` locks the wanted variants of the store in variant-id order (LockRows sits above the Sort, so rows
 *   are locked in that order), as every other stock change does, so concurrent checkouts cannot deadlock. Being
 *   a row lock it sees the latest committed stock. It is FOR NO KEY UPDATE, the lock the stock UPDATE takes anyway,
 *   not FOR UPDATE: a cart line or order line being inserted holds FOR KEY SHARE on its variant (the foreign key's
 *   check) until it commits, in whatever order its lines came, and FOR UPDATE would wait for it — a cart created
 *   with lines B then A and a checkout locking A then B deadlocked under load.
 * - `stock_seen_short` is the fast refusal: the moves already short in the statement's snapshot (committed stock,
 *   read without a lock). Stock only ever meets a checkout as it was at some moment, and at this snapshot's moment
 *   it was short, so refusing then is what running the checkout at that moment gives — the same rule as the
 *   checkout's first read. A sold-out variant's losers are then answered without queueing for its row lock (and
 *   without the lock's WAL record and flush); only when the snapshot shows enough are the rows locked.
 * - `stock_short` lists the moves that cannot be met: the variant is missing, or tracked and below the quantity.
 * - `stock_taken` subtracts, only `when` the caller's condition holds (the order was written; it must imply that
 *   `stock_short` is empty). It joins `stock_locked`, so it runs with the locks held, and the database rechecks
 *   `stock >= qty` against the row version it locked.
 */
export function takeStockCtes(p: { storeId: string; variantIds: string; quantities: string; when: string }): {
  lockAndCheck: string;
  take: string;
} {
  const lockAndCheck = `stock_want AS (SELECT w.id, w.qty
                        FROM unnest(${p.variantIds}::uuid[], ${p.quantities}::int[]) AS w(id, qty)),
     stock_seen_short AS (SELECT w.id, w.qty, coalesce(v.stock, 0) AS available
                            FROM stock_want w LEFT JOIN variants v
                                 ON v.id = w.id AND v.store_id = ${p.storeId}::uuid
                           WHERE v.id IS NULL OR v.stock < w.qty),
     stock_locked AS (SELECT v.id, v.stock FROM variants v
                       WHERE v.store_id = ${p.storeId}::uuid AND v.id = ANY(${p.variantIds}::uuid[])
                         AND NOT EXISTS (SELECT 1 FROM stock_seen_short)
                       ORDER BY v.id FOR NO KEY UPDATE),
     stock_short AS (SELECT id, qty, available FROM stock_seen_short
                     UNION ALL
                     SELECT w.id, w.qty, coalesce(l.stock, 0) AS available
                       FROM stock_want w LEFT JOIN stock_locked l ON l.id = w.id
                      WHERE NOT EXISTS (SELECT 1 FROM stock_seen_short) AND (l.id IS NULL OR l.stock < w.qty))`;
  // A CTE sees only the ones before it: the caller places this one after whatever its condition names.
  const take = `stock_taken AS (UPDATE variants v SET stock = v.stock - w.qty
                       FROM stock_want w JOIN stock_locked l ON l.id = w.id
                      WHERE v.id = w.id AND v.stock IS NOT NULL AND v.stock >= w.qty AND ${p.when})`;
  return { lockAndCheck, take };
}

/** Gives stock back (a rejected or cancelled order, or a line reduced). Untracked stock stays untracked. */
export async function returnStock(tx: Queryable, storeId: string, moves: readonly StockMove[]): Promise<void> {
  for (const move of byVariantId(moves)) {
    if (move.quantity <= 0) continue;
    await tx.query(`UPDATE variants SET stock = stock + $2 WHERE id = $1 AND store_id = $3 AND stock IS NOT NULL`, [
      move.variantId,
      move.quantity,
      storeId,
    ]);
  }
}

/**
 * Moves stock for an edited order: a positive delta takes, a negative one gives back, all in variant-id order.
 * Returns the shortages of the takes (the caller throws to roll everything back).
 */
export async function applyStockDeltas(
  tx: Queryable,
  storeId: string,
  deltas: readonly { variantId: string; delta: number }[],
): Promise<StockShortage[]> {
  const shortages: StockShortage[] = [];
  for (const { variantId, delta } of byVariantId(deltas)) {
    if (delta > 0) {
      const shortage = await takeOne(tx, storeId, { variantId, quantity: delta });
      if (shortage) shortages.push(shortage);
    } else if (delta < 0) {
      await tx.query(`UPDATE variants SET stock = stock - $2 WHERE id = $1 AND store_id = $3 AND stock IS NOT NULL`, [
        variantId,
        delta,
        storeId,
      ]);
    }
  }
  return shortages;
}

// A variant whose stock the merchant may change: live, of a live product, of this store.
const LIVE_VARIANT = `v.id = $1 AND v.store_id = $2 AND v.archived_at IS NULL
  AND p.id = v.product_id AND p.store_id = v.store_id AND p.archived_at IS NULL`;

/** Sets a live variant's stock (null: not tracked); null when there is no such live variant. */
export async function updateStockTo(
  q: Queryable,
  storeId: string,
  variantId: string,
  stock: number | null,
): Promise<{ stock: number | null } | null> {
  const { rows } = await q.query<{ stock: number | null }>(
    `UPDATE variants v SET stock = $3::integer FROM products p WHERE ${LIVE_VARIANT} RETURNING v.stock`,
    [variantId, storeId, stock],
  );
  return rows[0] ?? null;
}

/**
 * Adds delta to a live variant's tracked stock when the result stays within 0..max, deciding under the row lock;
 * the new stock, or null when the condition did not hold (untracked, too few, too many, or no such variant).
 */
export async function addToStockWithin(
  q: Queryable,
  storeId: string,
  variantId: string,
  delta: number,
  max: number,
): Promise<number | null> {
  const { rows } = await q.query<{ stock: number }>(
    `UPDATE variants v SET stock = v.stock + $3::integer FROM products p
      WHERE ${LIVE_VARIANT} AND v.stock IS NOT NULL AND v.stock::bigint + $3::integer BETWEEN 0 AND $4::bigint
      RETURNING v.stock`,
    [variantId, storeId, delta, max],
  );
  return rows[0]?.stock ?? null;
}

/** A live variant's stock (null: not tracked), or undefined when there is no such live variant. */
export async function liveStock(q: Queryable, storeId: string, variantId: string): Promise<number | null | undefined> {
  const { rows } = await q.query<{ stock: number | null }>(
    `SELECT v.stock FROM variants v, products p WHERE ${LIVE_VARIANT}`,
    [variantId, storeId],
  );
  return rows[0] === undefined ? undefined : rows[0].stock;
}
