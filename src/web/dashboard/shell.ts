/** The dashboard's page frame: the store's name and sections on top, who is signed in and "Sign out" below. */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { StoreRow } from '../../stores/stores.service.js';
import { attrs, html, type Html } from '../html.js';
import { layout, sendPage, type Flash } from '../layout.js';
import { csrfField, takeFlash } from '../forms.js';
import { DASHBOARD_PATH, storePath } from './context.js';

export type Section = 'home' | 'orders' | 'products' | 'categories' | 'coupons' | 'settings';

const SECTIONS: readonly { id: Section; label: string; path: string }[] = [
  { id: 'orders', label: 'Orders', path: '/orders' },
  { id: 'products', label: 'Products', path: '/products' },
  { id: 'coupons', label: 'Coupons', path: '/coupons' },
  { id: 'settings', label: 'Settings', path: '/settings' },
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
function sectionNav(store: StoreRow | null | undefined, section: Section | undefined): Html {
  if (!store) return html``;
  return html`<nav aria-label="Dashboard"><ul class="cats wrap">${SECTIONS.map((s) => {
    const current = s.id === section || (s.id === 'products' && section === 'categories');
    return html`<li><a${attrs({ href: storePath(store.id, s.path), 'aria-current': current ? 'page' : undefined })}>${s.label}</a></li>`;
  })}</ul></nav>`;
}

function footer(request: FastifyRequest, reply: FastifyReply): Html {
  const merchant = request.session?.merchant;
  if (!merchant) return html`<p>dukaan: your shop on WhatsApp</p>`;
  return html`<form method="post" action="${DASHBOARD_PATH}/signout" class="row">
${csrfField(reply)}<p class="small muted">Signed in as <span data-testid="signed-in-phone">${merchant.phone}</span> · <a href="${DASHBOARD_PATH}/stores">Your shops</a></p>
<button class="linkish" type="submit" data-testid="signout">Sign out</button>
</form>`;
}

/** Sends a dashboard page: never cached (it shows the owner's business), never indexed. */
export function sendDashboardPage(
  request: FastifyRequest,
  reply: FastifyReply,
  opts: DashboardPageOptions,
): FastifyReply {
  const flash = opts.flash === undefined ? takeFlash(request, reply) : opts.flash;
  const page = layout({
    title: opts.store ? `${opts.title} · ${opts.store.name}` : `${opts.title} · dukaan`,
    noindex: true,
    pageId: opts.pageId,
    header: header(opts.store),
    main: html`${sectionNav(opts.store, opts.section)}${opts.main}`,
    footer: footer(request, reply),
    flash,
  });
  return sendPage(request, reply, page, { status: opts.status ?? 200, cacheControl: 'no-store' });
}
