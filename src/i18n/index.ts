/**
 * Every word a person reads — storefront, cart, checkout, order page, dashboard, WhatsApp messages — comes from
 * the ICU MessageFormat catalogs in `messages/<lang>/<area>.json` (intl-messageformat, plurals and selects included),
 * never from template literals. Keys are `<area>.<key>`: `t('hi', 'cart.added', { name, count })`.
 *
 * A new language is one new folder `messages/<lang>/` with the same files and keys as `messages/en/` (the catalog
 * test fails on any missing, extra or malformed message); nothing in the code changes. Product names and other
 * merchant text are never translated.
 */
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { IntlMessageFormat } from 'intl-messageformat';
import { formatMoney, type FormatMoneyOptions } from '../shared/money.js';

export type Lang = string;
export const DEFAULT_LANG: Lang = 'en';

export type MessageValues = Record<string, string | number | Date | boolean | null | undefined>;
export type Catalog = Readonly<Record<string, string>>;

const MESSAGES_DIR = fileURLToPath(new URL('./messages/', import.meta.url));

/** Reads `messages/<lang>/*.json` into one flat catalog: `{ "cart.added": "…" }`. */
export function readCatalogs(dir: string = MESSAGES_DIR): Map<Lang, Catalog> {
  const catalogs = new Map<Lang, Catalog>();
  for (const lang of fs.readdirSync(dir).sort()) {
    const langDir = `${dir}${lang}/`;
    if (!fs.statSync(langDir).isDirectory()) continue;
    const flat: Record<string, string> = {};
    for (const file of fs.readdirSync(langDir).sort()) {
      if (!file.endsWith('.json')) continue;
      const area = file.slice(0, -'.json'.length);
      const entries = JSON.parse(fs.readFileSync(`${langDir}${file}`, 'utf8')) as Record<string, unknown>;
      for (const [key, text] of Object.entries(entries)) {
        if (typeof text !== 'string') throw new Error(`i18n: ${lang}/${file}: "${key}" is not a string`);
        flat[`${area}.${key}`] = text;
      }
    }
    catalogs.set(lang, flat);
  }
  if (!catalogs.has(DEFAULT_LANG)) throw new Error(`i18n: no catalog for the default language "${DEFAULT_LANG}"`);
  return catalogs;
}

const catalogs = readCatalogs();
const compiled = new Map<string, IntlMessageFormat>();

/** The languages there are catalogs for: `['en', 'hi']`. */
export const LANGUAGES: readonly Lang[] = [...catalogs.keys()];

export function isLang(value: unknown): value is Lang {
  return typeof value === 'string' && catalogs.has(value);
}

/** The locale used for numbers, money and dates of a language: Indian grouping for every language we ship. */
export function localeOf(lang: Lang): string {
  return `${lang}-IN`;
}

/**
 * The message `key` in `lang`, formatted with `values`. A key missing in `lang` falls back to English; a key
 * missing everywhere is a bug and throws (the catalog test finds it first).
 */
export function t(lang: Lang, key: string, values?: MessageValues): string {
  const source = catalogs.get(lang)?.[key] !== undefined ? lang : DEFAULT_LANG;
  const cacheKey = `${source}\u0000${key}`;
  let format = compiled.get(cacheKey);
  if (!format) {
    const text = catalogs.get(source)?.[key];
    if (text === undefined) throw new Error(`i18n: no message "${key}"`);
    format = new IntlMessageFormat(text, localeOf(source));
    compiled.set(cacheKey, format);
  }
  return String(format.format(values as Record<string, string | number | Date | boolean>));
}

/** `t` bound to one language, for a page or a message: `const tr = translator('hi'); tr('cart.title')`. */
export type Translate = (key: string, values?: MessageValues) => string;
export function translator(lang: Lang): Translate {
  return (key, values) => t(lang, key, values);
}

/** Money in the language's locale: `money('hi', 12345650, 'INR')` → `"₹1,23,456.50"`. */
export function money(lang: Lang, minor: number, currency = 'INR', opts: Omit<FormatMoneyOptions, 'locale'> = {}) {
  return formatMoney(minor, currency, { ...opts, locale: localeOf(lang) });
}

export interface LanguageChoice {
  /** `?lang=` of the request. */
  query?: unknown;
  /** The `lang` cookie. */
  cookie?: string | undefined;
  /** The `Accept-Language` header. */
  acceptLanguage?: string | undefined;
  /** The store's (or the merchant's) own setting. */
  fallback?: string | null | undefined;
}

/** `?lang=` > the `lang` cookie > `Accept-Language` (by q-value) > the store's default > English. */
export function chooseLanguage(choice: LanguageChoice): Lang {
  if (isLang(choice.query)) return choice.query;
  if (isLang(choice.cookie)) return choice.cookie;
  const accepted = parseAcceptLanguage(choice.acceptLanguage);
  for (const tag of accepted) {
    const base = tag.split('-')[0] ?? '';
    if (isLang(base)) return base;
  }
  if (isLang(choice.fallback)) return choice.fallback;
  return DEFAULT_LANG;
}

/** A weight of RFC 9110 §12.4.2: `0`..`1` with at most three decimals (`q` in any case, `;q=1.5` is no weight). */
const QVALUE = /^\s*q\s*=\s*(0(?:\.\d{0,3})?|1(?:\.0{0,3})?)\s*$/i;

/**
 * `hi-IN,hi;q=0.9,en;q=0.8` → `['hi-in', 'hi', 'en']`, best first. `*`, `q=0` and malformed entries (a bad tag, or
 * a `q` that is not a weight: `en;q=1.5`, `en;q=high`) are dropped.
 */
export function parseAcceptLanguage(header: string | undefined): string[] {
  if (!header) return [];
  return header
    .slice(0, 512)
    .split(',')
    .map((part, index) => {
      const [tag = '', ...params] = part.trim().split(';');
      const weights = params.filter((p) => /^\s*q\s*=/i.test(p));
      const q = weights.length === 0 ? 1 : weights.length === 1 ? Number(QVALUE.exec(weights[0]!)?.[1] ?? NaN) : NaN;
      return { tag: tag.trim().toLowerCase(), q, index };
    })
    .filter((e) => /^[a-z]{1,8}(?:-[a-z0-9]{1,8})*$/.test(e.tag) && e.q > 0)
    .sort((a, b) => b.q - a.q || a.index - b.index)
    .map((e) => e.tag);
}

/** A language's own name, for the language switch: `hi` → "हिन्दी". */
export function languageName(lang: Lang): string {
  return t(lang, 'common.languageName');
}
