/**
 * The dashboard's page frame: the store's name and sections on top, who is signed in, the language switch and
 * "Sign out" below. Every word comes from the `dashboard` catalog in the page's language (context.ts).
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { StoreRow } from '../../stores/stores.service.js';
import { LANGUAGES, languageName, type Translate } from '../../i18n/index.js';
import { attrs, html, type Html } from '../html.js';
import { layout, sendPage, type Flash } from '../layout.js';
import { csrfField, takeFlash } from '../forms.js';
import { DASHBOARD_PATH, storePath, trOf } from './context.js';
import { PWA_PATHS } from './pwa.js';

export type Section = 'home' | 'orders' | 'products' | 'categories' | 'coupons' | 'reports' | 'members' | 'settings';

/** The tabs; `ownerOnly` ones are not shown to staff (their pages answer staff with 403). */
const SECTIONS: readonly { id: Section; key: string; path: string; ownerOnly?: boolean }[] = [
  { id: 'orders', key: 'dashboard.nav.orders', path: '/orders' },
  { id: 'products', key: 'dashboard.nav.products', path: '/products' },
  { id: 'reports', key: 'dashboard.nav.reports', path: '/reports' },
  { id: 'coupons', key: 'dashboard.nav.coupons', path: '/coupons' },
  { id: 'members', key: 'dashboard.nav.members', path: '/members', ownerOnly: true },
  { id: 'settings', key: 'dashboard.nav.settings', path: '/settings' },
];

export interface DashboardPageOptions {
  title: string;
  main: Html;
  /** `<body data-page>` for tests. */
  pageId: string;
  store?: StoreRow | null;
  section?: Section;
  status?: number;
  /** Undefined: take the pending flash message; null: show none. */
  flash?: Flash | null;
}

function header(store: StoreRow | null | undefined): Html {
  return store
    ? html`<a class="brand" href="${storePath(store.id)}" data-testid="store-name">${store.name}</a>`
    : html`<a class="brand" href="${DASHBOARD_PATH}">dukaan</a>`;
}

/** The store's sections as a row of tabs at the top of the page (the header stays one short line on a phone). */
function sectionNav(request: FastifyRequest, store: StoreRow | null | undefined, section: Section | undefined): Html {
  if (!store) return html``;
  const tr = trOf(request);
  const staff = request.storeRole === 'staff';
  return html`<nav aria-label="${tr('dashboard.nav.label')}"><ul class="cats wrap">${SECTIONS.filter(
    (s) => !(staff && s.ownerOnly),
  ).map((s) => {
    const current = s.id === section || (s.id === 'products' && section === 'categories');
    return html`<li><a${attrs({ href: storePath(store.id, s.path), 'aria-current': current ? 'page' : undefined, 'data-testid': `nav-${s.id}` })}>${tr(s.key)}</a></li>`;
  })}</ul></nav>`;
}

/** Links to this page in each other language (`?lang=`; signed in, the choice is saved on the account). */
function languageSwitch(request: FastifyRequest, tr: Translate): Html {
  const url = new URL(request.url, 'http://x');
  const others = LANGUAGES.filter((lang) => lang !== request.dashboardLang);
  return html`<p class="small" data-testid="language-switch">${tr('dashboard.shell.language')} ${others.map((lang) => {
    url.searchParams.set('lang', lang);
    return html`<a${attrs({ href: `${url.pathname}${url.search}`, hreflang: lang, lang })}>${languageName(lang)}</a> `;
  })}</p>`;
}

function footer(request: FastifyRequest, reply: FastifyReply): Html {
  const tr = trOf(request);
  const merchant = request.session?.merchant;
  const switcher = request.method === 'GET' ? languageSwitch(request, tr) : html``;
  if (!merchant) return html`<p>${tr('dashboard.shell.tagline')}</p>${switcher}`;
  return html`<form method="post" action="${DASHBOARD_PATH}/signout" class="row">
${csrfField(reply)}<p class="small muted">${tr('dashboard.shell.signedInAs')} <span data-testid="signed-in-phone">${merchant.phone}</span> · <a href="${DASHBOARD_PATH}/stores">${tr('dashboard.shell.yourShops')}</a></p>
<button class="linkish" type="submit" data-testid="signout">${tr('dashboard.shell.signOut')}</button>
</form>${switcher}`;
}

/** Every dashboard page links the app's manifest; app.js registers the service worker named by `data-sw`. */
function appHead(request: FastifyRequest): Html {
  return html`
<link rel="manifest"${attrs({
    href: `${PWA_PATHS.manifest}?lang=${request.dashboardLang}`,
    'data-sw': PWA_PATHS.worker,
  })}>
<link rel="apple-touch-icon" href="${PWA_PATHS.icon(192)}">`;
}

/**
 * "Notify me of new orders on this phone" (Web Push), above the orders list. Hidden: app.js shows it only where the
 * browser can push (service worker, PushManager, Notification); the words of each state ride along as data-*.
 */
function pushOptIn(request: FastifyRequest, reply: FastifyReply, store: StoreRow): Html {
  const tr = trOf(request);
  return html`<form id="push-optin" class="row" method="post"${attrs({
    action: storePath(store.id, '/push'),
    hidden: true,
    'data-push-key': `${DASHBOARD_PATH}/push/key`,
    'data-is-on': tr('dashboard.push.isOn'),
    'data-is-off': tr('dashboard.push.isOff'),
    'data-denied': tr('dashboard.push.denied'),
    'data-failed': tr('dashboard.push.failed'),
  })}>${csrfField(reply)}
<button class="btn secondary" type="submit" data-testid="push-on">${tr('dashboard.push.on')}</button>
<button class="linkish" type="button" hidden data-push-off data-testid="push-off">${tr('dashboard.push.off')}</button>
<span class="small" role="status" data-push-status data-testid="push-status"></span></form>`;
}

/** Sends a dashboard page: never cached (it shows the owner's business), never indexed. */
export function sendDashboardPage(
  request: FastifyRequest,
  reply: FastifyReply,
  opts: DashboardPageOptions,
): FastifyReply {
  const flash = opts.flash === undefined ? takeFlash(request, reply) : opts.flash;
  const tr = trOf(request);
  const page = layout({
    title: opts.store ? `${opts.title} · ${opts.store.name}` : `${opts.title} · dukaan`,
    noindex: true,
    pageId: opts.pageId,
    lang: request.dashboardLang,
    skipLabel: tr('dashboard.shell.skip'),
    header: header(opts.store),
    head: appHead(request),
    main: html`${sectionNav(request, opts.store, opts.section)}${
      opts.store && opts.pageId === 'orders' && request.session ? pushOptIn(request, reply, opts.store) : ''
    }${opts.main}`,
    footer: footer(request, reply),
    flash,
  });
  return sendPage(request, reply, page, { status: opts.status ?? 200, cacheControl: 'no-store' });
}
