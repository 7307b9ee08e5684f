/**
 * Who is asking and for which store: the dashboard's cookie session and its tenant check.
 *
 * The session is the API's (src/auth/session.ts): the cookie `dukaan_session` carries the same opaque token
 * a Bearer header would, and the app's onRequest hook has already resolved it into `request.session`.
 * A store page answers only members of that store; anyone else gets the 404 page, as the API answers 404.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { SESSION_COOKIE, SESSION_DAYS } from '../../auth/session.js';
import { memberRole } from '../../stores/membership.js';
import { getStoreRow, type StoreRow } from '../../stores/stores.service.js';
import { notFound } from '../../shared/errors.js';
import { clearCookie, formProblem, seeOther, setCookie, type FormProblem } from '../forms.js';
import { chooseLanguage, isLang, translator, type Lang, type Translate } from '../../i18n/index.js';
import { merchantLanguage, setMerchantLanguage } from '../../merchants/merchants.service.js';
import { fieldMessage } from './field-messages.js';
import { notePageLanguage } from '../page-language.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The store of a `/dashboard/stores/{storeId}/…` page, after the membership check. */
    dashboardStore: StoreRow | null;
    /** The language of a dashboard page (dashboardLanguage hook). */
    dashboardLang: Lang;
  }
}

export const DASHBOARD_PATH = '/dashboard';
export const SIGNIN_PATH = '/dashboard/signin';

/** `/dashboard/stores/<id><rest>` */
export const storePath = (storeId: string, rest = ''): string => `${DASHBOARD_PATH}/stores/${storeId}${rest}`;

// A path inside the dashboard: no scheme, no host, no `//` or backslash (which browsers read as a host).
const DASHBOARD_RELATIVE = /^\/dashboard(?:[/?#][A-Za-z0-9\-._~%/?=&+#]*)?$/;

/** `value` when it is a dashboard path (for `next=` and `return=`), else `fallback`: never an open redirect. */
export function safeReturnPath(value: string | undefined, fallback: string): string {
  if (!value || value.length > 500 || !DASHBOARD_RELATIVE.test(value) || value.includes('//')) return fallback;
  return value;
}

export function startSession(request: FastifyRequest, reply: FastifyReply, token: string): void {
  setCookie(request, reply, SESSION_COOKIE, token, { maxAgeSeconds: SESSION_DAYS * 24 * 60 * 60 });
}

export function endSession(request: FastifyRequest, reply: FastifyReply): void {
  clearCookie(request, reply, SESSION_COOKIE);
}

/** onRequest hook: a page for signed-in merchants; anyone else is sent to sign in and brought back after. */
export async function requireSignedIn(request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply | undefined> {
  if (request.session) return undefined;
  const next = request.method === 'GET' ? safeReturnPath(request.url, DASHBOARD_PATH) : DASHBOARD_PATH;
  // Returning the reply tells Fastify the request is answered.
  return seeOther(reply, next === DASHBOARD_PATH ? SIGNIN_PATH : `${SIGNIN_PATH}?next=${encodeURIComponent(next)}`);
}

/** onRequest hook for `/dashboard/stores/:storeId/…`: members only; the store is loaded for the page. */
export async function requireStoreMemberPage(
  request: FastifyRequest,
  reply: FastifyReply,
): Promise<FastifyReply | undefined> {
  if (reply.sent) return reply;
  if (!request.session) return requireSignedIn(request, reply);
  const storeId = (request.params as { storeId?: string }).storeId ?? '';
  const role = await memberRole(request.server.db, storeId, request.session.merchant.id);
  if (!role) throw notFound('Store not found');
  request.storeRole = role;
  request.dashboardStore = await getStoreRow(request.server.db, storeId);
  return undefined;
}

/** The store of a store page (set by requireStoreMemberPage). */
export function currentStore(request: FastifyRequest): StoreRow {
  const store = request.dashboardStore;
  if (!store) throw notFound('Store not found');
  return store;
}

export const LANG_COOKIE = 'lang';

/**
 * onRequest hook: the page language. `?lang=` > the merchant's own setting (their account) > the `lang` cookie >
 * Accept-Language > English. A signed-in merchant's `?lang=` (the language links at the foot of every page) is
 * saved on their account, so every device they sign in on speaks it; signed out, it is kept in the cookie.
 */
export async function dashboardLanguage(request: FastifyRequest, reply: FastifyReply): Promise<void> {
  const query = (request.query as Record<string, unknown> | undefined)?.lang;
  const cookie = request.cookies[LANG_COOKIE];
  const merchant = request.session?.merchant;
  let account: Lang | null = null;
  if (merchant) {
    account = await merchantLanguage(request.server.db, merchant.id);
    if (isLang(query) && query !== account) {
      await setMerchantLanguage(request.server.db, merchant.id, query);
      account = query;
    }
  }
  if (isLang(query) && query !== cookie)
    setCookie(request, reply, LANG_COOKIE, query, { path: '/', maxAgeSeconds: 365 * 86400 });
  const header = request.headers['accept-language'];
  request.dashboardLang = chooseLanguage({
    query,
    cookie: account ?? cookie,
    acceptLanguage: typeof header === 'string' ? header : undefined,
  });
  notePageLanguage(request, request.dashboardLang);
}

/** `t` in the page's language: `const tr = trOf(request); tr('dashboard.nav.orders')`. */
export function trOf(request: FastifyRequest): Translate {
  return translator(request.dashboardLang ?? 'en');
}

/** The summary of a problem in the page's language, by its code (services write their details in English). */
const PROBLEM_KEYS: Partial<Record<FormProblem['code'], string>> = {
  validation_failed: 'dashboard.problem.validation',
  forbidden: 'dashboard.problem.forbidden',
  invalid_code: 'dashboard.problem.invalidCode',
  not_found: 'dashboard.problem.notFound',
  slug_taken: 'dashboard.problem.slugTaken',
  insufficient_stock: 'dashboard.problem.stock',
  invalid_transition: 'dashboard.problem.transition',
  conflict: 'dashboard.problem.conflict',
  payload_too_large: 'dashboard.problem.tooLarge',
  unsupported_media_type: 'dashboard.problem.fileType',
  rate_limited: 'dashboard.problem.rateLimited',
};

/**
 * `formProblem` for a dashboard page: on a page that is not in English, a summary a service wrote in English is
 * replaced by the words for its code (a summary the dashboard already wrote in the page's language is kept).
 */
export function pageProblem(request: FastifyRequest, err: unknown, fieldOf?: (path: string) => string): FormProblem {
  const problem = formProblem(err, fieldOf);
  const lang = request.dashboardLang;
  if (lang === 'en') return problem;
  const tr = trOf(request);
  const key = PROBLEM_KEYS[problem.code];
  if (key && /^[\x00-\x7F]*$/.test(problem.summary)) problem.summary = tr(key);
  // The words under each field, too (field-messages.ts).
  for (const [name, message] of Object.entries(problem.fields)) problem.fields[name] = fieldMessage(tr, lang, message);
  problem.items = problem.items.map((item) => ({ ...item, message: fieldMessage(tr, lang, item.message) }));
  return problem;
}
