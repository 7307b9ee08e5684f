import type { FastifyPluginAsync } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { OrderSchema } from '../orders/orders.schema.js';
import { ajvErrorsToItems } from '../server/validation.js';
import { deliveryCheck, getStorefrontStoreRow } from '../stores/stores.service.js';
import { CheckoutBody, CheckoutParams, type CheckoutInput } from './checkout.schema.js';
import { mergeProblems } from './checkout.plan.js';
import { checkoutAnswered } from './checkout.service.js';
import type { OrderView } from '../orders/orders.service.js';
import {
  answerRecordedKey,
  idempotencyRecordFor,
  markIdempotencyAnswered,
  markIdempotencyRecorded,
  recordedKeySql,
} from '../server/idempotency.js';

const DeliveryQuery = Type.Object({
  pincode: Type.String({
    pattern: '^[0-9][0-9 ]{2,11}$',
    description: 'A PIN code (spaces ignored); for an INR store 6 digits, as checkout takes it, else 422',
  }),
});
const DeliveryAnswer = Type.Object({
  delivers: Type.Boolean(),
  fee: Type.Integer({ description: 'The delivery fee there (before any free-delivery threshold)' }),
});

/**
 * A body the schema refused, read as far as it goes: the checkout then reports the schema's problems and its own
 * rules' (blank name, bad phone, PIN, payment method) in ONE 422, so the customer fixes everything in one round.
 */
function bestEffortBody(body: unknown): CheckoutInput {
  const obj = (v: unknown): Record<string, unknown> =>
    v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
  const b = obj(body);
  const c = obj(b.customer);
  // A text holding a NUL is already reported (request.unstorableText) and is never passed on.
  const str = (v: unknown) => (typeof v === 'string' && !v.includes('\u0000') ? v : '');
  const a = c.address !== null && typeof c.address === 'object' ? obj(c.address) : null;
  return {
    customer: {
      name: str(c.name),
      phone: str(c.phone),
      ...(a
        ? { address: { line1: str(a.line1), line2: str(a.line2), city: str(a.city), pincode: str(a.pincode) } }
        : {}),
      ...(c.whatsappUpdates === false ? { whatsappUpdates: false } : {}),
    },
    ...(b.fulfillment === 'pickup' || b.fulfillment === 'delivery' ? { fulfillment: b.fulfillment } : {}),
    paymentMethod: str(b.paymentMethod) as CheckoutInput['paymentMethod'],
  };
}

export const checkoutRoutes: FastifyPluginAsync = async (base) => {
  const app = base.withTypeProvider<TypeBoxTypeProvider>();
  app.post(
    '/storefront/:slug/carts/:cartId/checkout',
    {
      attachValidation: true,
      // The checkout's first read reads the Idempotency-Key's record, and the order's statement writes it: a keyed
      // checkout costs no statement of its own for its key, and one durable commit.
      config: { idempotency: 'in-handler', collectsFieldProblems: true },
      schema: {
        tags: ['storefront'],
        summary: 'Place the order (honours Idempotency-Key)',
        description:
          'Every field problem comes at once in one 422 validation_failed. A total other than `expectedTotal` → ' +
          '409 total_changed with the current `cart`; a PIN outside the delivery areas → 422 outside_delivery_area.',
        params: CheckoutParams,
        body: CheckoutBody,
        response: { 201: OrderSchema },
      },
    },
    async (request, reply) => {
      const raw = request.headers['idempotency-key'];
      const key = (Array.isArray(raw) ? raw[0] : raw) ?? null;
      const invalid = request.validationError;
      if (invalid && request.validationError?.validationContext !== 'body') throw invalid;
      const unstorable = request.unstorableText ?? [];
      // One problem per field, a NUL's first (the schema may refuse the same text, e.g. as more than one line).
      const schemaProblems =
        invalid || unstorable.length
          ? mergeProblems(
              [...unstorable],
              invalid
                ? ajvErrorsToItems((invalid.validation ?? []) as Parameters<typeof ajvErrorsToItems>[0], 'body')
                : [],
            )
          : undefined;
      const body = schemaProblems ? bestEffortBody(request.body) : request.body;
      const { params } = request;
      const run = () =>
        checkoutAnswered(app.db, app.config, params.slug, params.cartId, body, key, {
          // An order through the API is the API's (an app, an integration); the storefront's pages place theirs
          // through the service ('web'), the chat bot its own ('whatsapp').
          source: 'api',
          schemaProblems,
          record: idempotencyRecordFor(request),
          recordSql: recordedKeySql,
          serialize: (view) => String(reply.code(201).serialize(view)),
        });
      let done = await run();
      if ('recorded' in done) {
        // The key has a record: answered as any keyed POST's repeat (replayed, 409, or waited for). 'answer-again':
        // its order is placed (found by checkout_key), or this request now holds the key; no record is read again.
        if ((await answerRecordedKey(app.db, request, reply, done.recorded)) === 'sent') return reply;
        done = await run();
        if ('recorded' in done) throw new Error('checkout: a key record was read without an Idempotency-Key record');
      }
      const { answer } = done;
      if (answer !== null) {
        // The order's statement stored these very bytes as the key's answer: send them as they are.
        markIdempotencyAnswered(request);
        // A JSON string with its type set is sent as it is (typed as the Order it already is).
        return reply
          .code(201)
          .type('application/json; charset=utf-8')
          .send(answer as unknown as OrderView);
      }
      markIdempotencyRecorded(request);
      return reply.code(201).send(done.order());
    },
  );

  app.get(
    '/storefront/:slug/delivery',
    {
      schema: {
        tags: ['storefront'],
        summary: 'Does the store deliver to this PIN code, and for what fee',
        params: Type.Object({ slug: Type.String({ maxLength: 200 }) }),
        querystring: DeliveryQuery,
        response: { 200: DeliveryAnswer },
      },
    },
    async (request) => {
      const store = await getStorefrontStoreRow(app.db, request.params.slug);
      return deliveryCheck(store, request.query.pincode);
    },
  );
};
