/**
 * A bill (the customer's receipt of an order) as plain data in one language: every label already translated,
 * every amount already formatted. The HTML page and the PDF both draw this, so they always agree. Pure.
 */
import { money, t, type Lang } from '../i18n/index.js';
import type { BillLineRow, BillOrderRow } from './bill.repo.js';
import { lineName } from '../catalog/variant-label.js';
import { amountToPay, refundDue } from '../orders/payment-status.js';

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

const ENDED_KEYS: Partial<Record<BillOrderRow['status'], string>> = {
  cancelled: 'bill.statusCancelled',
  rejected: 'bill.statusRejected',
};

/**
 * The bill's money lines below the total: what was paid, what is still to pay, and what the store owes back, by
 * the order's own rules (orders/payment-status.ts): a cancelled or rejected order asks for nothing and owes back
 * all that was paid; an order edited below what was paid owes the difference; a refund beyond what was owed back is
 * waived, never asked for again.
 */
function balanceLines(order: BillOrderRow, lang: Lang): Bill['totals'] {
  const m = (minor: number) => money(lang, minor, order.currency);
  const state = {
    total: order.total,
    amountPaid: order.amountPaid,
    amountRefunded: order.amountRefunded,
    amountWaived: order.amountWaived,
    orderStatus: order.status,
  };
  // What is still to pay (nothing once cancelled or rejected), a proof waiting or not: the bill is a record of the
  // money, not the payment request.
  const toPay = amountToPay('pending', state, null);
  const owed = refundDue(state);
  const lines: Bill['totals'] = [{ label: t(lang, 'bill.paid'), value: m(order.amountPaid) }];
  if (order.amountRefunded > 0) lines.push({ label: t(lang, 'bill.refunded'), value: m(order.amountRefunded) });
  // The part of the refunds the customer need not pay back: without it "paid" below the total reads as a debt.
  if (order.amountWaived > 0) lines.push({ label: t(lang, 'bill.waived'), value: m(order.amountWaived) });
  lines.push({ label: t(lang, 'bill.balance'), value: m(toPay), strong: toPay > 0 });
  if (owed > 0) lines.push({ label: t(lang, 'bill.refundDue'), value: m(owed), strong: true });
  return lines;
}

export function buildBill(order: BillOrderRow, lines: readonly BillLineRow[], lang: Lang): Bill {
  const m = (minor: number) => money(lang, minor, order.currency);
  const customer =
    typeof order.customer === 'string'
      ? (JSON.parse(order.customer) as Exclude<BillOrderRow['customer'], string>)
      : order.customer;
  const address = customer.address;
  const showHsn = lines.some((l) => l.hsn);
  const totals: Bill['totals'] = [{ label: t(lang, 'bill.subtotal'), value: m(order.subtotal) }];
  if (order.discount > 0)
    totals.push({
      label: order.couponCode ? t(lang, 'bill.discountWithCode', { code: order.couponCode }) : t(lang, 'bill.discount'),
      value: `−${m(order.discount)}`,
    });
  if (order.fulfillment === 'delivery') totals.push({ label: t(lang, 'bill.delivery'), value: m(order.deliveryFee) });
  totals.push({ label: t(lang, 'bill.total'), value: m(order.total), strong: true });
  totals.push(...balanceLines(order, lang));
  const ended = ENDED_KEYS[order.status];
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
      ...(ended ? [{ label: t(lang, 'bill.status'), value: t(lang, ended) }] : []),
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
