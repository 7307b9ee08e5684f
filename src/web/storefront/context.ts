/**
 * Where a storefront request is: which store, and how its URLs are written. A store answers at `/{slug}/…`
 * and, when BASE_DOMAIN is set, at `{slug}.<BASE_DOMAIN>/…`; pages build every link through `href()` so both work.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Config } from '../../config.js';
import type { Db, Queryable } from '../../db/db.js';
import { getStorefrontStoreRow, type StoreRow } from '../../stores/stores.service.js';
import { toPublicStore, type StorefrontStore } from '../../catalog/storefront.service.js';
import { whatsappOrdering } from '../../stores/whatsapp-link.js';
import { loadCartSnapshot, type CartSnapshot } from '../../cart/cart.service.js';
import { AppError } from '../../shared/errors.js';
import { chooseLanguage, isLang, translator, type Lang, type Translate } from '../../i18n/index.js';
import { clearCookie, setCookie } from '../forms.js';
import { notePageLanguage } from '../page-language.js';

export interface StoreContext {
  row: StoreRow;
  store: StorefrontStore;
  /** '' on the store's own host, `/{slug}` on the platform host. */
  base: string;
  /** `https://shop.example` or `https://dukaan.example/{slug}`: absolute links for previews. */
  absoluteBase: string;
  /** An in-store path: `href('/cart')` → `/{slug}/cart`; `href()` → the store home. */
  href(path?: string): string;
  /** The page language: `?lang=` > the `lang` cookie > Accept-Language > the store's default. */
  lang: Lang;
  /** `t` in the page language. */
  tr: Translate;
}

export const LANG_COOKIE = 'lang';

/**
 * The language of a customer page; a valid `?lang=` is remembered in the `lang` cookie (a year, whole site: the
 * order page at `/o/…` speaks it too).
 */
export function pageLanguage(
  request: FastifyRequest,
  reply: FastifyReply | null,
  storeDefault: string | null | undefined,
): Lang {
  const query = (request.query as Record<string, unknown> | undefined)?.lang;
  const cookie = request.cookies[LANG_COOKIE];
  if (reply && isLang(query) && query !== cookie)
    setCookie(request, reply, LANG_COOKIE, query, { path: '/', maxAgeSeconds: 365 * 86400 });
  const header = request.headers['accept-language'];
  const lang = chooseLanguage({
    query,
    cookie,
    acceptLanguage: typeof header === 'string' ? header : undefined,
    fallback: storeDefault,
  });
  notePageLanguage(request, lang);
  return lang;
}

export const CART_COOKIE = 'cart';
const CART_COOKIE_DAYS = 30;

/** The store subdomain of a Host header, when BASE_DOMAIN is set and the host is `<slug>.<BASE_DOMAIN>`. */
export function slugFromHost(host: string | undefined, baseDomain: string | null): string | null {
  if (!host || !baseDomain) return null;
  const name = host.toLowerCase().replace(/:\d+$/, '');
  if (!name.endsWith(`.${baseDomain}`)) return null;
  const sub = name.slice(0, -(baseDomain.length + 1));
  return /^[a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])?$/.test(sub) ? sub : null;
}

export async function storeContext(
  db: Queryable,
  config: Config,
  slug: string,
  onOwnHost: boolean,
  request: FastifyRequest,
  reply: FastifyReply | null,
): Promise<StoreContext> {
  const row = await getStorefrontStoreRow(db, slug);
  const lang = pageLanguage(request, reply, row.default_language);
  const base = onOwnHost ? '' : `/${row.slug}`;
  const publicUrl = new URL(config.publicUrl);
  const absoluteBase =
    onOwnHost && config.baseDomain
      ? `${publicUrl.protocol}//${row.slug}.${config.baseDomain}${publicUrl.port ? `:${publicUrl.port}` : ''}`
      : `${config.publicUrl}/${row.slug}`;
  return {
    row,
    store: toPublicStore(row, whatsappOrdering(config)),
    base,
    absoluteBase,
    href: (path = '') => `${base}${path}` || '/',
    lang,
    tr: translator(lang),
  };
}

const cartCookiePath = (ctx: StoreContext) => ctx.base || '/';

/** The customer's open cart in this store, or null (no cookie, unknown id, or already ordered). */
export async function currentCart(db: Db, request: FastifyRequest, ctx: StoreContext): Promise<CartSnapshot | null> {
  const id = request.cookies[CART_COOKIE];
  if (!id) return null;
  try {
    const snapshot = await loadCartSnapshot(db, ctx.row, id);
    return snapshot.row.orderId === null ? snapshot : null;
  } catch (err) {
    if (err instanceof AppError && err.code === 'not_found') return null;
    throw err;
  }
}

export function rememberCart(request: FastifyRequest, reply: FastifyReply, ctx: StoreContext, cartId: string): void {
  setCookie(request, reply, CART_COOKIE, cartId, {
    path: cartCookiePath(ctx),
    maxAgeSeconds: CART_COOKIE_DAYS * 86400,
  });
}

export function forgetCart(request: FastifyRequest, reply: FastifyReply, ctx: StoreContext): void {
  clearCookie(request, reply, CART_COOKIE, cartCookiePath(ctx));
}

/** Total quantity in the cart, for the header badge. */
export const cartCount = (cart: CartSnapshot | null): number =>
  cart ? cart.cart.lines.reduce((n, l) => n + l.quantity, 0) : 0;
