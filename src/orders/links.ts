import { formatMoney } from '../shared/money.js';
import { lineName } from '../catalog/variant-label.js';

/** What the click-to-chat summary needs to know about an order. */
export interface OrderSummaryInput {
  number: number;
  currency: string;
  storeName: string;
  lines: readonly { name: string; variantName: string; quantity: number; lineTotal: number }[];
  subtotal: number;
  discount: number;
  deliveryFee: number;
  total: number;
  trackingUrl: string;
}

export function trackingUrl(publicUrl: string, trackingToken: string): string {
  return `${publicUrl.replace(/\/$/, '')}/o/${encodeURIComponent(trackingToken)}`;
}

/** The order as a chat message: number, lines, bill, tracking link. Plain text, newline separated. */
export function orderSummaryText(o: OrderSummaryInput): string {
  const money = (n: number) => formatMoney(n, o.currency);
  const rows = [`Order #${o.number} — ${o.storeName}`];
  for (const line of o.lines) rows.push(`${line.quantity} × ${lineName(line)}: ${money(line.lineTotal)}`);
  if (o.discount > 0 || o.deliveryFee > 0) rows.push(`Subtotal: ${money(o.subtotal)}`);
  if (o.discount > 0) rows.push(`Discount: -${money(o.discount)}`);
  if (o.deliveryFee > 0) rows.push(`Delivery: ${money(o.deliveryFee)}`);
  rows.push(`Total: ${money(o.total)}`);
  rows.push(`Track: ${o.trackingUrl}`);
  return rows.join('\n');
}

/**
 * Click-to-chat link: `https://wa.me/<digits>?text=<message>`; without a store number, `https://wa.me/?text=…`
 * lets the customer pick the chat. The text is percent-encoded as UTF-8 (₹, emoji, &, #, newlines).
 */
export function whatsappUrl(storeWhatsapp: string | null, text: string): string {
  const digits = storeWhatsapp ? storeWhatsapp.replace(/\D/g, '') : '';
  return `https://wa.me/${digits}?text=${encodeURIComponent(text)}`;
}
