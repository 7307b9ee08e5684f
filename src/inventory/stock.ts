/**
 * The merchant's stock changes. Every change is ONE conditional UPDATE: the database decides, row-locked, whether
 * the result stays within 0..MAX_STOCK, so two racing adjustments can never both take the last unit and nothing
 * is ever read, changed in JavaScript and written back. The SQL, and checkout's reservation, live in ./stock.repo.ts.
 */
import type { Queryable } from '../db/db.js';
import { AppError, notFound, validationFailed } from '../shared/errors.js';
import { isUuid } from '../shared/ids.js';
import { MAX_STOCK } from './limits.js';
import { addToStockWithin, liveStock, updateStockTo } from './stock.repo.js';

/** `{ set: n }` (null: stop tracking) or `{ adjust: ±n }` — exactly one of them. */
export interface StockChange {
  set?: number | null;
  adjust?: number;
}

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
  const updated = await updateStockTo(q, storeId, variantId, stock);
  if (!updated) throw notFound('Variant not found');
  return updated.stock;
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
    const stock = await addToStockWithin(q, storeId, variantId, delta, MAX_STOCK);
    if (stock !== null) return stock;
    const current = await liveStock(q, storeId, variantId);
    if (current === undefined) throw notFound('Variant not found');
    if (current === null) {
      throw new AppError('conflict', 'Stock of this variant is not tracked; set a count first with { "set": n }');
    }
    if (current + delta < 0) {
      throw new AppError('insufficient_stock', `Only ${current} in stock; cannot take ${-delta}`, [
        { code: 'insufficient_stock', variantId, available: current, message: `only ${current} in stock` },
      ]);
    }
    if (current + delta > MAX_STOCK) {
      throw validationFailed(
        `Stock cannot exceed ${MAX_STOCK}`,
        [{ code: 'invalid', path: '/adjust', message: `the result would exceed ${MAX_STOCK}` }],
        422,
      );
    }
  }
  throw new AppError('conflict', 'The stock is changing too fast; try again');
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
