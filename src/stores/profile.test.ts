import { describe, expect, it } from 'vitest';
import {
  deliveryAreaProblems,
  deliveryTo,
  hoursProblems,
  localTime,
  openByHours,
  pincodeShapeOk,
  storeIsOpen,
} from './profile.js';

describe('opening hours', () => {
  const hours = {
    mon: [
      ['09:00', '13:00'],
      ['16:00', '21:00'],
    ] as [string, string][],
  };
  // 2026-11-30 is a Monday. 04:00 UTC = 09:30 in Kolkata.
  const at = (utc: string) => new Date(`2026-11-30T${utc}Z`);

  it('reads the local weekday and minute', () => {
    expect(localTime(at('04:00:00'), 'Asia/Kolkata')).toEqual({ day: 'mon', minute: 9 * 60 + 30 });
  });

  it('is open inside a span, closed between spans and on days without hours', () => {
    expect(openByHours(hours, at('04:00:00'), 'Asia/Kolkata')).toBe(true);
    expect(openByHours(hours, at('08:30:00'), 'Asia/Kolkata')).toBe(false); // 14:00
    expect(openByHours(hours, at('11:00:00'), 'Asia/Kolkata')).toBe(true); // 16:30
    expect(openByHours(hours, new Date('2026-12-01T04:00:00Z'), 'Asia/Kolkata')).toBe(false); // Tuesday
    expect(openByHours(null, at('20:00:00'), 'Asia/Kolkata')).toBe(true);
  });

  it('lets the manual switch close the shop regardless of hours', () => {
    expect(storeIsOpen(false, null, at('04:00:00'), 'Asia/Kolkata')).toBe(false);
    expect(storeIsOpen(true, hours, at('04:00:00'), 'Asia/Kolkata')).toBe(true);
  });

  it('finds malformed spans and days', () => {
    expect(hoursProblems({ mon: [['09:00', '21:00']], sun: [] })).toEqual([]);
    expect(hoursProblems({ mon: [['21:00', '09:00']], tue: [['9:00', '10:00']] })).toEqual([
      '/hours/mon/0',
      '/hours/tue/0',
    ]);
    expect(hoursProblems({ xyz: [] } as never)).toEqual(['/hours/xyz']);
  });
});

describe('delivery areas', () => {
  it('delivers everywhere at the store fee without areas', () => {
    expect(deliveryTo([], 3000, '560001')).toEqual({ delivers: true, fee: 3000 });
  });

  it('matches the longest prefix and its fee, and refuses a PIN outside', () => {
    const areas = [{ pincodePrefix: '411' }, { pincodePrefix: '411001', fee: 0 }, { pincodePrefix: '4110', fee: 1500 }];
    expect(deliveryTo(areas, 3000, '411001')).toEqual({ delivers: true, fee: 0 });
    expect(deliveryTo(areas, 3000, '411014')).toEqual({ delivers: true, fee: 1500 });
    expect(deliveryTo(areas, 3000, '411101')).toEqual({ delivers: true, fee: 3000 });
    expect(deliveryTo(areas, 3000, '560001')).toEqual({ delivers: false, fee: 0 });
  });
});

describe('pincodeShapeOk', () => {
  it('asks an Indian store for 6 digits (spaces ignored) and any other store for nothing more', () => {
    expect(['411001', '411 001'].map((p) => pincodeShapeOk('INR', p))).toEqual([true, true]);
    expect(['41100', '4110012', 'SW1A'].map((p) => pincodeShapeOk('INR', p))).toEqual([false, false, false]);
    expect(pincodeShapeOk('GBP', 'SW1A 1AA')).toBe(true);
  });
});

describe('delivery area list', () => {
  it('names every repeat of a PIN prefix (its fee could never apply), and nothing else', () => {
    expect(deliveryAreaProblems([])).toEqual([]);
    expect(deliveryAreaProblems([{ pincodePrefix: '411' }, { pincodePrefix: '4110', fee: 10 }])).toEqual([]);
    expect(
      deliveryAreaProblems([
        { pincodePrefix: '411', fee: 100 },
        { pincodePrefix: '560' },
        { pincodePrefix: '411', fee: 200 },
        { pincodePrefix: '411' },
      ]),
    ).toEqual(['/delivery/areas/2/pincodePrefix', '/delivery/areas/3/pincodePrefix']);
  });
});
