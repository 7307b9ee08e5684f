import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse, TYPE, type MessageFormatElement } from '@formatjs/icu-messageformat-parser';
import { describe, expect, it } from 'vitest';
import {
  chooseLanguage,
  DEFAULT_LANG,
  LANGUAGES,
  languageName,
  money,
  parseAcceptLanguage,
  readCatalogs,
  t,
} from './index.js';

const SRC = fileURLToPath(new URL('..', import.meta.url));
const catalogs = readCatalogs();
const english = catalogs.get(DEFAULT_LANG)!;

function argumentNames(elements: MessageFormatElement[], into = new Set<string>()): Set<string> {
  for (const el of elements) {
    if (el.type === TYPE.argument || el.type === TYPE.number || el.type === TYPE.date || el.type === TYPE.time) {
      into.add(el.value);
    }
    if (el.type === TYPE.plural || el.type === TYPE.select) {
      into.add(el.value);
      for (const option of Object.values(el.options)) argumentNames(option.value, into);
    }
    if (el.type === TYPE.tag) argumentNames(el.children, into);
  }
  return into;
}

/** Every `'area.key'` string literal in the non-test sources. */
function keysUsedInCode(): Set<string> {
  const areas = new Set([...Object.keys(english)].map((k) => k.split('.')[0]));
  const used = new Set<string>();
  const walk = (dir: string) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) {
        walk(full);
      } else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts')) {
        for (const m of fs.readFileSync(full, 'utf8').matchAll(/['"`]([a-z][A-Za-z0-9]*)\.([A-Za-z0-9_.]+)['"`]/g)) {
          if (areas.has(m[1]!)) used.add(`${m[1]}.${m[2]}`);
        }
      }
    }
  };
  walk(SRC);
  return used;
}

describe('message catalogs', () => {
  it('ship English and Hindi', () => {
    expect(LANGUAGES).toEqual(expect.arrayContaining(['en', 'hi']));
  });

  for (const [lang, catalog] of catalogs) {
    it(`${lang}: has exactly the English keys, each a valid ICU message with the same arguments`, () => {
      expect(Object.keys(catalog).sort()).toEqual(Object.keys(english).sort());
      for (const [key, text] of Object.entries(catalog)) {
        const ours = argumentNames(parse(text));
        const theirs = argumentNames(parse(english[key]!));
        expect([key, [...ours].sort()]).toEqual([key, [...theirs].sort()]);
        expect(text.trim(), key).not.toBe('');
      }
    });
  }

  it('every key the code names exists, and every key is named by the code', () => {
    const used = keysUsedInCode();
    const missing = [...used].filter((k) => english[k] === undefined);
    const unused = Object.keys(english).filter((k) => !used.has(k));
    expect({ missing, unused }).toEqual({ missing: [], unused: [] });
  });
});

describe('t', () => {
  it('answers in the language asked, each language by its own name', () => {
    expect(t('en', 'common.languageName')).toBe('English');
    expect(languageName('hi')).toBe('हिन्दी');
  });

  it('throws on a key that exists nowhere', () => {
    expect(() => t('en', 'common.noSuchKey')).toThrow(/no message/);
  });

  it('writes money with the Indian grouping in both languages', () => {
    expect(money('en', 12_345_650, 'INR')).toBe('₹1,23,456.50');
    expect(money('hi', 12_345_650, 'INR')).toBe('₹1,23,456.50');
    expect(money('en', 4_900, 'INR', { trimZeroFraction: true })).toBe('₹49');
  });
});

describe('chooseLanguage', () => {
  it('prefers ?lang, then the cookie, then Accept-Language, then the store default', () => {
    expect(chooseLanguage({ query: 'hi', cookie: 'en', acceptLanguage: 'en', fallback: 'en' })).toBe('hi');
    expect(chooseLanguage({ query: 'xx', cookie: 'hi', acceptLanguage: 'en' })).toBe('hi');
    expect(chooseLanguage({ acceptLanguage: 'fr;q=1, hi-IN;q=0.9, en;q=0.8' })).toBe('hi');
    expect(chooseLanguage({ acceptLanguage: 'fr', fallback: 'hi' })).toBe('hi');
    expect(chooseLanguage({})).toBe('en');
  });

  it('reads q-values and ignores junk', () => {
    expect(parseAcceptLanguage('en;q=0.5, hi;q=0.9, *;q=0.1, <script>')).toEqual(['hi', 'en']);
    expect(parseAcceptLanguage(undefined)).toEqual([]);
  });

  it('reads the q parameter in either case, and drops an entry whose q is no weight', () => {
    // RFC 9110 §12.4.2: "q" is case-insensitive; a weight is 0..1 with at most three decimals.
    expect(parseAcceptLanguage('en;Q=0.1, hi')).toEqual(['hi', 'en']);
    expect(chooseLanguage({ acceptLanguage: 'en;Q=0.1, hi' })).toBe('hi');
    expect(parseAcceptLanguage('en; q = 0.2, hi;q=0.9')).toEqual(['hi', 'en']);
    expect(parseAcceptLanguage('en;q=1.5, hi;q=0.9')).toEqual(['hi']);
    expect(parseAcceptLanguage('en;q=high, en;q=0.5;q=1, hi;q=0.3')).toEqual(['hi']);
    expect(parseAcceptLanguage('en;q=1.000, hi;q=1.0001')).toEqual(['en']);
    expect(chooseLanguage({ acceptLanguage: 'en;q=1.5, hi;q=0.9' })).toBe('hi');
    expect(parseAcceptLanguage('hi-IN;level=1;q=0.8, en;q=0.7')).toEqual(['hi-in', 'en']);
  });
});
