/** The bill of an order named by its tracking token, in the order's language unless one is asked for. */
import type { Queryable } from '../db/db.js';
import { isLang, type Lang } from '../i18n/index.js';
import { notFound } from '../shared/errors.js';
import { isUuid } from '../shared/ids.js';
import { buildBill, type Bill } from './bill.js';
import { billLines, findBillOrder } from './bill.repo.js';

export { billPdf, type Paper } from './bill-pdf.js';

export async function loadBill(
  q: Queryable,
  trackingToken: string,
  lang?: unknown,
): Promise<Bill & { slug: string; number: number }> {
  if (!isUuid(trackingToken)) throw notFound('Order not found');
  const order = await findBillOrder(q, trackingToken);
  if (!order) throw notFound('Order not found');
  const chosen: Lang = isLang(lang) ? lang : isLang(order.lang) ? order.lang : 'en';
  return {
    ...buildBill(order, await billLines(q, order.storeId, order.id), chosen),
    slug: order.storeSlug,
    number: order.number,
  };
}
