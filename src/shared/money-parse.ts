/**
 * What people type as an amount ("49.99", "₹1,299", "Rs. 20", "1,00,000") read into integer minor units by string
 * arithmetic: the digits are joined and read as an integer, so no float ever touches an amount. Used by the
 * dashboard forms and the CSV product import.
 */
import { currencyExponent, minorToMajorString } from './money.js';

/** The API's Money upper bound (minor units). */
export const MAX_MONEY_MINOR = 10_000_000_000;

export type Parsed<T> = { ok: true; value: T } | { ok: false; message: string };

const ok = <T>(value: T): Parsed<T> => ({ ok: true, value });
const fail = <T>(message: string): Parsed<T> => ({ ok: false, message });

// A leading currency sign or word typed out of habit.
const CURRENCY_PREFIX = /^(?:₹|rs\.?|inr|\$|€|£)\s*/i;
// Digits, plain or grouped the Western way (1,000,000) or the Indian way (10,00,000), then an optional fraction.
const AMOUNT = /^(\d{1,3}(?:,\d{3})+|\d{1,2}(?:,\d{2})*,\d{3}|\d+)?(?:\.(\d*))?$/;

/**
 * `"49.99"` → 4999 (INR). Accepts `₹`, `Rs.`, grouping commas (`1,00,000`), a trailing `.` and a bare fraction
 * (`.5` → 50). Refuses negatives, more decimals than the currency has, letters, and amounts over 10^10 minor units.
 * An empty input is refused here; use `parseOptionalMoney` where "no value" is allowed.
 */
export function parseMoney(input: string, currency = 'INR'): Parsed<number> {
  const text = input.trim().replace(CURRENCY_PREFIX, '').replace(/\s+/g, '');
  if (text === '') return fail('Enter an amount');
  if (text.startsWith('-')) return fail('The amount cannot be negative');
  const m = AMOUNT.exec(text);
  if (!m || (m[1] === undefined && !m[2])) return fail('Enter an amount like 49.99');
  const exponent = currencyExponent(currency);
  const whole = (m[1] ?? '0').replace(/,/g, '');
  const fraction = m[2] ?? '';
  if (fraction.length > exponent) {
    return fail(exponent === 0 ? 'This currency has no decimal places' : `At most ${exponent} decimal places`);
  }
  const digits = (whole + fraction.padEnd(exponent, '0')).replace(/^0+(?=\d)/, '');
  // Compared as text of digits (no leading zeros): longer is bigger; same length compares lexically.
  const max = String(MAX_MONEY_MINOR);
  if (digits.length > max.length || (digits.length === max.length && digits > max)) {
    return fail(`At most ${minorToMajorString(MAX_MONEY_MINOR, currency)}`);
  }
  return ok(Number(digits));
}

/** Like `parseMoney`, but an empty input is `null` (for MRP, "free above", minimum order, …). */
export function parseOptionalMoney(input: string | undefined, currency = 'INR'): Parsed<number | null> {
  if (input === undefined || input.trim() === '') return ok(null);
  return parseMoney(input, currency);
}
