import { describe, expect, it } from 'vitest';
import {
  moneyInputValue,
  parseInteger,
  parseMoney,
  parseOptionalInteger,
  parseOptionalMoney,
  phoneCandidate,
} from './form-values.js';

describe('parseMoney (rupees → paise, no floats)', () => {
  it.each([
    ['49.99', 4999],
    ['49.9', 4990],
    ['49', 4900],
    ['49.', 4900],
    ['.5', 50],
    ['0', 0],
    ['0.01', 1],
    ['00012.30', 1230],
    ['  20  ', 2000],
    ['₹49.99', 4999],
    ['₹ 1,299.50', 129950],
    ['Rs. 20', 2000],
    ['rs 20', 2000],
    ['INR 5', 500],
    ['1,00,000', 10_000_000],
    ['12,34,567.5', 123_456_750],
    ['1,234,567', 123_456_700],
    ['100,000.25', 10_000_025],
    ['100000000', 10_000_000_000],
    ['100000000.00', 10_000_000_000],
    // The classic float traps come out exact.
    ['0.29', 29],
    ['1.005'.slice(0, 4), 100],
    ['4.35', 435],
    ['1234567.89', 123456789],
  ])('%s → %i', (input, paise) => {
    expect(parseMoney(input)).toEqual({ ok: true, value: paise });
  });

  it.each([
    ['', 'Enter an amount'],
    ['   ', 'Enter an amount'],
    ['-1', 'negative'],
    ['1.999', '2 decimal places'],
    ['abc', 'like 49.99'],
    ['1e3', 'like 49.99'],
    ['0x10', 'like 49.99'],
    ['12.3.4', 'like 49.99'],
    ['.', 'like 49.99'],
    ['1,2', 'like 49.99'],
    ['12,34,5', 'like 49.99'],
    ['3,10.5', 'like 49.99'],
    ['1,0000', 'like 49.99'],
    ['10,00,00', 'like 49.99'],
    ['Infinity', 'like 49.99'],
    ['NaN', 'like 49.99'],
    ['100000000.01', 'At most'],
    ['99999999999999999999', 'At most'],
  ])('refuses %j', (input, message) => {
    const result = parseMoney(input);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.message).toContain(message);
  });

  it('follows the currency exponent', () => {
    expect(parseMoney('500', 'JPY')).toEqual({ ok: true, value: 500 });
    expect(parseMoney('5.5', 'JPY').ok).toBe(false);
    expect(parseMoney('1.234', 'KWD')).toEqual({ ok: true, value: 1234 });
  });

  it('optional money: empty is null', () => {
    expect(parseOptionalMoney('')).toEqual({ ok: true, value: null });
    expect(parseOptionalMoney(undefined)).toEqual({ ok: true, value: null });
    expect(parseOptionalMoney('2.5')).toEqual({ ok: true, value: 250 });
    expect(parseOptionalMoney('x').ok).toBe(false);
  });

  it('round-trips with the input value shown in forms', () => {
    for (const paise of [0, 1, 99, 4999, 5000, 123456789, 10_000_000_000]) {
      expect(parseMoney(moneyInputValue(paise))).toEqual({ ok: true, value: paise });
    }
    expect(moneyInputValue(null)).toBe('');
  });
});

describe('parseInteger', () => {
  it('reads whole numbers within bounds', () => {
    expect(parseInteger('12', { min: 0, max: 100 })).toEqual({ ok: true, value: 12 });
    expect(parseInteger('-3', { min: -10, max: 10, signed: true })).toEqual({ ok: true, value: -3 });
    expect(parseInteger('+3', { min: -10, max: 10, signed: true })).toEqual({ ok: true, value: 3 });
  });
  it.each(['1.5', '1e3', '', 'ten', '-3', '101', '9999999999999'])('refuses %j', (input) => {
    expect(parseInteger(input, { min: 0, max: 100 }).ok).toBe(false);
  });
  it('optional integer: empty is null', () => {
    expect(parseOptionalInteger(' ', { min: 0, max: 5 })).toEqual({ ok: true, value: null });
    expect(parseOptionalInteger('6', { min: 0, max: 5 }).ok).toBe(false);
  });
});

describe('phoneCandidate', () => {
  it.each([
    ['9876543210', '+919876543210'],
    ['98765 43210', '+919876543210'],
    ['098765-43210', '+919876543210'],
    ['+91 98765 43210', '+919876543210'],
    ['919876543210', '+919876543210'],
    ['+1 415 555 0100', '+14155550100'],
  ])('%s → %s', (input, e164) => {
    expect(phoneCandidate(input)).toBe(e164);
  });
});
