import type { FastifyPluginAsync } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { requireMerchant } from '../auth/session.js';
import { assertOwner, requireStoreMember } from './membership.js';
import { createStore, getStoreRow, toStore, updateStore } from './stores.service.js';
import {
  CreateStoreBody,
  StoreParams,
  StoreSchema,
  UpdateStoreBody,
  WhatsappCodeBody,
  WhatsappCodeSentSchema,
} from './stores.schema.js';
import { confirmStoreWhatsappCode, sendStoreWhatsappCode } from './whatsapp-verify.js';

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
      const store = await app.answerWithWork(request, reply, 201, (q) =>
        createStore(q, request.session!.merchant.id, request.body, app.config),
      );
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
      return updateStore(app.db, request.params.storeId, request.body, app.config, request.session!.merchant.id);
    },
  );
  app.post(
    '/stores/:storeId/whatsapp/verification',
    {
      preHandler: requireStoreMember,
      config: { ownerOnly: true },
      schema: {
        tags: ['stores'],
        security,
        summary: "Send a code to the store's WhatsApp number (it receives messages only once verified)",
        params: StoreParams,
        response: { 202: WhatsappCodeSentSchema },
      },
    },
    async (request, reply) => {
      const sent = await sendStoreWhatsappCode(
        { db: app.db, channel: app.services.otpChannel, secret: app.config.authSecret, log: request.log },
        request.params.storeId,
        (work) => app.answerWithWork(request, reply, 202, work),
      );
      return reply.code(202).send(sent);
    },
  );
  app.post(
    '/stores/:storeId/whatsapp/verification/confirm',
    {
      preHandler: requireStoreMember,
      config: { ownerOnly: true },
      schema: {
        tags: ['stores'],
        security,
        summary: 'Type back the code sent to the WhatsApp number: the number is verified',
        params: StoreParams,
        body: WhatsappCodeBody,
        response: { 200: StoreSchema },
      },
    },
    async (request) => {
      const { storeId } = request.params;
      await confirmStoreWhatsappCode(app.db, storeId, request.body.code, app.config.authSecret);
      return toStore(await getStoreRow(app.db, storeId), app.config);
    },
  );
};
