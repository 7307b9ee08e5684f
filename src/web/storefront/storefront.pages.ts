/**
 * Storefront pages: store home, product, cart, checkout, mounted under /:slug on the platform host and at the root
 * of a store's own host. Every action is a plain form POST answered with a 303 (Post/Redirect/Get); app.js may
 * send the cart forms with fetch and `x-fragment: bill`, and then gets the re-rendered bill instead. The handlers
 * live in catalog.pages.ts, cart.pages.ts and checkout.pages.ts; all rules live in the services.
 */
import type { FastifyInstance, FastifyPluginAsync, FastifyReply, FastifyRequest, RouteShorthandOptions } from 'fastify';
import type { Queryable } from '../../db/db.js';
import {
  addToCart,
  applyCoupon,
  cartAction,
  cartPage,
  continueCart,
  chooseFulfillment,
  removeCoupon,
  removeLine,
  replaceLine,
  setLineQuantity,
} from './cart.pages.js';
import { homePage, productPage } from './catalog.pages.js';
import { checkoutPage, placeOrderFromForm } from './checkout.pages.js';
import { slugFromHost, storeContext } from './context.js';
import type { PageDeps, Params } from './deps.js';

interface Mount {
  /** '/:slug' on the platform host; '' on a store's own host. */
  prefix: string;
  options: RouteShorthandOptions;
  slugOf(request: FastifyRequest): string;
  onOwnHost: boolean;
}

export const storefrontPages: FastifyPluginAsync = async (app) => {
  mount(app, {
    prefix: '/:slug',
    options: {},
    slugOf: (request) => (request.params as Params).slug ?? '',
    onOwnHost: false,
  });
  const baseDomain = app.config.baseDomain;
  if (baseDomain) {
    const hostPattern = new RegExp(
      `^[a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])?\\.${baseDomain.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?::\\d+)?$`,
      'i',
    );
    mount(app, {
      prefix: '',
      options: { constraints: { host: hostPattern } },
      slugOf: (request) => slugFromHost(request.headers.host, baseDomain) ?? '',
      onOwnHost: true,
    });
  }
};

function mount(app: FastifyInstance, m: Mount): void {
  const deps: PageDeps = {
    app,
    db: app.db,
    config: app.config,
    ctxOf: (request: FastifyRequest, reply: FastifyReply | null = null, on: Queryable = app.db) =>
      storeContext(on, app.config, m.slugOf(request), m.onOwnHost, request, reply),
  };
  const opts = m.options;
  const at = (path: string) => `${m.prefix}${path}`;

  app.get(m.prefix || '/', opts, homePage(deps));
  app.get(at('/p/:productSlug'), opts, productPage(deps));

  app.get(at('/cart'), opts, cartPage(deps));
  app.get(at('/c/:cartId'), opts, continueCart(deps));
  app.post(at('/cart/add'), opts, addToCart(deps));
  app.post(at('/cart/lines/:variantId'), opts, cartAction(deps, setLineQuantity));
  app.post(at('/cart/lines/:variantId/remove'), opts, cartAction(deps, removeLine));
  app.post(at('/cart/replace'), opts, cartAction(deps, replaceLine));
  app.post(at('/cart/coupon'), opts, cartAction(deps, applyCoupon));
  app.post(at('/cart/coupon/remove'), opts, cartAction(deps, removeCoupon));
  app.post(at('/cart/fulfillment'), opts, cartAction(deps, chooseFulfillment));

  app.get(at('/checkout'), opts, checkoutPage(deps));
  app.post(at('/checkout'), opts, placeOrderFromForm(deps));
}
