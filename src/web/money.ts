/**
 * Money for people to read: integer minor units → "₹1,234.50" with the store currency's symbol and the
 * locale's grouping (en-IN groups lakhs and crores: "₹12,34,567.00").
 *
 * The amount reaches Intl.NumberFormat as an exact decimal STRING (from payments/money.ts), so no float ever
 * touches a price, even for amounts past 2^53 / 100.
 */
import { minorToMajorString } from '../payments/money.js';

export const DEFAULT_LOCALE = 'en-IN';

const formatters = new Map<string, Intl.NumberFormat>();

function formatter(currency: string, locale: string, trimmed: boolean): Intl.NumberFormat {
  const key = `${locale}|${currency}|${trimmed}`;
  let f = formatters.get(key);
  if (!f) {
    f = new Intl.NumberFormat(locale, {
      style: 'currency',
      currency,
      ...(trimmed ? { minimumFractionDigits: 0 } : {}),
    });
    formatters.set(key, f);
  }
  return f;
}

export interface FormatMoneyOptions {
  locale?: string;
  /** Drop a zero fraction: "₹49" instead of "₹49.00" (product grids); "₹49.50" keeps its paise. */
  trimZeroFraction?: boolean;
}

/** `formatMoney(123450, 'INR')` → `"₹1,234.50"`. Throws on a non-integer amount (a bug upstream, not input). */
export function formatMoney(minor: number, currency = 'INR', opts: FormatMoneyOptions = {}): string {
  const decimal = minorToMajorString(minor, currency);
  const locale = opts.locale ?? DEFAULT_LOCALE;
  const trimmed = opts.trimZeroFraction === true && !/\.\d*[1-9]/.test(decimal);
  // The ES2023 string overload formats the decimal exactly; the lib typings only know number | bigint.
  return formatter(currency, locale, trimmed).format(decimal as unknown as number);
}
