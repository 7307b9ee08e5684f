/**
 * The language a page of this request speaks. The storefront (`pageLanguage`) and the dashboard
 * (`dashboardLanguage`) choose it and note it here; an error page (src/web/errors.ts) speaks the same one, and when
 * the error came before any page chose (an unknown store, a malformed URL), it chooses the same way without a store:
 * `?lang=` > the `lang` cookie > Accept-Language > English.
 */
import type { FastifyRequest } from 'fastify';
import { chooseLanguage, type Lang } from '../i18n/index.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by the page that chose it; null until then (decorated in src/web/web.routes.ts). */
    pageLang: Lang | null;
  }
}

export const LANG_COOKIE = 'lang';

export function notePageLanguage(request: FastifyRequest, lang: Lang): void {
  request.pageLang = lang;
}

export function errorPageLanguage(request: FastifyRequest): Lang {
  if (request.pageLang) return request.pageLang;
  const query = (request.query as Record<string, unknown> | undefined)?.lang;
  const cookies = (request as FastifyRequest & { cookies?: Record<string, string | undefined> }).cookies;
  const header = request.headers['accept-language'];
  return chooseLanguage({
    query,
    cookie: cookies?.[LANG_COOKIE],
    acceptLanguage: typeof header === 'string' ? header : undefined,
  });
}
