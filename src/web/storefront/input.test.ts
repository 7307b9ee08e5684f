import { describe, expect, it } from 'vitest';
import { normalisePhoneInput } from './checkout.pages.js';
import { slugFromHost, type StoreContext } from './context.js';
import { translator } from '../../i18n/index.js';
import { variantLabel } from '../../catalog/variant-label.js';
import { lineErrorText } from './views.js';

describe('normalisePhoneInput', () => {
  it('reads Indian mobile numbers as people type them', () => {
    for (const typed of [
      '9876543210',
      '98765 43210',
      '098765-43210',
      '+91 98765 43210',
      '91 98765 43210',
      '(+91) 98765-43210',
      '0091 9876543210',
    ]) {
      expect(normalisePhoneInput(typed, 'INR'), typed).toBe('+919876543210');
    }
  });

  it('passes anything else on for the service to judge', () => {
    expect(normalisePhoneInput('12', 'INR')).toBe('12');
    expect(normalisePhoneInput('+44 20 7946 0958', 'GBP')).toBe('+442079460958');
    expect(normalisePhoneInput('9876543210', 'USD')).toBe('9876543210');
  });
});

describe('slugFromHost', () => {
  it('takes the store slug from <slug>.<BASE_DOMAIN>, with or without a port', () => {
    expect(slugFromHost('chai-co.shops.test', 'shops.test')).toBe('chai-co');
    expect(slugFromHost('Chai-Co.Shops.Test:8443', 'shops.test')).toBe('chai-co');
  });

  it('ignores other hosts, nested subdomains, and an unset BASE_DOMAIN', () => {
    expect(slugFromHost('shops.test', 'shops.test')).toBeNull();
    expect(slugFromHost('a.b.shops.test', 'shops.test')).toBeNull();
    expect(slugFromHost('chai.evilshops.test', 'shops.test')).toBeNull();
    expect(slugFromHost('chai.shops.test', null)).toBeNull();
    expect(slugFromHost(undefined, 'shops.test')).toBeNull();
    expect(slugFromHost('-x.shops.test', 'shops.test')).toBeNull();
  });
});

describe('words for the bill', () => {
  it('says what is wrong with a line and what to do', () => {
    const en = { tr: translator('en') } as StoreContext;
    expect(lineErrorText(en, { error: { code: 'insufficient_stock', available: 2 } })).toBe(
      'Only 2 left — change quantity',
    );
    expect(lineErrorText(en, { error: { code: 'out_of_stock' } })).toBe('Out of stock — remove or replace');
    expect(lineErrorText(en, { error: { code: 'unavailable' } })).toBe('No longer sold — remove or replace');
    expect(lineErrorText(en, { error: null })).toBeNull();
    const hi = { tr: translator('hi') } as StoreContext;
    const hindi = lineErrorText(hi, { error: { code: 'insufficient_stock', available: 2 } });
    expect(hindi).toBe('सिर्फ़ 2 बचे हैं — मात्रा बदलें');
  });

  it('hides variant names that say nothing', () => {
    expect(variantLabel('Atta', '5 kg')).toBe('5 kg');
    expect(variantLabel('Atta', 'Default')).toBeNull();
    expect(variantLabel('Atta', 'Atta')).toBeNull();
  });
});
