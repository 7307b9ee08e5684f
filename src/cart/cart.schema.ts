import { Type, type Static } from 'typebox';
import { Nullable } from '../shared/schema.js';

const LineErrorSchema = Nullable(
  Type.Object({
    code: Type.Union([Type.Literal('out_of_stock'), Type.Literal('insufficient_stock'), Type.Literal('unavailable')]),
    available: Type.Optional(Type.Integer()),
  }),
);

export const SuggestionSchema = Type.Object({
  variantId: Type.String(),
  productSlug: Type.String(),
  name: Type.String(),
  variantName: Type.String(),
  price: Type.Integer(),
});

export const CartCouponSchema = Nullable(
  Type.Object({
    code: Type.String(),
    applied: Type.Boolean(),
    reason: Type.Optional(
      Type.Union([
        Type.Literal('min_order'),
        Type.Literal('exhausted'),
        Type.Literal('expired'),
        Type.Literal('inactive'),
      ]),
    ),
    shortBy: Type.Optional(Type.Integer({ description: 'subtotal still missing for the minimum order' })),
  }),
);

export const CartLineSchema = Type.Object({
  variantId: Type.String(),
  productId: Type.String(),
  name: Type.String(),
  variantName: Type.String(),
  unitPrice: Type.Integer(),
  quantity: Type.Integer(),
  lineTotal: Type.Integer(),
  error: LineErrorSchema,
  suggestions: Type.Array(SuggestionSchema, {
    description:
      'On an out-of-stock or unavailable line: up to 3 in-stock variants of the same category (the line’s own ' +
      'product’s other variants included; uncategorised: those only), nearest price first, none already in the cart',
  }),
});

export const CartErrorSchema = Type.Object({
  code: Type.String(),
  variantId: Type.Optional(Type.String()),
  available: Type.Optional(Type.Integer()),
  message: Type.String(),
});

export const Fulfillment = Type.Union([Type.Literal('delivery'), Type.Literal('pickup')]);
/** How the customer gets the order: the one Fulfillment type of every layer. */
export type Fulfillment = Static<typeof Fulfillment>;

export const CartSchema = Type.Object(
  {
    id: Type.String(),
    currency: Type.String(),
    fulfillment: Fulfillment,
    lines: Type.Array(CartLineSchema),
    couponCode: Nullable(Type.String()),
    coupon: CartCouponSchema,
    subtotal: Type.Integer(),
    discount: Type.Integer(),
    deliveryFee: Type.Integer(),
    total: Type.Integer(),
    errors: Type.Array(CartErrorSchema),
    canCheckout: Type.Boolean(),
  },
  { $id: 'Cart' },
);
export type CartView = Static<typeof CartSchema>;
export type CartLineView = Static<typeof CartLineSchema>;

// Path segments that cannot name anything are unknown (404 from the service), not malformed requests;
// the router already caps a parameter at 200 characters.
const PathSegment = Type.String({ maxLength: 200 });
export const StorefrontParams = Type.Object({ slug: PathSegment });
export const CartParams = Type.Object({ slug: PathSegment, cartId: PathSegment });
export const CartLineParams = Type.Object({ slug: PathSegment, cartId: PathSegment, variantId: PathSegment });

export const MAX_LINE_QUANTITY = 999;
export const MAX_CART_LINES = 100;

export const SetLineBody = Type.Object(
  { quantity: Type.Integer({ minimum: 0, maximum: MAX_LINE_QUANTITY, description: '0 removes the line' }) },
  { additionalProperties: false },
);

export const CreateCartBody = Type.Object(
  {
    lines: Type.Optional(
      Type.Array(
        Type.Object(
          {
            variantId: Type.String({ minLength: 1, maxLength: 200 }),
            quantity: Type.Integer({ minimum: 1, maximum: MAX_LINE_QUANTITY }),
          },
          { additionalProperties: false },
        ),
        {
          maxItems: MAX_CART_LINES,
          description:
            'The lines the cart starts with, in this order (distinct variants the store sells); created in one ' +
            'request with the cart',
        },
      ),
    ),
  },
  { additionalProperties: false },
);

export const UpdateCartBody = Type.Object({ fulfillment: Fulfillment }, { additionalProperties: false });

export const ApplyCouponBody = Type.Object(
  { code: Type.String({ minLength: 1, maxLength: 40 }) },
  { additionalProperties: false },
);
