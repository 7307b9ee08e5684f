/** Markup of the customer's order page. */
import type { OrderView } from '../../orders/orders.service.js';
import type { StoreRow } from '../../stores/stores.service.js';
import { html, raw, safeUrl, type Html } from '../html.js';
import { layout, type Flash } from '../layout.js';
import { formatMoney } from '../../shared/money.js';
import { canEditLines, checkTransition } from '../../orders/status.js';
import { variantLabel } from './views.js';

const STATUS_WORDS: Record<string, string> = {
  placed: 'Order placed',
  accepted: 'Accepted by the shop',
  shipped: 'On the way',
  delivered: 'Delivered',
  rejected: 'Rejected by the shop',
  cancelled: 'Cancelled',
  edited: 'Items changed',
};
const PICKUP_WORDS: Record<string, string> = { shipped: 'Ready for pickup', delivered: 'Picked up' };
const MAIN_FLOW = ['placed', 'accepted', 'shipped', 'delivered'] as const;

const PAYMENT_WORDS: Record<string, string> = {
  pending: 'Not paid yet',
  proof_submitted: 'Payment screenshot sent — the shop will check it',
  paid: 'Paid',
  refunded: 'Refunded',
};

function statusWord(status: string, fulfillment: string): string {
  return (fulfillment === 'pickup' ? PICKUP_WORDS[status] : undefined) ?? STATUS_WORDS[status] ?? status;
}

function when(iso: string, currency: string): string {
  const date = new Date(iso);
  // India's shops and customers share one clock; other currencies get UTC, labelled.
  const timeZone = currency === 'INR' ? 'Asia/Kolkata' : 'UTC';
  const text = new Intl.DateTimeFormat('en-IN', {
    day: 'numeric',
    month: 'short',
    hour: 'numeric',
    minute: '2-digit',
    timeZone,
  }).format(date);
  return timeZone === 'UTC' ? `${text} UTC` : text;
}

function timeline(view: OrderView): Html {
  const done = view.history.map(
    (h) =>
      html`<li data-status="${h.status}"><strong>${statusWord(h.status, view.fulfillment)}</strong> <span class="small muted"><time datetime="${h.at}">${when(h.at, view.currency)}</time></span>${h.note ? html`<br><span class="small">${h.note}</span>` : ''}</li>`,
  );
  const reached = new Set(view.history.map((h) => h.status));
  const terminal = view.status === 'cancelled' || view.status === 'rejected' || view.status === 'delivered';
  const todo = terminal
    ? []
    : MAIN_FLOW.filter(
        (s) => !reached.has(s) && MAIN_FLOW.indexOf(s) > MAIN_FLOW.indexOf(view.status as (typeof MAIN_FLOW)[number]),
      );
  return html`<ol class="timeline" data-testid="timeline">${done}${todo.map((s) => html`<li class="todo">${statusWord(s, view.fulfillment)}</li>`)}</ol>`;
}

function orderBill(view: OrderView, editable: boolean, token: string): Html {
  const m = (n: number) => formatMoney(n, view.currency);
  const rows = view.lines.map((l) => {
    const label = variantLabel(l.name, l.variantName);
    return html`<li class="line" data-testid="order-line" data-variant-id="${l.variantId}"><div><div class="name">${l.name}</div><div class="small muted">${label ? html`${label} · ` : ''}${l.quantity} × ${m(l.unitPrice)}</div></div><div class="total">${m(l.lineTotal)}</div>${
      editable
        ? html`<div class="row"><label class="small" for="${`qty_${l.variantId}`}">Quantity</label><input type="number" id="${`qty_${l.variantId}`}" name="${`qty_${l.variantId}`}" value="${l.quantity}" min="0" max="999" inputmode="numeric" form="edit-lines"></div>`
        : ''
    }</li>`;
  });
  return html`<ul class="lines" data-testid="order-lines">${rows}</ul>
${editable ? html`<form method="post" action="/o/${token}/lines" id="edit-lines" class="row"><p class="small muted">Change a quantity (0 removes the item), then save.</p><button class="btn secondary" data-testid="save-lines">Save changes</button></form>` : ''}
<table class="bill" data-testid="bill">
<tr><th scope="row">Subtotal</th><td data-testid="subtotal">${m(view.subtotal)}</td></tr>${
    view.discount > 0
      ? html`
<tr><th scope="row">Discount${view.couponCode ? html` (${view.couponCode})` : ''}</th><td>−${m(view.discount)}</td></tr>`
      : ''
  }
<tr><th scope="row">${view.fulfillment === 'pickup' ? 'Pickup' : 'Delivery'}</th><td>${view.fulfillment === 'pickup' || view.deliveryFee === 0 ? 'Free' : m(view.deliveryFee)}</td></tr>
<tr class="grand"><th scope="row">Total</th><td data-testid="total">${m(view.total)}</td></tr>${
    view.amountPaid > 0
      ? html`
<tr><th scope="row">Paid</th><td>${m(view.amountPaid)}</td></tr>${
          view.balanceDue !== 0
            ? html`
<tr><th scope="row">${view.balanceDue < 0 ? 'To be refunded' : 'Still to pay'}</th><td data-testid="balance-due">${m(Math.abs(view.balanceDue))}</td></tr>`
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
}

export function orderMain(store: StoreRow, view: OrderView, opts: OrderMainOptions): Html {
  const token = encodeURIComponent(view.trackingToken);
  const m = (n: number) => formatMoney(n, view.currency);
  const c = view.customer;
  const pay = showPayment(view);
  const editable = customerCanEdit(view);
  return html`<h1>Order #${view.number}</h1>
<p><span class="badge" data-testid="order-status" data-status="${view.status}">${statusWord(view.status, view.fulfillment)}</span> <span class="small muted">from ${store.name}</span></p>
<div class="actions"><a class="btn" href="${safeUrl(view.whatsappUrl)}" rel="noopener" data-testid="whatsapp-link">Send to shop on WhatsApp</a></div>
${timeline(view)}
${
  pay && view.upiUrl
    ? html`<section class="panel" aria-labelledby="pay-h" data-testid="upi-pay"><h2 id="pay-h">Pay ${m(view.balanceDue)} by UPI</h2>
<p><a class="btn block" href="${safeUrl(view.upiUrl)}" data-testid="upi-link">Pay ${m(view.balanceDue)} with a UPI app</a></p>
${opts.qrSvg ? html`<figure class="qr" data-testid="upi-qr">${raw(opts.qrSvg)}<figcaption class="small muted">Or scan with any UPI app</figcaption></figure>` : ''}
${store.upi_vpa ? html`<p class="small">UPI ID: <strong>${store.upi_vpa}</strong> <button type="button" class="linkish" data-copy="${store.upi_vpa}" hidden>Copy</button></p>` : ''}
<form method="post" action="/o/${token}/payment-proof" enctype="multipart/form-data" data-testid="proof-form">
<label for="proof">Paid? Send a screenshot of the payment</label>
<input type="file" id="proof" name="file" accept="image/jpeg,image/png,image/webp" required>
<p><button class="btn secondary">Send screenshot</button></p>
</form></section>`
    : html`<p class="spaced" data-testid="payment-status"><strong>Payment:</strong> ${view.paymentMethod === 'cod' ? 'Cash on delivery' : 'UPI'} — ${PAYMENT_WORDS[view.paymentStatus] ?? view.paymentStatus}</p>`
}
<section aria-labelledby="bill-h"><h2 id="bill-h">Your bill</h2>
${orderBill(view, editable, token)}</section>
<section aria-labelledby="details-h"><h2 id="details-h">${view.fulfillment === 'pickup' ? 'Pickup' : 'Delivery'} details</h2>
<p>${c.name} · ${c.phone}</p>${c.address ? html`<p>${c.address.line1}${c.address.line2 ? html`, ${c.address.line2}` : ''}, ${c.address.city} ${c.address.pincode}</p>` : view.fulfillment === 'pickup' ? html`<p>You will pick it up from the shop.</p>` : ''}
${view.note ? html`<p><strong>Note:</strong> ${view.note}</p>` : ''}</section>
${customerCanCancel(view) ? html`<form method="post" action="/o/${token}/cancel" class="panel" data-testid="cancel-form"><p>Changed your mind? You can cancel until the shop accepts the order.</p><button class="btn danger">Cancel order</button></form>` : ''}
<p><a href="${opts.storeHome}">Back to ${store.name}</a></p>`;
}

export function orderPage(store: StoreRow, view: OrderView, main: Html, flash: Flash | null, storeHome: string): Html {
  return layout({
    title: `Order #${view.number} — ${store.name}`,
    noindex: true,
    pageId: 'order',
    flash,
    header: html`<a class="brand" href="${storeHome}">${store.name}</a>`,
    footer: html`<p>Keep this link to follow your order.</p>`,
    main,
  });
}

/** Payment is asked for while something is due on a live UPI order. */
export function showPayment(view: OrderView): boolean {
  return (
    view.paymentMethod === 'upi' &&
    view.balanceDue > 0 &&
    (view.paymentStatus === 'pending' || view.paymentStatus === 'proof_submitted') &&
    view.status !== 'cancelled' &&
    view.status !== 'rejected'
  );
}

export const customerCanCancel = (view: OrderView): boolean => checkTransition(view.status, 'cancelled', 'customer').ok;
export const customerCanEdit = (view: OrderView): boolean => canEditLines(view.status, 'customer');
