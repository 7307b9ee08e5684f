import { Type, type Static } from 'typebox';
import { Nullable, Phone } from '../shared/schema.js';
import { FulfillmentSchema, PaymentMethodSchema } from '../orders/orders.schema.js';

const PathSegment = Type.String({ maxLength: 200 });
export const CheckoutParams = Type.Object({ slug: PathSegment, cartId: PathSegment });

export const CheckoutAddress = Type.Object(
  {
    line1: Type.String({ minLength: 1, maxLength: 200 }),
    line2: Type.Optional(Nullable(Type.String({ maxLength: 200 }))),
    city: Type.String({ minLength: 1, maxLength: 100 }),
    pincode: Type.String({ minLength: 1, maxLength: 20, description: '6 digits for INR stores' }),
  },
  { additionalProperties: false },
);

export const CheckoutBody = Type.Object(
  {
    customer: Type.Object(
      {
        // One line: no control, separator or bidi override characters (they could forge lines in messages).
        name: Type.String({
          minLength: 1,
          maxLength: 100,
          pattern: '^[^\\u0000-\\u001f\\u007f-\\u009f\\u2028\\u2029\\u202a-\\u202e\\u2066-\\u2069]+$',
        }),
        phone: Phone,
        address: Type.Optional(Nullable(CheckoutAddress)),
        whatsappUpdates: Type.Optional(
          Type.Boolean({
            description: 'Order messages to this phone, a confirmation at placement included (default true)',
          }),
        ),
      },
      { additionalProperties: false },
    ),
    fulfillment: Type.Optional(FulfillmentSchema),
    paymentMethod: PaymentMethodSchema,
    note: Type.Optional(Nullable(Type.String({ maxLength: 500 }))),
    expectedTotal: Type.Optional(
      Type.Integer({
        minimum: 0,
        description: 'The total the customer last saw; a different total now → 409 total_changed with the cart',
      }),
    ),
    lang: Type.Optional(
      Type.String({ pattern: '^[a-z]{2,3}$', description: 'The language of the order messages; default the store’s' }),
    ),
  },
  { additionalProperties: false },
);
export type CheckoutInput = Static<typeof CheckoutBody>;
