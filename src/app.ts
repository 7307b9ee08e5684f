import { randomUUID } from 'node:crypto';
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import helmet from 'helmet';
import cookie from '@fastify/cookie';
import formbody from '@fastify/formbody';
import multipart from '@fastify/multipart';
import rateLimit from '@fastify/rate-limit';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { Config } from './config.js';
import type { Db } from './db/db.js';
import { frameworkErrors, registerProblemHandlers } from './server/problems.js';
import { clientErrorHandler, MAX_PATH_LENGTH, registerInputGuard } from './server/input-guard.js';
import { whatsappSettingsRoutes, whatsappWebhookRoutes } from './whatsapp/whatsapp.routes.js';
import { validatorCompiler } from './server/validation.js';
import { registerMetrics } from './server/metrics.js';
import { registerReplicaReads } from './server/replica-reads.js';
import { registerIdempotency } from './server/idempotency.js';
import { documentOperation } from './server/openapi.js';
import { logOptions, requestLogSerializer } from './server/logger.js';
import { PgRateLimitStore } from './server/rate-limit-store.js';
import { findSession, requestToken } from './auth/session.js';
import { requireStoreMember } from './stores/membership.js';
import { chooseOtpChannel, type OtpChannel } from './merchants/otp-channel.js';
import { ProblemSchema } from './shared/schema.js';
import { merchantRoutes } from './merchants/merchants.routes.js';
import { storeRoutes } from './stores/stores.routes.js';
import { catalogRoutes } from './catalog/catalog.routes.js';
import { storefrontRoutes } from './catalog/storefront.routes.js';
import { cartRoutes } from './cart/cart.routes.js';
import { couponRoutes } from './coupons/coupons.routes.js';
import { orderRoutes } from './orders/orders.routes.js';
import { paymentRoutes } from './payments/payments.routes.js';
import { checkoutRoutes } from './checkout/checkout.routes.js';
import { poolTestRoutes } from './server/pool-test-routes.js';
import { mediaRoutes } from './media/media.routes.js';
import { webRoutes } from './web/web.routes.js';
import { ownerApiRoutes } from './owner-api.js';

export interface Services {
  otpChannel: OtpChannel;
}

export interface RouteEntry {
  method: string;
  url: string;
}

export interface BuildAppOptions {
  config: Config;
  db: Db;
  logger?: FastifyServerOptions['logger'];
  otpChannel?: OtpChannel;
  /** Replica health check interval (ms; tests shorten it). */
  replicaCheckMs?: number;
}

const STORE_SCOPED_PREFIX = '/api/v1/stores/:storeId';
const HSTS = 'max-age=31536000; includeSubDomains';

const REQUEST_ID_RE = /^[A-Za-z0-9._:-]{1,128}$/;

function withRedactedUrls(logger: NonNullable<FastifyServerOptions['logger']>): FastifyServerOptions['logger'] {
  if (typeof logger !== 'object') return logger;
  return { ...logger, serializers: { req: requestLogSerializer, ...logger.serializers } };
}

export async function buildApp(opts: BuildAppOptions): Promise<FastifyInstance> {
  const { config, db } = opts;
  const app = Fastify({
    // Request lines log the URL with its secrets redacted (the webhook's verification token is in a query string).
    logger: withRedactedUrls(opts.logger ?? logOptions(config.logLevel)),
    bodyLimit: config.bodyLimit,
    trustProxy: config.trustProxy,
    // Keep an upstream's X-Request-Id (nginx) so one id follows the request through every log.
    genReqId: (req) => {
      const incoming = req.headers['x-request-id'];
      return typeof incoming === 'string' && REQUEST_ID_RE.test(incoming) ? incoming : randomUUID();
    },
    ajv: { customOptions: { coerceTypes: false } },
    // No limit of the router's own on a path part: the input guard bounds the whole path (MAX_PATH_LENGTH, 414), and
    // a part too long to name anything is then answered as any unknown id or slug (404), not with an error code of
    // the router's (a 300-character store id is a store that does not exist: tenancy's 404).
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: MAX_PATH_LENGTH },
    frameworkErrors,
    clientErrorHandler: (err, socket) => clientErrorHandler(err as Error & { code?: string }, socket),
  }).withTypeProvider<TypeBoxTypeProvider>();

  app.setValidatorCompiler(validatorCompiler);
  // The route table, for tests that must cover every route (tenant isolation) as routes are added.
  const routeTable: RouteEntry[] = [];
  app.addHook('onRoute', (route) => {
    for (const method of ([] as string[]).concat(route.method))
      if (method !== 'HEAD') routeTable.push({ method, url: route.url });
  });
  app.decorate('routeTable', routeTable);
  app.decorate('db', db);
  app.decorate('config', config);
  app.decorate('services', { otpChannel: opts.otpChannel ?? chooseOtpChannel(config) });
  app.decorateRequest('session', null);

  registerProblemHandlers(app);
  app.addSchema(ProblemSchema);
  registerInputGuard(app);

  // Helmet's security headers on every answer, its middleware built once: @fastify/helmet built it again for each
  // request (the options read, a dozen middlewares made): 13–16 µs of every request's CPU, measured in one process.
  const securityHeaders = helmet({
    // Pages set their own CSP; the API answers JSON only.
    contentSecurityPolicy: false,
    crossOriginResourcePolicy: { policy: 'same-site' },
    // Sent below, and only over HTTPS: over plain HTTP browsers ignore it (RFC 6797 §8.1), and it only misleads.
    strictTransportSecurity: false,
  });
  app.addHook('onRequest', (request, reply, done) =>
    securityHeaders(request.raw, reply.raw, (err) => done(err as Error | undefined)),
  );
  await app.register(cookie);
  await app.register(formbody);
  await app.register(multipart, { limits: { fileSize: 5 * 1024 * 1024, files: 1, fields: 10, parts: 12 } });
  if (config.rateLimitPerIp) {
    await app.register(rateLimit, {
      max: config.rateLimitPerIp,
      timeWindow: 60_000,
      store: PgRateLimitStore.bind(null, db) as unknown as never,
      allowList: (req) => req.url === '/healthz' || req.url === '/readyz' || req.url === '/metrics',
      errorResponseBuilder: (_req, ctx) => ({
        statusCode: 429,
        message: `Too many requests; retry in ${Math.ceil(ctx.ttl / 1000)} s`,
      }),
    });
  }
  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'dukaan API',
        version: '1.0.0',
        description:
          'The public HTTP contract of dukaan: JSON bodies with camelCase names, money as integers in minor units, ' +
          'RFC 9457 problem details with a stable `code`, `Idempotency-Key` on every POST. ' +
          'The prose version is docs/api.md in the repository.',
      },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
    },
    // Pages and form posts stay out; every operation gets its summary and description (src/server/openapi.ts).
    transform: documentOperation,
    refResolver: {
      buildLocalReference: (json, _baseUri, _fragment, i) => (typeof json.$id === 'string' ? json.$id : `def-${i}`),
    },
  });
  await app.register(swaggerUi, { routePrefix: '/api/v1/docs' });

  app.addHook('onRequest', async (request, reply) => {
    reply.header('x-request-id', request.id);
    // request.protocol is 'https' for a TLS socket, or behind a trusted proxy that says X-Forwarded-Proto: https.
    if (request.protocol === 'https') reply.header('strict-transport-security', HSTS);
    if (config.serverName) reply.header('x-served-by', config.serverName);
    const isApi = request.url.startsWith('/api/');
    const token = requestToken(request, { cookie: !isApi });
    if (token) request.session = await findSession(db, token, config.sessionIdleDays);
    // Tenancy for every /stores/{storeId}/… route, present and future, before the body is even read:
    // non-members get 404 whatever they send.
    if (request.routeOptions.url?.startsWith(STORE_SCOPED_PREFIX)) await requireStoreMember(request, reply);
  });
  registerIdempotency(app, db);
  const registry = registerMetrics(app, db);
  await registerReplicaReads(app, db, config, registry, { checkMs: opts.replicaCheckMs });

  app.get('/healthz', { schema: { hide: true } }, async () => ({ status: 'ok' }));
  app.get('/readyz', { schema: { hide: true } }, async (_request, reply) => {
    const ok = await db.ping(1000);
    if (!ok)
      return reply.code(503).type('application/problem+json').send({
        type: 'https://dukaan.dev/problems/unavailable',
        title: 'Temporarily unavailable',
        status: 503,
        code: 'unavailable',
        detail: 'The database is not answering',
      });
    return { status: 'ready' };
  });
  if (process.env.DUKAAN_TEST_ROUTES === '1') await app.register(poolTestRoutes);
  app.get('/api/v1/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  // `/api` itself is the API's, not a store's page (`/:slug`): its 404 is problem+json like any unknown API path.
  app.all('/api', { schema: { hide: true } }, (_request, reply) => reply.callNotFound());

  await app.register(
    async (api) => {
      await api.register(merchantRoutes);
      await api.register(storeRoutes);
      await api.register(catalogRoutes);
      await api.register(storefrontRoutes);
      await api.register(cartRoutes);
      await api.register(couponRoutes);
      await api.register(checkoutRoutes);
      await api.register(orderRoutes);
      await api.register(paymentRoutes);
      await api.register(ownerApiRoutes);
      await api.register(whatsappSettingsRoutes);
    },
    { prefix: '/api/v1' },
  );
  // WhatsApp Cloud API webhook: /webhooks/whatsapp (its own JSON parser: the signature covers the raw bytes).
  await app.register(whatsappWebhookRoutes);
  // Product images: POST /api/v1/stores/{storeId}/images and GET /media/{name} (full paths inside).
  await app.register(mediaRoutes);
  // Server-rendered pages (storefront, order tracking, dashboard): one plugin, after the API. See src/web/README.md.
  await app.register(webRoutes);
  return app;
}
