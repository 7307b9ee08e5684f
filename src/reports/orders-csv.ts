/** The accountant's CSV of orders: one row per order line, the order's figures repeated on each. Pure. */
import { stringify } from 'csv-stringify/sync';
import { safeCell } from '../catalog/import-plan.js';
import { minorToMajorString } from '../shared/money.js';
import type { ExportLine, ExportOrder } from './reports.repo.js';

export const ORDER_CSV_COLUMNS = [
  'order',
  'placedAt',
  'status',
  'paymentStatus',
  'paymentMethod',
  'fulfillment',
  'source',
  'customerName',
  'customerPhone',
  'address',
  'city',
  'pincode',
  'product',
  'size',
  'hsn',
  'unitPrice',
  'quantity',
  'lineTotal',
  'subtotal',
  'discount',
  'deliveryFee',
  'total',
  'amountPaid',
  'coupon',
  'currency',
] as const;

export function orderCsvHeader(): string {
  return `\ufeff${stringify([[...ORDER_CSV_COLUMNS]])}`;
}

export function orderCsvRows(orders: readonly ExportOrder[], lines: readonly ExportLine[], currency: string): string {
  const m = (minor: number) => minorToMajorString(minor, currency);
  const byOrder = new Map<string, ExportLine[]>();
  for (const l of lines) byOrder.set(l.orderId, [...(byOrder.get(l.orderId) ?? []), l]);
  const records: string[][] = [];
  for (const o of orders) {
    const a = o.customer.address;
    const address = a ? [a.line1, a.line2].filter(Boolean).join(', ') : '';
    for (const l of byOrder.get(o.id) ?? []) {
      records.push([
        String(o.number),
        o.placedAt,
        o.status,
        o.paymentStatus,
        o.paymentMethod,
        o.fulfillment,
        o.source,
        safeCell(o.customer.name),
        o.customer.phone,
        safeCell(address),
        safeCell(a?.city ?? ''),
        a?.pincode ?? '',
        safeCell(l.name),
        safeCell(l.variantName),
        l.hsn ?? '',
        m(l.unitPrice),
        String(l.quantity),
        m(l.lineTotal),
        m(o.subtotal),
        m(o.discount),
        m(o.deliveryFee),
        m(o.total),
        m(o.amountPaid),
        safeCell(o.couponCode ?? ''),
        currency,
      ]);
    }
  }
  return records.length ? stringify(records) : '';
}
