import type { FastifyPluginAsync } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { requireMerchant } from '../auth/session.js';
import { assertOwner, requireStoreMember } from './membership.js';
import { createStore, getStoreRow, toStore, updateStore } from './stores.service.js';
import { CreateStoreBody, StoreParams, StoreSchema, UpdateStoreBody } from './stores.schema.js';

export const storeRoutes: FastifyPluginAsync = async (base) => {
  const app = base.withTypeProvider<TypeBoxTypeProvider>();
  const security = [{ bearer: [] }];
  app.post(
    '/stores',
    {
      onRequest: requireMerchant,
      schema: { tags: ['stores'], security, body: CreateStoreBody, response: { 201: StoreSchema } },
    },
    async (request, reply) => {
      const store = await createStore(app.db, request.session!.merchant.id, request.body, app.config);
      return reply.code(201).send(store);
    },
  );
  app.get(
    '/stores/:storeId',
    {
      preHandler: requireStoreMember,
      schema: { tags: ['stores'], security, params: StoreParams, response: { 200: StoreSchema } },
    },
    async (request) => {
      return toStore(await getStoreRow(app.db, request.params.storeId), app.config);
    },
  );
  app.patch(
    '/stores/:storeId',
    {
      preHandler: requireStoreMember,
      schema: {
        tags: ['stores'],
        security,
        params: StoreParams,
        body: UpdateStoreBody,
        response: { 200: StoreSchema },
      },
    },
    async (request) => {
      // Staff may rename or open/close the store; where the money goes is the owner's.
      if (request.body.payments !== undefined) assertOwner(request, 'payment settings');
      if (request.body.whatsappPhoneNumberId !== undefined || request.body.whatsappBot !== undefined)
        assertOwner(request, 'the WhatsApp connection');
      return updateStore(app.db, request.params.storeId, request.body, app.config);
    },
  );
};
