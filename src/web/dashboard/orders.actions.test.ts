import { describe, expect, it } from 'vitest';
import { ORDER_STATUSES } from '../../orders/status.js';
import { needsConfirmation, orderActions, type OrderState } from './orders.actions.js';

const order = (o: Partial<OrderState>): OrderState => ({
  status: 'placed',
  paymentStatus: 'pending',
  balanceDue: 10000,
  amountPaid: 0,
  ...o,
});

describe('orderActions', () => {
  it('offers the one forward move first and the ending moves apart, for every status', () => {
    const offered = Object.fromEntries(
      ORDER_STATUSES.map((status) => {
        const a = orderActions(order({ status }));
        return [status, { next: a.next, ending: a.ending, editLines: a.editLines }];
      }),
    );
    expect(offered).toEqual({
      placed: { next: 'accepted', ending: ['rejected'], editLines: true },
      accepted: { next: 'shipped', ending: ['cancelled'], editLines: true },
      shipped: { next: 'delivered', ending: [], editLines: false },
      delivered: { next: null, ending: [], editLines: false },
      rejected: { next: null, ending: [], editLines: false },
      cancelled: { next: null, ending: [], editLines: false },
    });
  });

  it('asks before Reject and Cancel only', () => {
    expect(ORDER_STATUSES.filter(needsConfirmation)).toEqual(['rejected', 'cancelled']);
  });

  it('offers "mark paid" while something is due on an open order, with or without a proof', () => {
    expect(orderActions(order({})).markPaid).toBe(true);
    expect(orderActions(order({ paymentStatus: 'proof_submitted' })).markPaid).toBe(true);
    expect(orderActions(order({ paymentStatus: 'paid', balanceDue: 0, amountPaid: 10000 })).markPaid).toBe(false);
    expect(orderActions(order({ status: 'cancelled' })).markPaid).toBe(false);
    expect(orderActions(order({ balanceDue: 0 })).markPaid).toBe(false);
  });

  it('offers a refund only while the store holds money, also on a cancelled order', () => {
    expect(orderActions(order({})).refund).toBe(false);
    const paid = { paymentStatus: 'paid' as const, balanceDue: 0, amountPaid: 10000 };
    expect(orderActions(order(paid)).refund).toBe(true);
    expect(orderActions(order({ ...paid, status: 'cancelled' })).refund).toBe(true);
  });
});
