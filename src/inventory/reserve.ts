import type { Queryable } from '../db/db.js';

/**
 * The only code that takes or gives back stock for orders. Each change is one conditional UPDATE, made in
 * variant-id order so that concurrent transactions touching the same variants lock them in the same order and
 * cannot deadlock. Untracked stock (NULL) is never written. Call inside the transaction that writes the order.
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

const byVariantId = <T extends { variantId: string }>(moves: readonly T[]): T[] => [...moves].sort((a, b) => (a.variantId < b.variantId ? -1 : a.variantId > b.variantId ? 1 : 0));

async function takeOne(tx: Queryable, storeId: string, move: StockMove): Promise<StockShortage | null> {
  const taken = await tx.query(`UPDATE variants SET stock = stock - $2 WHERE id = $1 AND store_id = $3 AND stock IS NOT NULL AND stock >= $2`, [move.variantId, move.quantity, storeId]);
  if (taken.rowCount === 1) return null;
  // Either not tracked (nothing to take) or not enough: find out which, and how many are left.
  const { rows } = await tx.query<{ stock: number | null }>(`SELECT stock FROM variants WHERE id = $1 AND store_id = $2`, [move.variantId, storeId]);
  const row = rows[0];
  if (row && row.stock === null) return null;
  return { variantId: move.variantId, requested: move.quantity, available: row?.stock ?? 0 };
}

/**
 * Takes every move's quantity, or reports the shortages. On any shortage the caller must abandon the transaction
 * (throw), which gives back whatever was taken before it. Every move is attempted, so all shortages are named.
 */
export async function takeStock(tx: Queryable, storeId: string, moves: readonly StockMove[]): Promise<StockShortage[]> {
  const shortages: StockShortage[] = [];
  for (const move of byVariantId(moves)) {
    if (move.quantity <= 0) continue;
    const shortage = await takeOne(tx, storeId, move);
    if (shortage) shortages.push(shortage);
  }
  return shortages;
}

/** Gives stock back (a rejected or cancelled order, or a line reduced). Untracked stock stays untracked. */
export async function returnStock(tx: Queryable, storeId: string, moves: readonly StockMove[]): Promise<void> {
  for (const move of byVariantId(moves)) {
    if (move.quantity <= 0) continue;
    await tx.query(`UPDATE variants SET stock = stock + $2 WHERE id = $1 AND store_id = $3 AND stock IS NOT NULL`, [move.variantId, move.quantity, storeId]);
  }
}

/**
 * Moves stock for an edited order: a positive delta takes, a negative one gives back, all in variant-id order.
 * Returns the shortages of the takes (the caller throws to roll everything back).
 */
export async function applyStockDeltas(tx: Queryable, storeId: string, deltas: readonly { variantId: string; delta: number }[]): Promise<StockShortage[]> {
  const shortages: StockShortage[] = [];
  for (const { variantId, delta } of byVariantId(deltas)) {
    if (delta > 0) {
      const shortage = await takeOne(tx, storeId, { variantId, quantity: delta });
      if (shortage) shortages.push(shortage);
    } else if (delta < 0) {
      await tx.query(`UPDATE variants SET stock = stock - $2 WHERE id = $1 AND store_id = $3 AND stock IS NOT NULL`, [variantId, delta, storeId]);
    }
  }
  return shortages;
}
