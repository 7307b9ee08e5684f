/**
 * What the order page offers next, from the order status machine and the payment rules (pure, unit-tested).
 * The one forward move (accept, ship, deliver) is the primary button at the top of the order; the moves that end
 * the order (Reject before accepting, Cancel order after) are shown apart and ask "Are you sure?" first.
 */
import { canEditLines, nextStatuses, STOCK_RETURNING_STATUSES, type OrderStatus } from '../../orders/status.js';
import { checkPaymentTransition, type PaymentStatus } from '../../orders/payment-status.js';

export interface OrderState {
  status: OrderStatus;
  paymentStatus: PaymentStatus;
  /** what the customer still owes, in minor units (negative when the store owes them) */
  balanceDue: number;
  /** what the store holds now */
  amountPaid: number;
}

export interface OrderActions {
  /** The forward move, shown first as the primary button; null once the order is over. */
  next: OrderStatus | null;
  /** Reject / Cancel order: each one needs a confirmation. */
  ending: OrderStatus[];
  editLines: boolean;
  markPaid: boolean;
  refund: boolean;
}

/** Reject and Cancel end the order and hand its stock back: they are asked about before they happen. */
export function needsConfirmation(to: OrderStatus): boolean {
  return STOCK_RETURNING_STATUSES.includes(to);
}

export function orderActions(order: OrderState): OrderActions {
  const moves = nextStatuses(order.status, 'merchant');
  return {
    next: moves.find((to) => !needsConfirmation(to)) ?? null,
    // Before accepting, ending the order is "Reject"; "Cancel order" (said as "already accepted") comes after.
    ending: moves.filter(needsConfirmation).filter((to) => !(to === 'cancelled' && moves.includes('rejected'))),
    editLines: canEditLines(order.status, 'merchant'),
    markPaid: checkPaymentTransition(order.paymentStatus, 'paid', 'merchant', order.status).ok && order.balanceDue > 0,
    refund: order.amountPaid > 0,
  };
}
