/**
 * Errors on pages are pages: a person on a phone sees words and a way back, never problem+json, in the language
 * the page speaks (src/web/page-language.ts).
 * `registerPageErrorHandler` is set inside the web plugin, so the API keeps its own JSON handler.
 */
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { isDbUnavailableError } from '../db/db.js';
import { t, type Lang } from '../i18n/index.js';
import { AppError } from '../shared/errors.js';
import { errorPageLanguage } from './page-language.js';
import { html, type Html } from './html.js';
import { layout, sendPage } from './layout.js';
import { problemText } from './forms.js';

export interface ErrorPageOptions {
  status: number;
  title: string;
  message: string;
  /** Where "go back" points; default the site root (the dashboard's home on dashboard pages). */
  backHref?: string;
  backLabel?: string;
  header?: Html;
  /** The page language; default the one this request's page chose (src/web/page-language.ts). */
  lang?: Lang;
}

export function errorPage(opts: ErrorPageOptions): Html {
  const lang = opts.lang ?? 'en';
  return layout({
    title: opts.title,
    lang,
    noindex: true,
    pageId: 'error',
    header: opts.header,
    skipLabel: t(lang, 'common.error.skip'),
    footer: html`<p>${t(lang, 'common.error.madeWith')}</p>`,
    main: html`<h1>${opts.title}</h1>
<p data-testid="error-message">${opts.message}</p>
<p><a class="btn secondary" href="${opts.backHref ?? '/'}">${opts.backLabel ?? t(lang, 'common.error.back')}</a></p>`,
  });
}

const onDashboard = (request: FastifyRequest): boolean => /^\/dashboard(?:[/?#]|$)/.test(request.url);

export function sendErrorPage(request: FastifyRequest, reply: FastifyReply, opts: ErrorPageOptions): FastifyReply {
  const lang = opts.lang ?? errorPageLanguage(request);
  const back = onDashboard(request)
    ? { backHref: '/dashboard', backLabel: t(lang, 'dashboard.notFound.back') }
    : { backHref: '/', backLabel: t(lang, 'common.error.back') };
  return sendPage(request, reply, errorPage({ ...back, ...opts, lang }), {
    status: opts.status,
    cacheControl: 'no-store',
  });
}

export function registerPageErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError, request, reply) => {
    const lang = errorPageLanguage(request);
    if (error instanceof AppError) {
      if (error.headers) reply.headers(error.headers);
      const title = error.code === 'not_found' ? t(lang, 'common.error.notFoundTitle') : t(lang, 'common.error.title');
      const detail = lang === 'en' ? error.message || problemText('en', error.code) : problemText(lang, error.code);
      return sendErrorPage(request, reply, {
        status: error.status,
        title,
        message: error.status === 404 ? problemText(lang, 'not_found') : detail,
      });
    }
    if (error.code === 'FST_CSRF_INVALID_TOKEN' || error.code === 'FST_CSRF_MISSING_SECRET') {
      return sendErrorPage(request, reply, {
        status: 403,
        title: t(lang, 'common.error.formExpiredTitle'),
        message: t(lang, 'common.error.formExpired'),
      });
    }
    if (error.code === 'FST_REQ_FILE_TOO_LARGE' || error.statusCode === 413) {
      return sendErrorPage(request, reply, {
        status: 413,
        title: t(lang, 'common.error.tooLargeTitle'),
        message: problemText(lang, 'payload_too_large'),
      });
    }
    if (isDbUnavailableError(error)) {
      reply.header('retry-after', '1');
      return sendErrorPage(request, reply, {
        status: 503,
        title: t(lang, 'common.error.tryAgainTitle'),
        message: problemText(lang, 'unavailable'),
      });
    }
    if (error.statusCode && error.statusCode >= 400 && error.statusCode < 500) {
      const status = error.statusCode;
      return sendErrorPage(request, reply, {
        status,
        title: status === 404 ? t(lang, 'common.error.notFoundTitle') : t(lang, 'common.error.unreadableTitle'),
        message: status === 404 ? problemText(lang, 'not_found') : t(lang, 'common.error.unreadable'),
      });
    }
    request.log.error({ err: error, reqId: request.id }, 'page error');
    return sendErrorPage(request, reply, {
      status: 500,
      title: t(lang, 'common.error.brokenTitle'),
      message: t(lang, 'common.error.reference', {
        message: problemText(lang, 'internal_error'),
        reference: request.id,
      }),
    });
  });
}
