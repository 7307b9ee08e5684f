import { upiUrl } from '../shared/upi.js';

/**
 * How an order is paid. Checkout asks only "is this method offered by the store?"; the order view asks
 * "what extra fields does the customer need to pay?". A gateway (e.g. Razorpay with signed webhooks) becomes
 * one more entry here, with its own routes for the webhook; checkout does not change.
 */
export interface PaymentStoreInfo {
  name: string;
  currency: string;
  cod: boolean;
  upiVpa: string | null;
}

export interface PaymentOrderInfo {
  number: number;
  /** what is still to be paid, integer minor units */
  balanceDue: number;
  total: number;
}

export interface PaymentMethod {
  readonly id: string;
  /** null when offered; otherwise why not (shown in a 422). */
  unavailableReason(store: PaymentStoreInfo): string | null;
  /** Fields added to the order view, e.g. `{ upiUrl }`. */
  orderExtras(store: PaymentStoreInfo, order: PaymentOrderInfo): Record<string, string>;
}

export const cashOnDelivery: PaymentMethod = {
  id: 'cod',
  unavailableReason: (store) => (store.cod ? null : 'This store does not take cash on delivery'),
  orderExtras: () => ({}),
};

export const upi: PaymentMethod = {
  id: 'upi',
  unavailableReason(store) {
    if (!store.upiVpa) return 'This store does not take UPI';
    if (store.currency !== 'INR') return 'UPI takes INR only';
    return null;
  },
  orderExtras(store, order): Record<string, string> {
    if (!store.upiVpa) return {};
    // Ask for what is still due; once nothing is, the link still names the whole order.
    const amount = order.balanceDue > 0 ? order.balanceDue : order.total;
    return { upiUrl: upiUrl({ vpa: store.upiVpa, payeeName: store.name, amount, orderNumber: order.number }) };
  },
};

export const PAYMENT_METHODS = { cod: cashOnDelivery, upi } as const;
export type PaymentMethodId = keyof typeof PAYMENT_METHODS;

export function paymentMethod(id: string): PaymentMethod | null {
  return Object.hasOwn(PAYMENT_METHODS, id) ? PAYMENT_METHODS[id as PaymentMethodId] : null;
}
