import { formatMoney } from '../shared/money.js';
import { money, t } from '../i18n/index.js';
import type { OrderView } from './orders.schema.js';

/**
 * The texts of the WhatsApp messages orders cause. Pure: the outbox carries them. Messages to the customer come
 * from the `messages` catalog in the language of their order (its lang column); product names stay as written.
 */

interface StoreInfo {
  name: string;
  currency: string;
}

/** The catalog key of each status message (written out, so the catalog test sees every key). */
const STATUS_KEYS: Record<string, string> = {
  accepted: 'messages.statusAccepted',
  shipped: 'messages.statusShipped',
  delivered: 'messages.statusDelivered',
  rejected: 'messages.statusRejected',
  cancelled: 'messages.statusCancelled',
};
const PICKUP_STATUS_KEYS: Record<string, string> = {
  shipped: 'messages.statusReadyForPickup',
  delivered: 'messages.statusPickedUp',
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

/** The customer's confirmation at placement; `numberText` as in `orderPlacedForStore`. */
export function orderPlacedForCustomer(
  order: OrderView,
  store: StoreInfo,
  lang: string,
  numberText = String(order.number),
): string {
  return [
    t(lang, 'messages.placed', { store: store.name, number: numberText }),
    lineList(order),
    t(lang, 'messages.total', {
      total: money(lang, order.total, store.currency),
      method: order.paymentMethod === 'cod' ? 'cod' : 'upi',
    }),
    t(lang, 'messages.placedNext'),
    t(lang, 'messages.trackIt', { url: order.trackingUrl }),
  ].join('\n');
}

export function statusChangedForCustomer(order: OrderView, store: StoreInfo, note: string | null): string {
  const lang = order.lang;
  const key =
    (order.fulfillment === 'pickup' ? PICKUP_STATUS_KEYS[order.status] : undefined) ??
    STATUS_KEYS[order.status] ??
    'messages.statusOther';
  return [
    t(lang, key, { store: store.name, number: order.number, status: order.status }),
    ...(note ? [t(lang, 'messages.noteFromStore', { note })] : []),
    t(lang, 'messages.trackIt', { url: order.trackingUrl }),
  ].join('\n');
}

export function cancelledByCustomerForStore(order: OrderView, store: StoreInfo): string {
  return `Order #${order.number} at ${store.name} was cancelled by the customer (${order.customer.name}, ${order.customer.phone}). Its stock is back on the shelf.`;
}

export function editedForCustomer(order: OrderView, store: StoreInfo): string {
  const lang = order.lang;
  return [
    t(lang, 'messages.edited', { store: store.name, number: order.number }),
    lineList(order),
    t(lang, 'messages.newTotal', { total: money(lang, order.total, store.currency) }),
    t(lang, 'messages.trackIt', { url: order.trackingUrl }),
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
  const lang = order.lang;
  const last = order.payment.entries.at(-1);
  const what =
    last?.kind === 'refund' && order.paymentStatus !== 'refunded'
      ? t(lang, 'messages.refundRecorded', {
          amount: money(lang, last.amount, store.currency),
          number: order.number,
          store: store.name,
        })
      : order.paymentStatus === 'paid'
        ? t(lang, 'messages.paymentReceived', {
            amount: money(lang, order.amountPaid, store.currency),
            number: order.number,
            store: store.name,
          })
        : order.paymentStatus === 'refunded'
          ? t(lang, 'messages.paymentRefunded', { number: order.number, store: store.name })
          : t(lang, 'messages.paymentOther', { status: order.paymentStatus, number: order.number, store: store.name });
  return [what, t(lang, 'messages.trackIt', { url: order.trackingUrl })].join('\n');
}
