import { describe, expect, it } from 'vitest';
import { buildBill } from './bill.js';
import type { BillLineRow, BillOrderRow } from './bill.repo.js';

const order = (over: Partial<BillOrderRow> = {}): BillOrderRow => ({
  id: 'o1',
  storeId: 's1',
  number: 7,
  status: 'placed',
  paymentStatus: 'pending',
  paymentMethod: 'upi',
  fulfillment: 'delivery',
  subtotal: 20000,
  discount: 0,
  deliveryFee: 3000,
  total: 23000,
  amountPaid: 0,
  amountRefunded: 0,
  amountWaived: 0,
  couponCode: null,
  customer: { name: 'Asha', phone: '+919812345678', address: null },
  lang: 'en',
  createdAt: new Date('2026-11-30T08:00:00Z'),
  storeName: 'Kirana',
  storeSlug: 'kirana',
  storeWhatsapp: null,
  currency: 'INR',
  gstin: null,
  ...over,
});
const lines: BillLineRow[] = [
  { name: 'Rice', variantName: 'Default', hsn: null, unitPrice: 10000, quantity: 2, lineTotal: 20000 },
];
const totals = (o: BillOrderRow) => buildBill(o, lines, 'en').totals.map((t) => `${t.label}: ${t.value}`);
const meta = (o: BillOrderRow) => buildBill(o, lines, 'en').meta.map((m) => `${m.label}: ${m.value}`);

describe('bill totals', () => {
  it('an open unpaid order asks for its total', () => {
    expect(totals(order())).toEqual([
      'Items total: ₹200.00',
      'Delivery: ₹30.00',
      'Total: ₹230.00',
      'Paid: ₹0.00',
      'To pay: ₹230.00',
    ]);
    expect(meta(order())).not.toContainEqual(expect.stringMatching(/^Order:/));
  });

  it('a cancelled or rejected order says so and asks for nothing', () => {
    for (const status of ['cancelled', 'rejected'] as const) {
      const o = order({ status });
      expect(totals(o)).toContain('To pay: ₹0.00');
      expect(totals(o).some((t) => t.startsWith('Refund due'))).toBe(false);
      expect(buildBill(o, lines, 'en').totals.find((t) => t.label === 'To pay')?.strong).toBe(false);
    }
    expect(meta(order({ status: 'cancelled' }))).toContain('Order: CANCELLED — nothing to pay');
    expect(meta(order({ status: 'rejected' }))).toContain('Order: NOT ACCEPTED by the store — nothing to pay');
  });

  it('a cancelled order that was paid owes it all back; once refunded, the refund is shown', () => {
    const paid = order({ status: 'cancelled', paymentStatus: 'paid', amountPaid: 23000 });
    expect(totals(paid).slice(-3)).toEqual(['Paid: ₹230.00', 'To pay: ₹0.00', 'Refund due to you: ₹230.00']);
    const refunded = order({ status: 'cancelled', paymentStatus: 'refunded', amountPaid: 0, amountRefunded: 23000 });
    expect(totals(refunded).slice(-3)).toEqual(['Paid: ₹0.00', 'Refunded: ₹230.00', 'To pay: ₹0.00']);
  });

  it('a refund beyond what was owed back is waived: shown, and never asked for', () => {
    const o = order({ status: 'delivered', paymentStatus: 'paid', amountPaid: 18000, amountRefunded: 5000 });
    expect(totals({ ...o, amountWaived: 5000 }).slice(-4)).toEqual([
      'Paid: ₹180.00',
      'Refunded: ₹50.00',
      'Waived (goodwill, nothing to pay back): ₹50.00',
      'To pay: ₹0.00',
    ]);
  });

  it('an order edited below what was paid owes the difference', () => {
    const o = order({ paymentStatus: 'paid', total: 13000, subtotal: 10000, amountPaid: 23000 });
    expect(totals(o).slice(-3)).toEqual(['Paid: ₹230.00', 'To pay: ₹0.00', 'Refund due to you: ₹100.00']);
  });
});
