/** Markup of the customer's order page. */
import type { OrderView } from '../../orders/orders.service.js';
import type { StoreRow } from '../../stores/stores.service.js';
import { html, raw, safeUrl, type Html } from '../html.js';
import { layout, type Flash } from '../layout.js';
import { localeOf, money, translator, type Translate } from '../../i18n/index.js';
import { canEditLines, checkTransition } from '../../orders/status.js';
import { variantLabel } from '../../catalog/variant-label.js';
import { languageSwitch } from './views.js';
import { defangLinks, oneLine } from '../../notify/quote.js';

/** The catalog key of each status word (written out for the catalog test). */
const STATUS_WORDS: Record<string, string> = {
  placed: 'order.placed',
  accepted: 'order.accepted',
  shipped: 'order.shipped',
  delivered: 'order.delivered',
  rejected: 'order.rejected',
  cancelled: 'order.cancelled',
  edited: 'order.edited',
  // payment actions in the history
  paid: 'order.paymentRecorded',
  refunded: 'order.refundRecorded',
  proof_submitted: 'order.proofReceived',
};
const PICKUP_WORDS: Record<string, string> = { shipped: 'order.readyForPickup', delivered: 'order.pickedUp' };
const MAIN_FLOW = ['placed', 'accepted', 'shipped', 'delivered'] as const;

const PAYMENT_WORDS: Record<string, string> = {
  pending: 'order.notPaid',
  proof_submitted: 'order.proofReceived',
  paid: 'order.paid',
  refunded: 'order.refunded',
};

function statusWord(tr: Translate, status: string, fulfillment: string): string {
  const key = (fulfillment === 'pickup' ? PICKUP_WORDS[status] : undefined) ?? STATUS_WORDS[status];
  return key ? tr(key) : status;
}

function when(lang: string, iso: string, currency: string): string {
  const date = new Date(iso);
  // India's shops and customers share one clock; other currencies get UTC, labelled.
  const timeZone = currency === 'INR' ? 'Asia/Kolkata' : 'UTC';
  const text = new Intl.DateTimeFormat(localeOf(lang), {
    day: 'numeric',
    month: 'short',
    hour: 'numeric',
    minute: '2-digit',
    timeZone,
  }).format(date);
  return timeZone === 'UTC' ? `${text} UTC` : text;
}

function timeline(tr: Translate, lang: string, view: OrderView): Html {
  const done = view.history.map(
    (h) =>
      html`<li data-status="${h.status}">\
<strong>${statusWord(tr, h.status, view.fulfillment)}</strong>${
        h.amount
          ? html` · \
${money(lang, h.amount, view.currency)}`
          : ''
      } <span class="small muted">\
<time datetime="${h.at}">${when(lang, h.at, view.currency)}</time></span>${
        h.note
          ? html`<br>\
<span class="small">\
${h.status === 'proof_submitted' ? tr('order.referenceShown', { reference: h.note }) : h.note}</span>`
          : ''
      }</li>`,
  );
  const reached = new Set(view.history.map((h) => h.status));
  const terminal = view.status === 'cancelled' || view.status === 'rejected' || view.status === 'delivered';
  const todo = terminal
    ? []
    : MAIN_FLOW.filter(
        (s) => !reached.has(s) && MAIN_FLOW.indexOf(s) > MAIN_FLOW.indexOf(view.status as (typeof MAIN_FLOW)[number]),
      );
  return html`<ol class="timeline" data-testid="timeline">${done}${todo.map(
    (s) => html`<li class="todo">\
${statusWord(tr, s, view.fulfillment)}</li>`,
  )}</ol>`;
}

function orderBill(tr: Translate, lang: string, view: OrderView, editable: boolean, token: string): Html {
  const m = (n: number) => money(lang, n, view.currency);
  const rows = view.lines.map((l) => {
    const label = variantLabel(l.name, l.variantName);
    return html`<li class="line" data-testid="order-line" data-variant-id="${l.variantId}"><div>\
<div class="name">${l.name}</div>\
<div class="small muted">${label ? html`${label} · ` : ''}${l.quantity} × ${m(l.unitPrice)}</div></div>\
<div class="total">${m(l.lineTotal)}</div>${
      editable
        ? html`<div class="row"><label class="small" for="${`qty_${l.variantId}`}">${tr('order.quantity')}</label>\
<input type="number" id="${`qty_${l.variantId}`}" name="${`qty_\
${l.variantId}`}" value="${l.quantity}" min="0" max="999" inputmode="numeric" form="edit-lines"></div>`
        : ''
    }</li>`;
  });
  return html`<ul class="lines" data-testid="order-lines">${rows}</ul>
${
  editable
    ? html`<form method="post" action="/o/${token}/lines" id="edit-lines" class="row">\
<p class="small muted">${tr('order.editHint')}</p>\
<button class="btn secondary" data-testid="save-lines">${tr('order.saveChanges')}</button></form>`
    : ''
}
<table class="bill" data-testid="bill">
<tr><th scope="row">${tr('cart.subtotal')}</th><td data-testid="subtotal">${m(view.subtotal)}</td></tr>${
    view.discount > 0
      ? html`
<tr><th scope="row">${tr('cart.discount')}${view.couponCode ? html` (${view.couponCode})` : ''}</th>\
<td>−${m(view.discount)}</td></tr>`
      : ''
  }
<tr><th scope="row">${view.fulfillment === 'pickup' ? tr('cart.pickup') : tr('cart.delivery')}</th>\
<td>${view.fulfillment === 'pickup' || view.deliveryFee === 0 ? tr('cart.free') : m(view.deliveryFee)}</td></tr>
<tr class="grand"><th scope="row">${tr('cart.total')}</th><td data-testid="total">${m(view.total)}</td></tr>${
    view.amountPaid > 0 || view.amountRefunded > 0
      ? html`
<tr><th scope="row">${tr('order.paidAmount')}</th>
<td data-testid="amount-paid">${m(view.amountPaid + view.amountRefunded)}</td></tr>${
          view.amountRefunded > 0
            ? html`
<tr><th scope="row">${tr('order.refundedAmount')}</th>
<td data-testid="amount-refunded">−${m(view.amountRefunded)}</td></tr>`
            : ''
        }${
          view.amountWaived > 0
            ? html`
<tr><th scope="row">${tr('order.waivedAmount')}</th>
<td data-testid="amount-waived">${m(view.amountWaived)}</td></tr>`
            : ''
        }${
          view.refundDue > 0
            ? html`
<tr><th scope="row">${tr('order.refundDue')}</th><td data-testid="balance-due">${m(view.refundDue)}</td></tr>`
            : view.payment.amountToPay > 0
              ? html`
<tr><th scope="row">${tr('order.stillToPay')}</th>
<td data-testid="balance-due">${m(view.payment.amountToPay)}</td></tr>`
              : ''
        }`
      : ''
  }
</table>`;
}

export interface OrderMainOptions {
  /** The UPI QR as SVG text from src/payments (trusted: generated, contains no user text). */
  qrSvg: string | null;
  storeHome: string;
  lang: string;
  /** Right after placing: the thank-you panel. */
  justPlaced?: boolean;
}

export function orderMain(store: StoreRow, view: OrderView, opts: OrderMainOptions): Html {
  const lang = opts.lang;
  const tr = translator(lang);
  const token = encodeURIComponent(view.trackingToken);
  const m = (n: number) => money(lang, n, view.currency);
  const c = view.customer;
  const pay = showPayment(view);
  const editable = customerCanEdit(view);
  const proofIn = view.paymentStatus === 'proof_submitted';
  const toPay = view.payment.amountToPay;
  // Something is already paid or proven: ask only for the difference.
  const difference = toPay > 0 && (view.amountPaid > 0 || proofIn);
  return html`<h1>${tr('order.title', { number: view.number })}</h1>
${
  opts.justPlaced && view.status === 'placed'
    ? html`<section class="notice ok" role="status" data-testid="thank-you"><h2>${tr('order.thankYou')}</h2>\
<p>${tr('order.shopHasIt', { store: store.name })}</p>${
        c.whatsappUpdates !== false
          ? html`<p class="small">\
${tr('order.confirmed', { phone: c.phone })}</p>`
          : ''
      }</section>`
    : ''
}
<p><span class="badge" data-testid="order-status" data-status="${view.status}">\
${statusWord(tr, view.status, view.fulfillment)}</span> \
<span class="small muted">${tr('order.from', { store: store.name })}</span></p>
<div class="actions">\
<a class="btn" href="${safeUrl(view.whatsappUrl)}" rel="noopener" data-testid="whatsapp-link">\
${tr('order.sendToShop')}</a></div>
${timeline(tr, lang, view)}
${
  proofIn && toPay === 0
    ? html`<p class="notice ok" data-testid="proof-received">${tr('order.proofReceivedLong')}</p>`
    : pay && view.upiUrl
      ? html`<section class="panel" aria-labelledby="pay-h" data-testid="upi-pay">\
<h2 id="pay-h">\
${difference ? tr('order.payDifference', { amount: m(toPay) }) : tr('order.payByUpi', { amount: m(toPay) })}</h2>
<p><a class="btn block" href="${safeUrl(view.upiUrl)}" data-testid="upi-link">\
${tr('order.payWithApp', { amount: m(toPay) })}</a></p>
${
  opts.qrSvg
    ? html`<figure class="qr" data-testid="upi-qr">${raw(opts.qrSvg)}<figcaption class="small muted">\
${tr('order.orScan')}</figcaption></figure>`
    : ''
}
${
  store.upi_vpa
    ? html`<p class="small">${tr('order.upiId')} <strong>${store.upi_vpa}</strong> \
<button type="button" class="linkish" data-copy="${store.upi_vpa}" data-copied="${tr('order.copied')}" hidden>\
${tr('order.copy')}</button></p>`
    : ''
}
<form method="post" action="/o/${token}/payment-proof" enctype="multipart/form-data" data-testid="proof-form">
<label for="proof">${tr('order.payment_proof')}</label>
<input type="file" id="proof" name="file" accept="image/jpeg,image/png,image/webp" required>
<label for="reference">${tr('order.referenceLabel')}</label>
<input type="text" id="reference" name="reference" inputmode="numeric" autocomplete="off" maxlength="16"
 pattern="[ \\-]*(?:[0-9][ \\-]*){12}" data-testid="proof-reference">
<p><button class="btn secondary">${tr('order.sendScreenshot')}</button></p>
</form></section>`
      : html`<p class="spaced" data-testid="payment-status">\
<strong>${tr('order.payment')}</strong> ${view.paymentMethod === 'cod' ? tr('checkout.cod') : 'UPI'} — \
${PAYMENT_WORDS[view.paymentStatus] ? tr(PAYMENT_WORDS[view.paymentStatus]!) : view.paymentStatus}</p>`
}
${
  view.refundDue > 0
    ? html`<p class="notice info" data-testid="refund-due">\
${tr('order.refundDueLong', { amount: m(view.refundDue) })}</p>`
    : ''
}
<section aria-labelledby="bill-h"><h2 id="bill-h">${tr('order.yourBill')}</h2>
${orderBill(tr, lang, view, editable, token)}</section>
<section aria-labelledby="details-h">\
<h2 id="details-h">${view.fulfillment === 'pickup' ? tr('order.pickupDetails') : tr('order.deliveryDetails')}</h2>
${customerDetails(tr, view)}</section>
${
  customerCanCancel(view)
    ? html`<form method="get" action="/o/\
${token}/cancel" class="panel" data-testid="cancel-form" data-confirm="${tr('order.cancelConfirm')}">\
<p>${tr('order.cancelHint')}</p><button class="btn danger">${tr('order.cancelOrder')}</button></form>`
    : ''
}
<p><a href="${opts.storeHome}">${tr('order.backTo', { store: store.name })}</a></p>`;
}

/**
 * What the customer typed, shown as theirs: labelled, in quotes, on one line, links defanged (never clickable),
 * so nothing they typed can pass for the shop's or dukaan's own words.
 */
function customerDetails(tr: Translate, view: OrderView): Html {
  const c = view.customer;
  const typed = (text: string) => defangLinks(oneLine(text));
  const address = c.address
    ? [c.address.line1, c.address.line2, c.address.city, c.address.pincode].filter(Boolean).join(', ')
    : null;
  return html`<p><span class="small muted">${tr('order.nameAsTyped')}</span> \
<q data-testid="customer-name">${typed(c.name)}</q>
· ${c.phone}</p>${
    address
      ? html`<p><span class="small muted">${tr('order.addressAsTyped')}</span> <q>${typed(address)}</q></p>`
      : view.fulfillment === 'pickup'
        ? html`<p>${tr('order.youPickUp')}</p>`
        : ''
  }
${
  view.note
    ? html`<p data-testid="order-note"><strong>${tr('order.noteAsTyped')}</strong> <q>${typed(view.note)}</q>\
</p>`
    : ''
}`;
}

/** Without JavaScript, "Cancel order" leads here: one more press confirms. */
export function cancelConfirmMain(view: OrderView, lang: string): Html {
  const tr = translator(lang);
  const token = encodeURIComponent(view.trackingToken);
  return html`<h1>${tr('order.cancelTitle', { number: view.number })}</h1>
<p>${tr('order.cancelConfirm')}</p>
<form method="post" action="/o/${token}/cancel" data-testid="cancel-confirm"><p>\
<button class="btn danger">${tr('order.cancelYes')}</button></p></form>
<p><a class="btn secondary" href="/o/${token}">${tr('order.cancelNo')}</a></p>`;
}

export function orderPage(
  store: StoreRow,
  view: OrderView,
  main: Html,
  flash: Flash | null,
  storeHome: string,
  lang: string,
  here: string,
): Html {
  const tr = translator(lang);
  return layout({
    title: `${tr('order.title', { number: view.number })} — ${store.name}`,
    noindex: true,
    pageId: 'order',
    flash,
    lang,
    skipLabel: tr('storefront.skipToContent'),
    header: html`<a class="brand" href="${storeHome}">${store.name}</a>\
<nav aria-label="${tr('storefront.language')}">${languageSwitch(lang, here, tr('storefront.language'))}</nav>`,
    footer: html`<p>${tr('order.keepLink')}</p>`,
    main,
  });
}

/** Payment is asked for while something is due on a live UPI order. */
export function showPayment(view: OrderView): boolean {
  return (
    view.paymentMethod === 'upi' &&
    view.payment.amountToPay > 0 &&
    (view.paymentStatus === 'pending' || view.paymentStatus === 'proof_submitted') &&
    view.status !== 'cancelled' &&
    view.status !== 'rejected'
  );
}

export const customerCanCancel = (view: OrderView): boolean => checkTransition(view.status, 'cancelled', 'customer').ok;
export const customerCanEdit = (view: OrderView): boolean => canEditLines(view.status, 'customer');
