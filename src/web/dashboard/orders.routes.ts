/**
 * Orders: the list by status (newest first, unseen ones marked), and one order with its bill, the customer
 * (tap to call or WhatsApp), status changes with a note, line edits, the payment proof and "mark paid".
 * Every action is the orders service's, with the merchant as actor.
 */
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import {
  editOrderLines,
  getOrderForMerchant,
  countUnseenOrders,
  listOrders,
  setPaymentStatus,
  transitionOrder,
  type OrderView,
} from '../../orders/orders.service.js';
import { EditLinesBody, type PaymentInput } from '../../orders/orders.schema.js';
import { ORDER_STATUSES, canEditLines, isOrderStatus, nextStatuses, type OrderStatus } from '../../orders/status.js';
import { checkPaymentTransition, type PaymentStatus } from '../../orders/payment-status.js';
import { readPaymentProof } from '../../payments/proofs.service.js';
import { listProducts } from '../../catalog/products.service.js';
import { whatsappUrl } from '../../orders/links.js';
import { AppError, validationFailed } from '../../shared/errors.js';
import type { StoreRow } from '../../stores/stores.service.js';
import { attrs, html, type Html } from '../html.js';
import {
  csrfField,
  field,
  fieldValues,
  formBody,
  formProblem,
  problemSummary,
  seeOther,
  setFlash,
  type FormProblem,
} from '../forms.js';
import { formatMoney } from '../../shared/money.js';
import { currentStore, storePath, trOf } from './context.js';
import { localeOf, type Lang, type Translate } from '../../i18n/index.js';
import { moneyInputValue, optionalText, parseInteger, parseMoney } from './form-values.js';
import { defangLinks, oneLine } from '../../notify/quote.js';
import { sendDashboardPage } from './shell.js';
import { assertBody } from './validate.js';
import { lineName } from '../../catalog/variant-label.js';

const PAGE_SIZE = 25;
/** The first page of the orders list asks for itself again this often (app.js), so new orders appear. */
const LIVE_EVERY_SECONDS = 15;

// Words of each status, action and payment state, in the page's language (the `dashboard` catalog).
const STATUS_LABELS: Record<OrderStatus, string> = {
  placed: 'dashboard.orders.status.placed',
  accepted: 'dashboard.orders.status.accepted',
  shipped: 'dashboard.orders.status.shipped',
  delivered: 'dashboard.orders.status.delivered',
  rejected: 'dashboard.orders.status.rejected',
  cancelled: 'dashboard.orders.status.cancelled',
};

// Reject and Cancel say in words when each applies: Reject before accepting, Cancel after.
const ACTION_LABELS: Record<OrderStatus, string> = {
  placed: 'dashboard.orders.status.placed',
  accepted: 'dashboard.orders.action.accept',
  shipped: 'dashboard.orders.action.ship',
  delivered: 'dashboard.orders.action.deliver',
  rejected: 'dashboard.orders.action.reject',
  cancelled: 'dashboard.orders.action.cancel',
};

const PAYMENT_ACTION_LABELS: Record<string, string> = {
  edited: 'dashboard.orders.itemsChanged',
  paid: 'dashboard.orders.historyPaid',
  refunded: 'dashboard.orders.historyRefunded',
  proof_submitted: 'dashboard.orders.historyProof',
};

function historyLabel(tr: Translate, status: string): string {
  if (isOrderStatus(status)) return tr(STATUS_LABELS[status]);
  const key = PAYMENT_ACTION_LABELS[status];
  return key ? tr(key) : status;
}

const PAYMENT_LABELS: Record<PaymentStatus, string> = {
  pending: 'dashboard.orders.payment.pending',
  proof_submitted: 'dashboard.orders.payment.proof',
  paid: 'dashboard.orders.payment.paid',
  refunded: 'dashboard.orders.payment.refunded',
};

const timeFormats = new Map<Lang, Intl.DateTimeFormat>();
export const orderTime = (iso: string, lang: Lang = 'en'): string => {
  let format = timeFormats.get(lang);
  if (!format) {
    format = new Intl.DateTimeFormat(localeOf(lang), {
      timeZone: 'Asia/Kolkata',
      day: 'numeric',
      month: 'short',
      hour: 'numeric',
      minute: '2-digit',
    });
    timeFormats.set(lang, format);
  }
  return format.format(new Date(iso));
};

/** `https://wa.me/<digits>`: opens a chat with the customer. */
export function customerChatUrl(phone: string, text?: string): string {
  const digits = phone.replace(/\D/g, '');
  return text ? whatsappUrl(phone, text) : `https://wa.me/${digits}`;
}

/** Where the order came from; the storefront (web) is the usual case and gets no badge. */
const SOURCE_LABELS: Record<Exclude<OrderView['source'], 'web'>, string> = {
  api: 'dashboard.orders.sourceApi',
  whatsapp: 'dashboard.orders.sourceWhatsapp',
};

function sourceBadge(source: OrderView['source'], tr: Translate): Html {
  return source === 'web'
    ? html``
    : html` <span class="badge" data-testid="order-source">${tr(SOURCE_LABELS[source])}</span>`;
}

function statusBadge(status: OrderStatus, tr: Translate): Html {
  const tone = status === 'placed' ? ' open' : status === 'rejected' || status === 'cancelled' ? ' closed' : '';
  return html`<span class="badge${tone}" data-testid="order-status">${tr(STATUS_LABELS[status])}</span>`;
}

/** The order's bill: print it (A4 or an 80 mm receipt printer), get its PDF, or send that to the customer. */
function billLinks(order: OrderView, tr: Translate): Html {
  const bill = `${order.trackingUrl}/bill`;
  const shareText = `${tr('dashboard.orders.billShareText', { number: order.number })} ${bill}.pdf`;
  return html`<p class="actions" data-testid="bill-links">
<a class="btn secondary" href="${bill}" target="_blank" rel="noopener"
 data-testid="bill-print">${tr('dashboard.orders.billPrint')}</a>
<a class="btn secondary" href="${bill}?paper=80mm" target="_blank"
 rel="noopener">${tr('dashboard.orders.billThermal')}</a>
<a class="btn secondary" href="${bill}.pdf" data-testid="bill-pdf">${tr('dashboard.orders.billPdf')}</a>
<a class="btn secondary" href="${customerChatUrl(order.customer.phone, shareText)}" target="_blank" rel="noopener"
 data-testid="bill-whatsapp">${tr('dashboard.orders.billWhatsapp')}</a></p>`;
}

async function listPage(request: FastifyRequest, reply: FastifyReply) {
  const store = currentStore(request);
  const query = request.query as { status?: unknown; cursor?: unknown };
  const status = typeof query.status === 'string' && isOrderStatus(query.status) ? query.status : undefined;
  const cursor = typeof query.cursor === 'string' ? query.cursor.slice(0, 500) : undefined;
  const [page, unseen] = await Promise.all([
    listOrders(request.server.db, request.server.config, store.id, { status, limit: PAGE_SIZE, cursor }),
    countUnseenOrders(request.server.db, store.id),
  ]);
  const base = storePath(store.id, '/orders');
  const money = (n: number) => formatMoney(n, store.currency);
  const tr = trOf(request);
  const lang = request.dashboardLang;
  const tabs: { label: string; href: string; current: boolean }[] = [
    { label: tr('dashboard.products.all'), href: base, current: !status },
    ...ORDER_STATUSES.map((s) => ({ label: tr(STATUS_LABELS[s]), href: `${base}?status=${s}`, current: status === s })),
  ];
  return sendDashboardPage(request, reply, {
    // "(2) Orders": the count of new orders shows in the browser tab, and app.js keeps it current.
    title: tr('dashboard.orders.listTitle', { count: unseen }),
    pageId: 'orders',
    store,
    section: 'orders',
    main: html`<h1>${tr('dashboard.nav.orders')}</h1>
<nav aria-label="${tr('dashboard.orders.statusNav')}"><ul class="cats wrap">${tabs.map((t) => html`<li><a${attrs({ href: t.href, 'aria-current': t.current ? 'page' : undefined })}>${t.label}</a></li>`)}</ul></nav>
<div id="orders-live"${attrs({ 'data-live': cursor ? undefined : LIVE_EVERY_SECONDS, 'data-unseen': unseen })}${attrs({
      // Server-Sent Events (events.routes.ts): the list refreshes the moment an order comes; polling is the fallback.
      'data-events': cursor ? undefined : `${base}/events`,
    })}>
${
  page.items.length === 0
    ? html`<p data-testid="no-orders">${status ? tr('dashboard.orders.noneWith', { status: tr(STATUS_LABELS[status]) }) : tr('dashboard.orders.none')}</p>`
    : html`<ul class="lines" data-testid="order-list">${page.items.map(
        (
          o,
        ) => html`<li class="line" data-testid="order-row" data-order-id="${o.id}"${o.seenAt ? '' : html` data-unseen="true"`}>
<a class="name" href="${base}/${o.id}">#${o.number} · ${o.customer.name}</a>
<span class="total">${money(o.total)}</span>
<p class="small span-all">${o.seenAt ? '' : html`<strong class="badge open" data-testid="unseen">${tr('dashboard.orders.new')}</strong> `}${statusBadge(o.status, tr)}${sourceBadge(o.source, tr)} <span class="badge">${tr(PAYMENT_LABELS[o.paymentStatus])}</span> · ${tr('dashboard.orders.items', { count: o.lines.length })} · ${orderTime(o.createdAt, lang)}</p>
</li>`,
      )}</ul>`
}
${page.nextCursor ? html`<p class="pager"><a class="btn secondary" href="${base}?${String(new URLSearchParams({ ...(status ? { status } : {}), cursor: page.nextCursor }))}" data-testid="more">${tr('dashboard.orders.older')}</a></p>` : ''}
</div>`,
  });
}

interface AddableVariant {
  id: string;
  label: string;
}

async function addableVariants(request: FastifyRequest, store: StoreRow): Promise<AddableVariant[]> {
  const tr = trOf(request);
  const products = await listProducts(request.server.db, store.id, { limit: 100 });
  return products.items
    .filter((p) => p.isActive)
    .flatMap((p) =>
      p.variants.map((v) => ({
        id: v.id,
        label: `${lineName({ name: p.name, variantName: v.name })} · ${formatMoney(v.price, store.currency)}${v.stock === 0 ? ` · ${tr('dashboard.stock.out')}` : ''}`,
      })),
    );
}

async function detailPage(
  request: FastifyRequest,
  reply: FastifyReply,
  order: OrderView,
  failed: { section: 'lines' | 'status'; problem: FormProblem } | null,
) {
  const store = currentStore(request);
  const base = storePath(store.id, `/orders/${order.id}`);
  const money = (n: number) => formatMoney(n, store.currency);
  const moves = nextStatuses(order.status, 'merchant');
  const editable = canEditLines(order.status, 'merchant');
  const c = order.customer;
  const address = c.address
    ? [c.address.line1, c.address.line2, c.address.city, c.address.pincode].filter(Boolean).join(', ')
    : null;
  const addable = editable ? await addableVariants(request, store) : [];
  const tr = trOf(request);
  const lang = request.dashboardLang;
  const updateText = `Hello ${c.name}, about your order #${order.number} at ${store.name}: ${order.trackingUrl}`;
  return sendDashboardPage(request, reply, {
    title: tr('dashboard.orders.title', { number: order.number }),
    pageId: 'order',
    store,
    section: 'orders',
    status: failed?.problem.status,
    main: html`<p class="small"><a href="${storePath(store.id, '/orders')}">← ${tr('dashboard.nav.orders')}</a></p>
<h1>${tr('dashboard.orders.title', { number: order.number })} ${statusBadge(order.status, tr)}${sourceBadge(order.source, tr)}</h1>
<p class="small muted">${tr('dashboard.orders.placedAt', { time: orderTime(order.createdAt, lang) })}${order.source === 'whatsapp' ? tr('dashboard.orders.inChat') : ''} · ${order.fulfillment === 'pickup' ? tr('dashboard.orders.pickup') : tr('dashboard.settings.delivery')} · ${order.paymentMethod === 'cod' ? tr('dashboard.settings.cod') : 'UPI'}</p>

<section class="panel" aria-labelledby="customer-title" data-testid="customer">
<h2 id="customer-title">${tr('dashboard.orders.customer')}</h2>
<p><span class="small muted">${tr('dashboard.orders.nameAsTyped')}</span>
<q data-testid="customer-name">${customerText(c.name)}</q> · ${c.phone}</p>
<div class="actions">
<a class="btn" href="tel:${c.phone}" data-testid="call">${tr('dashboard.orders.call')}</a>
<a class="btn secondary" href="${customerChatUrl(c.phone)}" target="_blank" rel="noopener" data-testid="whatsapp">WhatsApp</a>
<a class="btn secondary" href="${customerChatUrl(c.phone, updateText)}" target="_blank"
 rel="noopener">${tr('dashboard.orders.sendTracking')}</a>
</div>
${
  address
    ? html`<p data-testid="address"><span class="small muted">${tr('dashboard.orders.addressAsTyped')}</span>
<q>${customerText(address)}</q></p>`
    : ''
}
${
  order.note
    ? html`<p class="notice info" data-testid="order-note">
<span class="small">${tr('dashboard.orders.customerNote')}</span> <q>${customerText(order.note)}</q></p>`
    : ''
}
</section>

<section aria-labelledby="bill-title">
<h2 id="bill-title">${tr('dashboard.orders.bill')}</h2>
${billLinks(order, tr)}
<table class="bill" data-testid="bill">
${order.lines.map((l) => html`<tr><th scope="row">${l.quantity} × ${lineName(l)} <span class="small muted">@ ${money(l.unitPrice)}</span></th><td>${money(l.lineTotal)}</td></tr>`)}
<tr><th scope="row">${tr('dashboard.orders.subtotal')}</th><td data-testid="subtotal">${money(order.subtotal)}</td></tr>
${order.discount ? html`<tr><th scope="row">${tr('dashboard.orders.discount')}${order.couponCode ? ` (${order.couponCode})` : ''}</th><td>−${money(order.discount)}</td></tr>` : ''}
<tr><th scope="row">${tr('dashboard.settings.delivery')}</th>
<td>${order.deliveryFee ? money(order.deliveryFee) : tr('dashboard.orders.free')}</td></tr>
<tr class="grand"><th scope="row">${tr('dashboard.orders.total')}</th>
<td data-testid="total">${money(order.total)}</td></tr>
${moneyRows(tr, order, money)}
</table>
</section>

${
  moves.length
    ? html`<section class="panel" aria-labelledby="status-title">
<h2 id="status-title">${tr('dashboard.orders.nextStep')}</h2>
${problemSummary(failed?.section === 'status' ? failed.problem : null)}
<form method="post" action="${base}/transitions" data-testid="transition-form">
${csrfField(reply)}
<label for="note">${tr('dashboard.orders.noteLabel')}</label>
<textarea id="note" name="note" maxlength="500" rows="2"></textarea>
<div class="actions">${moves.map((to) => html`<button class="btn${to === 'rejected' || to === 'cancelled' ? ' danger' : ''}" type="submit" name="to" value="${to}" data-testid="to-${to}">${tr(ACTION_LABELS[to])}</button>`)}</div>
</form>
</section>`
    : ''
}

<section class="panel" aria-labelledby="payment-title" data-testid="payment">
<h2 id="payment-title">${tr('dashboard.settings.payments')}</h2>
<p><span class="badge" data-testid="payment-status">${tr(PAYMENT_LABELS[order.paymentStatus])}</span></p>
${paymentPanel(tr, order, base, money, csrfField(reply), store.currency)}
</section>

${
  editable
    ? html`<section class="panel" aria-labelledby="lines-title">
<h2 id="lines-title">${tr('dashboard.orders.changeItems')}</h2>
<p class="small">${tr('dashboard.orders.changeItemsHint')}</p>
${problemSummary(failed?.section === 'lines' ? failed.problem : null)}
${failed?.section === 'lines' && failed.problem.items.length ? html`<ul class="field-error" data-testid="line-errors">${failed.problem.items.map((i) => html`<li>${order.lines.find((l) => l.variantId === i.variantId)?.name ?? ''} ${i.message}</li>`)}</ul>` : ''}
<form method="post" action="${base}/lines" novalidate data-testid="lines-form">
${csrfField(reply)}
${order.lines.map(
  (l, i) => html`<div class="row"><div><label for="q-${i}">${lineName(l)}</label>
<input type="hidden" name="variant" value="${l.variantId}"><input id="q-${i}" name="quantity" inputmode="numeric" value="${String(l.quantity)}" maxlength="3" data-testid="line-qty"></div></div>`,
)}
${
  addable.length
    ? html`<div class="row"><div><label for="add-variant">${tr('dashboard.orders.addItem')}</label><select id="add-variant" name="addVariant"><option value="">—</option>${addable.map((a) => html`<option value="${a.id}">${a.label}</option>`)}</select></div>
<div><label for="add-qty">${tr('dashboard.orders.quantity')}</label><input id="add-qty" name="addQuantity" inputmode="numeric" value="1" maxlength="3"></div></div>`
    : ''
}
<p><button class="btn secondary" type="submit" data-testid="save-lines">${tr('dashboard.orders.saveItems')}</button></p>
</form>
</section>`
    : ''
}

<section aria-labelledby="history-title">
<h2 id="history-title">${tr('dashboard.orders.history')}</h2>
<ol class="timeline" data-testid="history">${order.history.map(
      (h) =>
        html`<li><strong>${historyLabel(tr, h.status)}</strong>${
          h.amount ? html` · ${money(h.amount)}` : ''
        } <span class="small muted">${orderTime(h.at, lang)}</span>${h.note ? html`<br><span class="small">${h.note}</span>` : ''}</li>`,
    )}</ol>
<p class="small">${tr('dashboard.orders.trackingPage')} <a href="${order.trackingUrl}">${order.trackingUrl}</a></p>
</section>`,
  });
}

/** Customer-typed text in the dashboard: one line, links defanged (never clickable), shown inside quotes. */
const customerText = (text: string) => defangLinks(oneLine(text));

const billRow = (label: string, testid: string, amount: string) =>
  html`<tr><th scope="row">${label}</th><td data-testid="${testid}">${amount}</td></tr>`;

/** Received, refunded, and what is still due either way. */
function moneyRows(tr: Translate, order: OrderView, money: (n: number) => string): Html {
  const rows: Html[] = [];
  if (order.amountPaid || order.amountRefunded)
    rows.push(billRow(tr('dashboard.orders.received'), 'amount-paid', money(order.amountPaid + order.amountRefunded)));
  if (order.amountRefunded)
    rows.push(billRow(tr('dashboard.orders.refunded'), 'amount-refunded', `−${money(order.amountRefunded)}`));
  if (order.refundDue > 0) rows.push(billRow(tr('dashboard.orders.toGiveBack'), 'balance', money(order.refundDue)));
  else if (order.amountPaid && order.balanceDue > 0)
    rows.push(billRow(tr('dashboard.orders.stillToPay'), 'balance', money(order.balanceDue)));
  return html`${rows}`;
}

/** The payment panel's body: a proof flagged when the total rose, its reference, the money entries, the actions. */
function paymentPanel(
  tr: Translate,
  order: OrderView,
  base: string,
  money: (n: number) => string,
  csrf: Html,
  currency: string,
) {
  const p = order.payment;
  const hasProof =
    order.paymentStatus === 'proof_submitted' || (order.paymentMethod === 'upi' && order.paymentStatus !== 'pending');
  const canPay =
    checkPaymentTransition(order.paymentStatus, 'paid', 'merchant', order.status).ok && order.balanceDue > 0;
  const refundDefault = order.refundDue > 0 ? order.refundDue : order.amountPaid;
  const outdated =
    p.proofOutdated && p.proofTotal !== undefined
      ? html`<p class="notice error" data-testid="proof-outdated">${tr('dashboard.orders.proofOutdated', {
          sent: money(p.proofTotal),
          total: money(order.total),
          difference: money(order.total - p.proofTotal),
        })}</p>`
      : '';
  const entry = (e: OrderView['payment']['entries'][number]) =>
    html`<li>${tr(e.kind === 'payment' ? 'dashboard.orders.entryPayment' : 'dashboard.orders.entryRefund', {
      amount: money(e.amount),
    })}
<span class="muted">${orderTime(e.at)}</span>${e.reference ? html` · ${e.reference}` : ''}</li>`;
  return html`${outdated}
${
  p.reference
    ? html`<p data-testid="proof-reference">${tr('dashboard.orders.proofReference')} <strong>${p.reference}</strong></p>`
    : ''
}
${
  hasProof
    ? html`<p><a href="${base}/proof" data-testid="proof-link">${tr('dashboard.orders.openProof')}</a></p>
<p><img src="${base}/proof" alt="${tr('dashboard.orders.proofAlt')}" loading="lazy" class="qr"></p>`
    : ''
}
${p.entries.length ? html`<ul class="small" data-testid="payment-entries">${p.entries.map(entry)}</ul>` : ''}
${
  canPay
    ? html`<form method="post" action="${base}/payment" class="actions">${csrf}
<button class="btn" type="submit" name="status" value="paid" data-testid="mark-paid">
${tr('dashboard.orders.markPaid', { amount: money(order.balanceDue) })}</button></form>`
    : ''
}
${
  order.amountPaid > 0
    ? html`<form method="post" action="${base}/payment" data-testid="refund-form">${csrf}
<input type="hidden" name="status" value="refunded">
<div class="row"><div><label for="refund-amount">${tr('dashboard.orders.refundAmount', { currency })}</label>
<input id="refund-amount" name="amount" inputmode="decimal" maxlength="14" data-testid="refund-amount"
 value="${moneyInputValue(refundDefault, currency)}"></div>
<div><label for="refund-reference">${tr('dashboard.orders.refundReference')}</label>
<input id="refund-reference" name="reference" maxlength="64" data-testid="refund-reference"></div></div>
<p><button class="btn danger" type="submit" data-testid="record-refund">${tr('dashboard.orders.recordRefund')}</button></p>
</form>`
    : ''
}`;
}

/** The new set of lines from the edit form: each kept line's quantity, plus the item added, if any. */
export function readLinesForm(body: ReturnType<typeof formBody>): {
  input: { lines: { variantId: string; quantity: number }[] };
  problems: { code: string; path: string; message: string }[];
} {
  const variants = fieldValues(body, 'variant');
  const quantities = fieldValues(body, 'quantity');
  const problems: { code: string; path: string; message: string }[] = [];
  const lines: { variantId: string; quantity: number }[] = [];
  variants.slice(0, 200).forEach((variantId, i) => {
    const q = parseInteger(quantities[i] ?? '', { min: 0, max: 999 });
    if (!q.ok) problems.push({ code: 'invalid', path: `/lines/${i}/quantity`, message: `Quantity: ${q.message}` });
    else lines.push({ variantId, quantity: q.value });
  });
  const added = field(body, 'addVariant', 100)?.trim();
  if (added) {
    const q = parseInteger(field(body, 'addQuantity', 20) ?? '', { min: 1, max: 999 });
    if (!q.ok)
      problems.push({ code: 'invalid', path: '/addQuantity', message: `Quantity of the added item: ${q.message}` });
    else {
      const existing = lines.find((l) => l.variantId === added);
      if (existing) existing.quantity += q.value;
      else lines.push({ variantId: added, quantity: q.value });
    }
  }
  return { input: { lines }, problems };
}

export const orderRoutes: FastifyPluginAsync = async (app) => {
  const csrf = { preHandler: app.csrfProtection };
  type Params = { storeId: string; orderId: string };
  const ref = (p: Params) => ({ by: 'store' as const, storeId: p.storeId, orderId: p.orderId });

  app.get('/orders', async (request, reply) => listPage(request, reply));

  app.get<{ Params: Params }>('/orders/:orderId', async (request, reply) => {
    const order = await getOrderForMerchant(app.db, app.config, currentStore(request).id, request.params.orderId);
    return detailPage(request, reply, order, null);
  });

  app.post<{ Params: Params }>('/orders/:orderId/transitions', csrf, async (request, reply) => {
    const store = currentStore(request);
    const body = formBody(request);
    const to = field(body, 'to', 20) ?? '';
    const note = field(body, 'note', 500)?.trim() || null;
    try {
      if (!isOrderStatus(to))
        throw validationFailed(
          'Choose what happens next',
          [{ code: 'invalid', path: '/to', message: 'not a status' }],
          422,
        );
      const order = await transitionOrder(app.db, app.config, ref(request.params), to, 'merchant', note);
      setFlash(
        request,
        reply,
        'ok',
        trOf(request)('dashboard.orders.moved', {
          number: order.number,
          status: trOf(request)(STATUS_LABELS[order.status]).toLowerCase(),
        }),
      );
      return seeOther(reply, storePath(store.id, `/orders/${order.id}`));
    } catch (err) {
      if (err instanceof AppError && err.code === 'not_found') throw err;
      const problem = formProblem(err);
      return detailPage(
        request,
        reply,
        await getOrderForMerchant(app.db, app.config, store.id, request.params.orderId),
        { section: 'status', problem },
      );
    }
  });

  app.post<{ Params: Params }>('/orders/:orderId/lines', csrf, async (request, reply) => {
    const store = currentStore(request);
    try {
      const { input, problems } = readLinesForm(formBody(request));
      assertBody(EditLinesBody, input, problems);
      const order = await editOrderLines(app.db, app.config, ref(request.params), 'merchant', input);
      setFlash(
        request,
        reply,
        'ok',
        trOf(request)('dashboard.orders.itemsSaved', { total: formatMoney(order.total, store.currency) }),
      );
      return seeOther(reply, storePath(store.id, `/orders/${order.id}`));
    } catch (err) {
      if (err instanceof AppError && err.code === 'not_found' && !err.errors?.length) throw err;
      const problem = formProblem(err);
      return detailPage(
        request,
        reply,
        await getOrderForMerchant(app.db, app.config, store.id, request.params.orderId),
        { section: 'lines', problem },
      );
    }
  });

  app.post<{ Params: Params }>('/orders/:orderId/payment', csrf, async (request, reply) => {
    const store = currentStore(request);
    const body = formBody(request);
    const status = field(body, 'status', 20);
    try {
      let input: PaymentInput;
      if (status === 'paid') input = { status };
      else if (status === 'refunded') {
        const typed = field(body, 'amount', 40)?.trim();
        const amount = typed ? parseMoney(typed, store.currency) : null;
        if (amount && !amount.ok)
          throw validationFailed(
            trOf(request)('dashboard.orders.refundAmountInvalid', { message: amount.message }),
            [{ code: 'invalid', path: '/amount', message: amount.message }],
            422,
          );
        const reference = optionalText(field(body, 'reference', 64));
        input = {
          status,
          ...(amount?.ok ? { amount: amount.value } : {}),
          ...(reference ? { reference } : {}),
        };
      } else throw validationFailed('Choose paid or refunded', undefined, 422);
      const order = await setPaymentStatus(app.db, app.config, store.id, request.params.orderId, input);
      setFlash(
        request,
        reply,
        'ok',
        status === 'paid'
          ? trOf(request)('dashboard.orders.marked', {
              number: order.number,
              status: trOf(request)(PAYMENT_LABELS.paid).toLowerCase(),
            })
          : trOf(request)('dashboard.orders.refundRecorded', {
              amount: formatMoney(order.payment.entries.at(-1)?.amount ?? 0, store.currency),
              number: order.number,
            }),
      );
    } catch (err) {
      if (err instanceof AppError && err.code === 'not_found') throw err;
      setFlash(request, reply, 'error', formProblem(err).summary);
    }
    return seeOther(reply, storePath(store.id, `/orders/${request.params.orderId}`));
  });

  app.get<{ Params: Params }>('/orders/:orderId/proof', async (request, reply) => {
    const proof = await readPaymentProof(app.db, app.config, ref(request.params));
    return reply
      .type(proof.contentType)
      .header('x-content-type-options', 'nosniff')
      .header('content-security-policy', "default-src 'none'; sandbox")
      .header('cache-control', 'private, no-store')
      .send(proof.bytes);
  });
};
