import { describe, expect, it } from 'vitest';
import { ACTORS, ORDER_STATUSES, type Actor, type OrderStatus } from './status.js';
import {
  PAYMENT_STATUSES,
  amountPaidAfter,
  balanceDue,
  checkPaymentTransition,
  paymentAllowedFrom,
  paymentStatusAfterEdit,
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

  it('records the amount received', () => {
    expect(amountPaidAfter('paid', 12_345, 0)).toBe(12_345);
    expect(amountPaidAfter('refunded', 12_345, 12_345)).toBe(0);
    expect(amountPaidAfter('proof_submitted', 12_345, 0)).toBe(0);
    expect(amountPaidAfter('pending', 12_345, 500)).toBe(500);
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
