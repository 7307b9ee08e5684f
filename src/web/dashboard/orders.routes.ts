/**
 * Orders: the list by status (newest first, unseen ones marked), and one order with its bill, the customer
 * (tap to call or WhatsApp), status changes with a note, line edits, the payment proof and "mark paid".
 * Every action is the orders service's, with the merchant as actor.
 */
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import {
  editOrderLines,
  getOrderForMerchant,
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
import { currentStore, storePath } from './context.js';
import { moneyInputValue, optionalText, parseInteger, parseMoney } from './form-values.js';
import { defangLinks, oneLine } from '../../notify/quote.js';
import { sendDashboardPage } from './shell.js';
import { assertBody } from './validate.js';
import { lineName } from '../../catalog/variant-label.js';

const PAGE_SIZE = 25;

export const STATUS_LABELS: Record<OrderStatus, string> = {
  placed: 'Placed',
  accepted: 'Accepted',
  shipped: 'Shipped',
  delivered: 'Delivered',
  rejected: 'Rejected',
  cancelled: 'Cancelled',
};

const ACTION_LABELS: Record<OrderStatus, string> = {
  placed: 'Placed',
  accepted: 'Accept',
  shipped: 'Mark shipped',
  delivered: 'Mark delivered',
  rejected: 'Reject',
  cancelled: 'Cancel order',
};

const PAYMENT_ACTION_LABELS: Record<string, string> = {
  edited: 'Items changed',
  paid: 'Payment received',
  refunded: 'Refund recorded',
  proof_submitted: 'Payment screenshot received',
};

function historyLabel(status: string): string {
  return isOrderStatus(status) ? STATUS_LABELS[status] : (PAYMENT_ACTION_LABELS[status] ?? status);
}

export const PAYMENT_LABELS: Record<PaymentStatus, string> = {
  pending: 'Not paid yet',
  proof_submitted: 'Payment proof sent',
  paid: 'Paid',
  refunded: 'Refunded',
};

const timeFormat = new Intl.DateTimeFormat('en-IN', {
  timeZone: 'Asia/Kolkata',
  day: 'numeric',
  month: 'short',
  hour: 'numeric',
  minute: '2-digit',
});
export const orderTime = (iso: string): string => timeFormat.format(new Date(iso));

/** `https://wa.me/<digits>`: opens a chat with the customer. */
export function customerChatUrl(phone: string, text?: string): string {
  const digits = phone.replace(/\D/g, '');
  return text ? whatsappUrl(phone, text) : `https://wa.me/${digits}`;
}

function statusBadge(status: OrderStatus): Html {
  const tone = status === 'placed' ? ' open' : status === 'rejected' || status === 'cancelled' ? ' closed' : '';
  return html`<span class="badge${tone}" data-testid="order-status">${STATUS_LABELS[status]}</span>`;
}

async function listPage(request: FastifyRequest, reply: FastifyReply) {
  const store = currentStore(request);
  const query = request.query as { status?: unknown; cursor?: unknown };
  const status = typeof query.status === 'string' && isOrderStatus(query.status) ? query.status : undefined;
  const cursor = typeof query.cursor === 'string' ? query.cursor.slice(0, 500) : undefined;
  const page = await listOrders(request.server.db, request.server.config, store.id, {
    status,
    limit: PAGE_SIZE,
    cursor,
  });
  const base = storePath(store.id, '/orders');
  const money = (n: number) => formatMoney(n, store.currency);
  const tabs: { label: string; href: string; current: boolean }[] = [
    { label: 'All', href: base, current: !status },
    ...ORDER_STATUSES.map((s) => ({ label: STATUS_LABELS[s], href: `${base}?status=${s}`, current: status === s })),
  ];
  return sendDashboardPage(request, reply, {
    title: 'Orders',
    pageId: 'orders',
    store,
    section: 'orders',
    main: html`<h1>Orders</h1>
<nav aria-label="Order status"><ul class="cats wrap">${tabs.map((t) => html`<li><a${attrs({ href: t.href, 'aria-current': t.current ? 'page' : undefined })}>${t.label}</a></li>`)}</ul></nav>
${
  page.items.length === 0
    ? html`<p data-testid="no-orders">${status ? `No ${STATUS_LABELS[status].toLowerCase()} orders.` : 'No orders yet. Share your shop link to get the first one.'}</p>`
    : html`<ul class="lines" data-testid="order-list">${page.items.map(
        (
          o,
        ) => html`<li class="line" data-testid="order-row" data-order-id="${o.id}"${o.seenAt ? '' : html` data-unseen="true"`}>
<a class="name" href="${base}/${o.id}">#${o.number} · ${o.customer.name}</a>
<span class="total">${money(o.total)}</span>
<p class="small span-all">${o.seenAt ? '' : html`<strong class="badge open" data-testid="unseen">New</strong> `}${statusBadge(o.status)} <span class="badge">${PAYMENT_LABELS[o.paymentStatus]}</span> · ${o.lines.length} item${o.lines.length === 1 ? '' : 's'} · ${orderTime(o.createdAt)}</p>
</li>`,
      )}</ul>`
}
${page.nextCursor ? html`<p class="pager"><a class="btn secondary" href="${base}?${String(new URLSearchParams({ ...(status ? { status } : {}), cursor: page.nextCursor }))}" data-testid="more">Older orders</a></p>` : ''}`,
  });
}

interface AddableVariant {
  id: string;
  label: string;
}

async function addableVariants(request: FastifyRequest, store: StoreRow): Promise<AddableVariant[]> {
  const products = await listProducts(request.server.db, store.id, { limit: 100 });
  return products.items
    .filter((p) => p.isActive)
    .flatMap((p) =>
      p.variants.map((v) => ({
        id: v.id,
        label: `${lineName({ name: p.name, variantName: v.name })} · ${formatMoney(v.price, store.currency)}${v.stock === 0 ? ' · out of stock' : ''}`,
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
  const updateText = `Hello ${c.name}, about your order #${order.number} at ${store.name}: ${order.trackingUrl}`;
  return sendDashboardPage(request, reply, {
    title: `Order #${order.number}`,
    pageId: 'order',
    store,
    section: 'orders',
    status: failed?.problem.status,
    main: html`<p class="small"><a href="${storePath(store.id, '/orders')}">← Orders</a></p>
<h1>Order #${order.number} ${statusBadge(order.status)}</h1>
<p class="small muted">Placed ${orderTime(order.createdAt)} · ${order.fulfillment === 'pickup' ? 'Pickup' : 'Delivery'} · ${order.paymentMethod === 'cod' ? 'Cash on delivery' : 'UPI'}</p>

<section class="panel" aria-labelledby="customer-title" data-testid="customer">
<h2 id="customer-title">Customer</h2>
<p><span class="small muted">Name as typed:</span>
<q data-testid="customer-name">${customerText(c.name)}</q> · ${c.phone}</p>
<div class="actions">
<a class="btn" href="tel:${c.phone}" data-testid="call">Call</a>
<a class="btn secondary" href="${customerChatUrl(c.phone)}" target="_blank" rel="noopener" data-testid="whatsapp">WhatsApp</a>
<a class="btn secondary" href="${customerChatUrl(c.phone, updateText)}" target="_blank" rel="noopener">Send the tracking link</a>
</div>
${
  address
    ? html`<p data-testid="address"><span class="small muted">Address as typed:</span>
<q>${customerText(address)}</q></p>`
    : ''
}
${
  order.note
    ? html`<p class="notice info" data-testid="order-note">
<span class="small">The customer’s note (their words, not dukaan’s):</span> <q>${customerText(order.note)}</q></p>`
    : ''
}
</section>

<section aria-labelledby="bill-title">
<h2 id="bill-title">Bill</h2>
<table class="bill" data-testid="bill">
${order.lines.map((l) => html`<tr><th scope="row">${l.quantity} × ${lineName(l)} <span class="small muted">@ ${money(l.unitPrice)}</span></th><td>${money(l.lineTotal)}</td></tr>`)}
<tr><th scope="row">Subtotal</th><td data-testid="subtotal">${money(order.subtotal)}</td></tr>
${order.discount ? html`<tr><th scope="row">Discount${order.couponCode ? ` (${order.couponCode})` : ''}</th><td>−${money(order.discount)}</td></tr>` : ''}
<tr><th scope="row">Delivery</th><td>${order.deliveryFee ? money(order.deliveryFee) : 'Free'}</td></tr>
<tr class="grand"><th scope="row">Total</th><td data-testid="total">${money(order.total)}</td></tr>
${moneyRows(order, money)}
</table>
</section>

${
  moves.length
    ? html`<section class="panel" aria-labelledby="status-title">
<h2 id="status-title">Next step</h2>
${problemSummary(failed?.section === 'status' ? failed.problem : null)}
<form method="post" action="${base}/transitions" data-testid="transition-form">
${csrfField(reply)}
<label for="note">Note for the customer (optional)</label>
<textarea id="note" name="note" maxlength="500" rows="2"></textarea>
<div class="actions">${moves.map((to) => html`<button class="btn${to === 'rejected' || to === 'cancelled' ? ' danger' : ''}" type="submit" name="to" value="${to}" data-testid="to-${to}">${ACTION_LABELS[to]}</button>`)}</div>
</form>
</section>`
    : ''
}

<section class="panel" aria-labelledby="payment-title" data-testid="payment">
<h2 id="payment-title">Payment</h2>
<p><span class="badge" data-testid="payment-status">${PAYMENT_LABELS[order.paymentStatus]}</span></p>
${paymentPanel(order, base, money, csrfField(reply), store.currency)}
</section>

${
  editable
    ? html`<section class="panel" aria-labelledby="lines-title">
<h2 id="lines-title">Change items</h2>
<p class="small">Out of something? Change the quantity (0 removes it) and save: the bill is renewed and the customer is told.</p>
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
    ? html`<div class="row"><div><label for="add-variant">Add an item</label><select id="add-variant" name="addVariant"><option value="">—</option>${addable.map((a) => html`<option value="${a.id}">${a.label}</option>`)}</select></div>
<div><label for="add-qty">Quantity</label><input id="add-qty" name="addQuantity" inputmode="numeric" value="1" maxlength="3"></div></div>`
    : ''
}
<p><button class="btn secondary" type="submit" data-testid="save-lines">Save items</button></p>
</form>
</section>`
    : ''
}

<section aria-labelledby="history-title">
<h2 id="history-title">History</h2>
<ol class="timeline" data-testid="history">${order.history.map(
      (h) =>
        html`<li><strong>${historyLabel(h.status)}</strong>${
          h.amount ? html` · ${money(h.amount)}` : ''
        } <span class="small muted">${orderTime(h.at)}</span>${h.note ? html`<br><span class="small">${h.note}</span>` : ''}</li>`,
    )}</ol>
<p class="small">Customer's tracking page: <a href="${order.trackingUrl}">${order.trackingUrl}</a></p>
</section>`,
  });
}

/** Customer-typed text in the dashboard: one line, links defanged (never clickable), shown inside quotes. */
const customerText = (text: string) => defangLinks(oneLine(text));

const billRow = (label: string, testid: string, amount: string) =>
  html`<tr><th scope="row">${label}</th><td data-testid="${testid}">${amount}</td></tr>`;

/** Received, refunded, and what is still due either way. */
function moneyRows(order: OrderView, money: (n: number) => string): Html {
  const rows: Html[] = [];
  if (order.amountPaid || order.amountRefunded)
    rows.push(billRow('Received', 'amount-paid', money(order.amountPaid + order.amountRefunded)));
  if (order.amountRefunded) rows.push(billRow('Refunded', 'amount-refunded', `−${money(order.amountRefunded)}`));
  if (order.refundDue > 0) rows.push(billRow('To give back', 'balance', money(order.refundDue)));
  else if (order.amountPaid && order.balanceDue > 0)
    rows.push(billRow('Still to pay', 'balance', money(order.balanceDue)));
  return html`${rows}`;
}

/** The payment panel's body: a proof flagged when the total rose, its reference, the money entries, the actions. */
function paymentPanel(order: OrderView, base: string, money: (n: number) => string, csrf: Html, currency: string) {
  const p = order.payment;
  const hasProof =
    order.paymentStatus === 'proof_submitted' || (order.paymentMethod === 'upi' && order.paymentStatus !== 'pending');
  const canPay =
    checkPaymentTransition(order.paymentStatus, 'paid', 'merchant', order.status).ok && order.balanceDue > 0;
  const refundDefault = order.refundDue > 0 ? order.refundDue : order.amountPaid;
  const outdated =
    p.proofOutdated && p.proofTotal !== undefined
      ? html`<p class="notice error" data-testid="proof-outdated">This screenshot was sent for
${money(p.proofTotal)}; the total is now ${money(order.total)}. Ask for the difference
(${money(order.total - p.proofTotal)}) before marking it paid.</p>`
      : '';
  const entry = (e: OrderView['payment']['entries'][number]) =>
    html`<li>${e.kind === 'payment' ? 'Received' : 'Refunded'} ${money(e.amount)}
<span class="muted">${orderTime(e.at)}</span>${e.reference ? html` · ref ${e.reference}` : ''}</li>`;
  return html`${outdated}
${p.reference ? html`<p data-testid="proof-reference">UPI reference sent with the screenshot: <strong>${p.reference}</strong></p>` : ''}
${
  hasProof
    ? html`<p><a href="${base}/proof" data-testid="proof-link">Open the payment screenshot</a></p>
<p><img src="${base}/proof" alt="Payment screenshot sent by the customer" loading="lazy" class="qr"></p>`
    : ''
}
${p.entries.length ? html`<ul class="small" data-testid="payment-entries">${p.entries.map(entry)}</ul>` : ''}
${
  canPay
    ? html`<form method="post" action="${base}/payment" class="actions">${csrf}
<button class="btn" type="submit" name="status" value="paid" data-testid="mark-paid">
Mark paid (${money(order.balanceDue)})</button></form>`
    : ''
}
${
  order.amountPaid > 0
    ? html`<form method="post" action="${base}/payment" data-testid="refund-form">${csrf}
<input type="hidden" name="status" value="refunded">
<div class="row"><div><label for="refund-amount">Refund amount (${currency})</label>
<input id="refund-amount" name="amount" inputmode="decimal" maxlength="14" data-testid="refund-amount"
 value="${moneyInputValue(refundDefault, currency)}"></div>
<div><label for="refund-reference">Reference (optional)</label>
<input id="refund-reference" name="reference" maxlength="64" data-testid="refund-reference"></div></div>
<p><button class="btn danger" type="submit" data-testid="record-refund">Record refund</button></p>
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
        `Order #${order.number}: ${STATUS_LABELS[order.status].toLowerCase()}. The customer is told.`,
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
        `Items saved. New total ${formatMoney(order.total, store.currency)}; the customer is told.`,
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
            `Refund amount: ${amount.message}`,
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
          ? `Order #${order.number} marked paid.`
          : `Refund of ${formatMoney(order.payment.entries.at(-1)?.amount ?? 0, store.currency)} recorded ` +
              `on order #${order.number}.`,
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
