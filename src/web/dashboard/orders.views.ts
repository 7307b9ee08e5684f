/**
 * The orders pages as HTML: the list by status, and one order. The order is one element (`#order`) that the
 * page and the in-place answers of its forms (app.js, `x-fragment: order`) both render with `orderFragment`, so
 * an action handled with fetch shows exactly what a page load would.
 */
import type { OrderView } from '../../orders/orders.service.js';
import { ORDER_STATUSES, isOrderStatus, type OrderStatus } from '../../orders/status.js';
import type { PaymentStatus } from '../../orders/payment-status.js';
import { whatsappUrl } from '../../orders/links.js';
import { lineName } from '../../catalog/variant-label.js';
import { defangLinks, oneLine } from '../../notify/quote.js';
import { formatMoney } from '../../shared/money.js';
import type { StoreRow } from '../../stores/stores.service.js';
import { localeOf, type Lang, type Translate } from '../../i18n/index.js';
import { attrs, html, type Html } from '../html.js';
import { problemSummary, type FormProblem } from '../forms.js';
import type { Flash } from '../layout.js';
import { moneyInputValue } from './form-values.js';
import { needsConfirmation, orderActions } from './orders.actions.js';
import { storePath } from './context.js';

// Words of each status, action and payment state, in the page's language (the `dashboard` catalog).
export const STATUS_LABELS: Record<OrderStatus, string> = {
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

const CONFIRM_LABELS: Partial<Record<OrderStatus, { title: string; button: string }>> = {
  rejected: { title: 'dashboard.orders.confirmRejectTitle', button: 'dashboard.orders.confirmReject' },
  cancelled: { title: 'dashboard.orders.confirmCancelTitle', button: 'dashboard.orders.confirmCancel' },
};

const HISTORY_LABELS: Record<string, string> = {
  edited: 'dashboard.orders.itemsChanged',
  paid: 'dashboard.orders.historyPaid',
  refunded: 'dashboard.orders.historyRefunded',
  proof_submitted: 'dashboard.orders.historyProof',
};

function historyLabel(tr: Translate, status: string): string {
  if (isOrderStatus(status)) return tr(STATUS_LABELS[status]);
  const key = HISTORY_LABELS[status];
  return key ? tr(key) : status;
}

export const PAYMENT_LABELS: Record<PaymentStatus, string> = {
  pending: 'dashboard.orders.payment.pending',
  proof_submitted: 'dashboard.orders.payment.proof',
  paid: 'dashboard.orders.payment.paid',
  refunded: 'dashboard.orders.payment.refunded',
};

const timeFormats = new Map<Lang, Intl.DateTimeFormat>();
function orderTime(iso: string, lang: Lang): string {
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
}

/** `https://wa.me/<digits>`: opens a chat with the customer. */
function customerChatUrl(phone: string, text?: string): string {
  const digits = phone.replace(/\D/g, '');
  return text ? whatsappUrl(phone, text) : `https://wa.me/${digits}`;
}

/** Customer-typed text in the dashboard: one line, links defanged (never clickable), shown inside quotes. */
const customerText = (text: string) => defangLinks(oneLine(text));

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

// ------------------------------------------------------------------ the list

export interface OrderListModel {
  tr: Translate;
  lang: Lang;
  base: string;
  currency: string;
  page: { items: OrderView[]; nextCursor: string | null };
  unseen: number;
  status: OrderStatus | undefined;
  /** a later page of the list: it does not ask for itself again */
  cursor: string | undefined;
  /** seconds between the first page's own refreshes (app.js) */
  liveEvery: number;
}

function orderRow(m: OrderListModel, o: OrderView & { seenAt?: string | null }): Html {
  const { tr } = m;
  // An order that ended before the owner opened it (the customer cancelled) is not news.
  const isNew = !o.seenAt && o.status !== 'cancelled' && o.status !== 'rejected';
  const newBadge = html`<strong class="badge open" data-testid="unseen">${tr('dashboard.orders.new')}</strong> `;
  return html`<li class="line" data-testid="order-row" data-order-id="${o.id}"${isNew ? html` data-unseen="true"` : ''}>
<a class="name" href="${m.base}/${o.id}">#${o.number} · ${o.customer.name}</a>
<span class="total">${formatMoney(o.total, m.currency)}</span>
<p class="small span-all">${isNew ? newBadge : ''}${statusBadge(o.status, tr)}${sourceBadge(o.source, tr)}
 <span class="badge">${tr(PAYMENT_LABELS[o.paymentStatus])}</span>
 · ${tr('dashboard.orders.items', { count: o.lines.length })} · ${orderTime(o.createdAt, m.lang)}</p>
</li>`;
}

export function ordersListMain(m: OrderListModel): Html {
  const { tr, base, status } = m;
  const tabs: { label: string; href: string; current: boolean }[] = [
    { label: tr('dashboard.products.all'), href: base, current: !status },
    ...ORDER_STATUSES.map((s) => ({ label: tr(STATUS_LABELS[s]), href: `${base}?status=${s}`, current: status === s })),
  ];
  const tab = (t: (typeof tabs)[number]) =>
    html`<li><a${attrs({ href: t.href, 'aria-current': t.current ? 'page' : undefined })}>${t.label}</a></li>`;
  const empty = status
    ? tr('dashboard.orders.noneWith', { status: tr(STATUS_LABELS[status]) })
    : tr('dashboard.orders.none');
  const next = m.page.nextCursor
    ? `${base}?${String(new URLSearchParams({ ...(status ? { status } : {}), cursor: m.page.nextCursor }))}`
    : null;
  const older = tr('dashboard.orders.older');
  const live = attrs({
    'data-live': m.cursor ? undefined : m.liveEvery,
    'data-unseen': m.unseen,
    // Server-Sent Events (events.routes.ts): the list refreshes the moment an order comes; polling is the fallback.
    'data-events': m.cursor ? undefined : `${base}/events`,
  });
  return html`<h1>${tr('dashboard.nav.orders')}</h1>
<nav aria-label="${tr('dashboard.orders.statusNav')}"><ul class="cats wrap">${tabs.map(tab)}</ul></nav>
<div id="orders-live"${live}>
${
  m.page.items.length === 0
    ? html`<p data-testid="no-orders">${empty}</p>`
    : html`<ul class="lines" data-testid="order-list">${m.page.items.map((o) => orderRow(m, o))}</ul>`
}
${next ? html`<p class="pager"><a class="btn secondary" href="${next}" data-testid="more">${older}</a></p>` : ''}
</div>`;
}

// ------------------------------------------------------------------ one order

export interface AddableVariant {
  id: string;
  label: string;
}

/** Which panel a refused action belongs to, and why it was refused. */
export interface FailedAction {
  section: 'lines' | 'status' | 'payment';
  problem: FormProblem;
}

export interface OrderModel {
  order: OrderView;
  store: StoreRow;
  tr: Translate;
  lang: Lang;
  csrf: Html;
  /** what the "add an item" picker offers (only while the lines can change) */
  addable: AddableVariant[];
  failed: FailedAction | null;
  /**
   * What just happened, at the top of the order: the words of an in-place answer, or the flash of a page load (a
   * plain form lands on `#order`, below the page's usual flash place, so the order carries it).
   */
  notice: Flash | null;
  /** Reject or Cancel was asked for: "Are you sure?" stands in place of the next step. */
  confirm: { to: OrderStatus; note: string | null } | null;
}

const orderBase = (m: OrderModel) => storePath(m.store.id, `/orders/${m.order.id}`);

/** The next step first: the forward move as the primary button, then a note, then the moves that end the order. */
function nextStepPanel(m: OrderModel): Html {
  const { tr, order } = m;
  const actions = orderActions(order);
  if (!actions.next && actions.ending.length === 0) return html``;
  const button = (to: OrderStatus) =>
    html`<button${attrs({ class: needsConfirmation(to) ? 'btn danger' : 'btn', id: `to-${to}` })} type="submit"
 name="to" value="${to}" data-testid="to-${to}">${tr(ACTION_LABELS[to])}</button>`;
  return html`<section class="panel" aria-labelledby="status-title">
<h2 id="status-title">${tr('dashboard.orders.nextStep')}</h2>
${problemSummary(m.failed?.section === 'status' ? m.failed.problem : null)}
<form method="post" action="${orderBase(m)}/transitions" data-fragment="order" data-testid="transition-form">
${m.csrf}
${actions.next ? html`<p class="actions">${button(actions.next)}</p>` : ''}
<label for="note">${tr('dashboard.orders.noteLabel')}</label>
<textarea id="note" name="note" maxlength="500" rows="2" data-testid="note"></textarea>
${actions.ending.length ? html`<div class="actions">${actions.ending.map(button)}</div>` : ''}
</form>
</section>`;
}

/**
 * "Are you sure?" for Reject / Cancel order: the same form again with `confirm=1`. Its button takes the id of
 * the one pressed, so after an in-place answer the focus lands on it.
 */
function confirmPanel(m: OrderModel, to: OrderStatus, note: string | null): Html {
  const { tr, order } = m;
  const words = CONFIRM_LABELS[to];
  if (!words) return html``;
  return html`<section class="panel" aria-labelledby="confirm-title" data-testid="confirm-step">
<h2 id="confirm-title">${tr(words.title, { number: order.number })}</h2>
<p>${tr('dashboard.orders.confirmHint')}</p>
${note ? html`<p class="small">${tr('dashboard.orders.noteLabel')}: <q>${note}</q></p>` : ''}
<form method="post" action="${orderBase(m)}/transitions" data-fragment="order" class="actions">
${m.csrf}<input type="hidden" name="to" value="${to}"><input type="hidden" name="confirm" value="1">
${note ? html`<input type="hidden" name="note" value="${note}">` : ''}
<button class="btn danger" type="submit" id="to-${to}" data-testid="confirm-${to}">${tr(words.button)}</button>
<a class="btn secondary" href="${orderBase(m)}#order" data-testid="keep-order">${tr('dashboard.orders.keep')}</a>
</form>
</section>`;
}

function customerPanel(m: OrderModel): Html {
  const { tr, order } = m;
  const c = order.customer;
  const address = c.address
    ? [c.address.line1, c.address.line2, c.address.city, c.address.pincode].filter(Boolean).join(', ')
    : null;
  const updateText = tr('dashboard.orders.updateText', {
    name: c.name,
    number: order.number,
    store: m.store.name,
    url: order.trackingUrl,
  });
  return html`<section class="panel" aria-labelledby="customer-title" data-testid="customer">
<h2 id="customer-title">${tr('dashboard.orders.customer')}</h2>
<p><span class="small muted">${tr('dashboard.orders.nameAsTyped')}</span>
<q data-testid="customer-name">${customerText(c.name)}</q> · ${c.phone}</p>
<div class="actions">
<a class="btn" href="tel:${c.phone}" data-testid="call">${tr('dashboard.orders.call')}</a>
<a class="btn secondary" href="${customerChatUrl(c.phone)}" target="_blank" rel="noopener"
 data-testid="whatsapp">WhatsApp</a>
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
</section>`;
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

const billRow = (label: Html | string, testid: string | null, amount: string) =>
  html`<tr><th scope="row">${label}</th><td${attrs({ 'data-testid': testid ?? undefined })}>${amount}</td></tr>`;

/** Received, refunded, and what is still due either way. */
function moneyRows(tr: Translate, order: OrderView, money: (n: number) => string): Html[] {
  const rows: Html[] = [];
  if (order.amountPaid || order.amountRefunded)
    rows.push(billRow(tr('dashboard.orders.received'), 'amount-paid', money(order.amountPaid + order.amountRefunded)));
  if (order.amountRefunded)
    rows.push(billRow(tr('dashboard.orders.refunded'), 'amount-refunded', `−${money(order.amountRefunded)}`));
  // The customer's page's words, so the owner reads what the customer is told: this part is not to be paid back.
  if (order.amountWaived) rows.push(billRow(tr('order.waivedAmount'), 'amount-waived', money(order.amountWaived)));
  if (order.refundDue > 0) rows.push(billRow(tr('dashboard.orders.toGiveBack'), 'balance', money(order.refundDue)));
  else if (order.amountPaid && order.balanceDue > 0)
    rows.push(billRow(tr('dashboard.orders.stillToPay'), 'balance', money(order.balanceDue)));
  return rows;
}

function billPanel(m: OrderModel): Html {
  const { tr, order } = m;
  const money = (n: number) => formatMoney(n, m.store.currency);
  const line = (l: OrderView['lines'][number]) =>
    billRow(
      html`${l.quantity} × ${lineName(l)} <span class="small muted">@ ${money(l.unitPrice)}</span>`,
      null,
      money(l.lineTotal),
    );
  const discount = order.discount
    ? billRow(
        `${tr('dashboard.orders.discount')}${order.couponCode ? ` (${order.couponCode})` : ''}`,
        null,
        `−${money(order.discount)}`,
      )
    : '';
  const delivery = order.deliveryFee ? money(order.deliveryFee) : tr('dashboard.orders.free');
  return html`<section aria-labelledby="bill-title">
<h2 id="bill-title">${tr('dashboard.orders.bill')}</h2>
${billLinks(order, tr)}
<table class="bill" data-testid="bill">
${order.lines.map(line)}
${billRow(tr('dashboard.orders.subtotal'), 'subtotal', money(order.subtotal))}
${discount}
${billRow(tr('dashboard.settings.delivery'), null, delivery)}
<tr class="grand"><th scope="row">${tr('dashboard.orders.total')}</th>
<td data-testid="total">${money(order.total)}</td></tr>
${moneyRows(tr, order, money)}
</table>
</section>`;
}

/** The payment panel: a proof flagged when the total rose, its reference, the money entries, the actions. */
function paymentPanel(m: OrderModel): Html {
  const { tr, order, csrf } = m;
  const base = orderBase(m);
  const currency = m.store.currency;
  const money = (n: number) => formatMoney(n, currency);
  const p = order.payment;
  const actions = orderActions(order);
  const hasProof =
    order.paymentStatus === 'proof_submitted' || (order.paymentMethod === 'upi' && order.paymentStatus !== 'pending');
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
<span class="muted">${orderTime(e.at, m.lang)}</span>${e.reference ? html` · ${e.reference}` : ''}</li>`;
  const reference = p.reference
    ? html`<p data-testid="proof-reference">${tr('dashboard.orders.proofReference')}
 <strong>${p.reference}</strong></p>`
    : '';
  return html`<section class="panel" aria-labelledby="payment-title" data-testid="payment">
<h2 id="payment-title">${tr('dashboard.settings.payments')}</h2>
<p><span class="badge" data-testid="payment-status">${tr(PAYMENT_LABELS[order.paymentStatus])}</span></p>
${problemSummary(m.failed?.section === 'payment' ? m.failed.problem : null)}
${outdated}
${reference}
${
  hasProof
    ? html`<p><a href="${base}/proof" data-testid="proof-link">${tr('dashboard.orders.openProof')}</a></p>
<p><img src="${base}/proof" alt="${tr('dashboard.orders.proofAlt')}" loading="lazy" class="qr"></p>`
    : ''
}
${p.entries.length ? html`<ul class="small" data-testid="payment-entries">${p.entries.map(entry)}</ul>` : ''}
${
  actions.markPaid
    ? html`<form method="post" action="${base}/payment" class="actions" data-fragment="order">${csrf}
<button class="btn" type="submit" name="status" value="paid" id="mark-paid" data-testid="mark-paid">
${tr('dashboard.orders.markPaid', { amount: money(order.balanceDue) })}</button></form>`
    : ''
}
${
  actions.refund
    ? html`<form method="post" action="${base}/payment" data-testid="refund-form" data-fragment="order">${csrf}
<input type="hidden" name="status" value="refunded">
<div class="row"><div><label for="refund-amount">${tr('dashboard.orders.refundAmount', { currency })}</label>
<input id="refund-amount" name="amount" inputmode="decimal" maxlength="14" data-testid="refund-amount"
 value="${moneyInputValue(refundDefault, currency)}"></div>
<div><label for="refund-reference">${tr('dashboard.orders.refundReference')}</label>
<input id="refund-reference" name="reference" maxlength="64" data-testid="refund-reference"></div></div>
<p><button class="btn danger" type="submit" id="record-refund"
 data-testid="record-refund">${tr('dashboard.orders.recordRefund')}</button></p>
</form>`
    : ''
}
</section>`;
}

function linesPanel(m: OrderModel): Html {
  const { tr, order } = m;
  if (!orderActions(order).editLines) return html``;
  const failed = m.failed?.section === 'lines' ? m.failed.problem : null;
  const lineErrors = failed?.items.length
    ? html`<ul class="field-error" data-testid="line-errors">${failed.items.map(
        (i) => html`<li>${order.lines.find((l) => l.variantId === i.variantId)?.name ?? ''} ${i.message}</li>`,
      )}</ul>`
    : '';
  const row = (l: OrderView['lines'][number], i: number) =>
    html`<div class="row"><div><label for="q-${i}">${lineName(l)}</label>
<input type="hidden" name="variant" value="${l.variantId}"><input id="q-${i}" name="quantity" inputmode="numeric"
 value="${String(l.quantity)}" maxlength="3" data-testid="line-qty"></div></div>`;
  const picker = m.addable.length
    ? html`<div class="row"><div><label for="add-variant">${tr('dashboard.orders.addItem')}</label>
<select id="add-variant" name="addVariant"><option value="">—</option>${m.addable.map(
        (a) => html`<option value="${a.id}">${a.label}</option>`,
      )}</select></div>
<div><label for="add-qty">${tr('dashboard.orders.quantity')}</label>
<input id="add-qty" name="addQuantity" inputmode="numeric" value="1" maxlength="3"></div></div>`
    : '';
  return html`<section class="panel" aria-labelledby="lines-title">
<h2 id="lines-title">${tr('dashboard.orders.changeItems')}</h2>
<p class="small">${tr('dashboard.orders.changeItemsHint')}</p>
${problemSummary(failed)}
${lineErrors}
<form method="post" action="${orderBase(m)}/lines" novalidate data-testid="lines-form" data-fragment="order">
${m.csrf}
${order.lines.map(row)}
${picker}
<p><button class="btn secondary" type="submit" id="save-lines"
 data-testid="save-lines">${tr('dashboard.orders.saveItems')}</button></p>
</form>
</section>`;
}

function historyPanel(m: OrderModel): Html {
  const { tr, order } = m;
  const money = (n: number) => formatMoney(n, m.store.currency);
  const entry = (h: OrderView['history'][number]) =>
    html`<li><strong>${historyLabel(tr, h.status)}</strong>${h.amount ? html` · ${money(h.amount)}` : ''}
 <span class="small muted">${orderTime(h.at, m.lang)}</span>${
   h.note ? html`<br><span class="small">${h.note}</span>` : ''
 }</li>`;
  return html`<section aria-labelledby="history-title">
<h2 id="history-title">${tr('dashboard.orders.history')}</h2>
<ol class="timeline" data-testid="history">${order.history.map(entry)}</ol>
<p class="small">${tr('dashboard.orders.trackingPage')} <a href="${order.trackingUrl}">${order.trackingUrl}</a></p>
</section>`;
}

/** One order, the element both the page and the in-place answers render. */
export function orderFragment(m: OrderModel): Html {
  const { tr, order } = m;
  const how = [
    order.fulfillment === 'pickup' ? tr('dashboard.orders.pickup') : tr('dashboard.settings.delivery'),
    order.paymentMethod === 'cod' ? tr('dashboard.settings.cod') : 'UPI',
  ].join(' · ');
  const title = tr('dashboard.orders.title', { number: order.number });
  const placed = tr('dashboard.orders.placedAt', { time: orderTime(order.createdAt, m.lang) });
  // The words of an in-place answer, focused by app.js when the pressed button is gone (e.g. after Accept).
  const role = m.notice?.kind === 'error' ? 'alert' : 'status';
  const notice = m.notice
    ? html`<p class="flash ${m.notice.kind}" role="${role}" tabindex="-1" data-status
 data-testid="flash">${m.notice.text}</p>`
    : '';
  return html`<div id="order" data-testid="order" data-order-status="${order.status}">
<h1>${title} ${statusBadge(order.status, tr)}${sourceBadge(order.source, tr)}</h1>
<p class="small muted">${placed}${order.source === 'whatsapp' ? tr('dashboard.orders.inChat') : ''} · ${how}</p>
${notice}
${m.confirm ? confirmPanel(m, m.confirm.to, m.confirm.note) : nextStepPanel(m)}
${customerPanel(m)}
${billPanel(m)}
${paymentPanel(m)}
${linesPanel(m)}
${historyPanel(m)}
</div>`;
}

/** The order page's main: a way back to the list, then the order. */
export function orderMain(m: OrderModel): Html {
  return html`<p class="small"><a href="${storePath(m.store.id, '/orders')}">← ${m.tr('dashboard.nav.orders')}</a></p>
${orderFragment(m)}`;
}
