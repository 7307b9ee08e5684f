import { describe, expect, it } from 'vitest';
import { translator } from '../../i18n/index.js';
import type { OpeningHours } from '../../stores/profile.js';
import { fieldMessage } from './field-messages.js';
import {
  areasText,
  formScheduleProblems,
  hoursFormFields,
  rangeNumbers,
  readAreasText,
  readHoursForm,
  scheduleFieldOf,
} from './settings.forms.js';

/** A form with "by these hours" chosen, every day closed unless given. */
const closedWeek = {
  hours: 'set',
  mon_closed: '1',
  tue_closed: '1',
  wed_closed: '1',
  thu_closed: '1',
  fri_closed: '1',
  sat_closed: '1',
  sun_closed: '1',
};

describe('readHoursForm', () => {
  it('reads two ranges a day and closed days: the usual Indian shop', () => {
    const shopDay = { from_1: '09:00', to_1: '13:00', from_2: '16:00', to_2: '21:00' };
    const fields: Record<string, string> = { hours: 'set', sun_closed: '1', sun_from_1: '09:00', sun_to_1: '13:00' };
    for (const day of ['mon', 'tue', 'wed', 'thu', 'fri', 'sat'])
      for (const [name, value] of Object.entries(shopDay)) fields[`${day}_${name}`] = value;
    const spans = [
      ['09:00', '13:00'],
      ['16:00', '21:00'],
    ];
    expect(readHoursForm(fields)).toEqual({
      hours: { mon: spans, tue: spans, wed: spans, thu: spans, fri: spans, sat: spans },
      problems: [],
    });
  });

  it('no choice changes nothing; "always" is no hours, whatever the days say', () => {
    expect(readHoursForm({ name: 'Shop' })).toEqual({ hours: undefined, problems: [] });
    expect(readHoursForm({ hours: 'always', mon_from_1: '09:00' })).toEqual({ hours: null, problems: [] });
    expect(readHoursForm({ hours: 'sometimes' }).hours).toBeUndefined();
  });

  it('a day with no times is closed; an empty first range leaves the second as the day', () => {
    expect(readHoursForm({ hours: 'set', mon_from_1: '', mon_to_1: '' }).hours).toEqual({});
    expect(readHoursForm({ hours: 'set', tue_from_2: '16:00', tue_to_2: '21:00' }).hours).toEqual({
      tue: [['16:00', '21:00']],
    });
  });

  it('writes times as the API does: 9:05 and 9.05 → 09:05, seconds dropped, closing 00:00 → 24:00', () => {
    const { mon_closed: _open, ...week } = closedWeek;
    const read = readHoursForm({
      ...week,
      mon_from_1: '9:05',
      mon_to_1: '13.30',
      mon_from_2: '18:00:00',
      mon_to_2: '00:00',
    });
    expect(read).toEqual({
      hours: {
        mon: [
          ['09:05', '13:30'],
          ['18:00', '24:00'],
        ],
      },
      problems: [],
    });
  });

  it('passes what is no time, and a range that closes before it opens, to the API as typed', () => {
    const read = readHoursForm({
      hours: 'set',
      mon_from_1: '9am',
      mon_to_1: '21:00',
      tue_from_1: '22:00',
      tue_to_1: '02:00',
    });
    expect(read.hours).toEqual({ mon: [['9am', '21:00']], tue: [['22:00', '02:00']] });
    expect(read.problems).toEqual([]);
  });

  it('a range with one time only is a problem of its day, and is left out', () => {
    const read = readHoursForm({ hours: 'set', mon_from_1: '09:00', mon_to_1: '', wed_from_2: '', wed_to_2: '21:00' });
    expect(read.hours).toEqual({});
    expect(read.problems).toEqual([
      { code: 'required', path: '/hours/mon/0', message: 'Enter the closing time too' },
      { code: 'required', path: '/hours/wed/0', message: 'Enter the opening time too' },
    ]);
  });

  it('reads a third range when the form has one (saved hours with more than two)', () => {
    const fields = { hours: 'set', fri_from_3: '20:00', fri_to_3: '22:00' };
    expect(rangeNumbers(fields, 'fri')).toEqual([1, 2, 3]);
    expect(rangeNumbers(fields, 'mon')).toEqual([1, 2]);
    expect(readHoursForm(fields).hours).toEqual({ fri: [['20:00', '22:00']] });
  });
});

describe('hoursFormFields', () => {
  it('saved hours → the form, and back to the same hours', () => {
    const hours: OpeningHours = {
      mon: [
        ['09:00', '13:00'],
        ['16:00', '24:00'],
      ],
      sat: [['10:00', '14:00']],
      sun: [],
    };
    const fields = hoursFormFields(hours);
    expect(fields).toMatchObject({ hours: 'set', mon_to_2: '00:00', tue_closed: '1', sun_closed: '1' });
    expect(fields.sat_closed).toBeUndefined();
    expect(readHoursForm(fields).hours).toEqual({ mon: hours.mon, sat: hours.sat });
  });

  it('no hours: "always", with 09:00–21:00 offered on every day', () => {
    const fields = hoursFormFields(null);
    expect(fields).toMatchObject({ hours: 'always', mon_from_1: '09:00', mon_to_1: '21:00', sun_to_1: '21:00' });
    expect(fields.sun_closed).toBeUndefined();
    expect(readHoursForm({ ...fields, hours: 'set' }).hours).toMatchObject({ wed: [['09:00', '21:00']] });
  });
});

describe('readAreasText', () => {
  it('reads a prefix a line with an optional fee in rupees (paise out), skipping blank lines', () => {
    const read = readAreasText('4110\n\n411001 40\r\n560 25.50\n  560001, ₹1,000  \n400001: Rs. 5\n', 'INR');
    expect(read).toEqual({
      areas: [
        { pincodePrefix: '4110' },
        { pincodePrefix: '411001', fee: 4000 },
        { pincodePrefix: '560', fee: 2550 },
        { pincodePrefix: '560001', fee: 100_000 },
        { pincodePrefix: '400001', fee: 500 },
      ],
      lines: [1, 3, 4, 5, 6],
      problems: [],
    });
  });

  it('empty is no areas (everywhere); a form without the field changes nothing', () => {
    expect(readAreasText('  \n', 'INR')).toEqual({ areas: [], lines: [], problems: [] });
    expect(readAreasText(undefined, 'INR').areas).toBeUndefined();
  });

  it('passes a prefix on as typed (the API checks it); a fee that is no amount is a problem of its area', () => {
    const read = readAreasText('41a1\n4110011 10\n411001 -40\n560 free\n411 40 50', 'INR');
    expect(read.areas).toEqual([
      { pincodePrefix: '41a1' },
      { pincodePrefix: '4110011', fee: 1000 },
      { pincodePrefix: '411001' },
      { pincodePrefix: '560' },
      { pincodePrefix: '411' },
    ]);
    expect(read.problems).toEqual([
      { code: 'invalid', path: '/delivery/areas/2/fee', message: 'The amount cannot be negative' },
      { code: 'invalid', path: '/delivery/areas/3/fee', message: 'Enter an amount like 49.99' },
      { code: 'invalid', path: '/delivery/areas/4/fee', message: 'Enter an amount like 49.99' },
    ]);
  });
});

describe('areasText', () => {
  it('writes the saved areas back, fees in rupees, and reads back the same', () => {
    const areas = [
      { pincodePrefix: '4110' },
      { pincodePrefix: '411001', fee: 4000 },
      { pincodePrefix: '560', fee: 2550 },
    ];
    expect(areasText(areas, 'INR')).toBe('4110\n411001 40\n560 25.50');
    expect(readAreasText(areasText(areas, 'INR'), 'INR').areas).toEqual(areas);
    expect(areasText([], 'INR')).toBe('');
  });
});

describe('formScheduleProblems', () => {
  const areas = readAreasText('4110\n\nab12\n4110 30', 'INR');

  it("names an area's line, says what a prefix is, and how to write a day's times", () => {
    const said = formScheduleProblems(
      [
        { code: 'invalid', path: '/delivery/areas/1/pincodePrefix', message: 'must match pattern "^[0-9]{1,6}$"' },
        { code: 'duplicate', path: '/delivery/areas/2/pincodePrefix', message: 'this PIN prefix is listed already' },
        { code: 'invalid', path: '/delivery/areas/2/fee', message: 'The amount cannot be negative' },
        { code: 'invalid', path: '/hours/tue/0', message: 'from "HH:MM" to a later "HH:MM"' },
        { code: 'invalid', path: '/hours/tue/1/0', message: 'must match pattern "^[0-9]{2}:[0-9]{2}$"' },
        { code: 'required', path: '/hours/wed/0', message: 'Enter the closing time too' },
        { code: 'invalid', path: '/delivery/fee', message: 'Must be >= 0' },
      ],
      areas,
    ).map((p) => p.message);
    expect(said).toEqual([
      'Line 3: Enter a PIN code or its first digits: 1 to 6 digits, like 4110 or 411001',
      'Line 4: 4110 is listed already',
      'Line 4: The amount cannot be negative',
      'Enter a closing time after the opening time, on the same day. ' +
        'Open past midnight? Close at 00:00 and open the next day from 00:00',
      'Enter a time like 09:30',
      'Enter the closing time too',
      'Must be >= 0',
    ]);
  });

  it('every wording is said again in Hindi, with its numbers', () => {
    const hi = (message: string) => fieldMessage(translator('hi'), 'hi', message);
    const items = formScheduleProblems(
      [
        { code: 'invalid', path: '/delivery/areas/1/pincodePrefix', message: 'x' },
        { code: 'duplicate', path: '/delivery/areas/2/pincodePrefix', message: 'x' },
        { code: 'invalid', path: '/hours/tue/0', message: 'x' },
        { code: 'invalid', path: '/hours/tue/1/0', message: 'x' },
      ],
      areas,
    );
    expect(items.map((p) => hi(p.message))).toEqual([
      'लाइन 3: पिन कोड या उसके शुरू के अंक लिखें: 1 से 6 अंक, जैसे 4110 या 411001।',
      'लाइन 4: 4110 पहले से लिखा है।',
      'बंद होने का समय खुलने के समय के बाद का हो, उसी दिन का। आधी रात के बाद भी खुली रहती है? 00:00 पर बंद लिखें और ' +
        'अगले दिन 00:00 से खुलने का समय लिखें।',
      'समय ऐसे लिखें: 09:30',
    ]);
    expect(hi('Line 2: The amount cannot be negative.')).toBe('लाइन 2: रकम शून्य से कम नहीं हो सकती।');
    expect(hi('Enter the opening time too.')).toBe('खुलने का समय भी लिखें।');
    expect(hi('Enter the closing time too.')).toBe('बंद होने का समय भी लिखें।');
  });
});

describe('scheduleFieldOf', () => {
  it("puts a day's problems under its row and every area's under the textarea", () => {
    expect(scheduleFieldOf('/hours/mon/0')).toBe('hours_mon');
    expect(scheduleFieldOf('/hours/sun/1/0')).toBe('hours_sun');
    expect(scheduleFieldOf('/delivery/areas/4/pincodePrefix')).toBe('areas');
    expect(scheduleFieldOf('/delivery/areas')).toBe('areas');
    expect(scheduleFieldOf('/hours/funday')).toBeUndefined();
    expect(scheduleFieldOf('/delivery/fee')).toBeUndefined();
  });
});
