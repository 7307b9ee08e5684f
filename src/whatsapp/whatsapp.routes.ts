/**
 * The Cloud API webhook (`GET` verification, `POST` messages) and the store's WhatsApp settings (owner only).
 * The POST reads the raw body (the signature covers its exact bytes), stores each message in the inbox and answers
 * 200 at once; the inbox worker answers the customer afterwards (src/whatsapp/inbox.ts).
 */
import type { FastifyPluginAsync } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { requireStoreMember } from '../stores/membership.js';
import { AppError, conflict, notFound } from '../shared/errors.js';
import { validSignature } from './cloud-api.js';
import { wakeInboxWorkers } from './inbox.js';
import { storable } from './inbound.js';
import * as repo from './whatsapp.repo.js';
import { UpdateWhatsAppSettingsBody, VerifyQuery, WhatsAppSettingsSchema } from './whatsapp.schema.js';

interface WebhookMessage {
  messageId: string;
  phoneNumberId: string;
  sender: string;
  message: Record<string, unknown>;
}

/** The messages of a webhook payload (statuses and other fields are ignored); anything malformed is skipped. */
export function messagesOf(payload: unknown): WebhookMessage[] {
  const out: WebhookMessage[] = [];
  if (typeof payload !== 'object' || payload === null) return out;
  const entries = (payload as { entry?: unknown }).entry;
  if (!Array.isArray(entries)) return out;
  for (const entry of entries) {
    const changes = (entry as { changes?: unknown })?.changes;
    if (!Array.isArray(changes)) continue;
    for (const change of changes) {
      const value = (change as { field?: unknown; value?: unknown })?.value as
        | { metadata?: { phone_number_id?: unknown }; messages?: unknown }
        | undefined;
      if ((change as { field?: unknown }).field !== 'messages' || !value) continue;
      const phoneNumberId = value.metadata?.phone_number_id;
      if (typeof phoneNumberId !== 'string' || !/^\d{1,30}$/.test(phoneNumberId) || !Array.isArray(value.messages))
        continue;
      for (const m of value.messages) {
        const msg = m as { id?: unknown; from?: unknown; type?: unknown };
        if (typeof msg?.id !== 'string' || msg.id.length > 200 || typeof msg.from !== 'string') continue;
        if (!/^\d{6,15}$/.test(msg.from) || typeof msg.type !== 'string') continue;
        out.push({
          messageId: storable(msg.id) as string,
          phoneNumberId,
          sender: msg.from,
          message: storable(m) as Record<string, unknown>,
        });
      }
    }
  }
  return out;
}

/**
 * Meta's deliveries may be up to 3 MB ("Webhooks payloads can be up to 3MB"), above the app's 1 MB JSON limit: a
 * delivery answered 413 would be retried and refused again until Meta drops it, with every message in it.
 */
export const WEBHOOK_BODY_LIMIT = 3 * 1024 * 1024;

export const whatsappWebhookRoutes: FastifyPluginAsync = async (base) => {
  const app = base.withTypeProvider<TypeBoxTypeProvider>();
  // The signature is over the exact bytes Meta sent: keep them, parse JSON here.
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));

  app.get(
    '/webhooks/whatsapp',
    {
      // Anything but the right token and a challenge is a 403, as the contract says: a repeated or over-long
      // parameter too (not the schema's 400).
      attachValidation: true,
      schema: { tags: ['whatsapp'], summary: 'Cloud API webhook verification', querystring: VerifyQuery },
    },
    async (request, reply) => {
      const token = app.config.whatsappVerifyToken;
      const q = request.query;
      if (
        request.validationError ||
        !token ||
        q['hub.mode'] !== 'subscribe' ||
        q['hub.verify_token'] !== token ||
        !q['hub.challenge']
      )
        throw new AppError('forbidden', 'Verification failed');
      return reply.type('text/plain').send(q['hub.challenge']);
    },
  );

  app.post(
    '/webhooks/whatsapp',
    {
      bodyLimit: WEBHOOK_BODY_LIMIT,
      schema: { tags: ['whatsapp'], summary: 'Cloud API webhook: inbound messages (signed)' },
    },
    async (request, reply) => {
      const secret = app.config.whatsappAppSecret;
      const raw = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
      const signature = request.headers['x-hub-signature-256'];
      if (!secret || !validSignature(raw, typeof signature === 'string' ? signature : undefined, secret))
        throw new AppError('unauthorized', 'Bad or missing X-Hub-Signature-256');
      let payload: unknown;
      try {
        payload = JSON.parse(raw.toString('utf8'));
      } catch {
        request.log.warn('whatsapp webhook: body is not JSON; ignored');
        return reply.code(200).send({ received: 0 });
      }
      const messages = messagesOf(payload);
      const stored = await repo.insertInbox(app.db, messages);
      if (messages.length === 0) request.log.info('whatsapp webhook: no messages (statuses or other fields); ignored');
      if (stored) setImmediate(wakeInboxWorkers);
      return reply.code(200).send({ received: stored });
    },
  );
};

export const whatsappSettingsRoutes: FastifyPluginAsync = async (base) => {
  const app = base.withTypeProvider<TypeBoxTypeProvider>();
  const security = [{ bearer: [] }];
  const params = Type.Object({ storeId: Type.String({ maxLength: 100 }) });
  app.get(
    '/stores/:storeId/whatsapp',
    {
      preHandler: requireStoreMember,
      schema: { tags: ['whatsapp'], security, params, response: { 200: WhatsAppSettingsSchema } },
    },
    async (request) => {
      const settings = await repo.readSettings(app.db, request.params.storeId);
      if (!settings) throw notFound('Store not found');
      return settings;
    },
  );
  app.patch(
    '/stores/:storeId/whatsapp',
    {
      preHandler: requireStoreMember,
      schema: {
        tags: ['whatsapp'],
        security,
        params,
        body: UpdateWhatsAppSettingsBody,
        response: { 200: WhatsAppSettingsSchema },
      },
    },
    async (request) => {
      if (request.storeRole !== 'owner') throw new AppError('forbidden', 'Only the owner connects WhatsApp');
      try {
        await repo.writeSettings(app.db, request.params.storeId, request.body);
      } catch (err) {
        if ((err as { code?: string }).code === '23505')
          throw conflict('This WhatsApp number is connected to another store');
        throw err;
      }
      return (await repo.readSettings(app.db, request.params.storeId))!;
    },
  );
};
