import { Type } from 'typebox';
import type { FastifyPluginAsync } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { normalizeE164 } from '../shared/phone.js';
import { validationFailed } from '../shared/errors.js';
import { requestOtp, verifyOtp } from './merchants.service.js';
import { MerchantSchema, OtpRequestBody, VerifyBody, VerifyResponse } from './merchants.schema.js';
import { requireMerchant, revokeSession } from '../auth/session.js';
import { listStoresOfMerchant } from '../stores/stores.service.js';
import { StoreSchema } from '../stores/stores.schema.js';

function phoneOrFail(input: string): string {
  const phone = normalizeE164(input);
  if (!phone)
    throw validationFailed('phone must be a valid number in E.164, like +919876543210', [
      { code: 'invalid', path: '/phone', message: 'not a valid E.164 phone number' },
    ]);
  return phone;
}

export const merchantRoutes: FastifyPluginAsync = async (base) => {
  const app = base.withTypeProvider<TypeBoxTypeProvider>();
  app.post(
    '/auth/otp',
    { schema: { tags: ['auth'], body: OtpRequestBody, response: { 202: Type.Object({ sent: Type.Boolean() }) } } },
    async (request, reply) => {
      const phone = phoneOrFail(request.body.phone);
      await requestOtp(
        {
          db: app.db,
          channel: app.services.otpChannel,
          testNumbers: app.config.otpTestNumbers,
          secret: app.config.authSecret,
          log: request.log,
        },
        phone,
        request.ip,
      );
      return reply.code(202).send({ sent: true });
    },
  );

  app.post(
    '/auth/verify',
    { schema: { tags: ['auth'], body: VerifyBody, response: { 200: VerifyResponse } } },
    async (request) => {
      return verifyOtp(app.db, phoneOrFail(request.body.phone), request.body.code, {
        secret: app.config.authSecret,
        previousSessionId: request.session?.sessionId ?? null,
      });
    },
  );

  app.get(
    '/me',
    {
      onRequest: requireMerchant,
      schema: {
        tags: ['auth'],
        security: [{ bearer: [] }],
        response: { 200: Type.Object({ merchant: MerchantSchema, stores: Type.Array(StoreSchema) }) },
      },
    },
    async (request) => {
      const session = request.session!;
      return {
        merchant: session.merchant,
        stores: await listStoresOfMerchant(app.db, session.merchant.id, app.config),
      };
    },
  );

  app.post(
    '/auth/logout',
    { onRequest: requireMerchant, schema: { tags: ['auth'], security: [{ bearer: [] }] } },
    async (request, reply) => {
      await revokeSession(app.db, request.session!.sessionId);
      return reply.code(204).send();
    },
  );
};
