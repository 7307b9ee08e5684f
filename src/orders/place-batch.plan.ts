/**
 * How one batch of concurrent checkouts of a store divides the stock it locked (src/orders/place-batch.ts). Pure:
 * the batch locks the variants once, then asks this, order by order in arrival order, whether the order can still
 * be met from what is left. An order that fits is written by its own statement (which checks again under the same
 * locks); one that does not is refused with the shortage at once, without a statement — the same answer that
 * statement would have given, since the batch holds every lock it reads.
 */

/** Stock the batch holds locked: a number (tracked), null (not tracked: never short). Absent: no such variant. */
export type LockedStock = ReadonlyMap<string, number | null>;

export interface Move {
  variantId: string;
  quantity: number;
}

export interface Shortage {
  variantId: string;
  requested: number;
  available: number;
}

export type Fit = { fits: true; after: LockedStock } | { fits: false; shortages: Shortage[] };

/**
 * Whether `moves` can be taken from `stock`, and what is left if they are. A variant that is missing counts as 0
 * available (the statement reports it the same way); an untracked one always fits and stays untracked.
 */
export function fitOrder(stock: LockedStock, moves: readonly Move[]): Fit {
  const shortages: Shortage[] = [];
  const after = new Map(stock);
  for (const m of moves) {
    if (m.quantity <= 0) continue;
    const left = after.has(m.variantId) ? after.get(m.variantId)! : 0;
    if (left === null) continue;
    if (left < m.quantity) shortages.push({ variantId: m.variantId, requested: m.quantity, available: left });
    else after.set(m.variantId, left - m.quantity);
  }
  return shortages.length ? { fits: false, shortages } : { fits: true, after };
}

export type Allocation = { fits: true } | { fits: false; shortages: Shortage[] };

/**
 * First come, first served: each order in turn takes its stock if all of it is there, else is refused and takes
 * nothing (a later, smaller order may still fit). What the batch does when every order that fits is written.
 */
export function allocateBatch(stock: LockedStock, orders: readonly (readonly Move[])[]): Allocation[] {
  let left = stock;
  return orders.map((moves) => {
    const fit = fitOrder(left, moves);
    if (!fit.fits) return fit;
    left = fit.after;
    return { fits: true };
  });
}
