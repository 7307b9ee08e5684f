/**
 * The words under a form field in the page's language. Parsers, the API schemas (Ajv) and services write each
 * field problem in English once; on a page in another language each known wording is said again from the
 * `dashboard` catalog (with its numbers), and an unknown one becomes "Check this field" — never English on a
 * Hindi page. Pure: no I/O.
 */
import type { Translate } from '../../i18n/index.js';

type Rule = [RegExp, string, (m: RegExpExecArray) => Record<string, string>];
const none = () => ({});

const RULES: readonly Rule[] = [
  [/^enter an amount\.?$/i, 'dashboard.field.amount', none],
  [/^the amount cannot be negative/i, 'dashboard.field.negative', none],
  [/^enter an amount like/i, 'dashboard.field.amountLike', none],
  [/^this currency has no decimal places/i, 'dashboard.field.noDecimals', none],
  [/^at most (\d+) decimal places/i, 'dashboard.field.decimals', (m) => ({ count: m[1]! })],
  [/^at most (.+?)\.?$/i, 'dashboard.field.atMost', (m) => ({ max: m[1]! })],
  [/^enter a number from (-?\d+) to (-?\d+)/i, 'dashboard.field.range', (m) => ({ min: m[1]!, max: m[2]! })],
  [/^enter a number\.?$/i, 'dashboard.field.number', none],
  [/^enter a whole number, like/i, 'dashboard.field.wholeSigned', none],
  [/^enter a whole number\.?$/i, 'dashboard.field.whole', none],
  [/^enter a date like/i, 'dashboard.field.date', none],
  [/^leave this empty when you fill/i, 'dashboard.field.leaveEmpty', none],
  [/^is required\.?$/i, 'dashboard.field.required', none],
  [/^must not have fewer than 1 characters?/i, 'dashboard.field.required', none],
  [/^must not have fewer than (\d+) characters/i, 'dashboard.field.tooShort', (m) => ({ count: m[1]! })],
  [/^must not have more than (\d+) characters/i, 'dashboard.field.tooLong', (m) => ({ count: m[1]! })],
  [/^must be >= (-?\d+)/i, 'dashboard.field.min', (m) => ({ min: m[1]! })],
  [/^must be <= (-?\d+)/i, 'dashboard.field.max', (m) => ({ max: m[1]! })],
  // The settings page's opening hours and delivery areas (settings.forms.ts).
  [/^enter a PIN code or its first digits/i, 'dashboard.field.pinPrefix', none],
  [/^(\S+) is listed already\.?$/i, 'dashboard.field.listedTwice', (m) => ({ prefix: m[1]! })],
  [/^enter a closing time after the opening time/i, 'dashboard.field.hoursOrder', none],
  [/^enter the opening time too/i, 'dashboard.field.openingToo', none],
  [/^enter the closing time too/i, 'dashboard.field.closingToo', none],
  [/^enter a time like/i, 'dashboard.field.time', none],
];

/** `message` in the page's language: English as written, another language from the catalog. */
export function fieldMessage(tr: Translate, lang: string, message: string): string {
  // Words already in another script (a message the dashboard wrote from the catalog) are kept; ₹ is no letter.
  if (lang === 'en' || /(?![A-Za-z])\p{L}/u.test(message)) return message;
  // "Quantity: Enter a whole number" (an order line) keeps its two parts.
  const quantity = /^quantity(?: of the added item)?: (.+)$/i.exec(message);
  if (quantity) return tr('dashboard.field.quantity', { message: fieldMessage(tr, lang, quantity[1]!) });
  // "Line 3: Enter a PIN code …" (a line of the delivery areas) keeps its line number.
  const line = /^line (\d+): (.+)$/i.exec(message);
  if (line) return tr('dashboard.field.line', { line: line[1]!, message: fieldMessage(tr, lang, line[2]!) });
  for (const [re, key, values] of RULES) {
    const m = re.exec(message.trim());
    if (m) return tr(key, values(m));
  }
  return tr('dashboard.field.check');
}
