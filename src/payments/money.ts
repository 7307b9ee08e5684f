/**
 * Money as text, from integer minor units, with string arithmetic only: no float ever touches an amount.
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

const SYMBOLS: Readonly<Record<string, string>> = { INR: '₹', USD: '$', EUR: '€', GBP: '£', JPY: '¥' };

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

/** `12345` INR → `"₹123.45"`; a currency without a known symbol is written with its code: `"AED 123.45"`. */
export function formatMoney(minor: number, currency = 'INR'): string {
  const amount = minorToMajorString(minor, currency);
  const symbol = SYMBOLS[currency];
  const sign = amount.startsWith('-') ? '-' : '';
  const unsigned = sign ? amount.slice(1) : amount;
  return symbol ? `${sign}${symbol}${unsigned}` : `${sign}${currency} ${unsigned}`;
}
