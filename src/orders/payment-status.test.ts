import { describe, expect, it } from 'vitest';
import { ACTORS, ORDER_STATUSES, type Actor, type OrderStatus } from './status.js';
import {
  PAYMENT_STATUSES,
  amountToPay,
  balanceDue,
  checkPaymentTransition,
  paymentAllowedFrom,
  paymentStatusAfterEdit,
  planMarkPaid,
  planRefund,
  proofOutdated,
  refundDue,
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

  const money = (total: number, amountPaid: number, amountRefunded = 0, orderStatus: OrderStatus = 'accepted') => ({
    total,
    amountPaid,
    amountRefunded,
    orderStatus,
  });

  it('marks paid with one entry of what is still due, never erasing a refund due', () => {
    expect(planMarkPaid('pending', money(25_000, 0))).toEqual({
      ok: true,
      entry: { kind: 'payment', amount: 25_000 },
      amountPaid: 25_000,
      amountRefunded: 0,
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
      status: 'paid',
    });
    expect(planRefund('paid', money(15_000, 25_000), 4_000)).toMatchObject({ amountPaid: 21_000, status: 'paid' });
    expect(planRefund('paid', money(15_000, 25_000), 25_001).ok).toBe(false);
    expect(planRefund('pending', money(15_000, 0)).ok).toBe(false);
    expect(planRefund('paid', money(8_000, 8_000))).toMatchObject({ amountPaid: 0, status: 'refunded' });
    expect(planRefund('paid', money(8_000, 8_000), 3_000)).toMatchObject({ amountPaid: 5_000, status: 'pending' });
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
    expect(paymentStatusAfterEdit('paid', 15_000, 12_000)).toBe('pending');
    expect(paymentStatusAfterEdit('paid', 10_000, 12_000)).toBe('paid');
    expect(paymentStatusAfterEdit('paid', 12_000, 12_000)).toBe('paid');
    expect(paymentStatusAfterEdit('pending', 15_000, 0)).toBe('pending');
    expect(paymentStatusAfterEdit('proof_submitted', 15_000, 0)).toBe('proof_submitted');
    expect(paymentStatusAfterEdit('refunded', 15_000, 0)).toBe('refunded');
  });

  it('balance due is total minus received, negative when the store owes', () => {
    expect(balanceDue(10_000, 0)).toBe(10_000);
    expect(balanceDue(10_000, 10_000)).toBe(0);
    expect(balanceDue(8_000, 10_000)).toBe(-2_000);
  });
});

describe('a refused payment change says why in a sentence', () => {
  it('names the payment status it is in and the one asked for', () => {
    const r = checkPaymentTransition('refunded', 'proof_submitted', 'customer', 'placed');
    expect(r).toEqual({ ok: false, message: 'The payment is refunded and cannot become proof_submitted' });
  });
});
