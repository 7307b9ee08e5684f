import { formatMoney } from '../shared/money.js';
import type { OrderView } from './orders.schema.js';

/** The texts of the WhatsApp messages orders cause. Pure: the outbox carries them. */

interface StoreInfo {
  name: string;
  currency: string;
}

const STATUS_WORDS: Record<string, string> = {
  accepted: 'has been accepted',
  shipped: 'is on its way',
  delivered: 'has been delivered',
  rejected: 'could not be accepted',
  cancelled: 'has been cancelled',
};

function lineList(order: OrderView): string {
  return order.lines
    .map(
      (l) =>
        `${l.quantity} × ${l.name}${l.variantName && l.variantName.toLowerCase() !== 'default' ? ` (${l.variantName})` : ''}`,
    )
    .join('\n');
}

/** `numberText` stands in for the order number when the text is written before the database numbers the order. */
export function orderPlacedForStore(
  order: OrderView,
  store: StoreInfo,
  dashboardUrl: string,
  numberText = String(order.number),
): string {
  const c = order.customer;
  const where =
    order.fulfillment === 'pickup'
      ? 'Pickup'
      : c.address
        ? `Deliver to: ${[c.address.line1, c.address.line2, c.address.city, c.address.pincode].filter(Boolean).join(', ')}`
        : 'Delivery';
  return [
    `New order #${numberText} at ${store.name}`,
    lineList(order),
    `Total: ${formatMoney(order.total, store.currency)} (${order.paymentMethod === 'cod' ? 'cash on delivery' : order.paymentMethod.toUpperCase()})`,
    `Customer: ${c.name}, ${c.phone}`,
    where,
    ...(order.note ? [`Note: ${order.note}`] : []),
    `Open: ${dashboardUrl}`,
  ].join('\n');
}

export function statusChangedForCustomer(order: OrderView, store: StoreInfo, note: string | null): string {
  return [
    `Your order #${order.number} at ${store.name} ${STATUS_WORDS[order.status] ?? `is now ${order.status}`}.`,
    ...(note ? [`Note from the store: ${note}`] : []),
    `Track it: ${order.trackingUrl}`,
  ].join('\n');
}

export function cancelledByCustomerForStore(order: OrderView, store: StoreInfo): string {
  return `Order #${order.number} at ${store.name} was cancelled by the customer (${order.customer.name}, ${order.customer.phone}). Its stock is back on the shelf.`;
}

export function editedForCustomer(order: OrderView, store: StoreInfo): string {
  return [
    `Your order #${order.number} at ${store.name} was changed:`,
    lineList(order),
    `New total: ${formatMoney(order.total, store.currency)}`,
    `Track it: ${order.trackingUrl}`,
  ].join('\n');
}

export function editedByCustomerForStore(order: OrderView, store: StoreInfo): string {
  return [
    `Order #${order.number} was changed by the customer (${order.customer.name}):`,
    lineList(order),
    `New total: ${formatMoney(order.total, store.currency)}`,
  ].join('\n');
}

export function paymentProofForStore(order: OrderView, store: StoreInfo): string {
  return `Payment proof received for order #${order.number} (${formatMoney(order.total, store.currency)}) from ${order.customer.name}. Check it and mark the order paid.`;
}

export function paymentUpdatedForCustomer(order: OrderView, store: StoreInfo): string {
  const what =
    order.paymentStatus === 'paid'
      ? `Payment of ${formatMoney(order.amountPaid, store.currency)} received`
      : order.paymentStatus === 'refunded'
        ? 'Your payment has been refunded'
        : `Payment status: ${order.paymentStatus}`;
  return `${what} for order #${order.number} at ${store.name}.\nTrack it: ${order.trackingUrl}`;
}
