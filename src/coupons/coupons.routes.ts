import type { FastifyPluginAsync } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { requireStoreMember } from '../stores/membership.js';
import { ListOf } from '../shared/schema.js';
import {
  CouponListQuery,
  CouponParams,
  CouponSchema,
  CouponStoreParams,
  CreateCouponBody,
  UpdateCouponBody,
} from './coupons.schema.js';
import { createCoupon, deleteCoupon, getCoupon, listCoupons, updateCoupon } from './coupons.service.js';

export const couponRoutes: FastifyPluginAsync = async (base) => {
  const app = base.withTypeProvider<TypeBoxTypeProvider>();
  const common = { tags: ['coupons'], security: [{ bearer: [] }] };
  const preHandler = requireStoreMember;

  app.post(
    '/stores/:storeId/coupons',
    {
      preHandler,
      schema: { ...common, params: CouponStoreParams, body: CreateCouponBody, response: { 201: CouponSchema } },
    },
    async (request, reply) => {
      const coupon = await app.answerWithWork(request, reply, 201, (q) =>
        createCoupon(q, request.params.storeId, request.body),
      );
      return reply.code(201).send(coupon);
    },
  );
  app.get(
    '/stores/:storeId/coupons',
    {
      preHandler,
      schema: {
        ...common,
        params: CouponStoreParams,
        querystring: CouponListQuery,
        response: { 200: ListOf(CouponSchema) },
      },
    },
    async (request) => {
      return listCoupons(app.db, request.params.storeId, request.query);
    },
  );
  app.get(
    '/stores/:storeId/coupons/:couponId',
    { preHandler, schema: { ...common, params: CouponParams, response: { 200: CouponSchema } } },
    async (request) => {
      return getCoupon(app.db, request.params.storeId, request.params.couponId);
    },
  );
  app.patch(
    '/stores/:storeId/coupons/:couponId',
    {
      preHandler,
      schema: { ...common, params: CouponParams, body: UpdateCouponBody, response: { 200: CouponSchema } },
    },
    async (request) => {
      return updateCoupon(app.db, request.params.storeId, request.params.couponId, request.body);
    },
  );
  app.delete(
    '/stores/:storeId/coupons/:couponId',
    { preHandler, schema: { ...common, params: CouponParams, response: { 204: Type.Null() } } },
    async (request, reply) => {
      await deleteCoupon(app.db, request.params.storeId, request.params.couponId);
      return reply.code(204).send(null);
    },
  );
};
