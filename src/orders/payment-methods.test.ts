import { describe, expect, it } from 'vitest';
import { upiUrl, qrSvg } from '../shared/upi.js';
import { cashOnDelivery, paymentMethod, upi } from './payment-methods.js';

describe('UPI link', () => {
  it('has the NPCI parameters with the amount from integer paise', () => {
    const url = upiUrl({ vpa: 'chaiandco@okaxis', payeeName: 'Chai & Co', amount: 25_420, orderNumber: 42 });
    expect(url).toBe('upi://pay?pa=chaiandco@okaxis&pn=Chai%20%26%20Co&am=254.20&cu=INR&tn=Order%2042');
  });

  it('writes small and large amounts exactly', () => {
    expect(upiUrl({ vpa: 'a@b', payeeName: 'S', amount: 5, orderNumber: 1 })).toContain('&am=0.05&');
    expect(upiUrl({ vpa: 'a@b', payeeName: 'S', amount: 999_999_999_99, orderNumber: 1 })).toContain(
      '&am=999999999.99&',
    );
  });

  it('encodes names that would break the query', () => {
    const url = upiUrl({ vpa: 'a.b-c_d@ybl', payeeName: 'Ram=Shyam?#1 🍵', amount: 100, orderNumber: 7 });
    const query = url.slice('upi://pay?'.length);
    const params = new URLSearchParams(query);
    expect(params.get('pn')).toBe('Ram=Shyam?#1 🍵');
    expect(params.get('pa')).toBe('a.b-c_d@ybl');
    expect(params.get('tn')).toBe('Order 7');
    expect([...params.keys()]).toEqual(['pa', 'pn', 'am', 'cu', 'tn']);
  });

  it('renders a QR code as SVG', async () => {
    const svg = await qrSvg('upi://pay?pa=a@b&am=1.00');
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg).toContain('</svg>');
  });
});

describe('payment methods', () => {
  const store = { name: 'Chai', currency: 'INR', cod: true, upiVpa: 'chai@okaxis' };
  it('offers cod only when the store takes it', () => {
    expect(cashOnDelivery.unavailableReason(store)).toBeNull();
    expect(cashOnDelivery.unavailableReason({ ...store, cod: false })).toMatch(/cash/);
  });
  it('offers upi only with a VPA and in INR', () => {
    expect(upi.unavailableReason(store)).toBeNull();
    expect(upi.unavailableReason({ ...store, upiVpa: null })).toMatch(/UPI/);
    expect(upi.unavailableReason({ ...store, currency: 'USD' })).toMatch(/INR/);
  });
  it('adds upiUrl for the balance due, or the total once nothing is due', () => {
    expect(upi.orderExtras(store, { number: 3, balanceDue: 1_000, total: 1_500 }).upiUrl).toContain('am=10.00');
    expect(upi.orderExtras(store, { number: 3, balanceDue: 0, total: 1_500 }).upiUrl).toContain('am=15.00');
    expect(cashOnDelivery.orderExtras(store, { number: 3, balanceDue: 0, total: 1 })).toEqual({});
  });
  it('looks methods up by id only', () => {
    expect(paymentMethod('cod')).toBe(cashOnDelivery);
    expect(paymentMethod('upi')).toBe(upi);
    expect(paymentMethod('toString')).toBeNull();
    expect(paymentMethod('card')).toBeNull();
  });
});
