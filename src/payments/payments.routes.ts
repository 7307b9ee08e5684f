import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { ImageFilePart, multipartBody } from '../shared/schema.js';
import { requireStoreMember } from '../stores/membership.js';
import { AppError, validationFailed } from '../shared/errors.js';
import { MerchantOrderParams, OrderSchema, TrackingParams } from '../orders/orders.schema.js';
import { readProofUpload } from './proof-upload.js';
import {
  MAX_PROOF_BYTES,
  orderUpiQrPng,
  orderUpiQrSvg,
  readPaymentProof,
  submitPaymentProof,
} from './proofs.service.js';

/**
 * Reads the `file` part (and the optional `reference` field) of a multipart request, size first: 415 if not
 * multipart, 413 past 5 MB.
 */
async function receiveProof(request: FastifyRequest): Promise<{ bytes: Buffer; reference: string | null }> {
  if (!request.isMultipart())
    throw new AppError('unsupported_media_type', 'Send the image as multipart/form-data with one field named "file"');
  const upload = await readProofUpload(request, MAX_PROOF_BYTES);
  if (upload.file?.fieldname !== 'file')
    throw validationFailed('Send the image as a multipart file field named "file"', [
      { code: 'required', path: '/file', message: 'is required' },
    ]);
  if (upload.file.truncated) throw new AppError('payload_too_large', 'The file is larger than 5 MB');
  return { bytes: upload.file.bytes, reference: upload.reference };
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

/** Payment proofs and the UPI QR code of an order: the customer by tracking token, the store by id. */
export const paymentRoutes: FastifyPluginAsync = async (base) => {
  const app = base.withTypeProvider<TypeBoxTypeProvider>();
  const ok = { 200: OrderSchema };
  const customer = ['orders (customer)'];
  app.post(
    '/orders/:trackingToken/payment-proof',
    {
      // For the OpenAPI document only (src/server/openapi.ts): receiveProof reads and checks the parts itself.
      config: {
        openapiBody: multipartBody({
          file: ImageFilePart,
          reference: Type.Optional(
            Type.String({ pattern: '^[0-9]{12}$', description: 'The 12-digit UPI transaction reference' }),
          ),
        }),
      },
      schema: {
        tags: customer,
        summary:
          'Upload a payment screenshot (multipart `file`: JPEG/PNG/WebP, ≤ 5 MB; optional `reference`: the ' +
          '12-digit UPI transaction reference)',
        consumes: ['multipart/form-data'],
        params: TrackingParams,
        response: ok,
      },
    },
    async (request, reply) => {
      const { bytes, reference } = await receiveProof(request);
      return submitPaymentProof(app.db, app.config, request.params.trackingToken, bytes, reference, (work) =>
        app.answerWithWork(request, reply, 200, work),
      );
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
      return sendQr(reply, 'image/svg+xml', svg);
    },
  );
  app.get(
    '/orders/:trackingToken/upi-qr.png',
    { schema: { tags: customer, summary: 'The UPI payment link as a QR code (PNG)', params: TrackingParams } },
    async (request, reply) => {
      const png = await orderUpiQrPng(app.db, app.config, request.params.trackingToken);
      return sendQr(reply, 'image/png', png);
    },
  );

  const merchant = { preHandler: requireStoreMember };
  const tags = ['orders'];
  const security = [{ bearer: [] }];
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

/** A QR image of the order's UPI link: private to the order's link holder, cached briefly, never sniffed. */
function sendQr(reply: FastifyReply, type: 'image/svg+xml' | 'image/png', body: string | Buffer) {
  return reply
    .type(type)
    .header('cache-control', 'private, max-age=60')
    .header('x-content-type-options', 'nosniff')
    .send(body);
}
