import type { FastifyPluginAsync } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { requireStoreMember } from '../stores/membership.js';
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
    async (request, reply) => {
      const ref = { by: 'token', trackingToken: request.params.trackingToken } as const;
      return app.answerWithWork(request, reply, 200, (q) =>
        transitionOrder(q, app.config, ref, 'cancelled', 'customer'),
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
    async (request, reply) => {
      const { storeId, orderId } = request.params;
      const note = request.body.note?.trim() || null;
      const to = request.body.to;
      return app.answerWithWork(request, reply, 200, (q) =>
        transitionOrder(q, app.config, { by: 'store', storeId, orderId }, to, 'merchant', note),
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
    async (request, reply) => {
      const { storeId, orderId } = request.params;
      return app.answerWithWork(request, reply, 200, (q) =>
        setPaymentStatus(q, app.config, storeId, orderId, request.body),
      );
    },
  );
};
