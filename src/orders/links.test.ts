import { describe, expect, it } from 'vitest';
import { orderSummaryText, trackingUrl, whatsappUrl, type OrderSummaryInput } from './links.js';

const order: OrderSummaryInput = {
  number: 42,
  currency: 'INR',
  storeName: 'Chai & Co. #1',
  lines: [
    { name: 'Masala Chai 🍵', variantName: '250 g', quantity: 2, lineTotal: 19_800 },
    { name: 'Rusk', variantName: 'Default', quantity: 1, lineTotal: 4_000 },
  ],
  subtotal: 23_800,
  discount: 2_380,
  deliveryFee: 4_000,
  total: 25_420,
  trackingUrl: 'http://localhost:3000/o/6f1c0b1e-7d7a-4c1e-9d55-0c5a2f8b9e10',
};

describe('order links', () => {
  it('builds the tracking URL under /o/', () => {
    expect(trackingUrl('https://dukaan.example/', 'abc')).toBe('https://dukaan.example/o/abc');
    expect(trackingUrl('http://localhost:3000', '6f1c0b1e-7d7a-4c1e-9d55-0c5a2f8b9e10')).toBe(
      'http://localhost:3000/o/6f1c0b1e-7d7a-4c1e-9d55-0c5a2f8b9e10',
    );
  });

  it('summarises number, lines, bill and tracking link', () => {
    const text = orderSummaryText(order);
    expect(text.split('\n')).toEqual([
      'Order #42 — Chai & Co. #1',
      '2 × Masala Chai 🍵 (250 g): ₹198.00',
      '1 × Rusk: ₹40.00',
      'Subtotal: ₹238.00',
      'Discount: -₹23.80',
      'Delivery: ₹40.00',
      'Total: ₹254.20',
      `Track: ${order.trackingUrl}`,
    ]);
  });

  it('leaves out subtotal, discount and delivery when there is nothing to add', () => {
    const text = orderSummaryText({ ...order, discount: 0, deliveryFee: 0, total: 23_800 });
    expect(text).not.toContain('Subtotal');
    expect(text).not.toContain('Discount');
    expect(text).toContain('Total: ₹238.00');
  });

  it('encodes ₹, &, #, newlines and emoji so the URL carries the exact text', () => {
    const text = orderSummaryText(order);
    const url = whatsappUrl('+91 98765-43210', text);
    expect(url.startsWith('https://wa.me/919876543210?text=')).toBe(true);
    const encoded = url.slice('https://wa.me/919876543210?text='.length);
    // Nothing that would end or split the query survives unencoded.
    expect(encoded).not.toMatch(/[&#\n ?=]/);
    expect(encoded).toContain('%E2%82%B9'); // ₹
    expect(encoded).toContain('%26'); // &
    expect(encoded).toContain('%23'); // #
    expect(encoded).toContain('%0A'); // newline
    expect(encoded).toContain('%F0%9F%8D%B5'); // 🍵
    expect(new URL(url).searchParams.get('text')).toBe(text);
  });

  it('lets the customer choose the chat when the store has no number', () => {
    const url = whatsappUrl(null, 'Order #1');
    expect(url).toBe('https://wa.me/?text=Order%20%231');
    expect(new URL(url).searchParams.get('text')).toBe('Order #1');
  });
});
