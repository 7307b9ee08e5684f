/** The numbers of the business, read from orders (placed orders not rejected or cancelled count as revenue). */
import { type DbOrTx, inTx, type Queryable } from '../db/db.js';
import { validationFailed } from '../shared/errors.js';
import {
  customerCounts,
  exportOrderLines,
  exportOrderPage,
  salesByDay,
  topProducts,
  withoutJit,
} from './reports.repo.js';
import { orderCsvHeader, orderCsvRows } from './orders-csv.js';
import type { SalesReport } from './reports.schema.js';
import { fillDays, reportRange, todayIn, totalsOf } from './sales.js';

/** Every store's days are counted in Indian time until stores carry their own time zone. */
export const STORE_TIME_ZONE = 'Asia/Kolkata';

export function resolveRange(from: string | undefined, to: string | undefined, now = new Date()) {
  const range = reportRange(from, to, todayIn(STORE_TIME_ZONE, now));
  if (!range.ok)
    throw validationFailed(`${range.field} ${range.message}`, [
      { code: 'invalid', path: `/${range.field}`, message: range.message },
    ]);
  return range;
}

export async function salesReport(
  q: DbOrTx,
  store: { id: string; currency: string },
  query: { from?: string | undefined; to?: string | undefined },
): Promise<SalesReport> {
  const { from, to } = resolveRange(query.from, query.to);
  const tz = STORE_TIME_ZONE;
  // One read transaction, so the report's statements run without JIT (withoutJit says why).
  const { byDay, top, customers } = await inTx(q, async (tx) => {
    await withoutJit(tx);
    const byDay = await salesByDay(tx, store.id, from, to, tz);
    const top = await topProducts(tx, store.id, from, to, tz);
    const customers = await customerCounts(tx, store.id, from, to, tz);
    return { byDay, top, customers };
  });
  const days = fillDays(from, to, byDay);
  return {
    from,
    to,
    timeZone: tz,
    currency: store.currency,
    days,
    totals: totalsOf(days),
    topProducts: top.byRevenue,
    topProductsByQuantity: top.byQuantity,
    customers,
  };
}

/** Orders per page of the export (exported for its test, which pages across it). */
export const EXPORT_PAGE = 500;

/** The range's orders as CSV text chunks, read page by page (a year of a busy store never sits in memory). */
export async function* exportOrdersCsv(
  q: Queryable,
  store: { id: string; currency: string },
  query: { from?: string | undefined; to?: string | undefined },
): AsyncGenerator<string> {
  const { from, to } = resolveRange(query.from, query.to);
  yield orderCsvHeader();
  let after: { createdAtKey: string; id: string } | null = null;
  for (;;) {
    const orders = await exportOrderPage(q, store.id, from, to, STORE_TIME_ZONE, after, EXPORT_PAGE);
    if (!orders.length) return;
    const lines = await exportOrderLines(
      q,
      store.id,
      orders.map((o) => o.id),
    );
    yield orderCsvRows(orders, lines, store.currency);
    const last = orders[orders.length - 1]!;
    after = { createdAtKey: last.createdAtKey, id: last.id };
    if (orders.length < EXPORT_PAGE) return;
  }
}
