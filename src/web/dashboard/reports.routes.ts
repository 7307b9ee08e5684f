/**
 * The numbers of the business: the last 7 or 30 days from the same report as `GET …/reports/sales` — totals,
 * a bar per day (server-drawn SVG), the best sellers, new and returning customers — and the orders of those
 * days as CSV for the accountant.
 */
import { Readable } from 'node:stream';
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import { exportOrdersCsv, salesReport, STORE_TIME_ZONE } from '../../reports/reports.service.js';
import { formatDay, parseDay, todayIn } from '../../reports/sales.js';
import { formatMoney } from '../../shared/money.js';
import { attrs, html } from '../html.js';
import { currentStore, storePath, trOf } from './context.js';
import { salesChart } from './sales-chart.js';
import { sendDashboardPage } from './shell.js';

const PERIODS = [7, 30] as const;
type Period = (typeof PERIODS)[number];

/** `?days=7|30` (default 7) → the report's from/to, ending today in the store's time zone. */
export function periodRange(days: unknown, now = new Date()): { days: Period; from: string; to: string } {
  const period: Period = days === '30' ? 30 : 7;
  const to = todayIn(STORE_TIME_ZONE, now);
  return { days: period, from: formatDay(parseDay(to)! - (period - 1)), to };
}

const daysOf = (request: FastifyRequest) => (request.query as { days?: unknown }).days;

export const reportRoutes: FastifyPluginAsync = async (app) => {
  app.get('/reports', async (request, reply) => {
    const store = currentStore(request);
    const tr = trOf(request);
    const range = periodRange(daysOf(request));
    const report = await salesReport(app.db, store, range);
    const money = (n: number) => formatMoney(n, store.currency, { trimZeroFraction: true });
    const base = storePath(store.id, '/reports');
    const t = report.totals;
    const chartLabel = tr('dashboard.reports.chartLabel', { days: range.days, total: money(t.revenue) });
    const top = (items: typeof report.topProducts, testid: string, caption: string) =>
      items.length
        ? html`<div class="table-wrap"><table class="table" data-testid="${testid}"><caption>${caption}</caption>
<thead><tr><th scope="col">${tr('dashboard.products.name')}</th><th scope="col">${tr('dashboard.orders.quantity')}</th>
<th scope="col">${tr('dashboard.reports.revenue')}</th></tr></thead>
<tbody>${items.map((p) => html`<tr><td>${p.name}</td><td>${p.quantity}</td><td>${money(p.revenue)}</td></tr>`)}</tbody>
</table></div>`
        : '';
    return sendDashboardPage(request, reply, {
      title: tr('dashboard.nav.reports'),
      pageId: 'reports',
      store,
      section: 'reports',
      main: html`<h1>${tr('dashboard.nav.reports')}</h1>
<nav aria-label="${tr('dashboard.reports.period')}"><ul class="cats wrap">${PERIODS.map(
        (d) =>
          html`<li><a${attrs({ href: `${base}?days=${d}`, 'aria-current': d === range.days ? 'page' : undefined })}>
${tr('dashboard.reports.lastDays', { days: d })}</a></li>`,
      )}</ul></nav>
<dl class="figures" data-testid="totals">
<div><dt>${tr('dashboard.reports.revenue')}</dt><dd data-testid="total-revenue">${money(t.revenue)}</dd></div>
<div><dt>${tr('dashboard.nav.orders')}</dt><dd data-testid="total-orders">${t.orders}</dd></div>
<div><dt>${tr('dashboard.reports.average')}</dt><dd>${money(t.averageOrder)}</dd></div>
<div><dt>${tr('dashboard.reports.cancelled')}</dt>
<dd data-testid="total-cancelled">${t.cancelled}</dd></div>
<div><dt>${tr('dashboard.reports.newCustomers')}</dt>
<dd data-testid="new-customers">${report.customers.new}</dd></div>
<div><dt>${tr('dashboard.reports.returning')}</dt>
<dd data-testid="returning-customers">${report.customers.returning}</dd></div>
</dl>
<figure class="panel">
${salesChart(report.days, { label: chartLabel, money })}
<figcaption class="small muted">
${tr('dashboard.reports.chartCaption', { from: report.from, to: report.to })}</figcaption>
</figure>
${
  report.topProducts.length
    ? html`${top(report.topProducts, 'top-revenue', tr('dashboard.reports.topRevenue'))}
${top(report.topProductsByQuantity, 'top-quantity', tr('dashboard.reports.topQuantity'))}`
    : html`<p data-testid="no-sales">${tr('dashboard.reports.noSales')}</p>`
}
<p><a class="btn secondary" href="${base}/orders.csv?days=${range.days}"
 data-testid="orders-export">${tr('dashboard.reports.export')}</a></p>`,
    });
  });

  app.get('/reports/orders.csv', async (request, reply) => {
    const store = currentStore(request);
    const { from, to } = periodRange(daysOf(request));
    return reply
      .type('text/csv; charset=utf-8')
      .header('cache-control', 'no-store')
      .header('content-disposition', `attachment; filename="${store.slug}-orders-${from}-${to}.csv"`)
      .send(Readable.from(exportOrdersCsv(app.db, store, { from, to })));
  });
};
