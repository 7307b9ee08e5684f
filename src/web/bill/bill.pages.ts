/**
 * The printable bill of an order: `/o/{token}/bill` (HTML with print CSS for A4 and 80 mm thermal rolls,
 * `?paper=80mm`) and `/o/{token}/bill.pdf` (the same bill as a PDF to share on WhatsApp). The tracking token is
 * the credential, as on the order page: never cached, never indexed.
 */
import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import { t } from '../../i18n/index.js';
import { billPdf, loadBill, type Paper } from '../../bills/bill.service.js';
import type { Bill } from '../../bills/bill.js';
import { attrs, html, raw } from '../html.js';

const CSS = [
  '*{box-sizing:border-box}',
  'body{font:14px/1.45 system-ui,"Noto Sans","Noto Sans Devanagari",sans-serif;color:#111;margin:0;background:#f4f4f4}',
  '.bill{background:#fff;max-width:210mm;margin:0 auto;padding:12mm}',
  '.roll .bill{max-width:80mm;padding:3mm;font-size:12px}',
  'h1{font-size:1.5em;margin:0}',
  '.muted{color:#555}',
  'table{width:100%;border-collapse:collapse;margin:1em 0}',
  'th,td{text-align:left;padding:.3em .2em;border-bottom:1px solid #ddd;vertical-align:top}',
  '.n{text-align:right;white-space:nowrap}',
  '.totals td{border:0}',
  '.strong{font-weight:700}',
  '.meta{display:flex;flex-wrap:wrap;gap:.2em 1.5em;margin:.8em 0}',
  '.tools{max-width:210mm;margin:0 auto;padding:.8em;display:flex;flex-wrap:wrap;gap:.6em 1.2em}',
  '.tools a{color:#0b6e4f;min-height:44px;display:inline-flex;align-items:center}',
  '@media print{body{background:#fff}.tools{display:none}.bill{padding:0;max-width:none}}',
  '@page{size:A4;margin:12mm}',
  '.roll{}',
  '@media print{.roll .bill{width:72mm}}',
].join('');
const ROLL_PAGE = '@page{size:80mm auto;margin:3mm}';
const hash = (css: string) => `'sha256-${createHash('sha256').update(css).digest('base64')}'`;
const cspFor = (css: string) =>
  [
    "default-src 'none'",
    `style-src ${hash(css)}`,
    "img-src 'self'",
    "form-action 'self'",
    "base-uri 'none'",
    "frame-ancestors 'none'",
  ].join('; ');

function paperOf(request: FastifyRequest): Paper {
  return (request.query as { paper?: string }).paper === '80mm' ? '80mm' : 'a4';
}

const numbers = (cells: readonly string[]) => cells.map((c) => html`<td class="n">${c}</td>`);
const hsnCell = (bill: Bill, tag: 'th' | 'td', text: string) =>
  !bill.showHsn ? '' : tag === 'th' ? html`<th scope="col">${text}</th>` : html`<td>${text}</td>`;

function billHtml(bill: Bill, token: string, paper: Paper) {
  const tr = (key: string) => t(bill.lang, key);
  const base = `/o/${encodeURIComponent(token)}`;
  const q = (p: Paper) => `?paper=${p}&lang=${bill.lang}`;
  const css = paper === '80mm' ? `${CSS}${ROLL_PAGE}` : CSS;
  const page = html`<!doctype html>
<html lang="${bill.lang}">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<meta name="robots" content="noindex"><title>${bill.title}</title><style>${raw(css)}</style></head>
<body${attrs({ class: paper === '80mm' ? 'roll' : undefined, 'data-page': 'bill' })}>
<nav class="tools" aria-label="${tr('bill.heading')}">
<a href="${base}/bill.pdf${q(paper)}" data-testid="bill-pdf">${tr('bill.downloadPdf')}</a>
<a href="${base}/bill${q(paper === 'a4' ? '80mm' : 'a4')}">${tr(paper === 'a4' ? 'bill.paper80' : 'bill.paperA4')}</a>
<a href="${base}">${tr('bill.backToOrder')}</a>
<span class="muted">${tr('bill.printHint')}</span>
</nav>
<main class="bill">
<h1>${bill.storeName}</h1>
${bill.storeLines.map((l) => html`<div class="muted" data-testid="store-line">${l}</div>`)}
<div class="meta">${bill.meta.map(
    (m) => html`<div><span class="muted">${m.label}:</span> <strong>${m.value}</strong></div>`,
  )}</div>
<div><span class="muted">${tr('bill.billedTo')}:</span> ${bill.customerLines.join(', ')}</div>
<table>
<thead><tr><th scope="col">${bill.columns.item}</th>${hsnCell(bill, 'th', bill.columns.hsn)}
<th scope="col" class="n">${bill.columns.qty}</th><th scope="col" class="n">${bill.columns.price}</th>
<th scope="col" class="n">${bill.columns.amount}</th></tr></thead>
<tbody>${bill.lines.map(
    (l) => html`<tr><td>${l.item}</td>${hsnCell(bill, 'td', l.hsn)}${numbers([l.qty, l.price, l.amount])}</tr>`,
  )}</tbody>
</table>
<table class="totals"><tbody>${bill.totals.map(
    (x) => html`<tr${attrs({ class: x.strong ? 'strong' : undefined })}>${numbers([x.label, x.value])}</tr>`,
  )}</tbody></table>
<p>${bill.footer}</p>
</main>
</body></html>`;
  return { page, csp: cspFor(css) };
}

export const billPages: FastifyPluginAsync = async (app) => {
  app.get<{ Params: { token: string }; Querystring: { lang?: string; paper?: string } }>(
    '/o/:token/bill',
    async (request, reply) => {
      const bill = await loadBill(app.db, request.params.token, request.query.lang);
      const { page, csp } = billHtml(bill, request.params.token, paperOf(request));
      // The bill's own style is inline (printing needs no second request): the CSP allows exactly that style.
      reply
        .type('text/html; charset=utf-8')
        .header('content-security-policy', csp)
        .header('cache-control', 'no-store')
        .header('x-robots-tag', 'noindex')
        .header('vary', 'accept-encoding');
      const body = Buffer.from(page.value, 'utf8');
      const accepts = request.headers['accept-encoding'];
      if (typeof accepts === 'string' && /\bgzip\b/.test(accepts))
        return reply.header('content-encoding', 'gzip').send(gzipSync(body));
      return reply.send(body);
    },
  );
  app.get<{ Params: { token: string }; Querystring: { lang?: string; paper?: string } }>(
    '/o/:token/bill.pdf',
    async (request, reply) => {
      const bill = await loadBill(app.db, request.params.token, request.query.lang);
      const pdf = await billPdf(bill, paperOf(request));
      return reply
        .type('application/pdf')
        .header('cache-control', 'no-store')
        .header('x-robots-tag', 'noindex')
        .header('content-disposition', `inline; filename="${bill.slug}-bill-${bill.number}.pdf"`)
        .send(Buffer.from(pdf));
    },
  );
};
