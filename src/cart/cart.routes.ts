import type { FastifyPluginAsync } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import {
  ApplyCouponBody,
  CartLineParams,
  CartParams,
  CartSchema,
  CreateCartBody,
  SetLineBody,
  StorefrontParams,
  UpdateCartBody,
} from './cart.schema.js';
import {
  applyCartCoupon,
  createCart,
  getCart,
  removeCartCoupon,
  removeCartLine,
  setCartFulfillment,
  setCartLine,
} from './cart.service.js';

/** Public cart endpoints: the unguessable cart id is the customer's only credential. */
export const cartRoutes: FastifyPluginAsync = async (base) => {
  const app = base.withTypeProvider<TypeBoxTypeProvider>();
  const tags = ['storefront'];
  const ok = { 200: CartSchema };

  app.post(
    '/storefront/:slug/carts',
    {
      schema: { tags, params: StorefrontParams, body: CreateCartBody, response: { 201: CartSchema } },
      // The body is optional: a POST without one creates an empty cart, as it always has.
      preValidation: async (request) => {
        if (request.body === undefined) request.body = {};
      },
    },
    async (request, reply) => {
      return reply.code(201).send(await createCart(app.db, request.params.slug, request.body?.lines));
    },
  );
  app.get(
    '/storefront/:slug/carts/:cartId',
    { schema: { tags, params: CartParams, response: ok } },
    async (request) => {
      return getCart(app.db, request.params.slug, request.params.cartId);
    },
  );
  app.patch(
    '/storefront/:slug/carts/:cartId',
    { schema: { tags, params: CartParams, body: UpdateCartBody, response: ok } },
    async (request) => {
      return setCartFulfillment(app.db, request.params.slug, request.params.cartId, request.body.fulfillment);
    },
  );
  app.put(
    '/storefront/:slug/carts/:cartId/lines/:variantId',
    { schema: { tags, params: CartLineParams, body: SetLineBody, response: ok } },
    async (request) => {
      const { slug, cartId, variantId } = request.params;
      return setCartLine(app.db, slug, cartId, variantId, request.body.quantity);
    },
  );
  app.delete(
    '/storefront/:slug/carts/:cartId/lines/:variantId',
    { schema: { tags, params: CartLineParams, response: ok } },
    async (request) => {
      const { slug, cartId, variantId } = request.params;
      return removeCartLine(app.db, slug, cartId, variantId);
    },
  );
  app.put(
    '/storefront/:slug/carts/:cartId/coupon',
    { schema: { tags, params: CartParams, body: ApplyCouponBody, response: ok } },
    async (request) => {
      return applyCartCoupon(app.db, request.params.slug, request.params.cartId, request.body.code);
    },
  );
  app.delete(
    '/storefront/:slug/carts/:cartId/coupon',
    { schema: { tags, params: CartParams, response: ok } },
    async (request) => {
      return removeCartCoupon(app.db, request.params.slug, request.params.cartId);
    },
  );
};
