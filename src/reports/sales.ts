/**
 * Pure arithmetic of the sales report: date ranges, the day series with its zeros filled in, and the totals.
 * Money is integer minor units; the average order is rounded down to a whole minor unit.
 */

export interface DayFigures {
  /** `YYYY-MM-DD` in the store's time zone. */
  date: string;
  orders: number;
  revenue: number;
  averageOrder: number;
  cancelled: number;
}

export type Totals = Omit<DayFigures, 'date'>;

export interface DayAggregate {
  date: string;
  orders: number;
  revenue: number;
  cancelled: number;
}

const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;
export const MAX_REPORT_DAYS = 366;

/** A calendar date `YYYY-MM-DD` that exists, as days since 1970-01-01; null otherwise. */
export function parseDay(value: string): number | null {
  const m = DATE_RE.exec(value);
  if (!m) return null;
  const ms = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  const d = new Date(ms);
  if (d.getUTCFullYear() !== Number(m[1]) || d.getUTCMonth() !== Number(m[2]) - 1 || d.getUTCDate() !== Number(m[3]))
    return null;
  return ms / 86_400_000;
}

export function formatDay(day: number): string {
  return new Date(day * 86_400_000).toISOString().slice(0, 10);
}

/** Today's date in a time zone: `todayIn('Asia/Kolkata', now)` → `'2026-11-30'`. */
export function todayIn(timeZone: string, now: Date = new Date()): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(now);
}

export type RangeResult =
  | { ok: true; from: string; to: string; days: number }
  | { ok: false; field: 'from' | 'to'; message: string };

/** `from`/`to` of a report (either may be absent: the last 30 days up to today). */
export function reportRange(from: string | undefined, to: string | undefined, today: string): RangeResult {
  const toDay = to === undefined ? parseDay(today) : parseDay(to);
  if (toDay === null) return { ok: false, field: 'to', message: 'must be a date YYYY-MM-DD' };
  const fromDay = from === undefined ? toDay - 29 : parseDay(from);
  if (fromDay === null) return { ok: false, field: 'from', message: 'must be a date YYYY-MM-DD' };
  if (fromDay > toDay) return { ok: false, field: 'from', message: 'must not be after to' };
  const days = toDay - fromDay + 1;
  if (days > MAX_REPORT_DAYS) return { ok: false, field: 'from', message: `at most ${MAX_REPORT_DAYS} days at once` };
  return { ok: true, from: formatDay(fromDay), to: formatDay(toDay), days };
}

export function averageOrder(revenue: number, orders: number): number {
  return orders > 0 ? Math.floor(revenue / orders) : 0;
}

/** One entry per day from `from` to `to`, zeros where nothing was sold. */
export function fillDays(from: string, to: string, rows: readonly DayAggregate[]): DayFigures[] {
  const byDate = new Map(rows.map((r) => [r.date, r]));
  const start = parseDay(from);
  const end = parseDay(to);
  if (start === null || end === null) throw new Error(`fillDays: bad range ${from}..${to}`);
  const days: DayFigures[] = [];
  for (let d = start; d <= end; d++) {
    const date = formatDay(d);
    const r = byDate.get(date);
    const orders = r?.orders ?? 0;
    const revenue = r?.revenue ?? 0;
    days.push({ date, orders, revenue, averageOrder: averageOrder(revenue, orders), cancelled: r?.cancelled ?? 0 });
  }
  return days;
}

export function totalsOf(days: readonly DayFigures[]): Totals {
  let orders = 0;
  let revenue = 0;
  let cancelled = 0;
  for (const d of days) {
    orders += d.orders;
    revenue += d.revenue;
    cancelled += d.cancelled;
  }
  return { orders, revenue, averageOrder: averageOrder(revenue, orders), cancelled };
}
