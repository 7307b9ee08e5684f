/**
 * The customer's order page at `/o/{trackingToken}` (the API's `trackingUrl`): status timeline, the bill,
 * UPI pay link and QR, payment-proof upload, cancel and change items while the order is placed, and the
 * "send to shop on WhatsApp" link. The tracking token in the URL is the customer's credential.
 */
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { editOrderLinesOutcome, getOrderPageForCustomer, transitionOrder } from '../../orders/orders.service.js';
import { qrSvg } from '../../shared/upi.js';
import { AppError, notFound, validationFailed } from '../../shared/errors.js';
import { isUuid } from '../../shared/ids.js';
import { formBody, formProblem, intField, seeOther, setFlash, takeFlash, type FormProblem } from '../forms.js';
import { sendPage } from '../layout.js';
import { MAX_PROOF_BYTES, submitPaymentProof } from '../../payments/proofs.service.js';
import { readProofUpload, upiReference } from '../../payments/proof-upload.js';
import { cancelConfirmMain, customerCanCancel, orderMain, orderPage, showPayment } from './order.views.js';
import { pageLanguage } from './context.js';
import { translator } from '../../i18n/index.js';

type Params = { token?: string };

async function loadOrder(request: FastifyRequest) {
  const token = (request.params as Params).token ?? '';
  if (!isUuid(token)) throw notFound('Order not found');
  const { db, config } = request.server;
  const { store, view } = await getOrderPageForCustomer(db, config, token);
  return { token, store, view };
}

const orderPath = (token: string) => `/o/${encodeURIComponent(token)}`;

export const orderPages: FastifyPluginAsync = async (app) => {
  const { db, config } = app;

  app.get('/o/:token', async (request, reply) => {
    const { store, view } = await loadOrder(request);
    const lang = pageLanguage(request, reply, store.default_language);
    const qr = view.upiUrl && showPayment(view) ? await qrSvg(view.upiUrl) : null;
    const storeHome = `${config.publicUrl.replace(/\/$/, '')}/${store.slug}`;
    const justPlaced = (request.query as Record<string, unknown>).placed === '1';
    const page = orderPage(
      store,
      view,
      orderMain(store, view, { qrSvg: qr, storeHome, lang, justPlaced }),
      takeFlash(request, reply),
      storeHome,
      lang,
      orderPath(view.trackingToken),
    );
    // The URL is a credential: keep the page out of every cache.
    return sendPage(request, reply, page, { cacheControl: 'no-store' });
  });

  // Cancel asks first: app.js confirms in a dialog and posts; without JavaScript the form leads to this page.
  app.get('/o/:token/cancel', async (request, reply) => {
    const { store, view } = await loadOrder(request);
    const lang = pageLanguage(request, reply, store.default_language);
    if (!customerCanCancel(view)) return seeOther(reply, orderPath(view.trackingToken));
    const storeHome = `${config.publicUrl.replace(/\/$/, '')}/${store.slug}`;
    const page = orderPage(
      store,
      view,
      cancelConfirmMain(view, lang),
      null,
      storeHome,
      lang,
      `${orderPath(view.trackingToken)}/cancel`,
    );
    return sendPage(request, reply, page, { cacheControl: 'no-store' });
  });

  app.post('/o/:token/cancel', async (request, reply) => {
    const token = (request.params as Params).token ?? '';
    if (!isUuid(token)) throw notFound('Order not found');
    const tr = translator(pageLanguage(request, null, null));
    try {
      await transitionOrder(db, config, { by: 'token', trackingToken: token }, 'cancelled', 'customer', null);
      setFlash(request, reply, 'ok', tr('order.cancelledFlash'));
    } catch (err) {
      flashProblem(request, reply, formProblem(err));
    }
    return seeOther(reply, orderPath(token));
  });

  app.post('/o/:token/lines', async (request, reply) => {
    const token = (request.params as Params).token ?? '';
    if (!isUuid(token)) throw notFound('Order not found');
    const body = formBody(request);
    const tr = translator(pageLanguage(request, null, null));
    try {
      const lines: { variantId: string; quantity: number }[] = [];
      for (const key of Object.keys(body)) {
        const m = /^qty_([0-9a-fA-F-]{36})$/.exec(key);
        if (!m) continue;
        const quantity = intField(body, key);
        if (quantity === null || quantity < 0 || quantity > 999) {
          throw validationFailed(
            'Quantities are whole numbers from 0 to 999.',
            [{ code: 'invalid', path: `/${key}`, message: 'from 0 to 999' }],
            422,
          );
        }
        lines.push({ variantId: m[1]!, quantity });
      }
      if (lines.length === 0 || lines.length > 100) throw validationFailed('Nothing to change.', [], 422);
      const { changed } = await editOrderLinesOutcome(db, config, { by: 'token', trackingToken: token }, 'customer', {
        lines,
      });
      setFlash(request, reply, 'ok', tr(changed ? 'order.updatedFlash' : 'order.unchangedFlash'));
    } catch (err) {
      const problem = formProblem(err);
      if (problem.code === 'validation_failed' && problem.items.some((i) => i.code === 'empty')) {
        setFlash(request, reply, 'error', tr('order.needsOneItem'));
      } else if (problem.code === 'cart_has_errors') {
        const item = problem.items[0];
        setFlash(
          request,
          reply,
          'error',
          item?.code === 'insufficient_stock'
            ? tr('order.notEnoughStock', { available: item.available ?? 0 })
            : tr('order.outOfStockNow'),
        );
      } else {
        flashProblem(request, reply, problem);
      }
    }
    return seeOther(reply, orderPath(token));
  });

  app.post('/o/:token/payment-proof', async (request, reply) => {
    const token = (request.params as Params).token ?? '';
    if (!isUuid(token)) throw notFound('Order not found');
    const tr = translator(pageLanguage(request, null, null));
    try {
      const upload = request.isMultipart() ? await readProofUpload(request, MAX_PROOF_BYTES) : null;
      const file = upload?.file;
      if (!file || file.bytes.length === 0)
        throw validationFailed(
          tr('order.chooseScreenshot'),
          [{ code: 'required', path: '/file', message: 'Choose a screenshot' }],
          422,
        );
      if (file.truncated) throw new AppError('payload_too_large', tr('order.screenshotTooLarge'));
      const reference = upiReference(upload.reference, tr('order.referenceInvalid'));
      await submitPaymentProof(db, config, token, file.bytes, reference);
      setFlash(request, reply, 'ok', tr('order.proofThanks'));
    } catch (err) {
      const code = (err as { code?: string }).code;
      if (code === 'FST_REQ_FILE_TOO_LARGE') setFlash(request, reply, 'error', tr('order.screenshotTooLarge'));
      else if (code === 'FST_INVALID_MULTIPART_CONTENT_TYPE')
        setFlash(request, reply, 'error', tr('order.chooseScreenshot'));
      else flashProblem(request, reply, formProblem(err));
    }
    return seeOther(reply, orderPath(token));
  });
};

function flashProblem(request: FastifyRequest, reply: FastifyReply, problem: FormProblem): void {
  if (problem.code === 'not_found') throw notFound('Order not found');
  setFlash(request, reply, 'error', problem.summary);
}
