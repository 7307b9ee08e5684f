/**
 * Orders: the list by status (newest first, unseen ones marked), and one order with its bill, the customer
 * (tap to call or WhatsApp), status changes with a note, line edits, the payment proof and "mark paid".
 * Every action is the orders service's, with the merchant as actor.
 *
 * Each action form answers in one of two ways: sent by app.js with `x-fragment: order`, the re-rendered order
 * (`#order`, the same view as the page) with what happened said at its top, so the owner stays where they are;
 * sent as a plain form, a 303 back to the order (`…/orders/{id}#order`) with the flash. Reject and Cancel order
 * first answer "Are you sure?" (the same form with `confirm=1`), in place or as a page.
 */
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import {
  countUnseenOrders,
  editOrderLines,
  getOrderForMerchant,
  listOrders,
  setPaymentStatus,
  transitionOrder,
  type OrderView,
} from '../../orders/orders.service.js';
import { EditLinesBody, type PaymentInput } from '../../orders/orders.schema.js';
import { canEditLines, isOrderStatus } from '../../orders/status.js';
import { readPaymentProof } from '../../payments/proofs.service.js';
import { listProducts } from '../../catalog/products.service.js';
import { lineName } from '../../catalog/variant-label.js';
import { AppError, validationFailed } from '../../shared/errors.js';
import { formatMoney } from '../../shared/money.js';
import type { StoreRow } from '../../stores/stores.service.js';
import { sendPage } from '../layout.js';
import { csrfField, field, formBody, fragmentRequested, seeOther, setFlash, takeFlash } from '../forms.js';
import { currentStore, pageProblem, storePath, trOf } from './context.js';
import { optionalText, parseMoney } from './form-values.js';
import { sendDashboardPage } from './shell.js';
import { assertBody } from './validate.js';
import { needsConfirmation } from './orders.actions.js';
import { readLinesForm, readTransitionForm } from './orders.forms.js';
import {
  PAYMENT_LABELS,
  STATUS_LABELS,
  orderFragment,
  orderMain,
  ordersListMain,
  type AddableVariant,
  type OrderModel,
} from './orders.views.js';

const PAGE_SIZE = 25;
/** The first page of the orders list asks for itself again this often (app.js), so new orders appear. */
const LIVE_EVERY_SECONDS = 15;
/** The element app.js asks for (`x-fragment`) when an order form is sent with fetch. */
const ORDER_FRAGMENT = 'order';

async function listPage(request: FastifyRequest, reply: FastifyReply) {
  const store = currentStore(request);
  const query = request.query as { status?: unknown; cursor?: unknown };
  const status = typeof query.status === 'string' && isOrderStatus(query.status) ? query.status : undefined;
  const cursor = typeof query.cursor === 'string' ? query.cursor.slice(0, 500) : undefined;
  const [page, unseen] = await Promise.all([
    listOrders(request.server.db, request.server.config, store.id, { status, limit: PAGE_SIZE, cursor }),
    countUnseenOrders(request.server.db, store.id),
  ]);
  const tr = trOf(request);
  return sendDashboardPage(request, reply, {
    // "(2) Orders": the count of new orders shows in the browser tab, and app.js keeps it current.
    title: tr('dashboard.orders.listTitle', { count: unseen }),
    pageId: 'orders',
    store,
    section: 'orders',
    main: ordersListMain({
      tr,
      lang: request.dashboardLang,
      base: storePath(store.id, '/orders'),
      currency: store.currency,
      page,
      unseen,
      status,
      cursor,
      liveEvery: LIVE_EVERY_SECONDS,
    }),
  });
}

async function addableVariants(request: FastifyRequest, store: StoreRow): Promise<AddableVariant[]> {
  const tr = trOf(request);
  const products = await listProducts(request.server.db, store.id, { limit: 100 });
  return products.items
    .filter((p) => p.isActive)
    .flatMap((p) =>
      p.variants.map((v) => {
        const out = v.stock === 0 ? ` · ${tr('dashboard.stock.out')}` : '';
        const name = lineName({ name: p.name, variantName: v.name });
        return { id: v.id, label: `${name} · ${formatMoney(v.price, store.currency)}${out}` };
      }),
    );
}

type OrderAnswer = Partial<Pick<OrderModel, 'failed' | 'notice' | 'confirm'>>;

/** The order as a page, or as the `#order` element when app.js asked for it. */
async function sendOrder(request: FastifyRequest, reply: FastifyReply, order: OrderView, answer: OrderAnswer = {}) {
  const store = currentStore(request);
  const tr = trOf(request);
  const model: OrderModel = {
    order,
    store,
    tr,
    lang: request.dashboardLang,
    csrf: csrfField(reply),
    addable: canEditLines(order.status, 'merchant') ? await addableVariants(request, store) : [],
    failed: answer.failed ?? null,
    notice: answer.notice ?? (fragmentRequested(request) ? null : takeFlash(request, reply)),
    confirm: answer.confirm ?? null,
  };
  const status = answer.failed?.problem.status ?? 200;
  if (fragmentRequested(request) === ORDER_FRAGMENT)
    return sendPage(request, reply, orderFragment(model), { status, cacheControl: 'no-store' });
  return sendDashboardPage(request, reply, {
    title: tr('dashboard.orders.title', { number: order.number }),
    pageId: 'order',
    store,
    section: 'orders',
    status,
    flash: null,
    main: orderMain(model),
  });
}

/** A done action: the order again with `words` on top (fetch), or the flash and a 303 back to the order. */
function answerDone(request: FastifyRequest, reply: FastifyReply, order: OrderView, words: string) {
  if (fragmentRequested(request) === ORDER_FRAGMENT)
    return sendOrder(request, reply, order, { notice: { kind: 'ok', text: words } });
  setFlash(request, reply, 'ok', words);
  return seeOther(reply, storePath(currentStore(request).id, `/orders/${order.id}#order`));
}

export const orderRoutes: FastifyPluginAsync = async (app) => {
  const csrf = { preHandler: app.csrfProtection };
  type Params = { storeId: string; orderId: string };
  const ref = (p: Params) => ({ by: 'store' as const, storeId: p.storeId, orderId: p.orderId });
  const load = (request: FastifyRequest<{ Params: Params }>) =>
    getOrderForMerchant(app.db, app.config, currentStore(request).id, request.params.orderId);

  app.get('/orders', async (request, reply) => listPage(request, reply));

  app.get<{ Params: Params }>('/orders/:orderId', async (request, reply) =>
    sendOrder(request, reply, await load(request)),
  );

  app.post<{ Params: Params }>('/orders/:orderId/transitions', csrf, async (request, reply) => {
    const tr = trOf(request);
    const { to, note, confirmed } = readTransitionForm(formBody(request));
    try {
      if (!isOrderStatus(to))
        throw validationFailed(
          tr('dashboard.orders.chooseNext'),
          [{ code: 'invalid', path: '/to', message: 'not a status' }],
          422,
        );
      // Reject / Cancel: nothing happens until the owner says yes on the "Are you sure?" step.
      if (needsConfirmation(to) && !confirmed)
        return sendOrder(request, reply, await load(request), { confirm: { to, note } });
      const order = await transitionOrder(app.db, app.config, ref(request.params), to, 'merchant', note);
      const status = tr(STATUS_LABELS[order.status]).toLowerCase();
      return answerDone(request, reply, order, tr('dashboard.orders.moved', { number: order.number, status }));
    } catch (err) {
      if (err instanceof AppError && err.code === 'not_found') throw err;
      return sendOrder(request, reply, await load(request), {
        failed: { section: 'status', problem: pageProblem(request, err) },
      });
    }
  });

  app.post<{ Params: Params }>('/orders/:orderId/lines', csrf, async (request, reply) => {
    const store = currentStore(request);
    try {
      const { input, problems } = readLinesForm(formBody(request));
      assertBody(EditLinesBody, input, problems);
      const order = await editOrderLines(app.db, app.config, ref(request.params), 'merchant', input);
      const total = formatMoney(order.total, store.currency);
      return answerDone(request, reply, order, trOf(request)('dashboard.orders.itemsSaved', { total }));
    } catch (err) {
      if (err instanceof AppError && err.code === 'not_found' && !err.errors?.length) throw err;
      return sendOrder(request, reply, await load(request), {
        failed: { section: 'lines', problem: pageProblem(request, err) },
      });
    }
  });

  app.post<{ Params: Params }>('/orders/:orderId/payment', csrf, async (request, reply) => {
    const store = currentStore(request);
    const tr = trOf(request);
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
            tr('dashboard.orders.refundAmountInvalid', { message: amount.message }),
            [{ code: 'invalid', path: '/amount', message: amount.message }],
            422,
          );
        const reference = optionalText(field(body, 'reference', 64));
        input = { status, ...(amount?.ok ? { amount: amount.value } : {}), ...(reference ? { reference } : {}) };
      } else throw validationFailed(tr('dashboard.orders.choosePayment'), undefined, 422);
      const order = await setPaymentStatus(app.db, app.config, store.id, request.params.orderId, input);
      const words =
        status === 'paid'
          ? tr('dashboard.orders.marked', { number: order.number, status: tr(PAYMENT_LABELS.paid).toLowerCase() })
          : tr('dashboard.orders.refundRecorded', {
              amount: formatMoney(order.payment.entries.at(-1)?.amount ?? 0, store.currency),
              number: order.number,
            });
      return answerDone(request, reply, order, words);
    } catch (err) {
      if (err instanceof AppError && err.code === 'not_found') throw err;
      const problem = pageProblem(request, err);
      if (fragmentRequested(request) === ORDER_FRAGMENT)
        return sendOrder(request, reply, await load(request), { failed: { section: 'payment', problem } });
      setFlash(request, reply, 'error', problem.summary);
      return seeOther(reply, storePath(store.id, `/orders/${request.params.orderId}#order`));
    }
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
