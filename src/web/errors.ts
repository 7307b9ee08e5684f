/**
 * Errors on pages are pages: a person on a phone sees words and a way back, never problem+json.
 * `registerPageErrorHandler` is set inside the web plugin, so the API keeps its own JSON handler.
 */
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { isDbUnavailableError } from '../db/db.js';
import { AppError } from '../shared/errors.js';
import { html, type Html } from './html.js';
import { layout, sendPage } from './layout.js';
import { PROBLEM_MESSAGES } from './forms.js';

export interface ErrorPageOptions {
  status: number;
  title: string;
  message: string;
  /** Where "go back" points; default the site root. */
  backHref?: string;
  backLabel?: string;
  header?: Html;
}

export function errorPage(opts: ErrorPageOptions): Html {
  return layout({
    title: opts.title,
    noindex: true,
    pageId: 'error',
    header: opts.header,
    main: html`<h1>${opts.title}</h1>
<p data-testid="error-message">${opts.message}</p>
<p><a class="btn secondary" href="${opts.backHref ?? '/'}">${opts.backLabel ?? 'Go back'}</a></p>`,
  });
}

export function sendErrorPage(request: FastifyRequest, reply: FastifyReply, opts: ErrorPageOptions): FastifyReply {
  return sendPage(request, reply, errorPage(opts), { status: opts.status, cacheControl: 'no-store' });
}

export function registerPageErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError, request, reply) => {
    if (error instanceof AppError) {
      if (error.headers) reply.headers(error.headers);
      const title = error.code === 'not_found' ? 'Page not found' : 'Something needs attention';
      return sendErrorPage(request, reply, {
        status: error.status,
        title,
        message: error.status === 404 ? PROBLEM_MESSAGES.not_found : error.message || PROBLEM_MESSAGES[error.code],
      });
    }
    if (error.code === 'FST_CSRF_INVALID_TOKEN' || error.code === 'FST_CSRF_MISSING_SECRET') {
      return sendErrorPage(request, reply, {
        status: 403,
        title: 'This form has expired',
        message: 'Go back, reload the page and try again.',
      });
    }
    if (error.code === 'FST_REQ_FILE_TOO_LARGE' || error.statusCode === 413) {
      return sendErrorPage(request, reply, {
        status: 413,
        title: 'Too large',
        message: PROBLEM_MESSAGES.payload_too_large,
      });
    }
    if (isDbUnavailableError(error)) {
      reply.header('retry-after', '1');
      return sendErrorPage(request, reply, {
        status: 503,
        title: 'Please try again',
        message: PROBLEM_MESSAGES.unavailable,
      });
    }
    if (error.statusCode && error.statusCode >= 400 && error.statusCode < 500) {
      const status = error.statusCode;
      return sendErrorPage(request, reply, {
        status,
        title: status === 404 ? 'Page not found' : 'That did not work',
        message: status === 404 ? PROBLEM_MESSAGES.not_found : 'The request could not be read. Go back and try again.',
      });
    }
    request.log.error({ err: error, reqId: request.id }, 'page error');
    return sendErrorPage(request, reply, {
      status: 500,
      title: 'Something went wrong',
      message: `${PROBLEM_MESSAGES.internal_error} (Reference: ${request.id})`,
    });
  });
}
