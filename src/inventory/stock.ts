/**
 * The merchant's stock changes. Every change is ONE conditional UPDATE: the database decides, row-locked, whether
 * the result stays within 0..MAX_STOCK, so two racing adjustments can never both take the last unit and nothing
 * is ever read, changed in JavaScript and written back. (Checkout's reservation lives in ./reserve.ts.)
 */
import type { Queryable } from '../db/db.js';
import { AppError, notFound, validationFailed } from '../shared/errors.js';
import { isUuid } from '../shared/ids.js';
import { MAX_STOCK } from './limits.js';

/** `{ set: n }` (null: stop tracking) or `{ adjust: ±n }` — exactly one of them. */
export interface StockChange {
  set?: number | null;
  adjust?: number;
}

// A variant whose stock may change: live, of a live product, of this store.
const LIVE_VARIANT = `v.id = $1 AND v.store_id = $2 AND v.archived_at IS NULL
  AND p.id = v.product_id AND p.store_id = v.store_id AND p.archived_at IS NULL`;

/** Sets the stock to n (or null: not tracked). Returns the new value. */
export async function setStock(
  q: Queryable,
  storeId: string,
  variantId: string,
  stock: number | null,
): Promise<number | null> {
  if (stock !== null && (!Number.isInteger(stock) || stock < 0 || stock > MAX_STOCK)) {
    throw validationFailed(`stock must be an integer 0..${MAX_STOCK}`, [
      { code: 'invalid', path: '/set', message: `must be an integer 0..${MAX_STOCK}` },
    ]);
  }
  if (!isUuid(variantId)) throw notFound('Variant not found');
  const { rows } = await q.query<{ stock: number | null }>(
    `UPDATE variants v SET stock = $3::integer FROM products p WHERE ${LIVE_VARIANT} RETURNING v.stock`,
    [variantId, storeId, stock],
  );
  if (!rows[0]) throw notFound('Variant not found');
  return rows[0].stock;
}

/**
 * Adds delta (negative: takes) to a tracked stock. Below 0 → 409 insufficient_stock (with `available`);
 * an untracked variant → 409 conflict (set a count first); past MAX_STOCK → 422 validation_failed.
 */
export async function adjustStock(q: Queryable, storeId: string, variantId: string, delta: number): Promise<number> {
  if (!Number.isInteger(delta) || Math.abs(delta) > MAX_STOCK) {
    throw validationFailed(`adjust must be an integer -${MAX_STOCK}..${MAX_STOCK}`, [
      { code: 'invalid', path: '/adjust', message: 'out of range' },
    ]);
  }
  if (!isUuid(variantId)) throw notFound('Variant not found');
  // A failed UPDATE is followed by a read that only explains the failure; when a concurrent change made the
  // adjustment possible in between, the UPDATE simply runs again.
  for (let attempt = 0; attempt < 3; attempt++) {
    const { rows } = await q.query<{ stock: number }>(
      `UPDATE variants v SET stock = v.stock + $3::integer FROM products p
        WHERE ${LIVE_VARIANT} AND v.stock IS NOT NULL AND v.stock::bigint + $3::integer BETWEEN 0 AND $4::bigint
        RETURNING v.stock`,
      [variantId, storeId, delta, MAX_STOCK],
    );
    if (rows[0]) return rows[0].stock;
    const current = await q.query<{ stock: number | null }>(
      `SELECT v.stock FROM variants v, products p WHERE ${LIVE_VARIANT}`,
      [variantId, storeId],
    );
    const row = current.rows[0];
    if (!row) throw notFound('Variant not found');
    if (row.stock === null) {
      throw new AppError(409, 'conflict', 'Stock of this variant is not tracked; set a count first with { "set": n }');
    }
    if (row.stock + delta < 0) {
      throw new AppError(409, 'insufficient_stock', `Only ${row.stock} in stock; cannot take ${-delta}`, [
        { code: 'insufficient_stock', variantId, available: row.stock, message: `only ${row.stock} in stock` },
      ]);
    }
    if (row.stock + delta > MAX_STOCK) {
      throw validationFailed(
        `Stock cannot exceed ${MAX_STOCK}`,
        [{ code: 'invalid', path: '/adjust', message: `the result would exceed ${MAX_STOCK}` }],
        422,
      );
    }
  }
  throw new AppError(409, 'conflict', 'The stock is changing too fast; try again');
}

/** The stock endpoint's body: exactly one of `set` and `adjust`. */
export async function changeStock(
  q: Queryable,
  storeId: string,
  variantId: string,
  change: StockChange,
): Promise<{ stock: number | null }> {
  if (change.set !== undefined && change.adjust === undefined)
    return { stock: await setStock(q, storeId, variantId, change.set) };
  if (change.adjust !== undefined && change.set === undefined)
    return { stock: await adjustStock(q, storeId, variantId, change.adjust) };
  throw validationFailed('Send exactly one of set and adjust', [
    { code: 'invalid', path: '/', message: 'exactly one of set and adjust' },
  ]);
}
