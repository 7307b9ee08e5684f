import type { FastifyPluginAsync } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { OrderSchema } from '../orders/orders.schema.js';
import { CheckoutBody, CheckoutParams } from './checkout.schema.js';
import { checkout } from './checkout.service.js';
import { idempotencyRecordFor, markIdempotencyRecorded } from '../server/idempotency.js';

export const checkoutRoutes: FastifyPluginAsync = async (base) => {
  const app = base.withTypeProvider<TypeBoxTypeProvider>();
  app.post(
    '/storefront/:slug/carts/:cartId/checkout',
    {
      // The order's statement writes the Idempotency-Key's record too: one durable commit per checkout.
      config: { idempotency: 'in-handler' },
      schema: {
        tags: ['storefront'],
        summary: 'Place the order (honours Idempotency-Key)',
        params: CheckoutParams,
        body: CheckoutBody,
        response: { 201: OrderSchema },
      },
    },
    async (request, reply) => {
      const raw = request.headers['idempotency-key'];
      const key = (Array.isArray(raw) ? raw[0] : raw) ?? null;
      const order = await checkout(
        app.db,
        app.config,
        request.params.slug,
        request.params.cartId,
        request.body,
        key,
        idempotencyRecordFor(request),
      );
      markIdempotencyRecorded(request);
      return reply.code(201).send(order);
    },
  );
};
