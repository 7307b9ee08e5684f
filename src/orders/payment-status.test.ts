import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ACTORS, ORDER_STATUSES, type Actor, type OrderStatus } from './status.js';
import {
  PAYMENT_STATUSES,
  amountToPay,
  balanceDue,
  checkPaymentTransition,
  customerCost,
  paymentAllowedFrom,
  paymentStatusAfterEdit,
  planMarkPaid,
  planRefund,
  proofOutdated,
  refundDue,
  type MoneyState,
  type PaymentStatus,
} from './payment-status.js';

const EXPECTED: Record<string, Actor[]> = {
  'pending>proof_submitted': ['customer'],
  'pending>paid': ['merchant'],
  'proof_submitted>proof_submitted': ['customer'],
  'proof_submitted>paid': ['merchant'],
  'paid>refunded': ['merchant'],
  'paid>pending': ['system'],
};

describe('payment status transitions', () => {
  const cases: [PaymentStatus, PaymentStatus, Actor, OrderStatus][] = [];
  for (const from of PAYMENT_STATUSES)
    for (const to of PAYMENT_STATUSES)
      for (const actor of ACTORS) for (const order of ORDER_STATUSES) cases.push([from, to, actor, order]);

  it('covers all 4 × 4 × 3 × 6 combinations', () => expect(cases).toHaveLength(288));

  it.each(cases)('%s → %s by %s on a %s order', (from, to, actor, orderStatus) => {
    const byRule = EXPECTED[`${from}>${to}`]?.includes(actor) ?? false;
    const closed = orderStatus === 'rejected' || orderStatus === 'cancelled';
    const allowed = byRule && !(closed && (to === 'paid' || to === 'proof_submitted'));
    const r = checkPaymentTransition(from, to, actor, orderStatus);
    expect(r.ok).toBe(allowed);
    if (!r.ok) expect(r.message.length).toBeGreaterThan(0);
  });

  it('gives the guard of the conditional UPDATE', () => {
    expect(paymentAllowedFrom('paid', 'merchant', 'accepted')).toEqual(['pending', 'proof_submitted']);
    expect(paymentAllowedFrom('paid', 'merchant', 'cancelled')).toEqual([]);
    expect(paymentAllowedFrom('refunded', 'merchant', 'cancelled')).toEqual(['paid']);
    expect(paymentAllowedFrom('proof_submitted', 'customer', 'placed')).toEqual(['pending', 'proof_submitted']);
    expect(paymentAllowedFrom('proof_submitted', 'merchant', 'placed')).toEqual([]);
  });

  const money = (
    total: number,
    amountPaid: number,
    amountRefunded = 0,
    orderStatus: OrderStatus = 'accepted',
    amountWaived = 0,
  ): MoneyState => ({ total, amountPaid, amountRefunded, amountWaived, orderStatus });

  it('marks paid with one entry of what is still due, never erasing a refund due', () => {
    expect(planMarkPaid('pending', money(25_000, 0))).toEqual({
      ok: true,
      entry: { kind: 'payment', amount: 25_000 },
      amountPaid: 25_000,
      amountRefunded: 0,
      amountWaived: 0,
      status: 'paid',
    });
    // paid 25,000, the total lowered to 15,000: 10,000 is owed back and "mark paid" cannot reset it
    expect(refundDue(money(15_000, 25_000))).toBe(10_000);
    expect(planMarkPaid('paid', money(15_000, 25_000)).ok).toBe(false);
    expect(planMarkPaid('pending', money(15_000, 25_000))).toEqual({
      ok: false,
      message: 'Nothing is due on this order',
    });
    // raised to 30,000 after paying 25,000: only the difference is recorded
    expect(planMarkPaid('pending', money(30_000, 25_000))).toMatchObject({
      entry: { amount: 5_000 },
      amountPaid: 30_000,
    });
  });

  it('records refunds as their own entries: the refund due by default, at most what is held', () => {
    expect(planRefund('paid', money(15_000, 25_000))).toEqual({
      ok: true,
      entry: { kind: 'refund', amount: 10_000 },
      amountPaid: 15_000,
      amountRefunded: 10_000,
      amountWaived: 0,
      status: 'paid',
    });
    expect(planRefund('paid', money(15_000, 25_000), 4_000)).toMatchObject({
      amountPaid: 21_000,
      amountWaived: 0,
      status: 'paid',
    });
    expect(planRefund('paid', money(15_000, 25_000), 25_001).ok).toBe(false);
    expect(planRefund('pending', money(15_000, 0)).ok).toBe(false);
    expect(planRefund('paid', money(8_000, 8_000))).toMatchObject({ amountPaid: 0, status: 'refunded' });
    // a cancelled paid order owes back all it holds
    expect(refundDue(money(8_000, 8_000, 0, 'cancelled'))).toBe(8_000);
    expect(planRefund('paid', money(8_000, 8_000, 0, 'cancelled'))).toMatchObject({
      entry: { amount: 8_000 },
      status: 'refunded',
    });
  });

  it('asks the customer only for the difference once a proof or a payment is in', () => {
    expect(amountToPay('pending', money(30_000, 25_000), null)).toBe(5_000);
    expect(amountToPay('proof_submitted', money(30_000, 0), 25_000)).toBe(5_000);
    expect(amountToPay('proof_submitted', money(25_000, 0), 25_000)).toBe(0);
    expect(amountToPay('paid', money(15_000, 25_000), null)).toBe(0);
    expect(amountToPay('pending', money(30_000, 0, 0, 'cancelled'), null)).toBe(0);
    expect(proofOutdated('proof_submitted', 30_000, 25_000)).toBe(true);
    expect(proofOutdated('proof_submitted', 25_000, 25_000)).toBe(false);
    expect(proofOutdated('paid', 30_000, 25_000)).toBe(false);
  });

  it('reopens a paid order whose edit raised the total, keeps it paid when lowered', () => {
    expect(paymentStatusAfterEdit('paid', 15_000, 12_000, 0)).toBe('pending');
    expect(paymentStatusAfterEdit('paid', 10_000, 12_000, 0)).toBe('paid');
    expect(paymentStatusAfterEdit('paid', 12_000, 12_000, 0)).toBe('paid');
    expect(paymentStatusAfterEdit('pending', 15_000, 0, 0)).toBe('pending');
    expect(paymentStatusAfterEdit('proof_submitted', 15_000, 0, 0)).toBe('proof_submitted');
    expect(paymentStatusAfterEdit('refunded', 15_000, 0, 0)).toBe('refunded');
  });

  it('balance due is total minus received, negative when the store owes', () => {
    expect(balanceDue(10_000, 0, 0)).toBe(10_000);
    expect(balanceDue(10_000, 10_000, 0)).toBe(0);
    expect(balanceDue(8_000, 10_000, 0)).toBe(-2_000);
    // what was waived is owed no more; an order edited below it costs nothing, never less
    expect(balanceDue(10_000, 9_000, 1_000)).toBe(0);
    expect(balanceDue(10_000, 0, 1_000)).toBe(9_000);
    expect(balanceDue(500, 300, 1_000)).toBe(-300);
    expect(customerCost(500, 1_000)).toBe(0);
  });
});

describe('a refused payment change says why in a sentence', () => {
  it('names the payment status it is in and the one asked for', () => {
    const r = checkPaymentTransition('refunded', 'proof_submitted', 'customer', 'placed');
    expect(r).toEqual({ ok: false, message: 'The payment is refunded and cannot become proof_submitted' });
  });
});

describe('a refund never makes the customer owe money: what is beyond the refund due is waived', () => {
  const money = (total: number, amountPaid: number, amountWaived = 0, orderStatus: OrderStatus = 'delivered') => ({
    total,
    amountPaid,
    amountRefunded: 0,
    amountWaived,
    orderStatus,
  });

  it('a goodwill ₹50 back on a delivered, paid ₹500 order leaves it paid with nothing to pay', () => {
    const plan = planRefund('paid', money(50_000, 50_000), 5_000);
    expect(plan).toEqual({
      ok: true,
      entry: { kind: 'refund', amount: 5_000 },
      amountPaid: 45_000,
      amountRefunded: 5_000,
      amountWaived: 5_000,
      status: 'paid',
    });
    const after = money(50_000, 45_000, 5_000);
    expect(balanceDue(after.total, after.amountPaid, after.amountWaived)).toBe(0);
    expect(amountToPay('paid', after, null)).toBe(0);
    expect(amountToPay('pending', after, null)).toBe(0);
    expect(refundDue(after)).toBe(0);
    expect(planMarkPaid('paid', after).ok).toBe(false);
    expect(planMarkPaid('pending', after)).toEqual({ ok: false, message: 'Nothing is due on this order' });
  });

  it('a refund due after an edit lowered the total waives nothing; only its excess is waived', () => {
    const lowered = money(40_000, 50_000, 0, 'accepted');
    expect(planRefund('paid', lowered)).toMatchObject({
      entry: { amount: 10_000 },
      amountPaid: 40_000,
      amountWaived: 0,
      status: 'paid',
    });
    expect(planRefund('paid', lowered, 4_000)).toMatchObject({ amountPaid: 46_000, amountWaived: 0, status: 'paid' });
    // 10,000 of it was owed back, the other 5,000 is goodwill
    expect(planRefund('paid', lowered, 15_000)).toMatchObject({
      amountPaid: 35_000,
      amountWaived: 5_000,
      status: 'paid',
    });
    expect(refundDue(money(40_000, 35_000, 5_000, 'accepted'))).toBe(0);
  });

  it('after a goodwill refund, an edit raising the total asks for the rise only', () => {
    // ₹500 paid, ₹50 goodwill back, then ₹100 of items added
    expect(paymentStatusAfterEdit('paid', 60_000, 45_000, 5_000)).toBe('pending');
    const raised = money(60_000, 45_000, 5_000, 'accepted');
    expect(balanceDue(raised.total, raised.amountPaid, raised.amountWaived)).toBe(10_000);
    expect(amountToPay('pending', raised, null)).toBe(10_000);
    expect(planMarkPaid('pending', raised)).toMatchObject({
      entry: { kind: 'payment', amount: 10_000 },
      amountPaid: 55_000,
      amountWaived: 5_000,
      status: 'paid',
    });
    // back up to what was paid and waived: still paid; lowered: the store owes the drop
    expect(paymentStatusAfterEdit('paid', 50_000, 45_000, 5_000)).toBe('paid');
    expect(refundDue(money(40_000, 45_000, 5_000, 'accepted'))).toBe(10_000);
  });

  it('a goodwill refund on a partly paid order leaves what is still to pay as it was', () => {
    // paid ₹500, the total raised to ₹600: ₹100 to pay; ₹50 back as goodwill does not make it ₹150
    const partly = money(60_000, 50_000, 0, 'accepted');
    expect(amountToPay('pending', partly, null)).toBe(10_000);
    expect(planRefund('pending', partly, 5_000)).toMatchObject({
      amountPaid: 45_000,
      amountWaived: 5_000,
      status: 'pending',
    });
    expect(amountToPay('pending', money(60_000, 45_000, 5_000, 'accepted'), null)).toBe(10_000);
  });

  it('giving everything back ends refunded, with nothing owed', () => {
    expect(planRefund('paid', money(50_000, 50_000))).toMatchObject({
      entry: { amount: 50_000 },
      amountPaid: 0,
      amountWaived: 50_000,
      status: 'refunded',
    });
    expect(planRefund('paid', money(50_000, 45_000, 5_000))).toMatchObject({
      entry: { amount: 45_000 },
      amountPaid: 0,
      amountWaived: 50_000,
      status: 'refunded',
    });
    expect(balanceDue(50_000, 0, 50_000)).toBe(0);
  });

  it('on a cancelled or rejected order all that is held is due: nothing is waived', () => {
    for (const closed of ['cancelled', 'rejected'] as const) {
      const held = money(50_000, 45_000, 5_000, closed);
      expect(refundDue(held)).toBe(45_000);
      expect(planRefund('paid', held, 20_000)).toMatchObject({
        amountPaid: 25_000,
        amountWaived: 5_000,
        status: 'paid',
      });
      expect(planRefund('paid', held)).toMatchObject({
        entry: { amount: 45_000 },
        amountWaived: 5_000,
        status: 'refunded',
      });
      expect(planRefund('paid', money(50_000, 50_000, 0, closed))).toMatchObject({ amountWaived: 0 });
    }
  });
});

describe('refund properties', () => {
  const state = fc
    .record({
      total: fc.integer({ min: 0, max: 1_000_000 }),
      amountPaid: fc.integer({ min: 1, max: 2_000_000 }),
      amountRefunded: fc.integer({ min: 0, max: 1_000_000 }),
      waivedShare: fc.double({ min: 0, max: 1, noNaN: true }),
      orderStatus: fc.constantFrom(...ORDER_STATUSES),
    })
    .map(({ waivedShare, ...m }): MoneyState => ({ ...m, amountWaived: Math.floor(m.total * waivedShare) }));
  const withRefund = state.chain((m) =>
    fc.tuple(fc.constant(m), fc.constantFrom(...PAYMENT_STATUSES), fc.integer({ min: 1, max: m.amountPaid })),
  );
  const closed = (s: OrderStatus) => s === 'rejected' || s === 'cancelled';
  const owes = (m: MoneyState) => Math.max(0, balanceDue(m.total, m.amountPaid, m.amountWaived));
  const refunded = (m: MoneyState, plan: ReturnType<typeof planRefund>): MoneyState => {
    if (!plan.ok) throw new Error(plan.message);
    return { ...m, amountPaid: plan.amountPaid, amountRefunded: plan.amountRefunded, amountWaived: plan.amountWaived };
  };

  it('no refund ever raises what the customer owes or is asked to pay', () => {
    fc.assert(
      fc.property(withRefund, ([m, status, amount]) => {
        const plan = planRefund(status, m, amount);
        const next = refunded(m, plan);
        if (!closed(m.orderStatus)) expect(owes(next)).toBe(owes(m));
        const nextStatus = plan.ok ? plan.status : status;
        expect(amountToPay(nextStatus, next, null)).toBeLessThanOrEqual(amountToPay(status, m, null));
      }),
    );
  });

  it('a refund settles the refund due first; only the rest is waived, and never on a closed order', () => {
    fc.assert(
      fc.property(withRefund, ([m, status, amount]) => {
        const next = refunded(m, planRefund(status, m, amount));
        const due = refundDue(m);
        expect(next.amountPaid + next.amountRefunded).toBe(m.amountPaid + m.amountRefunded);
        expect(next.amountWaived - m.amountWaived).toBe(Math.max(0, amount - due));
        expect(refundDue(next)).toBe(Math.max(0, due - amount));
        if (closed(m.orderStatus)) expect(next.amountWaived).toBe(m.amountWaived);
      }),
    );
  });

  it('a paid open order stays paid after any refund that leaves money held', () => {
    fc.assert(
      fc.property(withRefund, ([m, , amount]) => {
        fc.pre(
          !closed(m.orderStatus) && m.amountPaid >= customerCost(m.total, m.amountWaived) && amount < m.amountPaid,
        );
        expect(planRefund('paid', m, amount)).toMatchObject({ status: 'paid' });
      }),
    );
  });
});
