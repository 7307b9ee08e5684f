/**
 * Form posts for server-rendered pages: reading urlencoded fields, Post/Redirect/Get, flash messages,
 * problem+json errors turned into words on the page, cookies, and CSRF for the dashboard.
 *
 * CSRF policy (see README):
 *  - Dashboard forms act with the merchant's session cookie: every state-changing dashboard route takes
 *    `preHandler: app.csrfProtection` and every dashboard form carries `${csrfField(reply)}`.
 *  - Storefront forms need no token: the cart cookie is SameSite=Lax, so a cross-site POST arrives without
 *    it and cannot touch the customer's cart; order actions are authorised by the unguessable tracking token
 *    in the URL, which another site cannot know.
 */
import csrfProtection from '@fastify/csrf-protection';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { t, type Lang } from '../i18n/index.js';
import { AppError, type ErrorCode, type ProblemItem } from '../shared/errors.js';
import { html, type Html } from './html.js';
import type { Flash, FlashKind } from './layout.js';

// ---------------------------------------------------------------- fields

/** The parsed urlencoded body (`@fastify/formbody`): a repeated name gives an array. */
export type FormBody = Record<string, string | string[] | undefined>;

export function formBody(request: FastifyRequest): FormBody {
  const body = request.body;
  return body && typeof body === 'object' && !Array.isArray(body) && !Buffer.isBuffer(body) ? (body as FormBody) : {};
}

/** One text field: the first value when repeated; undefined when absent. Length-capped (defence against 10 MB fields).
 * */
export function field(body: FormBody, name: string, maxLength = 5000): string | undefined {
  const value = Object.hasOwn(body, name) ? body[name] : undefined;
  const first = Array.isArray(value) ? value[0] : value;
  if (typeof first !== 'string') return undefined;
  return first.length > maxLength ? first.slice(0, maxLength) : first;
}

/** A trimmed text field; empty → undefined. */
export function textField(body: FormBody, name: string, maxLength = 5000): string | undefined {
  const value = field(body, name, maxLength)?.trim();
  return value ? value : undefined;
}

/** An integer field written as plain digits (optionally signed); anything else → null. */
export function intField(body: FormBody, name: string): number | null {
  const value = field(body, name, 20)?.trim();
  if (!value || !/^[-+]?\d{1,15}$/.test(value)) return null;
  return Number(value);
}

/** Every value of a repeated field (`name=a&name=b`). */
export function fieldValues(body: FormBody, name: string): string[] {
  const value = Object.hasOwn(body, name) ? body[name] : undefined;
  if (value === undefined) return [];
  return (Array.isArray(value) ? value : [value]).filter((v): v is string => typeof v === 'string');
}

// ---------------------------------------------------------------- Post/Redirect/Get

/** 303 See Other: the browser GETs `location` next, so a reload never re-posts the form. */
export function seeOther(reply: FastifyReply, location: string): FastifyReply {
  return reply.code(303).header('location', location).header('cache-control', 'no-store').send();
}

/**
 * The element id a fetch() from app.js asks to get back re-rendered (`x-fragment` header), or null for a
 * plain form post (then answer with a 303).
 */
export function fragmentRequested(request: FastifyRequest): string | null {
  const value = request.headers['x-fragment'];
  return typeof value === 'string' && /^[a-z][a-z0-9-]{0,40}$/.test(value) ? value : null;
}

/** For a fragment request that must leave the page (e.g. the cart became an order): app.js follows `x-location`. */
export function fragmentRedirect(reply: FastifyReply, location: string): FastifyReply {
  return reply
    .code(200)
    .header('x-location', location)
    .header('cache-control', 'no-store')
    .type('text/html; charset=utf-8')
    .send('');
}

// ---------------------------------------------------------------- cookies

export interface CookieOptions {
  path?: string;
  maxAgeSeconds?: number;
}

/** HttpOnly, SameSite=Lax, Secure when the request came over TLS (directly or via a trusted proxy). */
export function setCookie(
  request: FastifyRequest,
  reply: FastifyReply,
  name: string,
  value: string,
  opts: CookieOptions = {},
): void {
  reply.setCookie(name, value, {
    path: opts.path ?? '/',
    httpOnly: true,
    sameSite: 'lax',
    secure: request.protocol === 'https',
    ...(opts.maxAgeSeconds !== undefined ? { maxAge: opts.maxAgeSeconds } : {}),
  });
}

export function clearCookie(request: FastifyRequest, reply: FastifyReply, name: string, path = '/'): void {
  reply.clearCookie(name, { path, httpOnly: true, sameSite: 'lax', secure: request.protocol === 'https' });
}

// ---------------------------------------------------------------- flash messages

export const FLASH_COOKIE = 'flash';
const FLASH_KINDS: readonly FlashKind[] = ['ok', 'error', 'info'];

/** A one-time message for the page after the redirect ("Added to cart"). */
export function setFlash(request: FastifyRequest, reply: FastifyReply, kind: FlashKind, text: string): void {
  setCookie(request, reply, FLASH_COOKIE, `${kind}:${text.slice(0, 300)}`, { maxAgeSeconds: 60 });
}

/** Reads and clears the flash. The text is only ever rendered escaped (a user can only spoof their own). */
export function takeFlash(request: FastifyRequest, reply: FastifyReply): Flash | null {
  const value = request.cookies[FLASH_COOKIE];
  if (!value) return null;
  clearCookie(request, reply, FLASH_COOKIE);
  const colon = value.indexOf(':');
  const kind = value.slice(0, colon) as FlashKind;
  if (colon < 1 || !FLASH_KINDS.includes(kind)) return null;
  return { kind, text: value.slice(colon + 1, colon + 301) };
}

// ---------------------------------------------------------------- problems → words

/**
 * The words of each problem code for a person (the services' own details are English: only English pages show them).
 */
const PROBLEM_KEYS: Record<ErrorCode, string> = {
  validation_failed: 'common.problem.validation_failed',
  unauthorized: 'common.problem.unauthorized',
  forbidden: 'common.problem.forbidden',
  invalid_code: 'common.problem.invalid_code',
  not_found: 'common.problem.not_found',
  slug_taken: 'common.problem.slug_taken',
  insufficient_stock: 'common.problem.insufficient_stock',
  cart_has_errors: 'common.problem.cart_has_errors',
  cart_already_ordered: 'common.problem.cart_already_ordered',
  store_closed: 'common.problem.store_closed',
  invalid_transition: 'common.problem.invalid_transition',
  idempotency_key_reused: 'common.problem.idempotency_key_reused',
  idempotency_key_in_use: 'common.problem.idempotency_key_in_use',
  conflict: 'common.problem.conflict',
  invalid_coupon: 'common.problem.invalid_coupon',
  below_minimum_order: 'common.problem.below_minimum_order',
  total_changed: 'common.problem.total_changed',
  outside_delivery_area: 'common.problem.outside_delivery_area',
  payload_too_large: 'common.problem.payload_too_large',
  unsupported_media_type: 'common.problem.unsupported_media_type',
  rate_limited: 'common.problem.rate_limited',
  unavailable: 'common.problem.unavailable',
  uri_too_long: 'common.problem.uri_too_long',
  request_too_large: 'common.problem.request_too_large',
  internal_error: 'common.problem.internal_error',
};
/** The words of a problem code for a person, in `lang` (the catalog's common.problem words). */
export const problemText = (lang: Lang, code: ErrorCode): string => t(lang, PROBLEM_KEYS[code]);

export interface FormProblem {
  status: number;
  code: ErrorCode;
  /** One sentence for the top of the form. */
  summary: string;
  /** Field name → message, from `errors[].path` (`/customer/phone` → `phone` by default). */
  fields: Record<string, string>;
  items: ProblemItem[];
}

/** The default path → form field name: the last segment of the JSON pointer (`/customer/address/pincode` → `pincode`).
 * */
export const lastPathSegment = (path: string): string => path.split('/').filter(Boolean).at(-1) ?? '';

/**
 * An AppError as words for a form. Anything that is not an AppError is rethrown (a bug, or the database
 * being down: the page error handler shows the generic page for those).
 */
export function formProblem(err: unknown, fieldOf: (path: string) => string = lastPathSegment): FormProblem {
  if (!(err instanceof AppError)) throw err;
  const fields: Record<string, string> = {};
  for (const item of err.errors ?? []) {
    if (!item.path) continue;
    const name = fieldOf(item.path);
    if (name && !fields[name]) fields[name] = sentence(item.message);
  }
  // The service's detail is written for people; the generic line is the fallback.
  const summary = sentence(err.message || problemText('en', err.code));
  return { status: err.status, code: err.code, summary, fields, items: err.errors ?? [] };
}

function sentence(text: string): string {
  const t = text.trim();
  if (!t) return t;
  const capital = t[0]!.toUpperCase() + t.slice(1);
  // Hindi ends a sentence with the danda (।): it is not followed by a '.', and a Hindi sentence gets one, not '.'.
  if (/[.!?…।]$/.test(capital)) return capital;
  return /[\u0900-\u097F]/.test(capital) ? `${capital}।` : `${capital}.`;
}

/** The error summary box for the top of a form (role=alert so screen readers announce it). */
export function problemSummary(problem: FormProblem | null | undefined): Html {
  if (!problem) return html``;
  return html`<div class="notice error" role="alert" tabindex="-1" data-testid="form-error" data-code="\
${problem.code}">${problem.summary}</div>`;
}

/** The message under one field; pair with `aria-describedby="<name>-error"` on the input. */
export function fieldError(problem: FormProblem | null | undefined, name: string): Html {
  const message = problem?.fields[name];
  return message ? html`<p class="field-error" id="${name}-error">${message}</p>` : html``;
}

// ---------------------------------------------------------------- CSRF (dashboard)

export const CSRF_FIELD = '_csrf';

/** Registers @fastify/csrf-protection (secret in an HttpOnly SameSite=Strict cookie, token in the form). */
export async function registerCsrf(app: FastifyInstance): Promise<void> {
  await app.register(csrfProtection, {
    cookieKey: '_csrf',
    cookieOpts: { path: '/', httpOnly: true, sameSite: 'strict', secure: 'auto' },
  });
}

/**
 * One token per page: without a `_csrf` cookie every generateCsrf() call makes a new secret (and a new cookie), so
 * a page with several forms would hand out tokens of secrets the browser never keeps. The first call's token is
 * reused for every form of the same reply.
 */
const pageTokens = new WeakMap<FastifyReply, string>();

/** The hidden field every dashboard form carries. */
export function csrfField(reply: FastifyReply): Html {
  let token = pageTokens.get(reply);
  if (token === undefined) {
    token = reply.generateCsrf();
    pageTokens.set(reply, token);
  }
  return html`<input type="hidden" name="${CSRF_FIELD}" value="${token}">`;
}
