/**
 * The way in: the shop list, onboarding (name the shop → it is live, with its link, a QR code and a
 * "share on WhatsApp" button), and each shop's home page.
 */
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import type { Config } from '../../config.js';
import { createStore, listStoresOfMerchant, storeUrl, type StoreRow } from '../../stores/stores.service.js';
import { CreateStoreBody } from '../../stores/stores.schema.js';
import { whatsappUrl } from '../../orders/links.js';
import { normalizeE164 } from '../../shared/phone.js';
import { html, raw, type Html } from '../html.js';
import { csrfField, formBody, problemSummary, seeOther, textField, type FormProblem } from '../forms.js';
import { DASHBOARD_PATH, currentStore, storePath, trOf, pageProblem } from './context.js';
import type { Translate } from '../../i18n/index.js';
import { input } from './fields.js';
import { phoneCandidate } from './form-values.js';
import { sendDashboardPage } from './shell.js';
import { assertBody } from './validate.js';
import { storeSummary } from './summary.js';

/** The QR code of a URL as SVG markup (made by the qrcode library from our own URL: trusted). */
export async function qrSvg(url: string): Promise<string> {
  // Loaded on first use (a shop's home page), not with the app: most requests never draw a QR code.
  const { default: QRCode } = await import('qrcode');
  return QRCode.toString(url, {
    type: 'svg',
    margin: 1,
    errorCorrectionLevel: 'M',
    color: { dark: '#000000', light: '#ffffff' },
  });
}

/** The message a shop owner sends to customers: the shop's name and its link. */
export function shareText(store: Pick<StoreRow, 'name'>, url: string): string {
  return `${store.name}: order here ${url}`;
}

async function sharePanel(config: Config, store: StoreRow, tr: Translate): Promise<Html> {
  const url = storeUrl(config, store.slug);
  const svg = await qrSvg(url);
  return html`<section class="panel" aria-labelledby="share-title" data-testid="share-panel">
<h2 id="share-title">${tr('dashboard.home.linkTitle')}</h2>
<p class="small">${tr('dashboard.home.linkHint')}</p>
<p><a href="${url}" data-testid="store-link">${url}</a></p>
<div class="actions">
<a class="btn" href="${whatsappUrl(null, shareText(store, url))}" target="_blank" rel="noopener"
 data-testid="share-whatsapp">${tr('dashboard.home.shareWhatsapp')}</a>
<button class="btn secondary" type="button" data-copy="${url}" hidden>${tr('dashboard.home.copyLink')}</button>
<a class="btn secondary" href="${storePath(store.id, '/qr.svg')}" download="${store.slug}-qr.svg"
 data-testid="qr-download">${tr('dashboard.home.downloadQr')}</a>
</div>
<div class="qr" role="img" aria-label="${tr('dashboard.home.qrOf', { url })}" data-testid="qr">${raw(svg)}</div>
</section>`;
}

function newStorePage(
  request: FastifyRequest,
  reply: FastifyReply,
  opts: { name?: string; whatsapp?: string; slug?: string; problem?: FormProblem | null; first: boolean },
) {
  const tr = trOf(request);
  return sendDashboardPage(request, reply, {
    title: tr('dashboard.home.openTitle'),
    pageId: 'onboarding',
    status: opts.problem?.status,
    main: html`<h1>${opts.first ? tr('dashboard.home.openTitle') : tr('dashboard.home.openAnother')}</h1>
<p>${tr('dashboard.home.openIntro')}</p>
${problemSummary(opts.problem)}
<form method="post" action="${DASHBOARD_PATH}/new" novalidate data-testid="new-store-form">
${csrfField(reply)}
${input({
  name: 'name',
  label: tr('dashboard.home.shopName'),
  value: opts.name,
  problem: opts.problem,
  required: true,
  maxlength: 100,
  autocomplete: 'organization',
  autofocus: true,
  testid: 'store-name-input',
})}
${input({
  name: 'whatsapp',
  label: tr('dashboard.home.whatsappOptional'),
  type: 'tel',
  inputmode: 'tel',
  value: opts.whatsapp,
  problem: opts.problem,
  maxlength: 20,
  hint: tr('dashboard.home.whatsappHint'),
})}
${input({
  name: 'slug',
  label: tr('dashboard.home.slugOptional'),
  value: opts.slug,
  problem: opts.problem,
  maxlength: 40,
  autocomplete: 'off',
  hint: tr('dashboard.home.slugHint'),
})}
<p><button class="btn block" type="submit">${tr('dashboard.home.openButton')}</button></p>
</form>`,
  });
}

/** Pages of a signed-in merchant that are not about one store. */
export const homeRoutes: FastifyPluginAsync = async (app) => {
  const csrf = { preHandler: app.csrfProtection };

  app.get('/', async (request, reply) => {
    const stores = await listStoresOfMerchant(app.db, request.session!.merchant.id, app.config);
    if (stores.length === 0) return seeOther(reply, `${DASHBOARD_PATH}/new`);
    if (stores.length === 1) return seeOther(reply, storePath(stores[0]!.id));
    return seeOther(reply, `${DASHBOARD_PATH}/stores`);
  });

  app.get('/stores', async (request, reply) => {
    const stores = await listStoresOfMerchant(app.db, request.session!.merchant.id, app.config);
    const tr = trOf(request);
    const another = stores.length ? tr('dashboard.home.openAnother') : tr('dashboard.home.openTitle');
    const storeRow = (s: (typeof stores)[number]) => {
      const link = html`<a class="name" href="${storePath(s.id)}">${s.name}</a>`;
      return html`<li class="line">${link}<span class="small muted">${s.url}</span></li>`;
    };
    const list = stores.length
      ? html`<ul class="lines" data-testid="store-list">${stores.map(storeRow)}</ul>`
      : html`<p>${tr('dashboard.home.noShop')}</p>`;
    return sendDashboardPage(request, reply, {
      title: tr('dashboard.shell.yourShops'),
      pageId: 'stores',
      main: html`<h1>${tr('dashboard.shell.yourShops')}</h1>
${list}
<p><a class="btn secondary" href="${DASHBOARD_PATH}/new">${another}</a></p>`,
    });
  });

  app.get('/new', async (request, reply) => {
    const stores = await listStoresOfMerchant(app.db, request.session!.merchant.id, app.config);
    return newStorePage(request, reply, { whatsapp: request.session!.merchant.phone, first: stores.length === 0 });
  });

  app.post('/new', csrf, async (request, reply) => {
    const body = formBody(request);
    const name = textField(body, 'name', 200) ?? '';
    const whatsappTyped = textField(body, 'whatsapp', 40);
    const slug = textField(body, 'slug', 100);
    const whatsapp = whatsappTyped ? normalizeE164(phoneCandidate(whatsappTyped)) : null;
    const values = { name, whatsapp: whatsappTyped, slug, first: false };
    try {
      const input = { name, whatsapp, ...(slug ? { slug: slug.toLowerCase() } : {}) };
      assertBody(
        CreateStoreBody,
        input,
        whatsappTyped && !whatsapp
          ? [{ code: 'invalid', path: '/whatsapp', message: trOf(request)('dashboard.form.phoneInvalid') }]
          : [],
      );
      const store = await createStore(app.db, request.session!.merchant.id, input, app.config);
      return seeOther(reply, storePath(store.id, '/welcome'));
    } catch (err) {
      const problem = pageProblem(request, err, (path) => path.split('/').filter(Boolean)[0] ?? '');
      const tr = trOf(request);
      if (problem.code === 'slug_taken') problem.fields.slug = tr('dashboard.home.slugTaken');
      else if (problem.fields.slug) problem.fields.slug = tr('dashboard.home.slugInvalid');
      return newStorePage(request, reply, { ...values, problem });
    }
  });
};

/** A store's home, its welcome page after onboarding, and its QR code. */
export const storeHomeRoutes: FastifyPluginAsync = async (app) => {
  app.get('/', async (request, reply) => {
    const store = currentStore(request);
    const tr = trOf(request);
    const summary = await storeSummary(app.db, store.id, tr);
    const tone = store.is_open ? 'open' : 'closed';
    const openWords = store.is_open ? tr('dashboard.home.open') : tr('dashboard.home.closed');
    return sendDashboardPage(request, reply, {
      title: tr('dashboard.home.title'),
      pageId: 'store-home',
      store,
      section: 'home',
      main: html`<h1>${store.name} <span class="badge ${tone}" data-testid="open-badge">${openWords}</span></h1>
${summary}
${await sharePanel(app.config, store, tr)}`,
    });
  });

  app.get('/welcome', async (request, reply) => {
    const store = currentStore(request);
    const tr = trOf(request);
    return sendDashboardPage(request, reply, {
      title: tr('dashboard.home.liveTitle'),
      pageId: 'welcome',
      store,
      main: html`<h1>${tr('dashboard.home.liveHeading')}</h1>
<p class="notice ok" role="status">${tr('dashboard.home.liveNotice', { name: store.name })}</p>
${await sharePanel(app.config, store, tr)}
<h2>${tr('dashboard.home.next')}</h2>
<div class="actions">
<a class="btn" href="${storePath(store.id, '/products/new')}"
 data-testid="add-first-product">${tr('dashboard.home.addFirst')}</a>
<a class="btn secondary" href="${storePath(store.id, '/settings')}">${tr('dashboard.home.deliverySettings')}</a>
</div>`,
    });
  });

  app.get('/qr.svg', async (request, reply) => {
    const store = currentStore(request);
    const svg = await qrSvg(storeUrl(app.config, store.slug));
    return reply
      .type('image/svg+xml; charset=utf-8')
      .header('cache-control', 'private, no-cache')
      .header('content-disposition', `attachment; filename="${store.slug}-qr.svg"`)
      .send(svg);
  });
};
