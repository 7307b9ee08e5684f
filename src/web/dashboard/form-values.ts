/**
 * What owners type into dashboard forms, read into the values the services take. Pure functions, no I/O.
 *
 * Money is typed in major units ("49.99", "₹1,299", "Rs. 20") and becomes integer minor units by string
 * arithmetic: the digits are joined and read as an integer, so no float ever touches an amount.
 */
import { minorToMajorString } from '../../shared/money.js';

export { parseMoney, parseOptionalMoney, type Parsed } from '../../shared/money-parse.js';
import type { Parsed } from '../../shared/money-parse.js';

const ok = <T>(value: T): Parsed<T> => ({ ok: true, value });
const fail = <T>(message: string): Parsed<T> => ({ ok: false, message });

/** Minor units → the text an input shows: `4999` → `"49.99"`, `5000` → `"50.00"`; null → `""`. */
export function moneyInputValue(minor: number | null | undefined, currency = 'INR'): string {
  return minor === null || minor === undefined ? '' : minorToMajorString(minor, currency);
}

/** A whole number within bounds: `"12"` → 12. Refuses `"1.5"`, `"1e3"`, `"+3"` (unless signed), blanks. */
export function parseInteger(input: string, opts: { min: number; max: number; signed?: boolean }): Parsed<number> {
  const text = input.trim();
  if (text === '') return fail('Enter a number');
  const re = opts.signed ? /^[+-]?\d{1,12}$/ : /^\d{1,12}$/;
  if (!re.test(text)) return fail(opts.signed ? 'Enter a whole number, like 5 or -2' : 'Enter a whole number');
  const value = Number(text);
  if (value < opts.min || value > opts.max) return fail(`Enter a number from ${opts.min} to ${opts.max}`);
  return ok(value);
}

/** Like `parseInteger`, but an empty input is `null` (stock not tracked, no usage limit). */
export function parseOptionalInteger(
  input: string | undefined,
  opts: { min: number; max: number },
): Parsed<number | null> {
  if (input === undefined || input.trim() === '') return ok(null);
  return parseInteger(input, opts);
}

/** A checkbox: present (any value) means on. */
export const checkbox = (value: string | undefined): boolean => value !== undefined;

/** Text as stored: trimmed; an empty field is null. */
export function optionalText(value: string | undefined): string | null {
  const text = value?.trim() ?? '';
  return text === '' ? null : text;
}

/**
 * A phone typed by a person in India: "98765 43210", "+91 98765-43210", "098765 43210" → "+919876543210".
 * Numbers with a "+" keep their own country code. Returns the E.164 candidate (validate it with normalizeE164).
 */
export function phoneCandidate(input: string, defaultCountryCode = '91'): string {
  const text = input.trim();
  const digits = text.replace(/[^\d]/g, '');
  if (text.startsWith('+')) return `+${digits}`;
  if (digits.length === 10) return `+${defaultCountryCode}${digits}`;
  if (digits.length === 11 && digits.startsWith('0')) return `+${defaultCountryCode}${digits.slice(1)}`;
  if (digits.length === 12 && digits.startsWith(defaultCountryCode)) return `+${digits}`;
  return `+${digits}`;
}
