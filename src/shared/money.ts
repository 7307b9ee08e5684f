/**
 * Money: integer minor units end to end, with string arithmetic only (no float ever touches an amount), and one
 * formatter for pages and messages. en-IN / hi-IN group lakhs and crores: "₹12,34,567.50".
 *
 * The amount reaches Intl.NumberFormat as an exact decimal STRING, so even amounts past 2^53 / 100 print exactly.
 */

// ISO 4217 minor-unit exponents that are not 2 (the common case).
const EXPONENTS: Readonly<Record<string, number>> = {
  BHD: 3,
  IQD: 3,
  JOD: 3,
  KWD: 3,
  LYD: 3,
  OMR: 3,
  TND: 3,
  BIF: 0,
  CLP: 0,
  DJF: 0,
  GNF: 0,
  ISK: 0,
  JPY: 0,
  KMF: 0,
  KRW: 0,
  PYG: 0,
  RWF: 0,
  UGX: 0,
  VND: 0,
  VUV: 0,
  XAF: 0,
  XOF: 0,
  XPF: 0,
};

export function currencyExponent(currency: string): number {
  return EXPONENTS[currency] ?? 2;
}

/** `12345` paise → `"123.45"`; `-5` → `"-0.05"`; JPY `500` → `"500"`. Integer input only. */
export function minorToMajorString(minor: number, currency = 'INR'): string {
  if (!Number.isSafeInteger(minor)) throw new RangeError(`amount must be a safe integer, got ${minor}`);
  const exponent = currencyExponent(currency);
  const negative = minor < 0;
  const digits = String(Math.abs(minor)).padStart(exponent + 1, '0');
  const whole = digits.slice(0, digits.length - exponent);
  const fraction = exponent ? `.${digits.slice(digits.length - exponent)}` : '';
  return `${negative ? '-' : ''}${whole}${fraction}`;
}

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
  /** A BCP 47 locale: `en-IN` (default) or `hi-IN`. */
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
