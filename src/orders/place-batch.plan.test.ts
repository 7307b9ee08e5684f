import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { allocateBatch, fitOrder, type LockedStock, type Move } from './place-batch.plan.js';

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

describe('fitOrder', () => {
  it('takes what fits and leaves the rest; untracked stock stays untracked', () => {
    const fit = fitOrder(
      new Map<string, number | null>([
        ['a', 3],
        ['b', null],
      ]),
      [
        { variantId: 'a', quantity: 2 },
        { variantId: 'b', quantity: 99 },
      ],
    );
    expect(fit).toEqual({
      fits: true,
      after: new Map<string, number | null>([
        ['a', 1],
        ['b', null],
      ]),
    });
  });

  it('names every short variant with what is left; a missing variant has 0', () => {
    expect(
      fitOrder(new Map([['a', 1]]), [
        { variantId: 'a', quantity: 2 },
        { variantId: 'z', quantity: 1 },
      ]),
    ).toEqual({
      fits: false,
      shortages: [
        { variantId: 'a', requested: 2, available: 1 },
        { variantId: 'z', requested: 1, available: 0 },
      ],
    });
  });
});

describe('allocateBatch', () => {
  it('a flash sale: 3 units, 5 customers of 1 → the first 3 get them, the other 2 are told 0 are left', () => {
    const one = [{ variantId: 'a', quantity: 1 }];
    expect(allocateBatch(new Map([['a', 3]]), [one, one, one, one, one])).toEqual([
      { fits: true },
      { fits: true },
      { fits: true },
      { fits: false, shortages: [{ variantId: 'a', requested: 1, available: 0 }] },
      { fits: false, shortages: [{ variantId: 'a', requested: 1, available: 0 }] },
    ]);
  });

  it('a refused order takes nothing: a later smaller one still fits', () => {
    const res = allocateBatch(new Map([['a', 2]]), [
      [{ variantId: 'a', quantity: 3 }],
      [{ variantId: 'a', quantity: 2 }],
    ]);
    expect(res.map((r) => r.fits)).toEqual([false, true]);
  });

  it('property: the same as placing the orders one after another', () => {
    fc.assert(
      fc.property(stockArb, ordersArb, (stock, orders) => {
        expect(allocateBatch(stock, orders).map((a) => a.fits)).toEqual(serially(stock, orders));
      }),
    );
  });

  it('property: never gives more than the stock of any variant, and refuses only what does not fit', () => {
    fc.assert(
      fc.property(stockArb, ordersArb, (stock, orders) => {
        const res = allocateBatch(stock, orders);
        const given = new Map<string, number>();
        const left = new Map(stock);
        res.forEach((a, i) => {
          if (a.fits) {
            for (const m of orders[i]!) {
              given.set(m.variantId, (given.get(m.variantId) ?? 0) + m.quantity);
              const have = left.get(m.variantId);
              if (typeof have === 'number') left.set(m.variantId, have - m.quantity);
            }
            return;
          }
          // Refused: at least one variant really is short at its turn, and each shortage says what was left.
          expect(a.shortages.length).toBeGreaterThan(0);
          for (const s of a.shortages) {
            const have = left.get(s.variantId);
            expect(have).not.toBeNull();
            expect(s.available).toBe(have ?? 0);
            expect(s.available).toBeLessThan(s.requested);
          }
        });
        for (const [id, n] of given) {
          const had = stock.get(id);
          if (had !== null) expect(n).toBeLessThanOrEqual(had ?? 0);
        }
      }),
    );
  });

  it('property: when the stock covers every order, every order fits', () => {
    fc.assert(
      fc.property(ordersArb, (orders) => {
        const need = new Map<string, number>();
        for (const o of orders) for (const m of o) need.set(m.variantId, (need.get(m.variantId) ?? 0) + m.quantity);
        expect(allocateBatch(need, orders).every((a) => a.fits)).toBe(true);
      }),
    );
  });
});
