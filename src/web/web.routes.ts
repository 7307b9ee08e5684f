/**
 * Every server-rendered page, registered as ONE encapsulated plugin after the API (see src/web/README.md).
 * Inside it: the page error handler (HTML, not problem+json), CSRF support, the hashed static assets,
 * the storefront (`/{slug}`, `{slug}.<BASE_DOMAIN>`), the order tracking pages (`/o/{token}`), and the dashboard.
 */
import type { FastifyPluginAsync } from 'fastify';
import { registerAssetRoutes } from './assets.js';
import { registerPageErrorHandler } from './errors.js';
import { registerCsrf } from './forms.js';
import { storefrontPages } from './storefront/storefront.pages.js';
import { orderPages } from './storefront/order.pages.js';
import { dashboardRoutes } from './dashboard/dashboard.routes.js';
import { billPages } from './bill/bill.pages.js';

export const webRoutes: FastifyPluginAsync = async (app) => {
  app.decorateRequest('pageLang', null);
  registerPageErrorHandler(app);
  await registerCsrf(app);
  registerAssetRoutes(app);

  // ---- dashboard (src/web/dashboard/**): register it here, e.g.
  //   await app.register(dashboardRoutes, { prefix: '/dashboard' });
  // It inherits the page error handler, `app.csrfProtection` and `reply.generateCsrf()`.
  await app.register(dashboardRoutes, { prefix: '/dashboard' });

  await app.register(orderPages);
  await app.register(billPages);
  // Last: `/:slug` is the catch-all of the site root; static paths above win anyway (find-my-way prefers them).
  await app.register(storefrontPages);
};
