import type { Config } from '../config.js';
import { inTx, type DbOrTx, type Queryable, type Tx } from '../db/db.js';
import { AppError, notFound, validationFailed, type ProblemItem } from '../shared/errors.js';
import { decodeCursor, page } from '../shared/cursor.js';
import { isUuid } from '../shared/ids.js';
import { getStoreRow, type StoreRow } from '../stores/stores.service.js';
import { memberRole } from '../stores/membership.js';
import { releaseCouponUse } from '../coupons/coupons.repo.js';
import { applyStockDeltas, returnStock } from '../inventory/stock.repo.js';
import { lineEditShortages, planLineEdit } from './line-edit.js';
import { enqueueMessage } from '../notify/outbox.js';
import { fromStoreNumber } from '../notify/channels.js';
import { paymentMethod } from './payment-methods.js';
import {
  amountToPay,
  balanceDue,
  paymentStatusAfterEdit,
  planMarkPaid,
  planRefund,
  proofOutdated,
  refundDue,
  type MoneyState,
} from './payment-status.js';
import { orderSummaryText, trackingUrl, whatsappUrl } from './links.js';
import { orderForMessage, quoteUserText, storeForMessage } from '../notify/quote.js';
import * as messages from './messages.js';
import {
  addHistory,
  countUnseen,
  markOrderSeen,
  moveOrderStatus,
  selectOrderPage,
  selectVariantsOfStore,
  updateOrderBill,
  updateOrderPayment,
  findOrder,
  findOrderById,
  insertPaymentEntry,
  invalidTransition,
  latestProofSummaries,
  orderPaymentEntries,
  orderTokenForCart,
  orderHistory,
  orderLines,
  storeRecipient,
  writeOrderLines,
  type HistoryRow,
  type OrderLineRow,
  type OrderRef,
  type OrderRow,
  type PaymentEntryRow,
  type ProofSummaryRow,
} from './orders.repo.js';
import type { EditLinesInput, OrderListInput, OrderView, PaymentInput } from './orders.schema.js';
import { allowedFromStatuses, canEditLines, checkTransition, type Actor, type OrderStatus } from './status.js';

export type { OrderRef } from './orders.repo.js';
export type { OrderView } from './orders.schema.js';

type LinkConfig = Pick<Config, 'publicUrl'>;

// ---- the view ----

/** An order's money entries and its newest payment proof. */
export interface OrderMoneyRows {
  entries: readonly PaymentEntryRow[];
  proof: ProofSummaryRow | null;
}

const moneyState = (row: OrderRow): MoneyState => ({
  total: row.total,
  amountPaid: row.amount_paid,
  amountRefunded: row.amount_refunded,
  amountWaived: row.amount_waived,
  orderStatus: row.status,
});

/** The contract's Order from its rows. Pure. */
export function toOrderView(
  row: OrderRow,
  lines: readonly OrderLineRow[],
  history: readonly HistoryRow[],
  store: StoreRow,
  config: LinkConfig,
  money: OrderMoneyRows = { entries: [], proof: null },
): OrderView {
  const viewLines = lines.map((l) => ({
    variantId: l.variant_id,
    name: l.name,
    variantName: l.variant_name,
    unitPrice: l.unit_price,
    quantity: l.quantity,
    lineTotal: l.line_total,
  }));
  const tracking = trackingUrl(config.publicUrl, row.tracking_token);
  const due = balanceDue(row.total, row.amount_paid, row.amount_waived);
  const proofTotal = money.proof?.order_total ?? null;
  const toPay = amountToPay(row.payment_status, moneyState(row), proofTotal);
  const summary = orderSummaryText({
    number: row.number,
    currency: store.currency,
    storeName: store.name,
    lines: viewLines,
    subtotal: row.subtotal,
    discount: row.discount,
    deliveryFee: row.delivery_fee,
    total: row.total,
    trackingUrl: tracking,
  });
  const extras = paymentMethod(row.payment_method)?.orderExtras(
    { name: store.name, currency: store.currency, cod: store.cod, upiVpa: store.upi_vpa },
    { number: row.number, balanceDue: toPay, total: row.total },
  );
  return {
    id: row.id,
    number: row.number,
    source: row.source,
    status: row.status,
    paymentStatus: row.payment_status,
    paymentMethod: row.payment_method as OrderView['paymentMethod'],
    fulfillment: row.fulfillment,
    currency: store.currency,
    lines: viewLines,
    couponCode: row.coupon_code,
    subtotal: row.subtotal,
    discount: row.discount,
    deliveryFee: row.delivery_fee,
    total: row.total,
    amountPaid: row.amount_paid,
    balanceDue: due,
    amountRefunded: row.amount_refunded,
    amountWaived: row.amount_waived,
    refundDue: refundDue(moneyState(row)),
    payment: {
      entries: money.entries.map((e) => ({
        kind: e.kind,
        amount: Number(e.amount),
        ...(e.reference ? { reference: e.reference } : {}),
        at: new Date(e.at).toISOString(),
      })),
      ...(money.proof?.reference ? { reference: money.proof.reference } : {}),
      ...(proofTotal !== null ? { proofTotal: Number(proofTotal) } : {}),
      proofOutdated: proofOutdated(row.payment_status, row.total, proofTotal),
      amountToPay: toPay,
    },
    customer: row.customer,
    note: row.note,
    lang: row.lang ?? 'en',
    history: history.map((h) => ({
      status: h.status,
      at: new Date(h.at).toISOString(),
      ...(h.note ? { note: h.note } : {}),
      ...(h.amount !== null && h.amount !== undefined ? { amount: Number(h.amount) } : {}),
    })),
    trackingToken: row.tracking_token,
    trackingUrl: tracking,
    whatsappUrl: whatsappUrl(store.whatsapp, summary),
    ...(extras?.upiUrl ? { upiUrl: extras.upiUrl } : {}),
    createdAt: new Date(row.created_at).toISOString(),
  };
}

export async function orderView(q: Queryable, row: OrderRow, store: StoreRow, config: LinkConfig): Promise<OrderView> {
  const [lines, history, entries, proofs] = await Promise.all([
    orderLines(q, row.store_id, [row.id]),
    orderHistory(q, row.store_id, [row.id]),
    orderPaymentEntries(q, row.store_id, [row.id]),
    latestProofSummaries(q, row.store_id, [row.id]),
  ]);
  return toOrderView(row, lines, history, store, config, { entries, proof: proofs[0] ?? null });
}

/** Loads an order's view inside `q` (a transaction sees its own writes). */
export async function loadOrderView(q: Queryable, ref: OrderRef, config: LinkConfig): Promise<OrderView> {
  const row = await findOrder(q, ref);
  const store = await getStoreRow(q, row.store_id);
  return orderView(q, row, store, config);
}

function dashboardUrl(config: LinkConfig, orderId: string): string {
  return `${config.publicUrl}/dashboard/orders/${orderId}`;
}

// ---- reads ----

export async function getOrderForCustomer(db: DbOrTx, config: LinkConfig, trackingToken: string): Promise<OrderView> {
  return loadOrderView(db, { by: 'token', trackingToken }, config);
}

/** The customer's order page: the order by tracking token, with its store. */
export async function getOrderPageForCustomer(
  q: Queryable,
  config: LinkConfig,
  trackingToken: string,
): Promise<{ store: StoreRow; view: OrderView }> {
  const row = await findOrder(q, { by: 'token', trackingToken });
  const store = await getStoreRow(q, row.store_id);
  return { store, view: await orderView(q, row, store, config) };
}

/** The tracking token of the order a cart became, or null while the cart is open. */
export async function trackingTokenOfCart(q: Queryable, storeId: string, cartId: string): Promise<string | null> {
  return orderTokenForCart(q, storeId, cartId);
}

/**
 * Where a link that names only the order leads (the store's WhatsApp messages): its store, for that store's
 * members only. Anyone else gets 404, as for an order that does not exist.
 */
export async function findOrderForMember(
  q: Queryable,
  orderId: string,
  merchantId: string,
): Promise<{ storeId: string; orderId: string }> {
  if (!isUuid(orderId)) throw notFound('Order not found');
  const order = await findOrderById(q, orderId);
  if (!(await memberRole(q, order.store_id, merchantId))) throw notFound('Order not found');
  return { storeId: order.store_id, orderId: order.id };
}

/** The merchant's view of one order; opening it marks it seen (the dashboard highlights unseen orders). */
export async function getOrderForMerchant(
  db: DbOrTx,
  config: LinkConfig,
  storeId: string,
  orderId: string,
): Promise<OrderView> {
  const view = await loadOrderView(db, { by: 'store', storeId, orderId }, config);
  await markOrderSeen(db, storeId, orderId);
  return view;
}

export async function countUnseenOrders(q: Queryable, storeId: string): Promise<number> {
  return countUnseen(q, storeId);
}

/** Newest first, keyset on (store_id, number DESC); with `status`, on (store_id, status, number DESC). */
export async function listOrders(
  q: Queryable,
  config: LinkConfig,
  storeId: string,
  input: OrderListInput,
): Promise<{ items: (OrderView & { seenAt: string | null })[]; nextCursor: string | null }> {
  const limit = input.limit ?? 20;
  const after = decodeCursor<[number]>(input.cursor, ['number']);
  const rows = await selectOrderPage(q, storeId, input.status ?? null, after?.[0] ?? null, limit + 1);
  const paged = page(rows, limit, (r) => [r.number]);
  if (paged.items.length === 0) return { items: [], nextCursor: null };
  const store = await getStoreRow(q, storeId);
  const ids = paged.items.map((r) => r.id);
  const [lines, history, entries, proofs] = await Promise.all([
    orderLines(q, storeId, ids),
    orderHistory(q, storeId, ids),
    orderPaymentEntries(q, storeId, ids),
    latestProofSummaries(q, storeId, ids),
  ]);
  const items = paged.items.map((raw) => {
    const row = {
      ...raw,
      customer: typeof raw.customer === 'string' ? JSON.parse(raw.customer) : raw.customer,
    } as OrderRow;
    const view = toOrderView(
      row,
      lines.filter((l) => l.order_id === row.id),
      history.filter((h) => h.order_id === row.id),
      store,
      config,
      {
        entries: entries.filter((e) => e.order_id === row.id),
        proof: proofs.find((p) => p.order_id === row.id) ?? null,
      },
    );
    return { ...view, seenAt: row.seen_at ? new Date(row.seen_at).toISOString() : null };
  });
  return { items, nextCursor: paged.nextCursor };
}

// ---- status changes ----

async function notifyCustomer(tx: Tx, topic: string, view: OrderView, text: string, store: StoreRow) {
  // Only to the phone the order was placed with, and only when the customer opted in at checkout (older orders
  // without the answer get none).
  if (view.customer.whatsappUpdates !== true) return;
  await enqueueMessage(tx, {
    topic,
    recipient: view.customer.phone,
    text,
    data: { orderId: view.id, storeId: store.id, ...fromStoreNumber(store) },
  });
}

async function notifyStore(tx: Tx, topic: string, store: StoreRow, view: OrderView, text: string) {
  const recipient = await storeRecipient(tx, store);
  if (recipient)
    await enqueueMessage(tx, {
      topic,
      recipient,
      text,
      audience: 'store',
      data: { orderId: view.id, storeId: store.id },
    });
}

/**
 * Moves an order to `to`. The UPDATE is conditional on the current status being one `actor` may move from, so of
 * two racing requests exactly one wins; only the winner gives stock back (rejected, cancelled) and releases the
 * coupon use. The loser gets 409 invalid_transition.
 */
export async function transitionOrder(
  db: DbOrTx,
  config: LinkConfig,
  ref: OrderRef,
  to: OrderStatus,
  actor: Actor,
  note: string | null = null,
): Promise<OrderView> {
  return inTx(db, async (tx) => {
    const current = await findOrder(tx, ref);
    const check = checkTransition(current.status, to, actor);
    if (!check.ok) throw invalidTransition(check.message);
    if (!(await moveOrderStatus(tx, current.id, current.store_id, to, allowedFromStatuses(to, actor))))
      throw invalidTransition(`The order changed meanwhile and can no longer become ${to}`);
    if (check.returnsStock) {
      // Read after the UPDATE: under READ COMMITTED this sees the lines of any edit that committed before us.
      const lines = await orderLines(tx, current.store_id, [current.id]);
      await returnStock(
        tx,
        current.store_id,
        lines.map((l) => ({ variantId: l.variant_id, quantity: l.quantity })),
      );
      if (current.coupon_id) await releaseCouponUse(tx, current.coupon_id);
    }
    await addHistory(tx, { id: current.id, storeId: current.store_id }, to, actor, note);
    const store = await getStoreRow(tx, current.store_id);
    const view = await orderView(
      tx,
      await findOrder(tx, { by: 'store', storeId: current.store_id, orderId: current.id }),
      store,
      config,
    );
    await notifyCustomer(
      tx,
      'order.status_changed',
      view,
      messages.statusChangedForCustomer(
        orderForMessage(view),
        storeForMessage(store),
        note ? quoteUserText(note, 500) : null,
      ),
      store,
    );
    if (actor === 'customer')
      await notifyStore(
        tx,
        'order.status_changed',
        store,
        view,
        messages.cancelledByCustomerForStore(orderForMessage(view), storeForMessage(store)),
      );
    return view;
  });
}

// ---- line edits ----

/** Validates the whole new set of lines: no duplicates, at least one line with a quantity left. */
function wantedLines(input: EditLinesInput): { variantId: string; quantity: number }[] {
  const seen = new Set<string>();
  const problems: ProblemItem[] = [];
  input.lines.forEach((l, i) => {
    if (seen.has(l.variantId))
      problems.push({ code: 'duplicate', path: `/lines/${i}/variantId`, message: 'this variant is listed twice' });
    seen.add(l.variantId);
  });
  if (problems.length) throw validationFailed('Each variant may appear once', problems, 422);
  const kept = input.lines
    .filter((l) => (l.quantity ?? 0) > 0)
    .map((l) => ({ variantId: l.variantId, quantity: l.quantity! }));
  if (kept.length === 0) {
    throw validationFailed(
      'An order needs at least one line; cancel the order instead',
      [{ code: 'empty', path: '/lines', message: 'at least one line with a quantity ≥ 1 must remain' }],
      422,
    );
  }
  return kept;
}

/**
 * Replaces an order's lines with a new set. Kept lines keep their frozen price and names; added lines take the
 * current price. Stock moves in the same transaction (decreases give back, increases take conditionally), the bill
 * is renewed with the order's own rules (coupon rule recomputed on the new subtotal; below the coupon's minimum it
 * gives nothing), an `edited` history entry and a message are written. A paid order whose total rises above what was
 * paid and waived goes back to payment `pending`. Customer: only while placed; merchant: while placed or accepted.
 */
export async function editOrderLines(
  db: DbOrTx,
  config: LinkConfig,
  ref: OrderRef,
  actor: Actor,
  input: EditLinesInput,
): Promise<OrderView> {
  return (await editOrderLinesOutcome(db, config, ref, actor, input)).view;
}

/**
 * editOrderLines, also saying whether anything changed: `changed: false` when the lines asked for are the order's
 * own (nothing written, no one told), so a page does not announce a new bill that is the old one.
 */
export async function editOrderLinesOutcome(
  db: DbOrTx,
  config: LinkConfig,
  ref: OrderRef,
  actor: Actor,
  input: EditLinesInput,
): Promise<{ view: OrderView; changed: boolean }> {
  const wanted = wantedLines(input);
  for (const [i, l] of input.lines.entries())
    if (!isUuid(l.variantId))
      throw new AppError('not_found', `Variant ${l.variantId} not found`, [
        { code: 'not_found', path: `/lines/${i}/variantId`, message: 'no such variant in this store' },
      ]);
  return inTx(db, async (tx) => {
    const order = await findOrder(tx, ref, { lock: true });
    if (!canEditLines(order.status, actor)) {
      throw invalidTransition(
        actor === 'customer'
          ? `The order is ${order.status} and can no longer be changed; contact the store`
          : `The order is ${order.status} and can no longer be changed`,
      );
    }
    const store = await getStoreRow(tx, order.store_id);
    const before = await orderLines(tx, order.store_id, [order.id]);
    const variants = await selectVariantsOfStore(
      tx,
      order.store_id,
      wanted.map((l) => l.variantId),
    );
    const plan = planLineEdit({ order, before, wanted, variants, actor });
    if (plan.unchanged) return { view: await orderView(tx, order, store, config), changed: false };
    const { next, bill } = plan;

    const shortages = await applyStockDeltas(tx, order.store_id, plan.stockDeltas);
    if (shortages.length)
      throw new AppError('cart_has_errors', 'Not enough stock for the change', lineEditShortages(shortages, before));

    await writeOrderLines(tx, { id: order.id, storeId: order.store_id }, next, { replace: true });
    const paymentStatus = paymentStatusAfterEdit(
      order.payment_status,
      bill.total,
      order.amount_paid,
      order.amount_waived,
    );
    await updateOrderBill(tx, order.id, bill, paymentStatus);
    await addHistory(tx, { id: order.id, storeId: order.store_id }, 'edited', actor);
    const view = await orderView(
      tx,
      await findOrder(tx, { by: 'store', storeId: order.store_id, orderId: order.id }),
      store,
      config,
    );
    await notifyCustomer(
      tx,
      'order.edited',
      view,
      messages.editedForCustomer(orderForMessage(view), storeForMessage(store)),
      store,
    );
    if (actor === 'customer')
      await notifyStore(
        tx,
        'order.edited',
        store,
        view,
        messages.editedByCustomerForStore(orderForMessage(view), storeForMessage(store)),
      );
    return { view, changed: true };
  });
}

// ---- payment ----

/**
 * The merchant records a payment action, each its own money entry and history entry: `paid` adds a payment of
 * exactly what is still due (a refund due is never erased); `refunded` records a refund given back (`amount`,
 * default the refund due, else all that was paid; at most what the store holds). The part of a refund beyond what
 * is due is waived, in the same UPDATE: the customer is never asked to pay it back.
 */
export async function setPaymentStatus(
  db: DbOrTx,
  config: LinkConfig,
  storeId: string,
  orderId: string,
  input: PaymentInput | PaymentInput['status'],
): Promise<OrderView> {
  const body: PaymentInput = typeof input === 'string' ? { status: input } : input;
  return inTx(db, async (tx) => {
    const order = await findOrder(tx, { by: 'store', storeId, orderId }, { lock: true });
    const plan =
      body.status === 'paid'
        ? planMarkPaid(order.payment_status, moneyState(order))
        : planRefund(order.payment_status, moneyState(order), body.amount);
    if (!plan.ok) throw invalidTransition(plan.message);
    const reference = body.status === 'refunded' ? (body.reference ?? null) : null;
    const ref = { id: order.id, storeId: order.store_id };
    await insertPaymentEntry(tx, {
      orderId: order.id,
      storeId: order.store_id,
      ...plan.entry,
      reference,
      actor: 'merchant',
    });
    await updateOrderPayment(tx, ref, plan.status, plan);
    await addHistory(tx, ref, body.status, 'merchant', reference, plan.entry.amount);
    const store = await getStoreRow(tx, storeId);
    const view = await orderView(tx, await findOrder(tx, { by: 'store', storeId, orderId }), store, config);
    await notifyCustomer(
      tx,
      'order.payment_updated',
      view,
      messages.paymentUpdatedForCustomer(orderForMessage(view), storeForMessage(store)),
      store,
    );
    return view;
  });
}

export { dashboardUrl as orderDashboardUrl };
