/**
 * The rule by which ONE statement places a batch of checkouts (src/orders/place-batch.repo.ts), as a pure function:
 * the SQL computes the same with window sums. The model is property-tested against placing the orders one after
 * another (place-batch.plan.test.ts), and the statement against the model on random batches
 * (test/integration/place-batch.statement.test.ts). A batch of several stores is judged store by store.
 *
 * In arrival order, an order is placed when, for each of its variants, what it and every earlier order of the batch
 * ask for fits in the locked stock. The first order that does not fit ends that run. Each later order is refused
 * when its own wants do not fit in what the placed ones left (`short`: stock only shrinks from there, so it would be
 * refused one after another too), or else it is placed alone after the batch (`retry`). So the batch never refuses
 * stock that is there, and ends as placing them one after another would.
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

export type Verdict = { placed: true } | { placed: false; shortages: Shortage[] } | 'retry';

/** The batch statement's verdict for each order (see the top of this file). */
export function batchVerdicts(stock: LockedStock, orders: readonly (readonly Move[])[]): Verdict[] {
  const asked = new Map<string, number>();
  let run = true;
  const left = new Map(stock);
  const inRun = orders.map((moves) => {
    if (!run) return false;
    for (const m of moves) if (m.quantity > 0) asked.set(m.variantId, (asked.get(m.variantId) ?? 0) + m.quantity);
    run = moves.every((m) => {
      if (m.quantity <= 0) return true;
      const have = stock.has(m.variantId) ? stock.get(m.variantId)! : 0;
      return have === null || have >= asked.get(m.variantId)!;
    });
    return run;
  });
  for (const [i, moves] of orders.entries()) {
    if (!inRun[i]) continue;
    for (const m of moves) {
      const have = left.get(m.variantId);
      if (m.quantity > 0 && have !== null && have !== undefined) left.set(m.variantId, have - m.quantity);
    }
  }
  return orders.map((moves, i): Verdict => {
    if (inRun[i]) return { placed: true };
    const shortages: Shortage[] = [];
    for (const m of moves) {
      if (m.quantity <= 0) continue;
      const have = left.has(m.variantId) ? left.get(m.variantId)! : 0;
      if (have !== null && have < m.quantity)
        shortages.push({ variantId: m.variantId, requested: m.quantity, available: have });
    }
    return shortages.length ? { placed: false, shortages } : 'retry';
  });
}

/**
 * The verdicts for a batch of several stores' orders: each store's orders are judged among themselves, in arrival
 * order, as `batchVerdicts` judges one store's (a store's variants are its own, so another store's orders neither
 * take its stock nor end its run).
 */
export function batchVerdictsByStore(
  stock: LockedStock,
  orders: readonly { storeId: string; moves: readonly Move[] }[],
): Verdict[] {
  const positionsByStore = new Map<string, number[]>();
  for (const [i, o] of orders.entries()) {
    const positions = positionsByStore.get(o.storeId);
    if (positions) positions.push(i);
    else positionsByStore.set(o.storeId, [i]);
  }
  const verdicts: Verdict[] = new Array(orders.length);
  for (const positions of positionsByStore.values()) {
    const ofStore = batchVerdicts(
      stock,
      positions.map((i) => orders[i]!.moves),
    );
    for (const [k, i] of positions.entries()) verdicts[i] = ofStore[k]!;
  }
  return verdicts;
}
