import { Type, type Static } from 'typebox';
import { Cursor, Limit, Nullable } from '../shared/schema.js';
import type { ORDER_STATUSES } from './status.js';
import type { PAYMENT_STATUSES } from './payment-status.js';

export const OrderStatusSchema = Type.Union([
  Type.Literal('placed'),
  Type.Literal('accepted'),
  Type.Literal('shipped'),
  Type.Literal('delivered'),
  Type.Literal('rejected'),
  Type.Literal('cancelled'),
]);
export const PaymentStatusSchema = Type.Union([
  Type.Literal('pending'),
  Type.Literal('proof_submitted'),
  Type.Literal('paid'),
  Type.Literal('refunded'),
]);
// The schemas above must list exactly the statuses of the state machines.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : never) : never;
const _orderStatusesMatch: Same<Static<typeof OrderStatusSchema>, (typeof ORDER_STATUSES)[number]> = true;
const _paymentStatusesMatch: Same<Static<typeof PaymentStatusSchema>, (typeof PAYMENT_STATUSES)[number]> = true;
void _orderStatusesMatch;
void _paymentStatusesMatch;
export const PaymentMethodSchema = Type.Union([Type.Literal('cod'), Type.Literal('upi')]);
export const FulfillmentSchema = Type.Union([Type.Literal('delivery'), Type.Literal('pickup')]);

export const AddressSchema = Type.Object({
  line1: Type.String(),
  line2: Nullable(Type.String()),
  city: Type.String(),
  pincode: Type.String(),
});

export const CustomerSchema = Type.Object({
  name: Type.String(),
  phone: Type.String(),
  address: Nullable(AddressSchema),
  whatsappUpdates: Type.Optional(Type.Boolean()),
});

export const OrderLineSchema = Type.Object({
  variantId: Type.String(),
  name: Type.String(),
  variantName: Type.String(),
  unitPrice: Type.Integer(),
  quantity: Type.Integer(),
  lineTotal: Type.Integer(),
});

export const HistoryEntrySchema = Type.Object({
  status: Type.String({
    description:
      'an order status, `edited` for a line edit, or a payment action: `paid` (payment received), `refunded` ' +
      '(refund recorded), `proof_submitted` (screenshot received)',
  }),
  at: Type.String({ format: 'date-time' }),
  note: Type.Optional(Type.String()),
  amount: Type.Optional(Type.Integer({ description: 'the amount of a payment action, minor units' })),
});

export const PaymentEntrySchema = Type.Object({
  kind: Type.Union([Type.Literal('payment'), Type.Literal('refund')]),
  amount: Type.Integer(),
  reference: Type.Optional(Type.String()),
  at: Type.String({ format: 'date-time' }),
});

/** The money record of an order: its entries and the latest payment proof. */
export const OrderPaymentSchema = Type.Object({
  entries: Type.Array(PaymentEntrySchema, { description: 'every payment received and refund given, oldest first' }),
  reference: Type.Optional(Type.String({ description: 'the UPI reference sent with the latest proof' })),
  proofTotal: Type.Optional(Type.Integer({ description: 'the order total the latest proof was sent for' })),
  proofOutdated: Type.Boolean({ description: 'a proof is waiting and the total rose above what it was sent for' }),
  amountToPay: Type.Integer({
    description: 'what the customer is asked to pay now (with a proof waiting: only what the total rose by)',
  }),
});

/** The contract's Order: the same shape for the customer (by tracking token) and the merchant. */
export const OrderSchema = Type.Object({
  id: Type.String(),
  number: Type.Integer(),
  source: Type.Union([Type.Literal('web'), Type.Literal('api'), Type.Literal('whatsapp')], {
    description: 'where the order was placed',
  }),
  status: OrderStatusSchema,
  paymentStatus: PaymentStatusSchema,
  paymentMethod: PaymentMethodSchema,
  fulfillment: FulfillmentSchema,
  currency: Type.String(),
  lines: Type.Array(OrderLineSchema),
  couponCode: Nullable(Type.String()),
  subtotal: Type.Integer(),
  discount: Type.Integer(),
  deliveryFee: Type.Integer(),
  total: Type.Integer(),
  amountPaid: Type.Integer(),
  balanceDue: Type.Integer({
    description:
      'what the customer still owes: total − amountWaived (never below 0) − amountPaid; negative when the store ' +
      'owes the customer after an edit',
  }),
  amountRefunded: Type.Integer({ description: 'refunds given back so far (amountPaid is net of them)' }),
  amountWaived: Type.Integer({
    description:
      'the part of refunds beyond what was owed back (a goodwill refund): the customer owes that much less, for good',
  }),
  refundDue: Type.Integer({
    description:
      'what the store owes back: amountPaid beyond total − amountWaived, or all of it on a rejected or cancelled order',
  }),
  payment: OrderPaymentSchema,
  customer: CustomerSchema,
  note: Nullable(Type.String()),
  lang: Type.String({ description: 'The language the customer ordered in; their messages use it' }),
  history: Type.Array(HistoryEntrySchema),
  trackingToken: Type.String(),
  trackingUrl: Type.String(),
  whatsappUrl: Type.String(),
  upiUrl: Type.Optional(Type.String()),
  createdAt: Type.String({ format: 'date-time' }),
});
export type OrderView = Static<typeof OrderSchema>;

export const OrderListSchema = Type.Object({ items: Type.Array(OrderSchema), nextCursor: Nullable(Type.String()) });

// ---- requests ----

const PathSegment = Type.String({ maxLength: 200 });
export const TrackingParams = Type.Object({ trackingToken: PathSegment });
export const MerchantOrderParams = Type.Object({ storeId: PathSegment, orderId: PathSegment });
export const StoreOrdersParams = Type.Object({ storeId: PathSegment });

export const OrderListQuery = Type.Object(
  { status: Type.Optional(OrderStatusSchema), limit: Type.Optional(Limit), cursor: Type.Optional(Cursor) },
  { additionalProperties: false },
);
export type OrderListInput = Static<typeof OrderListQuery>;

export const MAX_ORDER_LINES = 100;
export const EditLinesBody = Type.Object(
  {
    lines: Type.Array(
      Type.Object(
        {
          variantId: Type.String({ minLength: 1, maxLength: 100 }),
          quantity: Type.Optional(Type.Integer({ minimum: 0, maximum: 999 })),
        },
        { additionalProperties: false },
      ),
      { maxItems: MAX_ORDER_LINES },
    ),
  },
  { additionalProperties: false },
);
export type EditLinesInput = Static<typeof EditLinesBody>;

export const TransitionBody = Type.Object(
  { to: OrderStatusSchema, note: Type.Optional(Type.String({ maxLength: 500 })) },
  { additionalProperties: false },
);

/** A UPI transaction reference (UTR): 12 digits. */
export const UPI_REFERENCE = /^[0-9]{12}$/;

export const PaymentBody = Type.Union([
  Type.Object({ status: Type.Literal('paid') }, { additionalProperties: false }),
  Type.Object(
    {
      status: Type.Literal('refunded'),
      amount: Type.Optional(
        Type.Integer({
          minimum: 1,
          maximum: 1_000_000_000_00,
          description: 'the amount given back; default: the refund due, else all that was paid',
        }),
      ),
      reference: Type.Optional(Type.String({ minLength: 1, maxLength: 64, description: 'e.g. the UPI reference' })),
    },
    { additionalProperties: false },
  ),
]);
export type PaymentInput = Static<typeof PaymentBody>;
