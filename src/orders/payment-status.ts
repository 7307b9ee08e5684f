import type { Actor, OrderStatus } from './status.js';

/**
 * Payment status, beside the order status. Pure rules, no I/O.
 *
 *   pending → proof_submitted → paid → refunded
 *   pending → paid
 *   proof_submitted → proof_submitted   (the customer sends a better screenshot)
 *   paid → pending                      (system: an edit raised the total above what was paid and waived)
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
      message: from === to ? `The payment is already ${from}` : `The payment is ${from} and cannot become ${to}`,
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

/** What the store holds of an order, in minor units (amount_paid, amount_refunded, amount_waived of the orders row). */
export interface MoneyState {
  total: number;
  /** what the store holds now: every payment received minus every refund given */
  amountPaid: number;
  /** every refund given back so far */
  amountRefunded: number;
  /**
   * what refunds beyond what was due took off what the customer owes, for good (a goodwill refund): a refund
   * never makes the customer owe money (migration 192)
   */
  amountWaived: number;
  orderStatus: OrderStatus;
}

/** A money entry to record and the order's amounts and payment status after it. */
export type MoneyPlan =
  | {
      ok: true;
      entry: { kind: 'payment' | 'refund'; amount: number };
      amountPaid: number;
      amountRefunded: number;
      amountWaived: number;
      status: PaymentStatus;
    }
  | { ok: false; message: string };

const closedOrder = (s: OrderStatus) => CLOSED_ORDER.includes(s);

/**
 * What the order costs the customer: its total less what was waived. Never below 0: an edit that lowers the total
 * under the waived amount makes the order free, never a debt of the store beyond what it holds.
 */
export const customerCost = (total: number, amountWaived: number): number => Math.max(0, total - amountWaived);

/**
 * What the customer still owes: what the order costs them less what the store holds; negative when the store owes.
 * Only the order's money, whatever its status (amountToPay and refundDue know that a closed order asks for nothing).
 */
export const balanceDue = (total: number, amountPaid: number, amountWaived: number): number =>
  customerCost(total, amountWaived) - amountPaid;

/**
 * What the store owes the customer: what it holds beyond what the order costs them (after an edit lowered the
 * total), or all it holds once the order is rejected or cancelled.
 */
export function refundDue(m: MoneyState): number {
  return Math.max(0, m.amountPaid - (closedOrder(m.orderStatus) ? 0 : customerCost(m.total, m.amountWaived)));
}

/**
 * "Mark paid": one payment entry of exactly what is still due (cost − held). Refunds already given and a refund
 * still due are untouched: marking an over-paid order paid is refused (nothing is due), never a reset.
 */
export function planMarkPaid(status: PaymentStatus, m: MoneyState): MoneyPlan {
  const check = checkPaymentTransition(status, 'paid', 'merchant', m.orderStatus);
  if (!check.ok) return check;
  const amount = balanceDue(m.total, m.amountPaid, m.amountWaived);
  if (amount <= 0) return { ok: false, message: 'Nothing is due on this order' };
  return {
    ok: true,
    entry: { kind: 'payment', amount },
    amountPaid: m.amountPaid + amount,
    amountRefunded: m.amountRefunded,
    amountWaived: m.amountWaived,
    status: 'paid',
  };
}

/**
 * A refund given back: `requested`, else the refund due, else everything held. At most what the store holds.
 * The part of it that is due settles what the store owes; the part beyond that is waived: the customer owes that
 * much less for good, so giving money back never makes them owe it again (a goodwill refund on a paid order leaves
 * it paid). Nothing is waived on a rejected or cancelled order: all it holds is due.
 * The payment becomes `refunded` when nothing is held any more; `paid` while what is held covers what the order
 * costs; otherwise it stays.
 */
export function planRefund(status: PaymentStatus, m: MoneyState, requested?: number): MoneyPlan {
  if (m.amountPaid <= 0) return { ok: false, message: 'Nothing was paid on this order, so nothing can be refunded' };
  const due = refundDue(m);
  const amount = requested ?? (due > 0 ? due : m.amountPaid);
  if (!Number.isInteger(amount) || amount <= 0) return { ok: false, message: 'A refund is a positive amount' };
  if (amount > m.amountPaid) return { ok: false, message: `At most ${m.amountPaid} can be refunded` };
  const held = m.amountPaid - amount;
  const amountWaived = m.amountWaived + Math.max(0, amount - due);
  let next: PaymentStatus = status;
  if (held === 0) next = 'refunded';
  else if (!closedOrder(m.orderStatus) && held >= customerCost(m.total, amountWaived)) next = 'paid';
  return {
    ok: true,
    entry: { kind: 'refund', amount },
    amountPaid: held,
    amountRefunded: m.amountRefunded + amount,
    amountWaived,
    status: next,
  };
}

/**
 * What the customer is asked to pay now: nothing on a closed, paid or refunded order; with a proof waiting, only
 * what the total rose by since the proof (`proofTotal`, the total it was sent for); otherwise the balance due.
 */
export function amountToPay(status: PaymentStatus, m: MoneyState, proofTotal: number | null): number {
  if (closedOrder(m.orderStatus)) return 0;
  if (status === 'proof_submitted') return proofTotal !== null ? Math.max(0, m.total - proofTotal) : 0;
  if (status === 'pending') return Math.max(0, balanceDue(m.total, m.amountPaid, m.amountWaived));
  return 0;
}

/** A proof sent for a total lower than the current one: the merchant sees it flagged. */
export const proofOutdated = (status: PaymentStatus, total: number, proofTotal: number | null): boolean =>
  status === 'proof_submitted' && proofTotal !== null && proofTotal < total;

/**
 * After a line edit changes the total: a paid order whose new total exceeds what was received plus what was waived
 * goes back to `pending` (there is a balance to collect: only the rise); otherwise the payment status stays. The
 * amounts received and waived never change by an edit; a negative balance due is money the store owes the customer.
 */
export function paymentStatusAfterEdit(
  current: PaymentStatus,
  newTotal: number,
  amountPaid: number,
  amountWaived: number,
): PaymentStatus {
  if (current === 'paid' && customerCost(newTotal, amountWaived) > amountPaid) return 'pending';
  return current;
}
