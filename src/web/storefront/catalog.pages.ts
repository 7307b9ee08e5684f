/** The storefront's catalog pages: the store home (categories, products, search) and a product page. */
import type { RouteHandlerMethod } from 'fastify';
import {
  countStorefrontMatches,
  getStorefrontProduct,
  listStorefrontCategories,
  listStorefrontProducts,
} from '../../catalog/storefront.service.js';
import { takeFlash } from '../forms.js';
import type { Html } from '../html.js';
import { sendPage } from '../layout.js';
import { cartCount, currentCart } from './context.js';
import type { PageDeps, Params } from './deps.js';
import { homeMain, productMain, productOpenGraph, storePage } from './views.js';

const PRODUCTS_PER_PAGE = 24;

/**
 * The home page's product grid, rendered once per cached product list (the same object while the catalog version
 * holds, catalog-cache.ts; categories change the version too) and per everything else it shows: the link base,
 * this URL, and the store's public settings (open, delivery, payments change the store row, not the version). The
 * cart count and flash message are outside it. Entries go with the list (a WeakMap), at most a few per list.
 */
const homeMains = new WeakMap<object, Map<string, Html>>();
function cachedHomeMain(list: object, key: string, render: () => Html): Html {
  let byKey = homeMains.get(list);
  if (!byKey) {
    byKey = new Map();
    homeMains.set(list, byKey);
  }
  let main = byKey.get(key);
  if (!main) {
    main = render();
    if (byKey.size < 16) byKey.set(key, main);
  }
  return main;
}

// The catalog pages read the catalog where app.readDb says (a replica that has the client's last write, or the
// primary); the cart badge is read on the primary.

/** The store home: categories, a page of products (or search results), the cart badge. */
export function homePage(deps: PageDeps): RouteHandlerMethod {
  const { app, db, ctxOf } = deps;
  return async (request, reply) => {
    const catalog = await app.readDb(request);
    const ctx = await ctxOf(request, reply, catalog);
    const query = request.query as Params;
    const q = (typeof query.q === 'string' ? query.q : '').trim().slice(0, 100);
    const categorySlug = (typeof query.category === 'string' ? query.category : '').slice(0, 100);
    const cursor = typeof query.cursor === 'string' && query.cursor ? query.cursor.slice(0, 500) : undefined;
    const [categories, list, cart] = await Promise.all([
      listStorefrontCategories(catalog, ctx.store.id, ctx.store.catalogVersion),
      listStorefrontProducts(
        catalog,
        ctx.store.id,
        { q: q || undefined, categorySlug: categorySlug || undefined, limit: PRODUCTS_PER_PAGE, cursor },
        ctx.store.catalogVersion,
      ),
      currentCart(db, request, ctx),
    ]);
    // A search inside a category also counts the whole store's matches, to offer them (issue 13 item 3).
    const inAll =
      q && categorySlug && !cursor ? await countStorefrontMatches(db, ctx.store.id, q, ctx.store.catalogVersion) : null;
    const here = request.url.length <= 600 ? request.url : ctx.href();
    const origin = new URL(ctx.absoluteBase).origin;
    const firstImage = list.items.find((p) => p.images.length)?.images[0];
    const page = storePage(ctx, {
      title: q ? `${q} — ${ctx.store.name}` : ctx.store.name,
      description: ctx.store.description || ctx.tr('storefront.metaDescription', { store: ctx.store.name }),
      here,
      og: {
        title: ctx.store.name,
        description: ctx.store.description || ctx.tr('storefront.metaDescription', { store: ctx.store.name }),
        url: ctx.absoluteBase,
        type: 'website',
        siteName: ctx.store.name,
        image: firstImage ? (firstImage.startsWith('/') ? `${origin}${firstImage}` : firstImage) : undefined,
      },
      pageId: 'store-home',
      cartCount: cartCount(cart),
      flash: takeFlash(request, reply),
      main: cachedHomeMain(list, `${ctx.lang}\n${ctx.base}\n${here}\n${JSON.stringify(ctx.store)}`, () =>
        homeMain(ctx, {
          categories,
          products: list.items,
          nextCursor: list.nextCursor,
          query: q,
          categorySlug,
          here,
          inAll,
        }),
      ),
    });
    return sendPage(request, reply, page);
  };
}

/** A product page with its sizes and how many are in the cart already. */
export function productPage(deps: PageDeps): RouteHandlerMethod {
  const { app, db, ctxOf } = deps;
  return async (request, reply) => {
    const catalog = await app.readDb(request);
    const ctx = await ctxOf(request, reply, catalog);
    const productSlug = (request.params as Params).productSlug ?? '';
    const [product, cart] = await Promise.all([
      getStorefrontProduct(catalog, ctx.store.id, productSlug.slice(0, 200), ctx.store.catalogVersion),
      currentCart(db, request, ctx),
    ]);
    const og = productOpenGraph(ctx, product);
    const ids = new Set(product.variants.map((v) => v.id));
    const inCart = cart ? cart.cart.lines.filter((l) => ids.has(l.variantId)).reduce((n, l) => n + l.quantity, 0) : 0;
    return sendPage(
      request,
      reply,
      storePage(ctx, {
        title: `${product.name} — ${ctx.store.name}`,
        description: og.description,
        og,
        pageId: 'product',
        here: ctx.href(`/p/${encodeURIComponent(product.slug)}`),
        cartCount: cartCount(cart),
        flash: takeFlash(request, reply),
        main: productMain(ctx, product, null, inCart),
      }),
    );
  };
}
