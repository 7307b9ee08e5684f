import { describe, expect, it } from 'vitest';
import { currencyExponent, formatMoney, minorToMajorString } from './money.js';

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
    expect(formatMoney(19_800, 'AED')).toBe('AED 198.00');
    expect(formatMoney(-2_000, 'INR')).toBe('-₹20.00');
  });
});
