import type { FastifyPluginAsync } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import {
  CategoryListSchema,
  PublicProductListSchema,
  PublicProductSchema,
  PublicStoreSchema,
  StorefrontParams,
  StorefrontProductParams,
  StorefrontProductQuery,
} from './catalog.schema.js';
import { getPublicStore, getStorefrontProduct, listStorefrontCategories, listStorefrontProducts, publicStoreJson } from './storefront.service.js';

/** The public catalog by store slug: no sign-in. (Carts under /storefront/{slug}/carts are another module's.) */
export const storefrontRoutes: FastifyPluginAsync = async (base) => {
  const app = base.withTypeProvider<TypeBoxTypeProvider>();
  const tags = ['storefront'];

  app.get('/storefront/:slug', { schema: { tags, params: StorefrontParams, response: { 200: PublicStoreSchema } } }, async (request) => {
    return publicStoreJson(await getPublicStore(app.db, request.params.slug));
  });
  app.get('/storefront/:slug/categories', { schema: { tags, params: StorefrontParams, response: { 200: CategoryListSchema } } }, async (request) => {
    const store = await getPublicStore(app.db, request.params.slug);
    return { items: await listStorefrontCategories(app.db, store.id, store.catalogVersion), nextCursor: null };
  });
  app.get('/storefront/:slug/products', { schema: { tags, params: StorefrontParams, querystring: StorefrontProductQuery, response: { 200: PublicProductListSchema } } }, async (request) => {
    const store = await getPublicStore(app.db, request.params.slug);
    const { q, category, limit, cursor } = request.query;
    return listStorefrontProducts(app.db, store.id, { q, categorySlug: category, limit, cursor }, store.catalogVersion);
  });
  app.get('/storefront/:slug/products/:productSlug', { schema: { tags, params: StorefrontProductParams, response: { 200: PublicProductSchema } } }, async (request) => {
    const store = await getPublicStore(app.db, request.params.slug);
    return getStorefrontProduct(app.db, store.id, request.params.productSlug, store.catalogVersion);
  });
};
