/**
 * Storefront markup: pure functions from data to `Html`. Every user string passes through `html`, so it is
 * escaped; URLs go through `href()` (our own paths) or `safeUrl()`.
 */
import type { CartSnapshot } from '../../cart/cart.service.js';
import type { CartLineView } from '../../cart/cart.schema.js';
import type { Category, PublicProduct, PublicVariant } from '../../catalog/catalog.schema.js';
import { minorToMajorString } from '../../shared/money.js';
import { attrs, html, type Html } from '../html.js';
import { layout, type Flash, type OpenGraph } from '../layout.js';
import { formatMoney } from '../../shared/money.js';
import { fieldError, problemSummary, type FormProblem } from '../forms.js';
import { absoluteImageUrl, productImage } from '../images.js';
import type { StoreContext } from './context.js';

export const money = (ctx: StoreContext, minor: number): string => formatMoney(minor, ctx.store.currency);
const shortMoney = (ctx: StoreContext, minor: number): string =>
  formatMoney(minor, ctx.store.currency, { trimZeroFraction: true });

/** A variant's name is worth showing only when it says something ("Default" does not). */
export function variantLabel(productName: string, variantName: string): string | null {
  return variantName && variantName !== productName && variantName.toLowerCase() !== 'default' ? variantName : null;
}

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
}

export function storeHeader(ctx: StoreContext, cartCount: number): Html {
  return html`<a class="brand" href="${ctx.href()}" data-testid="store-name">${ctx.store.name}</a>
<nav aria-label="Shop"><a href="${ctx.href('/cart')}" data-testid="cart-link">Cart (<span data-testid="cart-count">${cartCount}</span>)</a></nav>`;
}

export function storeFooter(ctx: StoreContext): Html {
  const wa = ctx.store.whatsapp ? `https://wa.me/${ctx.store.whatsapp.replace(/\D/g, '')}` : null;
  return html`<p>${ctx.store.name}${wa ? html` · <a href="${wa}" rel="noopener">Chat on WhatsApp</a>` : ''}</p><p>Made with dukaan</p>`;
}

export function storePage(ctx: StoreContext, opts: StorePageOptions): Html {
  return layout({
    title: opts.title,
    description: opts.description,
    og: opts.og,
    noindex: opts.noindex,
    pageId: opts.pageId,
    flash: opts.flash,
    header: storeHeader(ctx, opts.cartCount),
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
  return html`<span class="price" data-testid="${testId}">${shortMoney(ctx, price)}</span>${discounted ? html`<s class="mrp" data-testid="mrp"><span class="sr-only">MRP </span>${shortMoney(ctx, mrp)}</s>${off > 0 ? html`<span class="off">${off}% off</span>` : ''}` : ''}`;
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
}

function storeFacts(ctx: StoreContext): Html {
  const d = ctx.store.delivery;
  const facts: Html[] = [];
  facts.push(
    d.fee === 0
      ? html`Free delivery`
      : html`Delivery ${money(ctx, d.fee)}${d.freeAbove !== null ? html`, free above ${money(ctx, d.freeAbove)}` : ''}`,
  );
  if (d.pickup) facts.push(html`Pickup available`);
  if (d.minOrder) facts.push(html`Minimum order ${money(ctx, d.minOrder)}`);
  const pay = [ctx.store.payments.cod ? 'Cash on delivery' : null, ctx.store.payments.upi ? 'UPI' : null]
    .filter(Boolean)
    .join(', ');
  if (pay) facts.push(html`Pay by ${pay}`);
  return html`<p class="small muted" data-testid="store-facts">${facts.map((f, i) => html`${i ? ' · ' : ''}${f}`)}</p>`;
}

export function openBadge(isOpen: boolean): Html {
  return isOpen
    ? html`<span class="badge open" data-testid="store-status">Open</span>`
    : html`<span class="badge closed" data-testid="store-status">Closed</span>`;
}

function productCard(ctx: StoreContext, product: PublicProduct, here: string): Html {
  const url = ctx.href(`/p/${encodeURIComponent(product.slug)}`);
  const shown = priceVariant(product);
  const image = product.images[0];
  const single = product.variants.length === 1 ? product.variants[0] : undefined;
  return html`<li><article class="card" data-testid="product-card">
<a href="${url}">${image ? productImage(image, { alt: product.name, className: 'thumb', eager: false }) : html`<div class="noimg" aria-hidden="true">🛍</div>`}
<div class="body"><h2 class="name">${product.name}</h2>${product.unit ? html`<span class="small muted">${product.unit}</span>` : ''}
<p>${priceLine(ctx, shown?.price ?? product.price, shown?.mrp ?? null)}</p>${product.inStock ? '' : html`<p><span class="badge oos" data-testid="out-of-stock">Out of stock</span></p>`}</div></a>${
    single?.inStock
      ? html`<form method="post" action="${ctx.href('/cart/add')}" class="body"><input type="hidden" name="variantId" value="${single.id}"><input type="hidden" name="quantity" value="1"><input type="hidden" name="back" value="${here}"><button class="btn secondary" aria-label="${`Add ${product.name} to cart`}">Add</button></form>`
      : product.inStock
        ? html`<div class="body"><a class="btn secondary" href="${url}">Choose</a></div>`
        : ''
  }</article></li>`;
}

export function homeMain(ctx: StoreContext, view: HomeView): Html {
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
    return html`<li><a href="${`${ctx.href()}${s ? `?${s}` : ''}`}"${current ? html` aria-current="page"` : ''}>${name}</a></li>`;
  };
  const heading = view.query
    ? html`Results for “${view.query}”${category ? html` in ${category.name}` : ''}`
    : category
      ? html`${category.name}`
      : html`Products`;
  return html`<div class="store-head"><h1>${ctx.store.name}</h1>${openBadge(ctx.store.isOpen)}</div>
${ctx.store.isOpen ? '' : html`<p class="notice warn" data-testid="closed-notice">The shop is closed right now. You can fill your cart and order when it opens.</p>`}
${storeFacts(ctx)}
<form class="search row" role="search" method="get" action="${ctx.href()}">
<div><label class="sr-only" for="q">Search products</label><input type="search" id="q" name="q" value="${view.query}" maxlength="100" placeholder="Search products"></div>${view.categorySlug ? html`<input type="hidden" name="category" value="${view.categorySlug}">` : ''}
<button class="btn">Search</button>
</form>
${view.categories.length ? html`<nav aria-label="Categories"><ul class="cats" data-testid="categories">${catLink(null, 'All')}${view.categories.map((c) => catLink(c.slug, c.name))}</ul></nav>` : ''}
<h2>${heading}</h2>
${
  view.products.length
    ? html`<ul class="grid" data-testid="product-grid">${view.products.map((p) => productCard(ctx, p, view.here))}</ul>`
    : html`<p data-testid="no-products">${view.query ? 'Nothing matches your search.' : 'No products here yet.'}</p>`
}
${view.nextCursor ? html`<p class="pager"><a class="btn secondary" rel="next" href="${listParams({ cursor: view.nextCursor })}">More products</a></p>` : ''}`;
}

// ------------------------------------------------------------------ product

export function productOpenGraph(ctx: StoreContext, product: PublicProduct): OpenGraph {
  const shown = priceVariant(product);
  const price = shown?.price ?? product.price;
  const description = product.description.trim()
    ? product.description.trim().replace(/\s+/g, ' ').slice(0, 200)
    : `${formatMoney(price, ctx.store.currency)} at ${ctx.store.name}`;
  const origin = new URL(ctx.absoluteBase).origin;
  return {
    title: `${product.name} — ${formatMoney(price, ctx.store.currency)}`,
    description,
    image: product.images[0] ? absoluteImageUrl(product.images[0], origin) : undefined,
    url: `${ctx.absoluteBase}/p/${encodeURIComponent(product.slug)}`,
    type: 'product',
    siteName: ctx.store.name,
    price: { amount: minorToMajorString(price, ctx.store.currency), currency: ctx.store.currency },
  };
}

export function productMain(ctx: StoreContext, product: PublicProduct, problem?: FormProblem | null): Html {
  const shown = priceVariant(product);
  const here = ctx.href(`/p/${encodeURIComponent(product.slug)}`);
  const many = product.variants.length > 1;
  const firstBuyable = product.variants.find((v) => v.inStock);
  return html`<p class="small"><a href="${ctx.href()}">← ${ctx.store.name}</a></p>
<article class="product" data-testid="product">
<div class="gallery">${
    product.images.length
      ? product.images.map((url, i) =>
          productImage(url, {
            alt: i === 0 ? product.name : `${product.name}, picture ${i + 1}`,
            eager: i === 0,
            sizes: '(min-width: 48rem) 30rem, 100vw',
          }),
        )
      : html`<div class="noimg" aria-hidden="true">🛍</div>`
  }</div>
<div>
<h1 data-testid="product-name">${product.name}</h1>${product.unit ? html`<p class="muted">${product.unit}</p>` : ''}
<p>${priceLine(ctx, shown?.price ?? product.price, shown?.mrp ?? null)}</p>
${product.inStock ? '' : html`<p><span class="badge oos" data-testid="out-of-stock">Out of stock</span></p>`}
${ctx.store.isOpen ? '' : html`<p class="notice warn">The shop is closed right now; you can still add to your cart.</p>`}
${problemSummary(problem)}
${
  firstBuyable
    ? html`<form method="post" action="${ctx.href('/cart/add')}" class="panel" data-testid="add-to-cart">
${
  many
    ? html`<fieldset><legend>Choose one</legend>${product.variants.map((v) => html`<label class="choice"><input${attrs({ type: 'radio', name: 'variantId', value: v.id, required: true, checked: v.id === firstBuyable.id, disabled: !v.inStock })}> <span>${v.name} — ${shortMoney(ctx, v.price)}${v.mrp !== null && v.mrp > v.price ? html` <s class="mrp"><span class="sr-only">MRP </span>${shortMoney(ctx, v.mrp)}</s>` : ''}${v.inStock ? '' : html` <span class="badge oos">Out of stock</span>`}</span></label>`)}</fieldset>`
    : html`<input type="hidden" name="variantId" value="${firstBuyable.id}">`
}
<label for="quantity">Quantity</label>
<input type="number" id="quantity" name="quantity" value="1" min="1" max="999" inputmode="numeric" required${problem?.fields.quantity ? html` aria-invalid="true" aria-describedby="quantity-error"` : ''}>
${fieldError(problem, 'quantity')}
<input type="hidden" name="back" value="${here}">
<p><button class="btn block">Add to cart</button></p>
</form>`
    : html`<p class="notice info">This item is out of stock right now.</p>`
}
${product.description ? html`<h2>About this item</h2><div class="desc" data-testid="product-description">${product.description}</div>` : ''}
</div>
</article>`;
}

// ------------------------------------------------------------------ cart and bill

export function lineErrorText(line: Pick<CartLineView, 'error'>): string | null {
  if (!line.error) return null;
  switch (line.error.code) {
    case 'out_of_stock':
      return 'Out of stock — remove or replace';
    case 'insufficient_stock':
      return `Only ${line.error.available ?? 0} left — change quantity`;
    case 'unavailable':
      return 'No longer sold — remove or replace';
  }
}

export function cartErrorText(ctx: StoreContext, cart: CartSnapshot, code: string): string | null {
  const coupon = cart.cart.couponCode ?? '';
  switch (code) {
    case 'coupon_min_order':
      return `Coupon ${coupon} needs an order of at least ${money(ctx, cart.coupon?.minOrder ?? 0)} — add more or remove the coupon`;
    case 'coupon_exhausted':
      return `Coupon ${coupon} has been used up — remove it to continue`;
    case 'coupon_expired':
      return `Coupon ${coupon} has expired — remove it to continue`;
    default:
      return null;
  }
}

/** Can the customer go on to checkout, and if not, why (in words). */
export function checkoutBlockers(ctx: StoreContext, cart: CartSnapshot | null): string[] {
  if (!cart || cart.cart.lines.length === 0) return ['Your cart is empty.'];
  const reasons: string[] = [];
  if (cart.cart.errors.length) reasons.push('Fix the items marked above to continue.');
  const min = ctx.store.delivery.minOrder;
  const net = cart.cart.subtotal - cart.cart.discount;
  if (min !== null && net < min)
    reasons.push(`The minimum order is ${money(ctx, min)}. Add ${money(ctx, min - net)} more.`);
  if (!ctx.store.isOpen) reasons.push('The shop is closed right now; you can order when it opens.');
  return reasons;
}

export function billTable(ctx: StoreContext, cart: CartSnapshot): Html {
  const c = cart.cart;
  const deliveryText =
    c.fulfillment === 'pickup' ? 'Pickup — free' : c.deliveryFee === 0 ? 'Free' : money(ctx, c.deliveryFee);
  return html`<table class="bill" data-testid="bill">
<tr><th scope="row">Subtotal</th><td data-testid="subtotal">${money(ctx, c.subtotal)}</td></tr>${
    c.discount > 0 || c.couponCode
      ? html`
<tr><th scope="row">Discount${c.couponCode ? html` (${c.couponCode})` : ''}</th><td data-testid="discount">−${money(ctx, c.discount)}</td></tr>`
      : ''
  }
<tr><th scope="row">${c.fulfillment === 'pickup' ? 'Pickup' : 'Delivery'}</th><td data-testid="delivery-fee">${deliveryText}</td></tr>
<tr class="grand"><th scope="row">Total</th><td data-testid="total">${money(ctx, c.total)}</td></tr>
</table>`;
}

function cartLine(ctx: StoreContext, line: CartLineView): Html {
  const error = lineErrorText(line);
  const label = variantLabel(line.name, line.variantName);
  const action = ctx.href(`/cart/lines/${encodeURIComponent(line.variantId)}`);
  const id = line.variantId;
  return html`<li class="line${error ? ' has-error' : ''}" data-testid="cart-line" data-variant-id="${id}">
<div><div class="name">${line.name}</div><div class="small muted">${label ? html`${label} · ` : ''}${money(ctx, line.unitPrice)} each</div></div>
<div class="total" data-testid="line-total">${error ? html`<s>${money(ctx, line.lineTotal)}</s>` : money(ctx, line.lineTotal)}</div>
${error ? html`<p class="line-error" data-testid="line-error">${error}</p>` : ''}
<form method="post" action="${action}" data-fragment="bill">
<button class="linkish upd" id="${`upd-${id}`}">Update</button>
<span class="qty"><button name="delta" value="-1" id="${`dec-${id}`}" aria-label="${`One less ${line.name}`}">−</button><label class="sr-only" for="${`q-${id}`}">${`Quantity of ${line.name}`}</label><input type="number" id="${`q-${id}`}" name="quantity" value="${line.quantity}" min="0" max="999" inputmode="numeric"><button name="delta" value="1" id="${`inc-${id}`}" aria-label="${`One more ${line.name}`}">+</button></span>
<button class="linkish" formaction="${`${action}/remove`}" id="${`rm-${id}`}" data-testid="remove-line">Remove</button>
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
  const count = cart ? cart.cart.lines.reduce((n, l) => n + l.quantity, 0) : 0;
  const notice = opts.notice
    ? html`<div class="notice ${opts.notice.kind}" data-status tabindex="-1" role="${opts.notice.kind === 'error' ? 'alert' : 'status'}" data-testid="cart-notice">${opts.notice.text}</div>`
    : html`<div data-status tabindex="-1" role="status" class="sr-only"></div>`;
  if (!cart || cart.cart.lines.length === 0) {
    return html`<section id="bill" data-cart-count="${count}" aria-labelledby="bill-h">
<h1 id="bill-h">Your cart</h1>${notice}
<p data-testid="cart-empty">Your cart is empty.</p>
<p><a class="btn" href="${ctx.href()}">Browse products</a></p>
</section>`;
  }
  const c = cart.cart;
  const cartErrors = c.errors.filter((e) => !e.variantId).map((e) => cartErrorText(ctx, cart, e.code) ?? e.message);
  const blockers = checkoutBlockers(ctx, cart);
  const d = ctx.store.delivery;
  const net = c.subtotal - c.discount;
  const freeHint =
    c.fulfillment === 'delivery' && d.freeAbove !== null && c.deliveryFee > 0 && net < d.freeAbove
      ? html`<p class="small muted" data-testid="free-delivery-hint">Add ${money(ctx, d.freeAbove - net)} more for free delivery.</p>`
      : '';
  return html`<section id="bill" data-cart-count="${count}" aria-labelledby="bill-h">
<h1 id="bill-h">Your cart</h1>${notice}
<ul class="lines" data-testid="cart-lines">${c.lines.map((l) => cartLine(ctx, l))}</ul>
<div class="panel">
${
  c.couponCode
    ? html`<form method="post" action="${ctx.href('/cart/coupon/remove')}" data-fragment="bill" class="row"><p>Coupon <strong data-testid="coupon-code">${c.couponCode}</strong> applied.</p><button class="btn secondary" id="coupon-remove">Remove coupon</button></form>`
    : html`<form method="post" action="${ctx.href('/cart/coupon')}" data-fragment="bill">
<label for="coupon">Coupon code</label>
<div class="row"><div><input type="text" id="coupon" name="code" maxlength="64" autocomplete="off" autocapitalize="characters"${opts.couponProblem ? html` value="${opts.couponTyped ?? ''}" aria-invalid="true" aria-describedby="code-error"` : ''}></div><button class="btn secondary" id="coupon-apply">Apply</button></div>
${opts.couponProblem ? html`<p class="field-error" id="code-error" data-testid="coupon-error">${opts.couponProblem.fields.code ?? opts.couponProblem.summary}</p>` : ''}
</form>`
}
${
  ctx.store.delivery.pickup
    ? html`<form method="post" action="${ctx.href('/cart/fulfillment')}" data-fragment="bill"><fieldset><legend>How do you want it?</legend>
<label class="choice"><input type="radio" name="fulfillment" value="delivery"${c.fulfillment === 'delivery' ? html` checked` : ''}> Delivery</label>
<label class="choice"><input type="radio" name="fulfillment" value="pickup"${c.fulfillment === 'pickup' ? html` checked` : ''}> Pickup from the shop</label>
<button class="btn secondary" id="fulfillment-save">Update</button></fieldset></form>`
    : ''
}
</div>
${billTable(ctx, cart)}
${freeHint}
${cartErrors.map((t) => html`<p class="notice error" data-testid="cart-error">${t}</p>`)}
${
  blockers.length
    ? html`<div class="notice warn" data-testid="checkout-blocked">${blockers.map((b) => html`<p>${b}</p>`)}</div><p><span class="btn block" aria-disabled="true">Checkout</span></p>`
    : html`<p><a class="btn block" href="${ctx.href('/checkout')}" data-testid="checkout-link">Checkout</a></p>`
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
<input${attrs({ id: name, name, value: values[name] ?? '', 'aria-invalid': invalid ? 'true' : undefined, 'aria-describedby': invalid ? `${name}-error` : undefined, ...extra })}>
${fieldError(problem, name)}`;
}

export function checkoutMain(
  ctx: StoreContext,
  cart: CartSnapshot,
  values: CheckoutValues,
  problem?: FormProblem | null,
): Html {
  const s = ctx.store;
  const fulfillment = values.fulfillment ?? cart.cart.fulfillment;
  const methods = [
    s.payments.cod ? { id: 'cod', label: 'Cash on delivery' } : null,
    s.payments.upi ? { id: 'upi', label: 'UPI (any UPI app)' } : null,
  ].filter((m): m is { id: string; label: string } => m !== null);
  const chosenMethod = values.paymentMethod ?? methods[0]?.id;
  return html`<h1>Checkout</h1>
${problemSummary(problem)}
<section class="panel" aria-labelledby="summary-h"><h2 id="summary-h">Your order</h2>
<ul class="lines">${cart.cart.lines.map((l) => {
    const label = variantLabel(l.name, l.variantName);
    const error = lineErrorText(l);
    return html`<li class="line${error ? ' has-error' : ''}"><div>${l.quantity} × ${l.name}${label ? html` (${label})` : ''}</div><div class="total">${money(ctx, l.lineTotal)}</div>${error ? html`<p class="line-error">${error}</p>` : ''}</li>`;
  })}</ul>
${billTable(ctx, cart)}
<p class="small"><a href="${ctx.href('/cart')}">Change cart</a></p>
</section>
<form method="post" action="${ctx.href('/checkout')}" data-testid="checkout-form" novalidate>
<input type="hidden" name="key" value="${values.key}">
${input('name', 'Your name', values, problem, { autocomplete: 'name', required: true, maxlength: 100 })}
${input('phone', 'Mobile number', values, problem, { type: 'tel', autocomplete: 'tel', required: true, maxlength: 20, inputmode: 'tel' })}
${
  s.delivery.pickup
    ? html`<fieldset><legend>Delivery or pickup</legend>
<label class="choice"><input type="radio" name="fulfillment" value="delivery"${fulfillment === 'delivery' ? html` checked` : ''}> Delivery to my address</label>
<label class="choice"><input type="radio" name="fulfillment" value="pickup"${fulfillment === 'pickup' ? html` checked` : ''}> I will pick it up from the shop</label>
${fieldError(problem, 'fulfillment')}</fieldset>`
    : html`<input type="hidden" name="fulfillment" value="delivery">`
}
<fieldset><legend>Address${s.delivery.pickup ? ' (for delivery)' : ''}</legend>
${input('line1', 'House, street', values, problem, { autocomplete: 'address-line1', maxlength: 200 })}
${input('line2', 'Area, landmark (optional)', values, problem, { autocomplete: 'address-line2', maxlength: 200 })}
${input('city', 'City', values, problem, { autocomplete: 'address-level2', maxlength: 100 })}
${input('pincode', 'PIN code', values, problem, { autocomplete: 'postal-code', inputmode: 'numeric', maxlength: 10 })}
</fieldset>
<fieldset><legend>Payment</legend>
${methods.map((m) => html`<label class="choice"><input type="radio" name="paymentMethod" value="${m.id}"${chosenMethod === m.id ? html` checked` : ''}> ${m.label}</label>`)}
${fieldError(problem, 'paymentMethod')}</fieldset>
<label for="note">Note for the shop (optional)</label>
<textarea id="note" name="note" maxlength="500" rows="3">${values.note ?? ''}</textarea>
${fieldError(problem, 'note')}
<p><button class="btn block" data-testid="place-order">Place order · ${money(ctx, cart.cart.total)}</button></p>
</form>`;
}
