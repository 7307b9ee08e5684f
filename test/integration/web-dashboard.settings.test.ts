/**
 * The settings page's opening hours and delivery areas: typed into the form (no JavaScript), saved by the same
 * updateStore the API's PATCH calls, read back through the API; refused input comes back on the page, typed values
 * kept, the problem under its field in English or Hindi, nothing saved.
 */
import { describe, expect } from 'vitest';
import { client, uniquePhone, type Client } from '../helpers/app.js';
import { appTest } from '../helpers/fixture.js';
import type { Fields, WebClient } from '../helpers/web-client.js';
import { ownerWithShop, sessionToken, signInWithForms } from './web-dashboard.helpers.js';

const it = appTest({ publicUrl: 'https://shop.example' });
let owner: WebClient;
let storeId: string;
let url: string;
let api: Client;

/** The rest of the settings form, as the page sends it. */
const SHOP: Fields = { name: 'Hours Shop', isOpen: '1', fee: '30', cod: '1' };
const storeNow = async () => (await api.get(`/api/v1/stores/${storeId}`)).body;
/** The message under a field (by its testid), without the tags. */
const errorText = (body: string, testid: string) =>
  new RegExp(`data-testid="${testid}">([^<]*)<`).exec(body)?.[1] ?? null;
const inputValue = (body: string, name: string) => new RegExp(`name="${name}"[^>]*? value="([^"]*)"`).exec(body)?.[1];
const textareaOf = (body: string) => /data-testid="areas">([^<]*)<\/textarea>/.exec(body)?.[1];

it.beforeAll(async ({ ctx }) => {
  let base: string;
  ({ browser: owner, storeId, base } = await ownerWithShop(ctx, 'Hours Shop'));
  url = `${base}/settings`;
  api = client(ctx.app, sessionToken(owner));
});

describe('opening hours', () => {
  it('a shop with a lunch break and a closed Sunday: saved, read by the API, shown again; then no hours', async () => {
    const form = await owner.open(url);
    expect(form.body).toContain('data-testid="hours"');
    expect(form.body).toMatch(/value="always" checked/);
    expect(form.body).toContain('Times in India Standard Time.');
    const week: Fields = { hours: 'set', sun_closed: '1' };
    for (const day of ['mon', 'tue', 'wed', 'thu', 'fri', 'sat'])
      Object.assign(week, {
        [`${day}_from_1`]: '09:00',
        [`${day}_to_1`]: '13:00',
        [`${day}_from_2`]: '16:00',
        [`${day}_to_2`]: day === 'sat' ? '00:00' : '21:00',
      });
    const saved = await owner.post(url, { ...SHOP, ...week });
    expect([saved.status, saved.location]).toEqual([303, url]);
    const day = [
      ['09:00', '13:00'],
      ['16:00', '21:00'],
    ];
    // Closing at 00:00 on the form is the API's midnight, 24:00.
    const saturday = [
      ['09:00', '13:00'],
      ['16:00', '24:00'],
    ];
    expect((await storeNow()).hours).toEqual({ mon: day, tue: day, wed: day, thu: day, fri: day, sat: saturday });

    const shown = await owner.open(url);
    expect(shown.body).toContain('Settings saved.');
    expect(shown.body).toMatch(/value="set" checked/);
    expect(inputValue(shown.body, 'thu_from_2')).toBe('16:00');
    expect(inputValue(shown.body, 'sat_to_2')).toBe('00:00');
    expect(shown.body).toMatch(/name="sun_closed" value="1" checked/);
    expect(shown.body).not.toMatch(/name="mon_closed" value="1" checked/);

    const cleared = await owner.post(url, { ...SHOP, ...week, hours: 'always' }, { from: url });
    expect(cleared.status).toBe(303);
    expect((await storeNow()).hours).toBeNull();
  });

  it('keeps a third range of a day saved through the API when the form is saved again', async () => {
    const three = [
      ['07:00', '09:00'],
      ['12:00', '14:00'],
      ['18:00', '22:00'],
    ];
    await api.patch(`/api/v1/stores/${storeId}`, { hours: { fri: three } });
    const page = await owner.open(url);
    expect(inputValue(page.body, 'fri_from_3')).toBe('18:00');
    const fields: Fields = { ...SHOP, hours: 'set' };
    for (const m of page.body.matchAll(/name="((?:mon|tue|wed|thu|fri|sat|sun)_\w+)" value="([^"]*)"( checked)?/g))
      if (!m[1]!.endsWith('_closed') || m[3]) fields[m[1]!] = m[2]!;
    expect((await owner.post(url, fields)).status).toBe(303);
    expect((await storeNow()).hours).toEqual({ fri: three });
    await api.patch(`/api/v1/stores/${storeId}`, { hours: null });
  });
});

describe('delivery areas', () => {
  it('areas with and without a fee (rupees in, paise saved), shown in rupees; empty = everywhere', async () => {
    await owner.open(url);
    const saved = await owner.post(url, { ...SHOP, areas: '4110\r\n411001 40\r\n\r\n560 ₹25.50\r\n' });
    expect(saved.status).toBe(303);
    expect((await storeNow()).delivery.areas).toEqual([
      { pincodePrefix: '4110' },
      { pincodePrefix: '411001', fee: 4000 },
      { pincodePrefix: '560', fee: 2550 },
    ]);
    const shown = await owner.open(url);
    expect(textareaOf(shown.body)).toBe('4110\n411001 40\n560 25.50');
    expect(shown.body).toContain('replaces the delivery fee above for those PIN codes');

    expect((await owner.post(url, { ...SHOP, areas: '' }, { from: url })).status).toBe(303);
    expect((await storeNow()).delivery.areas).toEqual([]);
  });
});

describe('mistakes', () => {
  it('come back on the page with what was typed and the words under the field; nothing is saved', async () => {
    await api.patch(`/api/v1/stores/${storeId}`, {
      hours: { mon: [['10:00', '20:00']] },
      delivery: { areas: [{ pincodePrefix: '400' }] },
    });
    const before = await storeNow();
    await owner.open(url);
    const cases: [Fields, number, string, string, (body: string) => void][] = [
      [
        { hours: 'set', mon_from_1: '09:00', mon_to_1: '' },
        422,
        'error-hours_mon',
        'Enter the closing time too.',
        (body) => expect(inputValue(body, 'mon_from_1')).toBe('09:00'),
      ],
      [
        { hours: 'set', tue_from_1: '21:00', tue_to_1: '09:00' },
        400,
        'error-hours_tue',
        'Enter a closing time after the opening time, on the same day. Open past midnight? Close at 00:00 and ' +
          'open the next day from 00:00.',
        (body) => expect(inputValue(body, 'tue_to_1')).toBe('09:00'),
      ],
      [
        { hours: 'set', wed_from_1: '09:00', wed_to_1: '13:00', wed_from_2: '22:00', wed_to_2: '02:00' },
        400,
        'error-hours_wed',
        'Enter a closing time after the opening time, on the same day. Open past midnight? Close at 00:00 and ' +
          'open the next day from 00:00.',
        (body) => {
          expect(inputValue(body, 'wed_from_2')).toBe('22:00');
          expect(inputValue(body, 'wed_to_2')).toBe('02:00');
          expect(body).toMatch(/value="set" checked/);
        },
      ],
      [
        { areas: '4110\nPune 30' },
        422,
        'error-areas',
        'Line 2: Enter a PIN code or its first digits: 1 to 6 digits, like 4110 or 411001.',
        (body) => expect(textareaOf(body)).toBe('4110\nPune 30'),
      ],
      [
        { areas: '4110011' },
        422,
        'error-areas',
        'Line 1: Enter a PIN code or its first digits: 1 to 6 digits, like 4110 or 411001.',
        (body) => expect(textareaOf(body)).toBe('4110011'),
      ],
      [
        { areas: '411001 -40' },
        422,
        'error-areas',
        'Line 1: The amount cannot be negative.',
        (body) => expect(textareaOf(body)).toBe('411001 -40'),
      ],
      [
        { areas: '411001 forty' },
        422,
        'error-areas',
        'Line 1: Enter an amount like 49.99.',
        (body) => expect(textareaOf(body)).toBe('411001 forty'),
      ],
      [
        { areas: '411001\n\n560 10\n411001 20' },
        422,
        'error-areas',
        'Line 4: 411001 is listed already.',
        (body) => expect(textareaOf(body)).toBe('411001\n\n560 10\n411001 20'),
      ],
    ];
    for (const [fields, status, testid, words, kept] of cases) {
      const res = await owner.post(url, { ...SHOP, name: 'Not Saved', ...fields });
      const what = JSON.stringify(fields);
      expect(res.status, what).toBe(status);
      expect(res.body, what).toContain('data-testid="form-error"');
      expect(errorText(res.body, testid), what).toBe(words);
      expect(inputValue(res.body, 'name'), what).toBe('Not Saved');
      kept(res.body);
    }
    expect(await storeNow()).toEqual(before);
  });

  it('in Hindi: the hours and the areas, their mistakes too', async () => {
    const hi = await owner.open(`${url}?lang=hi`);
    for (const words of ['खुलने का समय', 'डिलीवरी के इलाके', 'सोम', 'मंगल', 'रवि', 'सिर्फ़ इन समयों पर खुली'])
      expect(hi.body).toContain(words);
    expect(hi.body).toContain('सभी समय भारतीय मानक समय में।');
    const before = await storeNow();
    const overnight = await owner.post(url, { ...SHOP, hours: 'set', sat_from_1: '22:00', sat_to_1: '02:00' });
    expect(overnight.status).toBe(400);
    expect(errorText(overnight.body, 'error-hours_sat')).toBe(
      'बंद होने का समय खुलने के समय के बाद का हो, उसी दिन का। आधी रात के बाद भी खुली रहती है? 00:00 पर बंद लिखें और ' +
        'अगले दिन 00:00 से खुलने का समय लिखें।',
    );
    const twice = await owner.post(url, { ...SHOP, areas: '560\n560 20' });
    expect(twice.status).toBe(422);
    expect(errorText(twice.body, 'error-areas')).toBe('लाइन 2: 560 पहले से लिखा है।');
    const letters = await owner.post(url, { ...SHOP, areas: 'abc' });
    expect(errorText(letters.body, 'error-areas')).toBe(
      'लाइन 1: पिन कोड या उसके शुरू के अंक लिखें: 1 से 6 अंक, जैसे 4110 या 411001।',
    );
    const half = await owner.post(url, { ...SHOP, hours: 'set', fri_from_1: '', fri_to_1: '20:00' });
    expect(errorText(half.body, 'error-hours_fri')).toBe('खुलने का समय भी लिखें।');
    expect(await storeNow()).toEqual(before);
    await owner.open(`${url}?lang=en`);
  });
});

describe('staff', () => {
  it('may set the hours and the areas, as the API lets them', async ({ ctx }) => {
    const phone = uniquePhone();
    await api.post(`/api/v1/stores/${storeId}/members`, { phone, role: 'staff' });
    const staff = await signInWithForms(ctx, phone);
    const page = await staff.open(url);
    expect(page.body).toContain('data-testid="hours"');
    expect(page.body).toContain('data-testid="areas"');
    const saved = await staff.post(url, {
      ...SHOP,
      hours: 'set',
      sun_from_1: '08:00',
      sun_to_1: '12:00',
      areas: '110001 15',
    });
    expect(saved.status).toBe(303);
    const store = await storeNow();
    expect(store.hours).toEqual({ sun: [['08:00', '12:00']] });
    expect(store.delivery.areas).toEqual([{ pincodePrefix: '110001', fee: 1500 }]);
  });
});
