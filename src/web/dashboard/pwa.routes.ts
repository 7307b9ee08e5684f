/**
 * The installable dashboard (public: the browser fetches these without the session) and the "notify me on this
 * phone" subscriptions (signed-in members of the store, CSRF-checked like every dashboard form).
 *
 *   GET  /dashboard/manifest.webmanifest?lang=   the web app manifest
 *   GET  /dashboard/icons/icon-{192,512}.png     its icons
 *   GET  /dashboard/sw.js                        the service worker (scope /dashboard/)
 *   GET  /dashboard/offline                      the page the worker shows when a page cannot load
 *   GET  /dashboard/push/key                     the VAPID public key the browser subscribes with
 *   POST   /dashboard/stores/{id}/push           { endpoint, keys: { p256dh, auth } } → 201 { id }
 *   DELETE /dashboard/stores/{id}/push           { endpoint } → 204
 */
import type { FastifyPluginAsync } from 'fastify';
import { isSubscribed, subscribe, unsubscribe, vapidKeys } from '../../notify/push.js';
import { validationFailed } from '../../shared/errors.js';
import { html } from '../html.js';
import { layout, sendPage } from '../layout.js';
import { currentStore, trOf } from './context.js';
import { ICON_SIZES, iconPng, manifest, serviceWorkerSource } from './pwa.js';

const DAY = 86_400;

/** Public files of the app; registered in the dashboard plugin before sign-in is required. */
export const pwaRoutes: FastifyPluginAsync = async (app) => {
  const hide = { schema: { hide: true } };
  app.get('/manifest.webmanifest', hide, async (request, reply) =>
    reply
      .type('application/manifest+json; charset=utf-8')
      .header('cache-control', `public, max-age=${DAY}`)
      .header('vary', 'accept-language')
      .send(JSON.stringify(manifest(request.dashboardLang, trOf(request)))),
  );
  for (const size of ICON_SIZES)
    app.get(`/icons/icon-${size}.png`, hide, async (_request, reply) =>
      reply
        .type('image/png')
        .header('cache-control', `public, max-age=${7 * DAY}`)
        .send(await iconPng(size)),
    );
  // Never cached by HTTP: the browser compares the worker byte for byte to find a new deploy.
  app.get('/sw.js', hide, async (_request, reply) =>
    reply
      .type('text/javascript; charset=utf-8')
      .header('cache-control', 'no-cache')
      .header('service-worker-allowed', '/dashboard/')
      .send(serviceWorkerSource()),
  );
  // Fetched by the worker without cookies: nothing of a session is in it, so it may be kept.
  app.get('/offline', hide, async (request, reply) => {
    const tr = trOf(request);
    const page = layout({
      title: `${tr('dashboard.pwa.offlineTitle')} · dukaan`,
      noindex: true,
      pageId: 'offline',
      lang: request.dashboardLang,
      skipLabel: tr('dashboard.shell.skip'),
      header: html`<a class="brand" href="/dashboard/">dukaan</a>`,
      main: html`<h1>${tr('dashboard.pwa.offlineTitle')}</h1>
<p data-testid="offline-message">${tr('dashboard.pwa.offlineMessage')}</p>
<p><a class="btn" href="/dashboard/" data-testid="offline-retry">${tr('dashboard.pwa.offlineRetry')}</a></p>`,
      footer: html`<p>${tr('dashboard.shell.tagline')}</p>`,
    });
    return sendPage(request, reply, page, { cacheControl: 'no-cache' });
  });
  app.get('/push/key', hide, async (_request, reply) => {
    const { publicKey } = await vapidKeys(app.db, app.config);
    return reply.header('cache-control', 'no-cache').send({ publicKey });
  });
};

function endpointOf(body: unknown): string {
  const endpoint = (body as { endpoint?: unknown } | null)?.endpoint;
  if (typeof endpoint !== 'string' || endpoint.length === 0 || endpoint.length > 2000)
    throw validationFailed('endpoint is required', [{ code: 'required', path: '/endpoint', message: 'required' }]);
  return endpoint;
}

/** The store's push subscriptions of the member signed in; registered under /dashboard/stores/:storeId. */
export const pushSubscriptionRoutes: FastifyPluginAsync = async (app) => {
  const guarded = { preHandler: app.csrfProtection, schema: { hide: true } };
  app.post('/push', guarded, async (request, reply) => {
    const store = currentStore(request);
    const id = await subscribe(app.db, store.id, request.session!.merchant.id, request.body);
    return reply.code(201).header('cache-control', 'no-store').send({ id });
  });
  app.post('/push/status', guarded, async (request, reply) => {
    const subscribed = await isSubscribed(app.db, currentStore(request).id, endpointOf(request.body));
    return reply.header('cache-control', 'no-store').send({ subscribed });
  });
  app.delete('/push', guarded, async (request, reply) => {
    await unsubscribe(app.db, currentStore(request).id, endpointOf(request.body));
    return reply.code(204).send();
  });
};
