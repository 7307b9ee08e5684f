import type { Actor, OrderStatus } from './status.js';

/**
 * Payment status, beside the order status. Pure rules, no I/O.
 *
 *   pending → proof_submitted → paid → refunded
 *   pending → paid
 *   proof_submitted → proof_submitted   (the customer sends a better screenshot)
 *   paid → pending                      (system: an edit raised the total above what was paid)
 *
 * The customer submits proofs; the store confirms payment and refunds. Nothing can be paid or proven on a
 * rejected or cancelled order, but a paid one can still be refunded.
 */
export const PAYMENT_STATUSES = ['pending', 'proof_submitted', 'paid', 'refunded'] as const;
export type PaymentStatus = (typeof PAYMENT_STATUSES)[number];

const PAYMENT_TRANSITIONS: Readonly<Record<PaymentStatus, Partial<Record<PaymentStatus, readonly Actor[]>>>> = {
  pending: { proof_submitted: ['customer'], paid: ['merchant'] },
  proof_submitted: { proof_submitted: ['customer'], paid: ['merchant'] },
  paid: { refunded: ['merchant'], pending: ['system'] },
  refunded: {},
};

const CLOSED_ORDER: readonly OrderStatus[] = ['rejected', 'cancelled'];

export type PaymentTransitionResult =
  | { ok: true; from: PaymentStatus; to: PaymentStatus }
  | { ok: false; message: string };

export function checkPaymentTransition(
  from: PaymentStatus,
  to: PaymentStatus,
  actor: Actor,
  orderStatus: OrderStatus,
): PaymentTransitionResult {
  const actors = PAYMENT_TRANSITIONS[from][to];
  if (!actors)
    return {
      ok: false,
      message: from === to ? `The payment is already ${from}` : `A ${from} payment cannot become ${to}`,
    };
  if (!actors.includes(actor)) return { ok: false, message: `Only ${actors.join(' or ')} can mark a payment ${to}` };
  if (to !== 'refunded' && to !== 'pending' && CLOSED_ORDER.includes(orderStatus)) {
    return { ok: false, message: `The order is ${orderStatus}; no payment is expected` };
  }
  return { ok: true, from, to };
}

/** The payment statuses from which `actor` may move to `to`: the guard of the conditional UPDATE. */
export function paymentAllowedFrom(to: PaymentStatus, actor: Actor, orderStatus: OrderStatus): PaymentStatus[] {
  return PAYMENT_STATUSES.filter((from) => checkPaymentTransition(from, to, actor, orderStatus).ok);
}

/**
 * What was received, after a payment change. `paid` records the whole total as received;
 * `refunded` gives it all back; anything else keeps what was received before.
 */
export function amountPaidAfter(to: PaymentStatus, total: number, amountPaidBefore: number): number {
  if (to === 'paid') return total;
  if (to === 'refunded') return 0;
  return amountPaidBefore;
}

/**
 * After a line edit changes the total: a paid order whose new total exceeds what was received goes back to
 * `pending` (there is a balance to collect); otherwise the payment status stays. The amount received never
 * changes by an edit; a negative balance due is money the store owes the customer.
 */
export function paymentStatusAfterEdit(current: PaymentStatus, newTotal: number, amountPaid: number): PaymentStatus {
  if (current === 'paid' && newTotal > amountPaid) return 'pending';
  return current;
}

export const balanceDue = (total: number, amountPaid: number): number => total - amountPaid;
