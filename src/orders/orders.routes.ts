import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { requireStoreMember } from '../stores/membership.js';
import { AppError, validationFailed } from '../shared/errors.js';
import { MAX_PROOF_BYTES, orderUpiQrSvg, readPaymentProof, submitPaymentProof } from '../payments/proofs.js';
import {
  EditLinesBody,
  MerchantOrderParams,
  OrderListQuery,
  OrderListSchema,
  OrderSchema,
  PaymentBody,
  StoreOrdersParams,
  TrackingParams,
  TransitionBody,
} from './orders.schema.js';
import {
  editOrderLines,
  getOrderForCustomer,
  getOrderForMerchant,
  listOrders,
  setPaymentStatus,
  transitionOrder,
} from './orders.service.js';

/** Reads the single `file` part of a multipart request, size first: 415 if not multipart, 413 past 5 MB. */
async function receiveProof(request: FastifyRequest): Promise<Buffer> {
  if (!request.isMultipart())
    throw new AppError(
      415,
      'unsupported_media_type',
      'Send the image as multipart/form-data with one field named "file"',
    );
  const file = await request.file({ limits: { fileSize: MAX_PROOF_BYTES, files: 1 } });
  if (file?.fieldname !== 'file')
    throw validationFailed('Send the image as a multipart file field named "file"', [
      { code: 'required', path: '/file', message: 'is required' },
    ]);
  const bytes = await file.toBuffer();
  if (file.file.truncated) throw new AppError(413, 'payload_too_large', 'The file is larger than 5 MB');
  return bytes;
}

function sendProof(reply: FastifyReply, proof: { contentType: string; bytes: Buffer }) {
  return reply
    .type(proof.contentType)
    .header('x-content-type-options', 'nosniff')
    .header('content-security-policy', "default-src 'none'; sandbox")
    .header('cache-control', 'private, no-store')
    .header('content-disposition', 'inline')
    .send(proof.bytes);
}

export const orderRoutes: FastifyPluginAsync = async (base) => {
  const app = base.withTypeProvider<TypeBoxTypeProvider>();
  const ok = { 200: OrderSchema };

  // ---- the customer, by tracking token (the token is the credential) ----
  const customer = ['orders (customer)'];
  app.get(
    '/orders/:trackingToken',
    { schema: { tags: customer, params: TrackingParams, response: ok } },
    async (request) => {
      return getOrderForCustomer(app.db, app.config, request.params.trackingToken);
    },
  );
  app.post(
    '/orders/:trackingToken/cancel',
    { schema: { tags: customer, summary: 'Cancel (only while placed)', params: TrackingParams, response: ok } },
    async (request) => {
      return transitionOrder(
        app.db,
        app.config,
        { by: 'token', trackingToken: request.params.trackingToken },
        'cancelled',
        'customer',
      );
    },
  );
  app.put(
    '/orders/:trackingToken/lines',
    {
      schema: {
        tags: customer,
        summary: 'Replace the lines (only while placed)',
        params: TrackingParams,
        body: EditLinesBody,
        response: ok,
      },
    },
    async (request) => {
      return editOrderLines(
        app.db,
        app.config,
        { by: 'token', trackingToken: request.params.trackingToken },
        'customer',
        request.body,
      );
    },
  );
  app.post(
    '/orders/:trackingToken/payment-proof',
    {
      schema: {
        tags: customer,
        summary: 'Upload a payment screenshot (multipart `file`: JPEG/PNG/WebP, ≤ 5 MB)',
        consumes: ['multipart/form-data'],
        params: TrackingParams,
        response: ok,
      },
    },
    async (request) => {
      const bytes = await receiveProof(request);
      return submitPaymentProof(app.db, app.config, request.params.trackingToken, bytes);
    },
  );
  app.get(
    '/orders/:trackingToken/payment-proof',
    { schema: { tags: customer, summary: 'The latest payment proof (image)', params: TrackingParams } },
    async (request, reply) => {
      return sendProof(
        reply,
        await readPaymentProof(app.db, app.config, { by: 'token', trackingToken: request.params.trackingToken }),
      );
    },
  );
  app.get(
    '/orders/:trackingToken/upi-qr.svg',
    { schema: { tags: customer, summary: 'The UPI payment link as a QR code (SVG)', params: TrackingParams } },
    async (request, reply) => {
      const svg = await orderUpiQrSvg(app.db, app.config, request.params.trackingToken);
      return reply
        .type('image/svg+xml')
        .header('cache-control', 'private, max-age=60')
        .header('x-content-type-options', 'nosniff')
        .send(svg);
    },
  );

  // ---- the merchant (tenancy: requireStoreMember, also enforced app-wide in onRequest) ----
  const merchant = { preHandler: requireStoreMember };
  const tags = ['orders'];
  const security = [{ bearer: [] }];
  app.get(
    '/stores/:storeId/orders',
    {
      ...merchant,
      schema: {
        tags,
        security,
        summary: 'Orders, newest first',
        params: StoreOrdersParams,
        querystring: OrderListQuery,
        response: { 200: OrderListSchema },
      },
    },
    async (request) => {
      return listOrders(app.db, app.config, request.params.storeId, request.query);
    },
  );
  app.get(
    '/stores/:storeId/orders/:orderId',
    {
      ...merchant,
      schema: { tags, security, summary: 'One order (marks it seen)', params: MerchantOrderParams, response: ok },
    },
    async (request) => {
      return getOrderForMerchant(app.db, app.config, request.params.storeId, request.params.orderId);
    },
  );
  app.post(
    '/stores/:storeId/orders/:orderId/transitions',
    {
      ...merchant,
      schema: {
        tags,
        security,
        summary: 'Change the status',
        params: MerchantOrderParams,
        body: TransitionBody,
        response: ok,
      },
    },
    async (request) => {
      const { storeId, orderId } = request.params;
      return transitionOrder(
        app.db,
        app.config,
        { by: 'store', storeId, orderId },
        request.body.to,
        'merchant',
        request.body.note?.trim() || null,
      );
    },
  );
  app.put(
    '/stores/:storeId/orders/:orderId/lines',
    {
      ...merchant,
      schema: {
        tags,
        security,
        summary: 'Replace the lines (while placed or accepted)',
        params: MerchantOrderParams,
        body: EditLinesBody,
        response: ok,
      },
    },
    async (request) => {
      const { storeId, orderId } = request.params;
      return editOrderLines(app.db, app.config, { by: 'store', storeId, orderId }, 'merchant', request.body);
    },
  );
  app.post(
    '/stores/:storeId/orders/:orderId/payment',
    {
      ...merchant,
      schema: {
        tags,
        security,
        summary: 'Record payment: paid or refunded',
        params: MerchantOrderParams,
        body: PaymentBody,
        response: ok,
      },
    },
    async (request) => {
      const { storeId, orderId } = request.params;
      return setPaymentStatus(app.db, app.config, storeId, orderId, request.body.status);
    },
  );
  app.get(
    '/stores/:storeId/orders/:orderId/payment-proof',
    {
      ...merchant,
      schema: { tags, security, summary: 'The latest payment proof (image)', params: MerchantOrderParams },
    },
    async (request, reply) => {
      const { storeId, orderId } = request.params;
      return sendProof(reply, await readPaymentProof(app.db, app.config, { by: 'store', storeId, orderId }));
    },
  );
};
