import { describe, expect, it } from 'vitest';
import { currencyExponent, formatMoney, minorToMajorString } from './money.js';

describe('formatMoney', () => {
  it('formats paise as rupees with Indian grouping', () => {
    expect(formatMoney(123450, 'INR')).toBe('₹1,234.50');
    expect(formatMoney(4999, 'INR')).toBe('₹49.99');
    expect(formatMoney(0, 'INR')).toBe('₹0.00');
    expect(formatMoney(5, 'INR')).toBe('₹0.05');
    expect(formatMoney(123456789, 'INR')).toBe('₹12,34,567.89');
  });

  it('defaults to INR', () => {
    expect(formatMoney(100)).toBe('₹1.00');
  });

  it('is exact beyond float precision (no float touches the amount)', () => {
    // 2^53 + 1 paise is not a float-representable amount of rupees.
    expect(formatMoney(9007199254740991, 'INR')).toBe('₹9,00,71,99,25,47,409.91');
    expect(formatMoney(999999999999, 'INR')).toBe('₹9,99,99,99,999.99');
  });

  it('writes negative amounts with a sign', () => {
    expect(formatMoney(-5, 'INR')).toBe('-₹0.05');
  });

  it('follows the currency minor unit', () => {
    expect(formatMoney(500, 'JPY')).toBe('JP¥500');
    expect(formatMoney(1234, 'KWD')).toBe('KWD\u00a01.234');
    expect(formatMoney(1234, 'USD')).toBe('$12.34');
  });

  it('trims a zero fraction only when asked, never real paise', () => {
    expect(formatMoney(4900, 'INR', { trimZeroFraction: true })).toBe('₹49');
    expect(formatMoney(4950, 'INR', { trimZeroFraction: true })).toBe('₹49.50');
    expect(formatMoney(4905, 'INR', { trimZeroFraction: true })).toBe('₹49.05');
    expect(formatMoney(4900, 'INR')).toBe('₹49.00');
  });

  it('refuses a non-integer amount', () => {
    expect(() => formatMoney(49.5, 'INR')).toThrow(RangeError);
  });
});

describe('money text', () => {
  it('turns minor units into major units with string arithmetic', () => {
    expect(minorToMajorString(0)).toBe('0.00');
    expect(minorToMajorString(5)).toBe('0.05');
    expect(minorToMajorString(50)).toBe('0.50');
    expect(minorToMajorString(4999)).toBe('49.99');
    expect(minorToMajorString(100)).toBe('1.00');
    expect(minorToMajorString(10_000_000_000)).toBe('100000000.00');
    expect(minorToMajorString(-250)).toBe('-2.50');
    // A value whose float division would show the classic rounding error.
    expect(minorToMajorString(1_000_000_000_000_01)).toBe('1000000000000.01');
  });

  it('respects currencies with 0 and 3 decimals', () => {
    expect(currencyExponent('JPY')).toBe(0);
    expect(minorToMajorString(500, 'JPY')).toBe('500');
    expect(minorToMajorString(1234, 'KWD')).toBe('1.234');
    expect(minorToMajorString(4, 'KWD')).toBe('0.004');
  });

  it('refuses non-integers', () => {
    expect(() => minorToMajorString(1.5)).toThrow(RangeError);
    expect(() => minorToMajorString(Number.NaN)).toThrow(RangeError);
  });

  it('formats with the symbol or the code', () => {
    expect(formatMoney(19_800)).toBe('₹198.00');
    expect(formatMoney(19_800, 'USD')).toBe('$198.00');
    expect(formatMoney(19_800, 'AED')).toBe('AED\u00a0198.00');
    expect(formatMoney(-2_000, 'INR')).toBe('-₹20.00');
  });
});
