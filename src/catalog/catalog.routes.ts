import type { FastifyPluginAsync } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { requireStoreMember } from '../stores/membership.js';
import { changeStock } from '../inventory/stock.js';
import { createCategory, deleteCategory, listCategories, updateCategory } from './categories.service.js';
import {
  addVariant,
  archiveProduct,
  archiveVariant,
  createProduct,
  getProduct,
  listProducts,
  updateProduct,
  updateVariant,
} from './products.service.js';
import {
  CategoryListSchema,
  CategoryParams,
  CategorySchema,
  CreateCategoryBody,
  CreateProductBody,
  ProductListQuery,
  ProductListSchema,
  ProductParams,
  ProductSchema,
  StockBody,
  StockParams,
  StockResponse,
  StoreParams,
  UpdateCategoryBody,
  UpdateProductBody,
  UpdateVariantBody,
  VariantInputBody,
  VariantParams,
  VariantSchema,
} from './catalog.schema.js';

const NoContent = Type.Null({ description: 'No content' });

/** The merchant's catalog: categories, products, variants, stock. Every route is for members of the store only. */
export const catalogRoutes: FastifyPluginAsync = async (base) => {
  const app = base.withTypeProvider<TypeBoxTypeProvider>();
  const security = [{ bearer: [] }];
  const tags = ['catalog'];
  const member = { preHandler: requireStoreMember };

  // ---------- categories ----------
  app.post(
    '/stores/:storeId/categories',
    {
      ...member,
      schema: { tags, security, params: StoreParams, body: CreateCategoryBody, response: { 201: CategorySchema } },
    },
    async (request, reply) => {
      const category = await app.answerWithWork(request, reply, 201, (q) =>
        createCategory(q, request.params.storeId, request.body),
      );
      return reply.code(201).send(category);
    },
  );
  app.get(
    '/stores/:storeId/categories',
    { ...member, schema: { tags, security, params: StoreParams, response: { 200: CategoryListSchema } } },
    async (request) => {
      return { items: await listCategories(app.db, request.params.storeId), nextCursor: null };
    },
  );
  app.patch(
    '/stores/:storeId/categories/:categoryId',
    {
      ...member,
      schema: { tags, security, params: CategoryParams, body: UpdateCategoryBody, response: { 200: CategorySchema } },
    },
    async (request) => {
      return updateCategory(app.db, request.params.storeId, request.params.categoryId, request.body);
    },
  );
  app.delete(
    '/stores/:storeId/categories/:categoryId',
    { ...member, schema: { tags, security, params: CategoryParams, response: { 204: NoContent } } },
    async (request, reply) => {
      await deleteCategory(app.db, request.params.storeId, request.params.categoryId);
      return reply.code(204).send(null);
    },
  );

  // ---------- products ----------
  app.post(
    '/stores/:storeId/products',
    {
      ...member,
      schema: { tags, security, params: StoreParams, body: CreateProductBody, response: { 201: ProductSchema } },
    },
    async (request, reply) => {
      const product = await app.answerWithWork(request, reply, 201, (q) =>
        createProduct(q, request.params.storeId, request.body),
      );
      return reply.code(201).send(product);
    },
  );
  app.get(
    '/stores/:storeId/products',
    {
      ...member,
      schema: {
        tags,
        security,
        params: StoreParams,
        querystring: ProductListQuery,
        response: { 200: ProductListSchema },
      },
    },
    async (request) => {
      return listProducts(app.db, request.params.storeId, request.query);
    },
  );
  app.get(
    '/stores/:storeId/products/:productId',
    { ...member, schema: { tags, security, params: ProductParams, response: { 200: ProductSchema } } },
    async (request) => {
      return getProduct(app.db, request.params.storeId, request.params.productId);
    },
  );
  app.patch(
    '/stores/:storeId/products/:productId',
    {
      ...member,
      schema: { tags, security, params: ProductParams, body: UpdateProductBody, response: { 200: ProductSchema } },
    },
    async (request) => {
      return updateProduct(app.db, request.params.storeId, request.params.productId, request.body);
    },
  );
  app.delete(
    '/stores/:storeId/products/:productId',
    { ...member, schema: { tags, security, params: ProductParams, response: { 204: NoContent } } },
    async (request, reply) => {
      await archiveProduct(app.db, request.params.storeId, request.params.productId);
      return reply.code(204).send(null);
    },
  );

  // ---------- variants ----------
  app.post(
    '/stores/:storeId/products/:productId/variants',
    {
      ...member,
      schema: { tags, security, params: ProductParams, body: VariantInputBody, response: { 201: VariantSchema } },
    },
    async (request, reply) => {
      const { storeId, productId } = request.params;
      const variant = await app.answerWithWork(request, reply, 201, (q) =>
        addVariant(q, storeId, productId, request.body),
      );
      return reply.code(201).send(variant);
    },
  );
  app.patch(
    '/stores/:storeId/products/:productId/variants/:variantId',
    {
      ...member,
      schema: { tags, security, params: VariantParams, body: UpdateVariantBody, response: { 200: VariantSchema } },
    },
    async (request) => {
      const { storeId, productId, variantId } = request.params;
      return updateVariant(app.db, storeId, productId, variantId, request.body);
    },
  );
  app.delete(
    '/stores/:storeId/products/:productId/variants/:variantId',
    { ...member, schema: { tags, security, params: VariantParams, response: { 204: NoContent } } },
    async (request, reply) => {
      const { storeId, productId, variantId } = request.params;
      await archiveVariant(app.db, storeId, productId, variantId);
      return reply.code(204).send(null);
    },
  );

  // ---------- stock ----------
  app.post(
    '/stores/:storeId/variants/:variantId/stock',
    { ...member, schema: { tags, security, params: StockParams, body: StockBody, response: { 200: StockResponse } } },
    async (request, reply) => {
      const { storeId, variantId } = request.params;
      return app.answerWithWork(request, reply, 200, (q) => changeStock(q, storeId, variantId, request.body));
    },
  );
};
