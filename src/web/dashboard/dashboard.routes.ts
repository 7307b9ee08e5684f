/**
 * The owner's dashboard at /dashboard: server-rendered pages over the same services as the API.
 * Registered inside the web plugin (src/web/web.routes.ts), which provides the page error handler,
 * `app.csrfProtection` and `reply.generateCsrf()`.
 *
 *   /dashboard/signin, /signin/code, /signout     public (CSRF-protected forms)
 *   /dashboard, /stores, /new, /orders/:orderId   signed in
 *   /dashboard/stores/:storeId/…                  signed in AND a member of that store (else the 404 page)
 */
import type { FastifyPluginAsync } from 'fastify';
import { findOrderForMember } from '../../orders/orders.service.js';
import { seeOther } from '../forms.js';
import { sendErrorPage } from '../errors.js';
import { authRoutes } from './auth.routes.js';
import { categoryRoutes } from './categories.routes.js';
import {
  DASHBOARD_PATH,
  dashboardLanguage,
  requireSignedIn,
  requireStoreMemberPage,
  storePath,
  trOf,
} from './context.js';
import { couponRoutes } from './coupons.routes.js';
import { homeRoutes, storeHomeRoutes } from './home.routes.js';
import { importRoutes } from './import.routes.js';
import { memberRoutes } from './members.routes.js';
import { orderRoutes } from './orders.routes.js';
import { orderEventRoutes } from './events.routes.js';
import { pushSubscriptionRoutes, pwaRoutes } from './pwa.routes.js';
import { productRoutes } from './products.routes.js';
import { reportRoutes } from './reports.routes.js';
import { settingsRoutes } from './settings.routes.js';

export const dashboardRoutes: FastifyPluginAsync = async (app) => {
  app.decorateRequest('dashboardStore', null);
  app.decorateRequest('dashboardLang', 'en');
  app.addHook('onRequest', dashboardLanguage);
  app.setNotFoundHandler((request, reply) => {
    const tr = trOf(request);
    return sendErrorPage(request, reply, {
      status: 404,
      title: tr('dashboard.notFound.title'),
      message: tr('dashboard.notFound.message'),
      backHref: DASHBOARD_PATH,
      backLabel: tr('dashboard.notFound.back'),
    });
  });

  await app.register(authRoutes);
  await app.register(pwaRoutes);

  await app.register(async (signedIn) => {
    signedIn.addHook('onRequest', requireSignedIn);
    await signedIn.register(homeRoutes);

    // Links in the store's WhatsApp messages name only the order: find its store, for members only.
    signedIn.get<{ Params: { orderId: string } }>('/orders/:orderId', async (request, reply) => {
      const order = await findOrderForMember(signedIn.db, request.params.orderId, request.session!.merchant.id);
      return seeOther(reply, storePath(order.storeId, `/orders/${order.orderId}`));
    });

    await signedIn.register(
      async (store) => {
        store.addHook('onRequest', requireStoreMemberPage);
        await store.register(storeHomeRoutes);
        await store.register(productRoutes);
        await store.register(categoryRoutes);
        await store.register(couponRoutes);
        await store.register(orderRoutes);
        await store.register(settingsRoutes);
        await store.register(memberRoutes);
        await store.register(reportRoutes);
        await store.register(importRoutes);
        await store.register(orderEventRoutes);
        await store.register(pushSubscriptionRoutes);
      },
      { prefix: '/stores/:storeId' },
    );
  });
};
