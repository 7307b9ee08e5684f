import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { batchVerdicts, batchVerdictsByStore, type LockedStock, type Move, type Verdict } from './place-batch.plan.js';

const VARIANTS = ['a', 'b', 'c', 'd'];

const stockArb: fc.Arbitrary<LockedStock> = fc
  .array(fc.tuple(fc.constantFrom(...VARIANTS), fc.option(fc.nat({ max: 12 }), { nil: null })), { maxLength: 4 })
  .map((entries) => new Map(entries));
// One move per variant, as a checkout's stock moves are (one line per variant).
const orderArb: fc.Arbitrary<Move[]> = fc
  .uniqueArray(fc.constantFrom(...VARIANTS), { minLength: 1, maxLength: 3 })
  .chain((ids) => fc.tuple(...ids.map((id) => fc.nat({ max: 5 }).map((quantity) => ({ variantId: id, quantity })))));
const ordersArb = fc.array(orderArb, { maxLength: 30 });

/** The reference: the orders one after another, each taking its stock only if all of it is there. */
function serially(stock: LockedStock, orders: readonly Move[][]): boolean[] {
  const left = new Map(stock);
  return orders.map((moves) => {
    const ok = moves.every(
      (m) => m.quantity <= 0 || left.get(m.variantId) === null || (left.get(m.variantId) ?? 0) >= m.quantity,
    );
    if (ok)
      for (const m of moves) {
        const have = left.get(m.variantId);
        if (m.quantity > 0 && have !== null && have !== undefined) left.set(m.variantId, have - m.quantity);
      }
    return ok;
  });
}

/** The batch's verdicts, then its retries placed one after another on what the batch left. */
function batchThenRetries(
  stock: LockedStock,
  orders: readonly Move[][],
  verdicts: readonly Verdict[] = batchVerdicts(stock, orders),
): boolean[] {
  const left = new Map(stock);
  for (const [i, v] of verdicts.entries())
    if (v !== 'retry' && v.placed)
      for (const m of orders[i]!) {
        const have = left.get(m.variantId);
        if (m.quantity > 0 && have !== null && have !== undefined) left.set(m.variantId, have - m.quantity);
      }
  const retries = orders.filter((_, i) => verdicts[i] === 'retry');
  const retried = serially(left, retries);
  let r = 0;
  return verdicts.map((v) => (v === 'retry' ? retried[r++]! : v.placed));
}

describe('batchVerdicts', () => {
  it('a flash sale: 3 units, 5 customers of 1 → the first 3 get them, the other 2 are told 0 are left', () => {
    const one = [{ variantId: 'a', quantity: 1 }];
    expect(batchVerdicts(new Map([['a', 3]]), [one, one, one, one, one])).toEqual([
      { placed: true },
      { placed: true },
      { placed: true },
      { placed: false, shortages: [{ variantId: 'a', requested: 1, available: 0 }] },
      { placed: false, shortages: [{ variantId: 'a', requested: 1, available: 0 }] },
    ]);
  });

  it('after the first order that does not fit, a smaller one that fits what is left is retried, not refused', () => {
    const want = (quantity: number) => [{ variantId: 'a', quantity }];
    expect(batchVerdicts(new Map([['a', 5]]), [want(3), want(4), want(2)])).toEqual([
      { placed: true },
      { placed: false, shortages: [{ variantId: 'a', requested: 4, available: 2 }] },
      'retry',
    ]);
  });

  it('untracked stock never runs short; a missing variant has 0', () => {
    expect(
      batchVerdicts(new Map([['a', null]]), [[{ variantId: 'a', quantity: 999 }], [{ variantId: 'z', quantity: 1 }]]),
    ).toEqual([{ placed: true }, { placed: false, shortages: [{ variantId: 'z', requested: 1, available: 0 }] }]);
  });

  it('property: the batch and then its retries end as placing the orders one after another', () => {
    fc.assert(
      fc.property(stockArb, ordersArb, (stock, orders) => {
        expect(batchThenRetries(stock, orders)).toEqual(serially(stock, orders));
      }),
      { numRuns: 500 },
    );
  });

  it('property: never places more than the stock; refuses only what does not fit what the placed ones left', () => {
    fc.assert(
      fc.property(stockArb, ordersArb, (stock, orders) => {
        const verdicts = batchVerdicts(stock, orders);
        const taken = new Map<string, number>();
        for (const [i, v] of verdicts.entries())
          if (v !== 'retry' && v.placed)
            for (const m of orders[i]!) taken.set(m.variantId, (taken.get(m.variantId) ?? 0) + m.quantity);
        for (const [id, n] of taken) {
          const have = stock.has(id) ? stock.get(id)! : 0;
          if (have !== null && n > 0) expect(n).toBeLessThanOrEqual(have);
        }
        for (const [i, v] of verdicts.entries()) {
          if (v === 'retry' || v.placed) continue;
          for (const s of v.shortages) {
            const have = stock.has(s.variantId) ? stock.get(s.variantId)! : 0;
            expect(have).not.toBeNull();
            expect(s.available).toBe((have ?? 0) - (taken.get(s.variantId) ?? 0));
            expect(s.available).toBeLessThan(s.requested);
            expect(orders[i]!.some((m) => m.variantId === s.variantId && m.quantity === s.requested)).toBe(true);
          }
        }
      }),
      { numRuns: 500 },
    );
  });
});

describe('batchVerdictsByStore', () => {
  // Two stores with their own variants, as in the database: store X sells a and b, store Y sells c and d.
  const STORE_OF: Record<string, string> = { a: 'X', b: 'X', c: 'Y', d: 'Y' };
  const oneStoreOrderArb = (variants: string[]) =>
    fc
      .uniqueArray(fc.constantFrom(...variants), { minLength: 1, maxLength: 2 })
      .chain((ids) =>
        fc.tuple(...ids.map((id) => fc.nat({ max: 5 }).map((quantity) => ({ variantId: id, quantity })))),
      );
  const mixedArb = fc.array(fc.oneof(oneStoreOrderArb(['a', 'b']), oneStoreOrderArb(['c', 'd'])), { maxLength: 30 });
  const withStores = (orders: Move[][]) => orders.map((moves) => ({ storeId: STORE_OF[moves[0]!.variantId]!, moves }));

  it("one store's misfit does not end another store's run", () => {
    const stock = new Map([
      ['a', 1],
      ['c', 5],
    ]);
    const verdicts = batchVerdictsByStore(stock, [
      { storeId: 'X', moves: [{ variantId: 'a', quantity: 1 }] },
      { storeId: 'X', moves: [{ variantId: 'a', quantity: 1 }] },
      { storeId: 'Y', moves: [{ variantId: 'c', quantity: 2 }] },
      { storeId: 'Y', moves: [{ variantId: 'c', quantity: 3 }] },
    ]);
    expect(verdicts).toEqual([
      { placed: true },
      { placed: false, shortages: [{ variantId: 'a', requested: 1, available: 0 }] },
      { placed: true },
      { placed: true },
    ]);
  });

  it('property: a batch of two stores and then its retries end as placing the orders one after another', () => {
    fc.assert(
      fc.property(stockArb, mixedArb, (stock, orders) => {
        const verdicts = batchVerdictsByStore(stock, withStores(orders));
        expect(batchThenRetries(stock, orders, verdicts)).toEqual(serially(stock, orders));
      }),
      { numRuns: 500 },
    );
  });

  it('property: how the stores interleave changes no verdict', () => {
    fc.assert(
      fc.property(stockArb, mixedArb, (stock, orders) => {
        const batch = withStores(orders);
        const verdicts = batchVerdictsByStore(stock, batch);
        for (const store of ['X', 'Y']) {
          const mine = batch.flatMap((o, i) => (o.storeId === store ? [i] : []));
          expect(mine.map((i) => verdicts[i])).toEqual(
            batchVerdicts(
              stock,
              mine.map((i) => batch[i]!.moves),
            ),
          );
        }
      }),
      { numRuns: 300 },
    );
  });
});
