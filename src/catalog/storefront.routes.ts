import type { FastifyPluginAsync, FastifyReply } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { whatsappOrdering } from '../stores/whatsapp-link.js';
import {
  CategoryListSchema,
  PublicProductListSchema,
  PublicProductSchema,
  PublicStoreSchema,
  StorefrontParams,
  StorefrontProductParams,
  StorefrontProductQuery,
} from './catalog.schema.js';
import {
  getPublicStore,
  getStorefrontProduct,
  listStorefrontCategories,
  listStorefrontProducts,
  publicStoreJson,
} from './storefront.service.js';

/**
 * Cached reads resolve to the same object for every request while the catalog is unchanged (catalog-cache.ts), so
 * its JSON text is kept beside it and sent as is: the 11 KB product list is not serialised again for every request.
 * Entries go when the cached object does (a WeakMap).
 */
const serialised = new WeakMap<object, string>();
function sendJson(reply: FastifyReply, body: object): FastifyReply {
  let text = serialised.get(body);
  if (text === undefined) {
    const out = reply.serialize(body); // the route's response-schema serialiser: a string
    text = typeof out === 'string' ? out : Buffer.from(out as ArrayBuffer).toString('utf8');
    serialised.set(body, text);
  }
  return reply.type('application/json; charset=utf-8').send(text);
}

/**
 * The public catalog by store slug: no sign-in. (Carts under /storefront/{slug}/carts are another module's.) Its
 * reads may go to a replica (`app.readDb`): the store row that carries the catalog version and the data it keys
 * come from the same server.
 */
export const storefrontRoutes: FastifyPluginAsync = async (base) => {
  const app = base.withTypeProvider<TypeBoxTypeProvider>();
  const tags = ['storefront'];

  app.get(
    '/storefront/:slug',
    { schema: { tags, params: StorefrontParams, response: { 200: PublicStoreSchema } } },
    async (request) => {
      return publicStoreJson(
        await getPublicStore(await app.readDb(request), request.params.slug, whatsappOrdering(app.config)),
      );
    },
  );
  app.get(
    '/storefront/:slug/categories',
    { schema: { tags, params: StorefrontParams, response: { 200: CategoryListSchema } } },
    async (request) => {
      const db = await app.readDb(request);
      const store = await getPublicStore(db, request.params.slug);
      return { items: await listStorefrontCategories(db, store.id, store.catalogVersion), nextCursor: null };
    },
  );
  app.get(
    '/storefront/:slug/products',
    {
      schema: {
        tags,
        params: StorefrontParams,
        querystring: StorefrontProductQuery,
        response: { 200: PublicProductListSchema },
      },
    },
    async (request, reply) => {
      const db = await app.readDb(request);
      const store = await getPublicStore(db, request.params.slug);
      const { q, category, limit, cursor } = request.query;
      return sendJson(
        reply,
        await listStorefrontProducts(db, store.id, { q, categorySlug: category, limit, cursor }, store.catalogVersion),
      );
    },
  );
  app.get(
    '/storefront/:slug/products/:productSlug',
    { schema: { tags, params: StorefrontProductParams, response: { 200: PublicProductSchema } } },
    async (request, reply) => {
      const db = await app.readDb(request);
      const store = await getPublicStore(db, request.params.slug);
      return sendJson(
        reply,
        await getStorefrontProduct(db, store.id, request.params.productSlug, store.catalogVersion),
      );
    },
  );
};
