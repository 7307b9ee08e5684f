/**
 * Storefront markup: pure functions from data to `Html`. Every user string passes through `html`, so it is
 * escaped; URLs go through `href()` (our own paths) or `safeUrl()`.
 */
import type { CartSnapshot } from '../../cart/cart.service.js';
import type { CartLineView } from '../../cart/cart.schema.js';
import type { Category, PublicProduct, PublicVariant } from '../../catalog/catalog.schema.js';
import { currencyExponent, minorToMajorString } from '../../shared/money.js';
import { attrs, html, safeUrl, type Html } from '../html.js';
import { layout, type Flash, type OpenGraph } from '../layout.js';
import { money as formatIn, LANGUAGES, languageName, localeOf, type Lang } from '../../i18n/index.js';
import { fieldError, problemSummary, type FormProblem } from '../forms.js';
import { absoluteImageUrl, productImage } from '../images.js';
import { type WEEKDAYS, localTime } from '../../stores/profile.js';
import type { StoreContext } from './context.js';
import { variantLabel } from '../../catalog/variant-label.js';

/** Money in the page language (Indian grouping): one formatter for pages and messages. */
export const money = (ctx: StoreContext, minor: number): string => formatIn(ctx.lang, minor, ctx.store.currency);
const shortMoney = (ctx: StoreContext, minor: number): string =>
  formatIn(ctx.lang, minor, ctx.store.currency, { trimZeroFraction: true });

// ------------------------------------------------------------------ shell

export interface StorePageOptions {
  title: string;
  main: Html;
  cartCount: number;
  flash?: Flash | null;
  og?: OpenGraph;
  description?: string;
  noindex?: boolean;
  pageId: string;
  /** this page's URL, for the language switch */
  here?: string;
}

/** Links to this page in each other language (`?lang=xx`, remembered by a cookie). */
export function languageSwitch(lang: Lang, here: string, label: string): Html {
  const url = new URL(here, 'http://x');
  const others = LANGUAGES.filter((l) => l !== lang);
  return html`<span class="langs" data-testid="language-switch"><span class="sr-only">${label}</span>${others.map(
    (l) => {
      url.searchParams.set('lang', l);
      return html` <a href="${`${url.pathname}${url.search}`}" lang="${l}" hreflang="${l}">${languageName(l)}</a>`;
    },
  )}</span>`;
}

export function storeHeader(ctx: StoreContext, cartCount: number, here: string): Html {
  const tr = ctx.tr;
  const logo = ctx.store.logo;
  return html`<a class="brand" href="${ctx.href()}" data-testid="store-name">\
${logo ? html`<img class="logo" src="${safeUrl(logo)}" alt="" width="28" height="28">` : ''}${ctx.store.name}</a>
<nav aria-label="${tr('storefront.navLabel')}">${languageSwitch(ctx.lang, here, tr('storefront.language'))} \
<a href="${ctx.href('/cart')}" data-testid="cart-link">${tr('storefront.cartLink', { count: cartCount })} (\
<span data-testid="cart-count">${cartCount}</span>)</a></nav>`;
}

export function storeFooter(ctx: StoreContext): Html {
  const tr = ctx.tr;
  const wa = ctx.store.whatsapp ? `https://wa.me/${ctx.store.whatsapp.replace(/\D/g, '')}` : null;
  const a = ctx.store.address;
  return html`<p>${ctx.store.name}${
    wa
      ? html` · \
<a href="${wa}" rel="noopener">${tr('storefront.chatOnWhatsapp')}</a>`
      : ''
  }</p>${
    a
      ? html`<p data-testid="store-address">${a.line1}${a.line2 ? html`, ${a.line2}` : ''}, ${a.city} ${a.pincode}</p>`
      : ''
  }${ctx.store.gstin ? html`<p class="small">${tr('storefront.gstin', { gstin: ctx.store.gstin })}</p>` : ''}<p>\
${tr('storefront.madeWith')}</p>`;
}

export function storePage(ctx: StoreContext, opts: StorePageOptions): Html {
  return layout({
    title: opts.title,
    description: opts.description,
    og: opts.og,
    noindex: opts.noindex,
    pageId: opts.pageId,
    flash: opts.flash,
    lang: ctx.lang,
    skipLabel: ctx.tr('storefront.skipToContent'),
    header: storeHeader(ctx, opts.cartCount, opts.here ?? ctx.href()),
    footer: storeFooter(ctx),
    main: opts.main,
  });
}

// ------------------------------------------------------------------ prices

function priceVariant(product: PublicProduct): PublicVariant | undefined {
  const buyable = product.variants.filter((v) => v.inStock);
  const pool = buyable.length ? buyable : product.variants;
  return pool.reduce<PublicVariant | undefined>((best, v) => (!best || v.price < best.price ? v : best), undefined);
}

/** `₹40 ~~₹50~~ 20% off`; the MRP only when it is above the price. */
export function priceLine(ctx: StoreContext, price: number, mrp: number | null, testId = 'price'): Html {
  const discounted = mrp !== null && mrp > price;
  // Integer percent, rounded down: never promise more off than there is.
  const off = discounted ? Math.floor(((mrp - price) * 100) / mrp) : 0;
  return html`<span class="price" data-testid="${testId}">${shortMoney(ctx, price)}</span>\
${
  discounted
    ? html`<s class="mrp" data-testid="mrp"><span class="sr-only">${ctx.tr('storefront.mrp')} \
</span>${shortMoney(ctx, mrp)}</s>${
        off > 0
          ? html`<span class="off">\
${ctx.tr('storefront.percentOff', { off })}</span>`
          : ''
      }`
    : ''
}`;
}

// ------------------------------------------------------------------ home

export interface HomeView {
  categories: Category[];
  products: PublicProduct[];
  nextCursor: string | null;
  query: string;
  categorySlug: string;
  /** the URL of this page, to come back to after a quick add */
  here: string;
  /** a search inside a category: how many products of the whole store match it (null otherwise) */
  inAll?: number | null;
}

function storeFacts(ctx: StoreContext): Html {
  const tr = ctx.tr;
  const d = ctx.store.delivery;
  const facts: string[] = [];
  facts.push(
    d.fee === 0
      ? tr('storefront.freeDelivery')
      : d.freeAbove !== null
        ? tr('storefront.deliveryFeeFreeAbove', { fee: money(ctx, d.fee), above: money(ctx, d.freeAbove) })
        : tr('storefront.deliveryFee', { fee: money(ctx, d.fee) }),
  );
  if (d.pickup) facts.push(tr('storefront.pickupAvailable'));
  if (d.minOrder) facts.push(tr('storefront.minimumOrder', { amount: money(ctx, d.minOrder) }));
  const p = ctx.store.payments;
  if (p.cod || p.upi) facts.push(tr('storefront.payBy', { methods: p.cod && p.upi ? 'both' : p.cod ? 'cod' : 'upi' }));
  return html`<p class="small muted" data-testid="store-facts">${facts.map((f, i) => html`${i ? ' · ' : ''}${f}`)}</p>`;
}

/** "Order on WhatsApp": opens the chat with the store's bot, the store code already typed (issue 15). */
export function orderOnWhatsapp(ctx: StoreContext): Html {
  const url = ctx.store.whatsappOrderUrl;
  if (!url) return html``;
  const label = ctx.tr('storefront.orderOnWhatsapp');
  return html`<p><a class="btn secondary" href="${safeUrl(url)}" rel="noopener" data-testid="order-on-whatsapp">${
    label
  }</a></p>`;
}

export function openBadge(ctx: StoreContext): Html {
  return ctx.store.isOpen
    ? html`<span class="badge open" data-testid="store-status">${ctx.tr('storefront.open')}</span>`
    : html`<span class="badge closed" data-testid="store-status">${ctx.tr('storefront.closed')}</span>`;
}

/** Today's opening hours in words ("Today 09:00–21:00"), or null when the store keeps no hours. */
function hoursToday(ctx: StoreContext): string | null {
  const hours = ctx.store.hours;
  if (!hours) return null;
  // The store's own today, as its open/closed badge (storeIsOpen) reckons it.
  const { day } = localTime(new Date(), ctx.row.time_zone);
  const spans = hours[day as (typeof WEEKDAYS)[number]] ?? [];
  return spans.length
    ? ctx.tr('storefront.hoursToday', { spans: spans.map(([a, b]) => `${a}–${b}`).join(', ') })
    : ctx.tr('storefront.closedToday');
}

function addButton(ctx: StoreContext, product: PublicProduct, here: string, url: string): Html {
  const single = product.variants.length === 1 ? product.variants[0] : undefined;
  return single?.inStock
    ? html`<form method="post" action="${ctx.href('/cart/add')}" class="add">\
<input type="hidden" name="variantId" value="${single.id}"><input type="hidden" name="quantity" value="1">\
<input type="hidden" name="back" value="${here}">\
<button class="btn secondary" aria-label="${ctx.tr('storefront.addNamed', { name: product.name })}">\
${ctx.tr('storefront.add')}</button></form>`
    : product.inStock
      ? html`<a class="btn secondary" href="${url}">${ctx.tr('storefront.choose')}</a>`
      : html``;
}

/** With a photo, a grid card; without, a compact row (name, size, price, add) — no half screen of grey. */
function productCard(ctx: StoreContext, product: PublicProduct, here: string): Html {
  const url = ctx.href(`/p/${encodeURIComponent(product.slug)}`);
  const shown = priceVariant(product);
  const image = product.images[0];
  const oos = product.inStock
    ? ''
    : html`<span class="badge oos" data-testid="out-of-stock">${ctx.tr('storefront.outOfStock')}</span>`;
  if (!image) {
    return html`<li class="compact"><article class="card row-card" data-testid="product-card">
<a href="${url}" class="body"><h2 class="name">${product.name}</h2>\
<span class="small muted">${product.unit ?? ''}</span></a>
<p class="pr">${priceLine(ctx, shown?.price ?? product.price, shown?.mrp ?? null)} ${oos}</p>\
${addButton(ctx, product, here, url)}</article></li>`;
  }
  return html`<li><article class="card" data-testid="product-card">
<a href="${url}">${productImage(image, { alt: product.name, className: 'thumb', eager: false })}
<div class="body">\
<h2 class="name">${product.name}</h2>${product.unit ? html`<span class="small muted">${product.unit}</span>` : ''}
<p>${priceLine(ctx, shown?.price ?? product.price, shown?.mrp ?? null)}</p>${oos ? html`<p>${oos}</p>` : ''}</div></a>\
<div class="body">${addButton(ctx, product, here, url)}</div></article></li>`;
}

/**
 * A search inside a category never hides the rest of the store: with nothing here, "Nothing in Dairy — 3 results in
 * all products"; with fewer here than in the whole store, a link to all of them.
 */
function searchElsewhere(ctx: StoreContext, view: HomeView, categoryName: string | undefined): Html | '' {
  if (!view.query || !categoryName || !view.inAll) return '';
  const shownHere = view.nextCursor ? Number.POSITIVE_INFINITY : view.products.length;
  if (view.inAll <= shownHere) return '';
  const all = `${ctx.href()}?${new URLSearchParams({ q: view.query }).toString()}`;
  const words = ctx.tr('storefront.resultsInAll', { count: view.inAll });
  const link = html`<a href="${all}" data-testid="search-all-link">${words}</a>`;
  const nothing = view.products.length
    ? ''
    : `${ctx.tr('storefront.nothingInCategory', { category: categoryName })} — `;
  return html`<p class="notice" data-testid="search-elsewhere">${nothing}${link}</p>`;
}

export function homeMain(ctx: StoreContext, view: HomeView): Html {
  const tr = ctx.tr;
  const category = view.categories.find((c) => c.slug === view.categorySlug);
  const listParams = (extra: Record<string, string>) => {
    const p = new URLSearchParams();
    if (view.query) p.set('q', view.query);
    if (view.categorySlug) p.set('category', view.categorySlug);
    for (const [k, v] of Object.entries(extra)) p.set(k, v);
    const s = p.toString();
    return `${ctx.href()}${s ? `?${s}` : ''}`;
  };
  const catLink = (slug: string | null, name: string) => {
    const p = new URLSearchParams();
    if (view.query) p.set('q', view.query);
    if (slug) p.set('category', slug);
    const s = p.toString();
    const current = (slug ?? '') === view.categorySlug;
    return html`<li>\
<a href="${`${ctx.href()}${s ? `?${s}` : ''}`}"${current ? html` aria-current="page"` : ''}>${name}</a></li>`;
  };
  const heading = view.query
    ? category
      ? tr('storefront.resultsForIn', { query: view.query, category: category.name })
      : tr('storefront.resultsFor', { query: view.query })
    : category
      ? category.name
      : tr('storefront.products');
  const today = hoursToday(ctx);
  const s = ctx.store;
  return html`${
    s.banner
      ? html`<img class="banner" src="\
${safeUrl(s.banner)}" alt="" data-testid="store-banner">`
      : ''
  }<div class="store-head">\
<h1>${s.name}</h1>${openBadge(ctx)}</div>
${
  s.description
    ? html`<p data-testid="store-description">\
${s.description}</p>`
    : ''
}${today ? html`<p class="small" data-testid="store-hours">${today}</p>` : ''}
${s.isOpen ? '' : html`<p class="notice warn" data-testid="closed-notice">${tr('storefront.closedNotice')}</p>`}
${storeFacts(ctx)}
${orderOnWhatsapp(ctx)}
<form class="search row" role="search" method="get" action="${ctx.href()}">
<div><label class="sr-only" for="q">${tr('storefront.searchLabel')}</label>\
<input type="search" id="q" name="q" value="${view.query}" maxlength="100" placeholder="\
${tr('storefront.searchLabel')}">\
</div>${view.categorySlug ? html`<input type="hidden" name="category" value="${view.categorySlug}">` : ''}
<button class="btn">${tr('storefront.search')}</button>
</form>
${
  view.categories.length
    ? html`<nav aria-label="${tr('storefront.categories')}">\
<ul class="cats" data-testid="categories">\
${catLink(null, tr('storefront.all'))}${view.categories.map((c) => catLink(c.slug, c.name))}</ul></nav>`
    : ''
}
<h2>${heading}</h2>
${searchElsewhere(ctx, view, category?.name)}${
  view.products.length
    ? html`<ul class="grid" data-testid="product-grid">${view.products.map((p) => productCard(ctx, p, view.here))}</ul>`
    : view.inAll
      ? ''
      : html`<p data-testid="no-products">${view.query ? tr('storefront.noMatches') : tr('storefront.noProducts')}</p>`
}
${
  view.nextCursor
    ? html`<p class="pager">\
<a class="btn secondary" rel="next" href="${listParams({ cursor: view.nextCursor })}">\
${tr('storefront.moreProducts')}</a></p>`
    : ''
}`;
}

// ------------------------------------------------------------------ product

export function productOpenGraph(ctx: StoreContext, product: PublicProduct): OpenGraph {
  const shown = priceVariant(product);
  const price = shown?.price ?? product.price;
  const description = product.description.trim()
    ? product.description.trim().replace(/\s+/g, ' ').slice(0, 200)
    : ctx.tr('storefront.priceAt', { price: money(ctx, price), store: ctx.store.name });
  const origin = new URL(ctx.absoluteBase).origin;
  return {
    title: `${product.name} — ${money(ctx, price)}`,
    description,
    image: product.images[0] ? absoluteImageUrl(product.images[0], origin) : undefined,
    url: `${ctx.absoluteBase}/p/${encodeURIComponent(product.slug)}`,
    type: 'product',
    siteName: ctx.store.name,
    price: { amount: minorToMajorString(price, ctx.store.currency), currency: ctx.store.currency },
  };
}

/** A wa.me link that shares the product: name, price and its link (whose preview already works). */
export function shareOnWhatsappUrl(ctx: StoreContext, product: PublicProduct): string {
  const shown = priceVariant(product);
  const text = ctx.tr('storefront.shareText', {
    name: product.name,
    price: shortMoney(ctx, shown?.price ?? product.price),
    url: `${ctx.absoluteBase}/p/${encodeURIComponent(product.slug)}`,
  });
  return `https://wa.me/?text=${encodeURIComponent(text)}`;
}

export function productMain(ctx: StoreContext, product: PublicProduct, problem?: FormProblem | null, inCart = 0): Html {
  const tr = ctx.tr;
  const shown = priceVariant(product);
  const here = ctx.href(`/p/${encodeURIComponent(product.slug)}`);
  const many = product.variants.length > 1;
  const firstBuyable = product.variants.find((v) => v.inStock);
  const gallery = product.images.length
    ? html`<div class="gallery">${product.images.map((url, i) =>
        productImage(url, {
          alt: i === 0 ? product.name : tr('storefront.pictureN', { name: product.name, n: i + 1 }),
          eager: i === 0,
          sizes: '(min-width: 48rem) 30rem, 100vw',
        }),
      )}</div>`
    : '';
  return html`<p class="small"><a href="${ctx.href()}">← ${ctx.store.name}</a></p>
<article class="product" data-testid="product">
<div>
<h1 data-testid="product-name">${product.name}</h1>${product.unit ? html`<p class="muted">${product.unit}</p>` : ''}
<p>${priceLine(ctx, shown?.price ?? product.price, shown?.mrp ?? null)}</p>
${
  product.inStock
    ? ''
    : html`<p>\
<span class="badge oos" data-testid="out-of-stock">${tr('storefront.outOfStock')}</span></p>`
}
${ctx.store.isOpen ? '' : html`<p class="notice warn">${tr('storefront.closedAddAnyway')}</p>`}
${problemSummary(problem)}
${
  firstBuyable
    ? html`<form method="post" action="${ctx.href('/cart/add')}" class="panel" data-testid="add-to-cart">
${
  many
    ? html`<fieldset>\
<legend>${tr('storefront.chooseOne')}</legend>${product.variants.map(
        (v) => html`<label class="choice">\
<input${attrs({
          type: 'radio',
          name: 'variantId',
          value: v.id,
          required: true,
          checked: v.id === firstBuyable.id,
          disabled: !v.inStock,
        })}> <span>${v.name} — ${shortMoney(ctx, v.price)}${
          v.mrp !== null && v.mrp > v.price
            ? html` <s class="mrp">\
<span class="sr-only">${tr('storefront.mrp')} </span>${shortMoney(ctx, v.mrp)}</s>`
            : ''
        }${
          v.inStock
            ? ''
            : html` \
<span class="badge oos">${tr('storefront.outOfStock')}</span>`
        }</span></label>`,
      )}</fieldset>`
    : html`<input type="hidden" name="variantId" value="${firstBuyable.id}">`
}
<div class="row"><div><label for="quantity">${tr('storefront.quantity')}</label>
<input type="number" id="quantity" name="quantity" value="1" min="1" max="999" inputmode="numeric" required\
${problem?.fields.quantity ? html` aria-invalid="true" aria-describedby="quantity-error"` : ''}></div>
<button class="btn" data-testid="add-button">${inCart ? tr('storefront.addMore') : tr('storefront.addToCart')}</button>\
</div>
${fieldError(problem, 'quantity')}
<input type="hidden" name="back" value="${here}">
${
  inCart
    ? html`<p class="small" data-testid="in-cart">${tr('storefront.inCartAlready', { count: inCart })} \
<a href="${ctx.href('/cart')}">${tr('storefront.viewCart')}</a></p>`
    : ''
}
</form>`
    : html`<p class="notice info">${tr('storefront.outOfStockNow')}</p>`
}
<p><a class="btn secondary" href="${shareOnWhatsappUrl(ctx, product)}" rel="noopener" data-testid="share-whatsapp">\
${tr('storefront.shareOnWhatsapp')}</a></p>
${orderOnWhatsapp(ctx)}
</div>
${gallery}
${
  product.description
    ? html`<div><h2>${tr('storefront.aboutItem')}</h2>\
<div class="desc" data-testid="product-description">${product.description}</div></div>`
    : ''
}
</article>`;
}

// ------------------------------------------------------------------ cart and bill

export function lineErrorText(ctx: StoreContext, line: Pick<CartLineView, 'error'>): string | null {
  if (!line.error) return null;
  switch (line.error.code) {
    case 'out_of_stock':
      return ctx.tr('cart.outOfStock');
    case 'insufficient_stock':
      return ctx.tr('cart.onlyLeft', { available: line.error.available ?? 0 });
    case 'unavailable':
      return ctx.tr('cart.unavailable');
  }
}

/** Why the applied coupon gives nothing now, in words ("Add ₹272 more to use SAVE50"); null when it applies. */
export function couponNotice(ctx: StoreContext, cart: CartSnapshot): string | null {
  const c = cart.cart.coupon;
  if (!c || c.applied) return null;
  switch (c.reason) {
    case 'min_order':
      return ctx.tr('cart.couponShortBy', { code: c.code, amount: money(ctx, c.shortBy ?? 0) });
    case 'exhausted':
      return ctx.tr('cart.couponExhausted', { code: c.code });
    case 'inactive':
      return ctx.tr('cart.couponInactive', { code: c.code });
    default:
      return ctx.tr('cart.couponExpired', { code: c.code });
  }
}

/** Can the customer go on to checkout, and if not, why (in words). */
export function checkoutBlockers(ctx: StoreContext, cart: CartSnapshot | null): string[] {
  if (!cart || cart.cart.lines.length === 0) return [ctx.tr('cart.empty')];
  const reasons: string[] = [];
  if (cart.cart.errors.length) reasons.push(ctx.tr('cart.fixMarked'));
  const min = ctx.store.delivery.minOrder;
  const net = cart.cart.subtotal - cart.cart.discount;
  if (min !== null && net < min)
    reasons.push(ctx.tr('cart.belowMinimum', { minimum: money(ctx, min), missing: money(ctx, min - net) }));
  if (!ctx.store.isOpen) reasons.push(ctx.tr('cart.storeClosed'));
  return reasons;
}

/** The bill's delivery charge in words: "₹40.00", "Free", "Pickup — free". */
function deliveryText(ctx: StoreContext, c: CartSnapshot['cart']): string {
  if (c.fulfillment === 'pickup') return ctx.tr('cart.pickupFree');
  return c.deliveryFee === 0 ? ctx.tr('cart.free') : money(ctx, c.deliveryFee);
}

/** The bill; `pin`: delivered to this PIN (the fee is its delivery area's), said on the delivery row. */
export function billTable(ctx: StoreContext, cart: CartSnapshot, pin: string | null = null): Html {
  const tr = ctx.tr;
  const c = cart.cart;
  const deliveryLabel =
    c.fulfillment === 'pickup' ? tr('cart.pickup') : pin ? tr('checkout.deliveryTo', { pin }) : tr('cart.delivery');
  return html`<table class="bill" data-testid="bill">
<tr><th scope="row">${tr('cart.subtotal')}</th><td data-testid="subtotal">${money(ctx, c.subtotal)}</td></tr>${
    c.discount > 0 || c.couponCode
      ? html`
<tr><th scope="row">${tr('cart.discount')}${c.couponCode ? html` (${c.couponCode})` : ''}</th>\
<td data-testid="discount">−${money(ctx, c.discount)}</td></tr>`
      : ''
  }
<tr><th scope="row">${deliveryLabel}</th><td data-testid="delivery-fee">${deliveryText(ctx, c)}</td></tr>
<tr class="grand"><th scope="row">${tr('cart.total')}</th><td data-testid="total">${money(ctx, c.total)}</td></tr>
</table>`;
}

function cartLine(ctx: StoreContext, line: CartLineView): Html {
  const tr = ctx.tr;
  const error = lineErrorText(ctx, line);
  const label = variantLabel(line.name, line.variantName);
  const action = ctx.href(`/cart/lines/${encodeURIComponent(line.variantId)}`);
  const id = line.variantId;
  const available = line.error?.code === 'insufficient_stock' ? (line.error.available ?? 0) : null;
  return html`<li class="line${error ? ' has-error' : ''}" data-testid="cart-line" data-variant-id="${id}">
<div><div class="name">${line.name}</div>\
<div class="small muted">\
${label ? html`${label} · ` : ''}${tr('cart.each', { price: money(ctx, line.unitPrice) })}</div></div>
<div class="total" data-testid="line-total">${
    error
      ? html`<s>\
${money(ctx, line.lineTotal)}</s>`
      : money(ctx, line.lineTotal)
  }</div>
${error ? html`<p class="line-error" data-testid="line-error">${error}</p>` : ''}
${
  available !== null && available > 0
    ? html`<form method="post" action="${action}" data-fragment="bill" class="span-all">\
<input type="hidden" name="quantity" value="${available}">\
<button class="btn secondary" id="${`fix-${id}`}" data-testid="set-to-available">\
${tr('cart.setTo', { available })}</button></form>`
    : ''
}
${
  line.suggestions.length
    ? html`<div class="span-all suggest" data-testid="suggestions"><p class="small">${tr('cart.insteadTry')}</p>\
<ul>${line.suggestions.map(
        (s) =>
          html`<li><form method="post" action="${ctx.href('/cart/replace')}" data-fragment="bill">\
<input type="hidden" name="from" value="${id}"><input type="hidden" name="to" value="${s.variantId}">\
<span>${s.name}${variantLabel(s.name, s.variantName) ? html` (${s.variantName})` : ''} · ${money(ctx, s.price)}</span> \
<button class="btn secondary" data-testid="add-instead">${tr('cart.addInstead')}</button></form></li>`,
      )}</ul></div>`
    : ''
}
<form method="post" action="${action}" data-fragment="bill">
<button class="linkish upd" id="${`upd-${id}`}">${tr('cart.update')}</button>
<span class="qty">\
<button name="delta" value="-1" id="${`dec-${id}`}" aria-label="${tr('cart.oneLess', { name: line.name })}">−</button>\
<label class="sr-only" for="${`q-${id}`}">${tr('cart.quantityOf', { name: line.name })}</label>\
<input type="number" id="${`q-${id}`}" name="quantity" value="${line.quantity}" min="0" max="999" inputmode="numeric">\
<button name="delta" value="1" id="${`inc-${id}`}" aria-label="${tr('cart.oneMore', { name: line.name })}">+</button>\
</span>
<button class="linkish" formaction="${`${action}/remove`}" id="${`rm-${id}`}" data-testid="remove-line">\
${tr('cart.remove')}</button>
</form>
</li>`;
}

export interface BillSectionOptions {
  notice?: { kind: 'ok' | 'error' | 'info'; text: string } | null;
  couponProblem?: FormProblem | null;
  /** What the customer typed, kept in the field when the coupon was refused. */
  couponTyped?: string;
}

/** The live bill: the part of the cart page that app.js swaps in place after each change. */
export function billSection(ctx: StoreContext, cart: CartSnapshot | null, opts: BillSectionOptions = {}): Html {
  const tr = ctx.tr;
  const count = cart ? cart.cart.lines.reduce((n, l) => n + l.quantity, 0) : 0;
  const notice = opts.notice
    ? html`<div class="notice \
${opts.notice.kind}" data-status tabindex="-1" role="\
${opts.notice.kind === 'error' ? 'alert' : 'status'}" data-testid="cart-notice">${opts.notice.text}</div>`
    : html`<div data-status tabindex="-1" role="status" class="sr-only"></div>`;
  if (!cart || cart.cart.lines.length === 0) {
    return html`<section id="bill" data-cart-count="${count}" aria-labelledby="bill-h">
<h1 id="bill-h">${tr('cart.title')}</h1>${notice}
<p data-testid="cart-empty">${tr('cart.empty')}</p>
<p><a class="btn" href="${ctx.href()}">${tr('cart.browse')}</a></p>
</section>`;
  }
  const c = cart.cart;
  const couponWords = couponNotice(ctx, cart);
  const blockers = checkoutBlockers(ctx, cart);
  const d = ctx.store.delivery;
  const net = c.subtotal - c.discount;
  const freeHint =
    c.fulfillment === 'delivery' && d.freeAbove !== null && c.deliveryFee > 0 && net < d.freeAbove
      ? html`<p class="small muted" data-testid="free-delivery-hint">\
${tr('cart.freeDeliveryHint', { amount: money(ctx, d.freeAbove - net) })}</p>`
      : '';
  return html`<section id="bill" data-cart-count="${count}" aria-labelledby="bill-h">
<h1 id="bill-h">${tr('cart.title')}</h1>${notice}
<ul class="lines" data-testid="cart-lines">${c.lines.map((l) => cartLine(ctx, l))}</ul>
<div class="panel">
${
  c.couponCode
    ? html`<form method="post" action="${ctx.href('/cart/coupon/remove')}" data-fragment="bill" class="row">\
<p>${
        c.coupon?.applied === false
          ? tr('cart.couponKept', { code: c.couponCode })
          : tr('cart.couponApplied', { code: c.couponCode })
      }</p><button class="btn secondary" id="coupon-remove">${tr('cart.removeCoupon')}</button>\
</form>${couponWords ? html`<p class="notice info" data-testid="coupon-not-applied">${couponWords}</p>` : ''}`
    : html`<form method="post" action="${ctx.href('/cart/coupon')}" data-fragment="bill">
<label for="coupon">${tr('cart.couponCode')}</label>
<div class="row"><div>\
<input type="text" id="coupon" name="code" maxlength="64" autocomplete="off" autocapitalize="characters"\
${
  opts.couponProblem
    ? html` value="\
${opts.couponTyped ?? ''}" aria-invalid="true" aria-describedby="code-error"`
    : ''
}></div>\
<button class="btn secondary" id="coupon-apply">${tr('cart.apply')}</button></div>
${
  opts.couponProblem
    ? html`<p class="field-error" id="code-error" data-testid="coupon-error">\
${opts.couponProblem.fields.code ?? opts.couponProblem.summary}</p>`
    : ''
}
</form>`
}
${
  ctx.store.delivery.pickup
    ? html`<form method="post" action="${ctx.href('/cart/fulfillment')}" data-fragment="bill"><fieldset>\
<legend>${tr('cart.howWant')}</legend>
<label class="choice">\
<input type="radio" name="fulfillment" value="delivery"${c.fulfillment === 'delivery' ? html` checked` : ''}> \
${tr('cart.delivery')}</label>
<label class="choice">\
<input type="radio" name="fulfillment" value="pickup"${c.fulfillment === 'pickup' ? html` checked` : ''}> \
${tr('cart.pickupFromShop')}</label>
<button class="btn secondary" id="fulfillment-save">${tr('cart.update')}</button></fieldset></form>`
    : ''
}
</div>
${billTable(ctx, cart)}
${freeHint}
${
  blockers.length
    ? html`<div class="notice warn" data-testid="checkout-blocked">${blockers.map((b) => html`<p>${b}</p>`)}</div><p>\
<span class="btn block" aria-disabled="true">${tr('cart.checkout')}</span></p>`
    : html`<p>\
<a class="btn block" href="${ctx.href('/checkout')}" data-testid="checkout-link">${tr('cart.checkout')}</a></p>`
}
</section>`;
}

// ------------------------------------------------------------------ checkout

export interface CheckoutValues {
  name?: string;
  phone?: string;
  line1?: string;
  line2?: string;
  city?: string;
  pincode?: string;
  paymentMethod?: string;
  fulfillment?: string;
  note?: string;
  /** 'on' or absent (unchecked); undefined on first render = the default (on) */
  whatsappUpdates?: string;
  remember?: string;
  /** the total the customer is shown, sent back as expectedTotal */
  expectedTotal?: number;
  /** the Idempotency-Key of this form (a retried submit never creates a second order) */
  key: string;
}

function input(
  name: keyof CheckoutValues,
  label: string,
  values: CheckoutValues,
  problem: FormProblem | null | undefined,
  extra: Record<string, string | number | boolean | undefined> = {},
): Html {
  const invalid = Boolean(problem?.fields[name]);
  return html`<label for="${name}">${label}</label>
<input${attrs({
    id: name,
    name,
    value: String(values[name] ?? ''),
    'aria-invalid': invalid ? 'true' : undefined,
    'aria-describedby': invalid ? `${name}-error` : undefined,
    ...extra,
  })}>
${fieldError(problem, name)}`;
}

/** Where the checkout's bill delivers: a PIN in a delivery area and that area's fee (before free delivery). */
export interface CheckoutDelivery {
  pin: string;
  fee: number;
}

/**
 * The checkout page. The bill, the hidden expectedTotal and the button's total are all the one bill in `cart` (for
 * the PIN in `delivery`, when known); `changed`: the total the customer saw before, and when the PIN's delivery fee
 * alone explains the difference, that PIN (said so in the notice).
 */
export function checkoutMain(
  ctx: StoreContext,
  cart: CartSnapshot,
  values: CheckoutValues,
  problem?: FormProblem | null,
  changed?: { from: number; to: number; pin?: string | null } | null,
  delivery: CheckoutDelivery | null = null,
): Html {
  const tr = ctx.tr;
  const s = ctx.store;
  const c = cart.cart;
  const pin = delivery && c.fulfillment === 'delivery' ? delivery.pin : null;
  // What app.js needs to re-bill as the PIN is typed or pickup chosen, in this page's language and money.
  const bill = JSON.stringify({
    net: c.subtotal - c.discount,
    freeAbove: s.delivery.freeAbove,
    base: s.delivery.fee,
    pin,
    fee: pin && delivery ? delivery.fee : s.delivery.fee,
    locale: localeOf(ctx.lang),
    currency: s.currency,
    exp: currencyExponent(s.currency),
    free: tr('cart.free'),
    pickup: tr('cart.pickup'),
    pickupFree: tr('cart.pickupFree'),
    delivery: tr('cart.delivery'),
    to: tr('checkout.deliveryTo', { pin: '{pin}' }),
    yes: tr('checkout.deliveryToFee', { pin: '{pin}', fee: '{fee}' }),
    no: tr('checkout.noDeliveryHere'),
    button: tr('checkout.placeOrder', { total: '{total}' }),
  });
  const fulfillment = values.fulfillment ?? cart.cart.fulfillment;
  const methods = [
    s.payments.cod ? { id: 'cod', label: tr('checkout.cod') } : null,
    s.payments.upi ? { id: 'upi', label: tr('checkout.upi') } : null,
  ].filter((m): m is { id: string; label: string } => m !== null);
  const chosenMethod = values.paymentMethod ?? methods[0]?.id;
  const checked = (v: string | undefined) => v === undefined || v === 'on';
  return html`<h1>${tr('checkout.title')}</h1>
${problemSummary(problem)}
${
  changed
    ? html`<p class="notice warn" role="alert" tabindex="-1" data-testid="total-changed">\
${
  changed.pin
    ? tr('checkout.totalChangedForPin', {
        pin: changed.pin,
        fee: deliveryText(ctx, c),
        was: money(ctx, changed.from),
        now: money(ctx, changed.to),
      })
    : tr('checkout.totalChanged', { was: money(ctx, changed.from), now: money(ctx, changed.to) })
}</p>`
    : ''
}
<section class="panel" aria-labelledby="summary-h"><h2 id="summary-h">${tr('checkout.yourOrder')}</h2>
<ul class="lines">${cart.cart.lines.map((l) => {
    const label = variantLabel(l.name, l.variantName);
    const error = lineErrorText(ctx, l);
    return html`<li class="line${error ? ' has-error' : ''}">\
<div>${l.quantity} × ${l.name}${label ? html` (${label})` : ''}</div>\
<div class="total">${money(ctx, l.lineTotal)}</div>${error ? html`<p class="line-error">${error}</p>` : ''}</li>`;
  })}</ul>
${billTable(ctx, cart, pin)}
${couponNotice(ctx, cart) ? html`<p class="small">${couponNotice(ctx, cart)}</p>` : ''}
<p class="small"><a href="${ctx.href('/cart')}">${tr('checkout.changeCart')}</a></p>
</section>
<form method="post" action="${ctx.href('/checkout')}" data-testid="checkout-form" data-bill="${bill}" novalidate>
<input type="hidden" name="key" value="${values.key}">
<input type="hidden" name="expectedTotal" value="${c.total}">
${input('name', tr('checkout.name'), values, problem, { autocomplete: 'name', required: true, maxlength: 100 })}
${input('phone', tr('checkout.phone'), values, problem, {
  type: 'tel',
  autocomplete: 'tel',
  required: true,
  maxlength: 20,
  inputmode: 'tel',
})}
${
  s.delivery.pickup
    ? html`<fieldset><legend>${tr('checkout.deliveryOrPickup')}</legend>
<label class="choice">\
<input type="radio" name="fulfillment" value="delivery"${fulfillment === 'delivery' ? html` checked` : ''}> \
${tr('checkout.deliverToMe')}</label>
<label class="choice">\
<input type="radio" name="fulfillment" value="pickup"${fulfillment === 'pickup' ? html` checked` : ''}> \
${tr('checkout.pickItUp')}</label>
${fieldError(problem, 'fulfillment')}</fieldset>`
    : html`<input type="hidden" name="fulfillment" value="delivery">`
}
<fieldset><legend>${s.delivery.pickup ? tr('checkout.addressForDelivery') : tr('checkout.address')}</legend>
${input('pincode', tr('checkout.pincode'), values, problem, {
  autocomplete: 'postal-code',
  inputmode: 'numeric',
  maxlength: 10,
  'data-delivery-check': `/api/v1/storefront/${s.slug}/delivery`,
})}
<p class="small" data-delivery-answer data-testid="delivery-answer" role="status">\
${pin ? tr('checkout.deliveryToFee', { pin, fee: deliveryText(ctx, c) }) : ''}</p>
${input('line1', tr('checkout.line1'), values, problem, { autocomplete: 'address-line1', maxlength: 200 })}
${input('line2', tr('checkout.line2'), values, problem, { autocomplete: 'address-line2', maxlength: 200 })}
${input('city', tr('checkout.city'), values, problem, { autocomplete: 'address-level2', maxlength: 100 })}
</fieldset>
<fieldset><legend>${tr('checkout.payment')}</legend>
${methods.map(
  (m) => html`<label class="choice">\
<input type="radio" name="paymentMethod" value="${m.id}"${chosenMethod === m.id ? html` checked` : ''}> \
${m.label}</label>`,
)}
${fieldError(problem, 'paymentMethod')}</fieldset>
<label for="note">${tr('checkout.note')}</label>
<textarea id="note" name="note" maxlength="500" rows="3">${values.note ?? ''}</textarea>
${fieldError(problem, 'note')}
<label class="choice">\
<input type="checkbox" name="whatsappUpdates" value="on"\
${checked(values.whatsappUpdates) ? html` checked` : ''} data-testid="whatsapp-updates"> \
${tr('checkout.whatsappUpdates')}</label>
<label class="choice">\
<input type="checkbox" name="remember" value="on"\
${checked(values.remember) ? html` checked` : ''} data-testid="remember-details"> ${tr('checkout.remember')}</label>
<p><button class="btn block" data-testid="place-order">\
${tr('checkout.placeOrder', { total: money(ctx, c.total) })}</button></p>
</form>`;
}
