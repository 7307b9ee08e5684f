/**
 * A bill (the customer's receipt of an order) as plain data in one language: every label already translated,
 * every amount already formatted. The HTML page and the PDF both draw this, so they always agree. Pure.
 */
import { money, t, type Lang } from '../i18n/index.js';
import type { BillLineRow, BillOrderRow } from './bill.repo.js';
import { lineName } from '../catalog/variant-label.js';

export interface Bill {
  lang: Lang;
  title: string;
  storeName: string;
  storeLines: string[];
  meta: { label: string; value: string }[];
  customerLines: string[];
  columns: { item: string; hsn: string; qty: string; price: string; amount: string };
  showHsn: boolean;
  lines: { item: string; hsn: string; qty: string; price: string; amount: string }[];
  totals: { label: string; value: string; strong?: boolean }[];
  footer: string;
}

/** `2026-11-30 14:05` style date in India's time, in the bill's language. */
export function billDate(at: Date, lang: Lang): string {
  return new Intl.DateTimeFormat(`${lang}-IN`, {
    timeZone: 'Asia/Kolkata',
    day: 'numeric',
    month: 'short',
    year: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
  }).format(at);
}

const PAYMENT_KEYS: Record<string, string> = {
  pending: 'bill.paymentPending',
  proof_submitted: 'bill.paymentProofSubmitted',
  paid: 'bill.paymentPaid',
  refunded: 'bill.paymentRefunded',
};

export function buildBill(order: BillOrderRow, lines: readonly BillLineRow[], lang: Lang): Bill {
  const m = (minor: number) => money(lang, minor, order.currency);
  const customer =
    typeof order.customer === 'string'
      ? (JSON.parse(order.customer) as Exclude<BillOrderRow['customer'], string>)
      : order.customer;
  const address = customer.address;
  const showHsn = lines.some((l) => l.hsn);
  const balance = Math.max(order.total - order.amountPaid, 0);
  const totals: Bill['totals'] = [{ label: t(lang, 'bill.subtotal'), value: m(order.subtotal) }];
  if (order.discount > 0)
    totals.push({
      label: order.couponCode ? t(lang, 'bill.discountWithCode', { code: order.couponCode }) : t(lang, 'bill.discount'),
      value: `−${m(order.discount)}`,
    });
  if (order.fulfillment === 'delivery') totals.push({ label: t(lang, 'bill.delivery'), value: m(order.deliveryFee) });
  totals.push({ label: t(lang, 'bill.total'), value: m(order.total), strong: true });
  totals.push({ label: t(lang, 'bill.paid'), value: m(order.amountPaid) });
  totals.push({ label: t(lang, 'bill.balance'), value: m(balance), strong: balance > 0 });
  return {
    lang,
    title: t(lang, 'bill.title', { number: order.number, store: order.storeName }),
    storeName: order.storeName,
    storeLines: [
      ...(order.gstin ? [t(lang, 'bill.gstin', { gstin: order.gstin })] : []),
      ...(order.storeWhatsapp ? [t(lang, 'bill.phone', { phone: order.storeWhatsapp })] : []),
    ],
    meta: [
      { label: t(lang, 'bill.number'), value: `#${order.number}` },
      { label: t(lang, 'bill.date'), value: billDate(order.createdAt, lang) },
      { label: t(lang, 'bill.payment'), value: t(lang, PAYMENT_KEYS[order.paymentStatus] ?? 'bill.paymentPending') },
    ],
    customerLines: [
      customer.name,
      customer.phone,
      ...(address
        ? [[address.line1, address.line2].filter(Boolean).join(', '), `${address.city} ${address.pincode}`]
        : []),
    ],
    columns: {
      item: t(lang, 'bill.item'),
      hsn: t(lang, 'bill.hsn'),
      qty: t(lang, 'bill.qty'),
      price: t(lang, 'bill.price'),
      amount: t(lang, 'bill.amount'),
    },
    showHsn,
    lines: lines.map((l) => ({
      item: lineName(l),
      hsn: l.hsn ?? '',
      qty: String(l.quantity),
      price: m(l.unitPrice),
      amount: m(l.lineTotal),
    })),
    totals,
    footer: t(lang, 'bill.thanks'),
  };
}
