import { describe, expect, it } from 'vitest';
import { fillDays, parseDay, reportRange, todayIn, totalsOf } from './sales.js';

describe('sales report arithmetic', () => {
  it('parses only real calendar dates', () => {
    expect(parseDay('2026-02-28')).not.toBeNull();
    expect(parseDay('2026-02-29')).toBeNull();
    expect(parseDay('2024-02-29')).not.toBeNull();
    expect(parseDay('2026-13-01')).toBeNull();
    expect(parseDay('26-1-1')).toBeNull();
    expect(parseDay('2026-01-01\u0000')).toBeNull();
  });

  it('defaults to the last 30 days and refuses reversed or over-long ranges', () => {
    expect(reportRange(undefined, undefined, '2026-11-30')).toEqual({
      ok: true,
      from: '2026-11-01',
      to: '2026-11-30',
      days: 30,
    });
    expect(reportRange('2026-11-30', '2026-11-01', '2026-11-30')).toMatchObject({ ok: false, field: 'from' });
    expect(reportRange('2024-01-01', '2026-01-01', '2026-11-30')).toMatchObject({ ok: false, field: 'from' });
    expect(reportRange(undefined, 'yesterday', '2026-11-30')).toMatchObject({ ok: false, field: 'to' });
    expect(reportRange('2025-12-30', '2026-01-02', 'x')).toMatchObject({ ok: true, days: 4 });
  });

  it('fills missing days with zeros, floors the average, and totals', () => {
    const days = fillDays('2026-11-28', '2026-11-30', [
      { date: '2026-11-28', orders: 3, revenue: 1000, cancelled: 1 },
      { date: '2026-11-30', orders: 1, revenue: 999, cancelled: 0 },
    ]);
    expect(days).toEqual([
      { date: '2026-11-28', orders: 3, revenue: 1000, averageOrder: 333, cancelled: 1 },
      { date: '2026-11-29', orders: 0, revenue: 0, averageOrder: 0, cancelled: 0 },
      { date: '2026-11-30', orders: 1, revenue: 999, averageOrder: 999, cancelled: 0 },
    ]);
    expect(totalsOf(days)).toEqual({ orders: 4, revenue: 1999, averageOrder: 499, cancelled: 1 });
  });

  it("knows today's date in India when it is still yesterday in UTC", () => {
    expect(todayIn('Asia/Kolkata', new Date('2026-11-29T19:00:00Z'))).toBe('2026-11-30');
    expect(todayIn('UTC', new Date('2026-11-29T19:00:00Z'))).toBe('2026-11-29');
  });
});
