/** Product pages of the dashboard: the list with stock at a glance, the new-product form, the edit page. */
import type { FastifyReply } from 'fastify';
import type { Category, Product, Variant } from '../../catalog/catalog.schema.js';
import type { StoreRow } from '../../stores/stores.service.js';
import { imageSources } from '../../media/images.js';
import { attrs, html, safeUrl, type Html } from '../html.js';
import { csrfField, problemSummary, type FormBody, type FormProblem } from '../forms.js';
import { formatMoney } from '../../shared/money.js';
import { storePath } from './context.js';
import { checkboxInput, input, moneyInput, select, textarea } from './fields.js';
import { moneyInputValue } from './form-values.js';
import type { Translate } from '../../i18n/index.js';
import { stockLevels } from './stock-levels.js';

/** With JS, a chosen photo is scaled down to this (longest side, px) in the browser before it is sent. */
export const PHOTO_MAX_PX = 1600;

/** Blank variant rows on the new-product form (more can be added on the product's page). */
export const NEW_FORM_VARIANT_ROWS = 3;

/**
 * A product picture. `width` (px) draws it that wide with its own aspect ratio (the list's small thumbnails);
 * without it, it fills its card as a square.
 */
export function thumb(url: string | undefined, alt: string, width?: number): Html {
  if (!url) return width ? html`` : html`<div class="noimg" aria-hidden="true">🛍</div>`;
  const img = imageSources(url);
  if (safeUrl(img.src) === '#') return html``;
  const drawn = width
    ? { width, height: img.width && img.height ? Math.max(1, Math.round((img.height * width) / img.width)) : width }
    : { width: img.width, height: img.height };
  return html`<img${attrs({
    class: width ? undefined : 'thumb',
    src: img.src,
    srcset: img.srcset,
    sizes: img.srcset ? (width ? `${width}px` : '12rem') : undefined,
    width: drawn.width,
    height: drawn.height,
    alt,
    loading: 'lazy',
    decoding: 'async',
  })}>`;
}

/**
 * "12 in stock", "Out of stock", "Not counted": the product's stock at a glance; with several sizes, one more
 * badge for each size that is out ("500 g: out of stock") or running low ("1 kg: 2 left").
 */
export function stockBadge(variants: readonly Pick<Variant, 'name' | 'stock'>[], tr: Translate): Html {
  const levels = stockLevels(variants);
  const main =
    levels.kind === 'untracked'
      ? html`<span class="badge" data-testid="stock">${tr('dashboard.stock.notTracked')}</span>`
      : levels.kind === 'out'
        ? html`<span class="badge oos" data-testid="stock">${tr('dashboard.stock.out')}</span>`
        : html`<span class="badge${levels.kind === 'low' ? ' closed' : ''}" data-testid="stock">
${tr(levels.kind === 'low' ? 'dashboard.stock.inStockLow' : 'dashboard.stock.inStock', {
  count: levels.total,
})}</span>`;
  const out = levels.outSizes.map(
    (name) => html` <span class="badge oos" data-testid="size-stock">${tr('dashboard.stock.sizeOut', { name })}</span>`,
  );
  const low = levels.lowSizes.map(
    (s) =>
      html` <span class="badge closed" data-testid="size-stock">
${tr('dashboard.stock.sizeLow', { name: s.name, count: s.stock })}</span>`,
  );
  return html`${main}${out}${low}`;
}

/** Set the count, or take/add one: the quick stock form of one variant. */
export function stockForm(
  reply: FastifyReply,
  store: StoreRow,
  variant: Variant,
  opts: { returnTo: string; label: string; detail?: string; tr: Translate },
): Html {
  const tr = opts.tr;
  const id = `stock-${variant.id}`;
  const action = storePath(store.id, `/variants/${variant.id}/stock`);
  const detail = opts.detail ? html`<span class="sr-only"> ${opts.detail}</span>` : '';
  const input = html`<input${attrs({
    id,
    name: 'set',
    inputmode: 'numeric',
    value: variant.stock === null ? '' : String(variant.stock),
    placeholder: tr('dashboard.stock.notTrackedPlaceholder'),
    maxlength: 10,
    'data-testid': 'stock-input',
  })}>`;
  const less = html`<button class="btn secondary" type="submit" name="adjust" value="-1"
 aria-label="${tr('dashboard.stock.oneLess')}">−1</button>`;
  const more = html`<button class="btn secondary" type="submit" name="adjust" value="1"
 aria-label="${tr('dashboard.stock.oneMore')}">+1</button>`;
  return html`<form method="post" action="${action}" class="row stock-form" data-testid="stock-form">
${csrfField(reply)}<input type="hidden" name="return" value="${opts.returnTo}">
<div><label for="${id}">${opts.label}${detail}</label>${input}</div>
<button class="btn secondary" type="submit" name="op" value="set">${tr('dashboard.form.save')}</button>
${variant.stock === null ? '' : html`${less}${more}`}
</form>`;
}

export interface ListPageInput {
  store: StoreRow;
  products: Product[];
  categories: Category[];
  q: string;
  categoryId: string;
  nextCursor: string | null;
  returnTo: string;
  tr: Translate;
}

export function productListMain(reply: FastifyReply, p: ListPageInput): Html {
  const { store, tr } = p;
  const base = storePath(store.id, '/products');
  const query = { ...(p.q ? { q: p.q } : {}), ...(p.categoryId ? { categoryId: p.categoryId } : {}) };
  const more = p.nextCursor ? `${base}?${new URLSearchParams({ ...query, cursor: p.nextCursor })}` : null;
  const categoryPicker = p.categories.length
    ? html`<div>${select({
        name: 'categoryId',
        label: tr('dashboard.products.category'),
        value: p.categoryId,
        options: [
          { value: '', label: tr('dashboard.products.all') },
          ...p.categories.map((c) => ({ value: c.id, label: c.name })),
        ],
      })}</div>`
    : '';
  const price = (product: Product) => formatMoney(product.price, store.currency);
  const row = (product: Product) => {
    const single = product.variants.length === 1 ? product.variants[0]! : null;
    const sizes =
      product.variants.length > 1
        ? html` · ${tr('dashboard.products.sizeCount', { count: product.variants.length })}`
        : '';
    const hidden = product.isActive ? '' : html` <span class="badge">${tr('dashboard.products.hidden')}</span>`;
    const stock = single
      ? stockForm(reply, store, single, {
          returnTo: p.returnTo,
          label: tr('dashboard.products.stock'),
          detail: tr('dashboard.products.stockOf', { name: product.name }),
          tr,
        })
      : html`<p class="small"><a
 href="${base}/${product.id}#variants">${tr('dashboard.products.stockEachSize')}</a></p>`;
    return html`<li class="line" data-testid="product-row" data-product-id="${product.id}">
<div><a class="name" href="${base}/${product.id}" data-testid="product-name">${product.name}</a>
<p class="small">${price(product)}${sizes} · ${stockBadge(product.variants, tr)}${hidden}</p></div>
<div>${thumb(product.images[0], '', 64)}</div>
${stock}
</li>`;
  };
  const empty = p.q || p.categoryId ? tr('dashboard.products.noMatch') : tr('dashboard.products.none');
  const pager = more
    ? html`<p class="pager"><a class="btn secondary"
 href="${more}" data-testid="more">${tr('dashboard.products.more')}</a></p>`
    : '';
  return html`<div class="store-head"><h1>${tr('dashboard.nav.products')}</h1><p class="row">
<a class="btn" href="${base}/new" data-testid="new-product">${tr('dashboard.products.add')}</a><a
 class="btn secondary" href="${storePath(store.id, '/categories')}">${tr('dashboard.products.categories')}</a>
<a class="btn secondary" href="${base}/import"
 data-testid="import-link">${tr('dashboard.products.importExport')}</a></p></div>
<form method="get" action="${base}" class="row search" role="search">
<div><label for="q">${tr('dashboard.products.search')}</label><input id="q" type="search" name="q" value="${p.q}"
 maxlength="100" placeholder="${tr('dashboard.products.name')}"></div>
${categoryPicker}
<button class="btn secondary" type="submit">${tr('dashboard.products.find')}</button>
</form>
${
  p.products.length === 0
    ? html`<p data-testid="no-products">${empty}</p>`
    : html`<ul class="lines" data-testid="product-list">${p.products.map(row)}</ul>`
}
${pager}`;
}

function categoryOptions(categories: readonly Category[], tr: Translate) {
  return [
    { value: '', label: tr('dashboard.products.noCategory') },
    ...categories.map((c) => ({ value: c.id, label: c.name })),
  ];
}

const v = (values: FormBody | null, name: string): string | undefined => {
  const value = values?.[name];
  return Array.isArray(value) ? value[0] : value;
};

export interface NewProductInput {
  store: StoreRow;
  categories: Category[];
  values: FormBody | null;
  problem: FormProblem | null;
  /** The photo chosen before a failed save, kept on the server: its URL rides along in the form. */
  keptImage: string | null;
  tr: Translate;
}

const anyFilled = (values: FormBody | null, names: readonly string[]) =>
  names.some((name) => (v(values, name) ?? '').trim() !== '');

/**
 * The short add-product form: name, photo, price and stock first; "+ add sizes" and "more details" open below
 * (plain `<details>`, no script needed), and open by themselves when they hold a typed value or a problem.
 */
export function newProductMain(reply: FastifyReply, p: NewProductInput): Html {
  const { store, values, problem, tr } = p;
  const currency = store.currency;
  const rows = Array.from({ length: NEW_FORM_VARIANT_ROWS }, (_, i) => i);
  const sizeFields = rows.flatMap((i) => ['name', 'price', 'mrp', 'stock'].map((n) => `v${i}_${n}`));
  const moreFields = ['mrp', 'categoryId', 'unit', 'description', 'sku'];
  const hasProblem = (names: readonly string[]) => names.some((n) => problem?.fields[n]);
  const sizesOpen = anyFilled(values, sizeFields) || hasProblem(sizeFields);
  const moreOpen =
    anyFilled(values, moreFields) || hasProblem(moreFields) || (values !== null && !v(values, 'isActive'));
  const kept = p.keptImage;
  return html`<h1>${tr('dashboard.newProduct.title')}</h1>
${problemSummary(problem)}
<form method="post" action="${storePath(store.id, '/products/new')}" enctype="multipart/form-data" novalidate
 data-testid="product-form">
${csrfField(reply)}
${input({
  name: 'name',
  label: tr('dashboard.products.name'),
  value: v(values, 'name'),
  problem,
  required: true,
  maxlength: 200,
  testid: 'name',
})}
${
  kept
    ? html`<div class="row kept" data-testid="kept-image"><div>${thumb(kept, tr('dashboard.newProduct.keptAlt'), 64)}</div>
<p class="small">${tr('dashboard.newProduct.kept')}</p><input type="hidden" name="keptImage" value="${kept}"></div>`
    : ''
}
${input({
  name: 'image',
  label: kept ? tr('dashboard.newProduct.otherPhoto') : tr('dashboard.newProduct.photo'),
  type: 'file',
  accept: 'image/jpeg,image/png,image/webp',
  problem,
  hint: tr('dashboard.newProduct.photoHint'),
  testid: 'image',
  resize: PHOTO_MAX_PX,
})}
${moneyInput({
  name: 'price',
  label: tr('dashboard.products.price'),
  value: v(values, 'price'),
  problem,
  currency,
  placeholder: '49.99',
  testid: 'price',
})}
${input({
  name: 'stock',
  label: tr('dashboard.newProduct.stock'),
  inputmode: 'numeric',
  value: v(values, 'stock'),
  problem,
  maxlength: 10,
  hint: tr('dashboard.newProduct.stockHint'),
  testid: 'stock',
})}
<details${attrs({ open: sizesOpen, 'data-testid': 'sizes' })}><summary data-testid="add-sizes">${tr('dashboard.newProduct.addSizes')}</summary>
<fieldset data-testid="variant-rows"><legend>${tr('dashboard.newProduct.sizes')}</legend>
<p class="small muted">${tr('dashboard.newProduct.sizesHint')}</p>
${rows.map(
  (i) => html`<div class="row" data-testid="variant-row">
<div>${input({
    name: `v${i}_name`,
    idPrefix: 'f',
    label: tr('dashboard.newProduct.sizeN', { n: i + 1 }),
    value: v(values, `v${i}_name`),
    problem,
    maxlength: 100,
    placeholder: i === 0 ? '500 g' : i === 1 ? '1 kg' : '',
  })}</div>
<div>${moneyInput({ name: `v${i}_price`, label: tr('dashboard.products.price'), value: v(values, `v${i}_price`), problem, currency })}</div>
<div>${moneyInput({ name: `v${i}_mrp`, label: tr('dashboard.products.mrp'), value: v(values, `v${i}_mrp`), problem, currency })}</div>
<div>${input({
    name: `v${i}_stock`,
    label: tr('dashboard.products.stock'),
    inputmode: 'numeric',
    value: v(values, `v${i}_stock`),
    problem,
    maxlength: 10,
  })}</div>
</div>`,
)}
</fieldset>
</details>
<details${attrs({ open: moreOpen, 'data-testid': 'more-details' })}><summary>${tr('dashboard.newProduct.more')}</summary>
${moneyInput({
  name: 'mrp',
  label: tr('dashboard.products.mrp'),
  value: v(values, 'mrp'),
  problem,
  currency,
  hint: tr('dashboard.newProduct.mrpHint'),
})}
${p.categories.length ? select({ name: 'categoryId', label: tr('dashboard.products.category'), value: v(values, 'categoryId'), problem, options: categoryOptions(p.categories, tr) }) : ''}
${input({
  name: 'unit',
  label: tr('dashboard.newProduct.unit'),
  value: v(values, 'unit'),
  problem,
  maxlength: 40,
  placeholder: '1 kg, pack of 6',
})}
${textarea({
  name: 'description',
  label: tr('dashboard.newProduct.description'),
  value: v(values, 'description'),
  problem,
  maxlength: 5000,
})}
${input({ name: 'sku', label: tr('dashboard.products.sku'), value: v(values, 'sku'), problem, maxlength: 64 })}
${checkboxInput({
  name: 'isActive',
  label: tr('dashboard.products.show'),
  checked: values ? v(values, 'isActive') !== undefined : true,
  problem,
})}
</details>
<p><button class="btn block" type="submit" data-testid="save-product">${tr('dashboard.newProduct.save')}</button></p>
</form>`;
}

/** Which form of the edit page failed, to show its problem and the values typed into it. */
export interface EditFormState {
  form: 'details' | 'add-variant' | `variant-${string}`;
  values: FormBody;
  problem: FormProblem;
}

export interface EditProductInput {
  store: StoreRow;
  product: Product;
  categories: Category[];
  productUrl: string;
  failed: EditFormState | null;
  tr: Translate;
}

function variantPanel(reply: FastifyReply, p: EditProductInput, variant: Variant): Html {
  const { store, product, tr } = p;
  const state = p.failed?.form === `variant-${variant.id}` ? p.failed : null;
  const problem = state?.problem ?? null;
  const value = (name: string, stored: string) => (state ? (v(state.values, name) ?? '') : stored);
  const prefix = `v-${variant.id.slice(-12)}`;
  const base = storePath(store.id, `/products/${product.id}/variants/${variant.id}`);
  const several = product.variants.length > 1;
  // One Save per size saves its price and stock together; −1 / +1 post the same form to the stock route.
  const stockAction = storePath(store.id, `/variants/${variant.id}/stock`);
  return html`<section class="panel" data-testid="variant-panel" data-variant-id="${variant.id}" aria-label="${several ? variant.name : tr('dashboard.products.priceAndStock')}">
${several ? html`<h3>${variant.name}</h3>` : ''}
${problemSummary(problem)}
<form method="post" action="${base}" novalidate data-testid="variant-form">
${csrfField(reply)}
${several || variant.name.toLowerCase() !== 'default' ? input({ name: 'name', idPrefix: prefix, label: tr('dashboard.products.sizeName'), value: value('name', variant.name), problem, maxlength: 100 }) : ''}
<div class="row">
<div>${moneyInput({
    name: 'price',
    idPrefix: prefix,
    label: tr('dashboard.products.price'),
    value: value('price', moneyInputValue(variant.price, store.currency)),
    problem,
    currency: store.currency,
    testid: 'variant-price',
  })}</div>
<div>${moneyInput({
    name: 'mrp',
    idPrefix: prefix,
    label: tr('dashboard.products.mrp'),
    value: value('mrp', moneyInputValue(variant.mrp, store.currency)),
    problem,
    currency: store.currency,
  })}</div>
<div>${input({
    name: 'sku',
    idPrefix: prefix,
    label: tr('dashboard.products.sku'),
    value: value('sku', variant.sku ?? ''),
    problem,
    maxlength: 64,
  })}</div>
<div>${input({
    name: 'stock',
    idPrefix: prefix,
    label: several
      ? `${tr('dashboard.products.stock')} ${tr('dashboard.products.stockOf', { name: variant.name })}`
      : tr('dashboard.products.stock'),
    inputmode: 'numeric',
    value: value('stock', variant.stock === null ? '' : String(variant.stock)),
    placeholder: tr('dashboard.stock.notTrackedPlaceholder'),
    problem,
    maxlength: 10,
    testid: 'stock-input',
  })}</div>
</div>
<input type="hidden" name="return" value="${storePath(store.id, `/products/${product.id}`)}#variants">
<p class="row"><button class="btn secondary" type="submit" data-testid="save-variant">
${several ? tr('dashboard.products.saveSize', { name: variant.name }) : tr('dashboard.products.savePriceStock')}</button>
${
  variant.stock === null
    ? ''
    : html`<button class="btn secondary" type="submit" formaction="${stockAction}" name="adjust" value="-1" aria-label="${tr('dashboard.stock.oneLess')}">−1</button>
<button class="btn secondary" type="submit" formaction="${stockAction}" name="adjust" value="1" aria-label="${tr('dashboard.stock.oneMore')}">+1</button>`
}</p>
</form>
${several ? html`<form method="post" action="${base}/archive"><p>${csrfField(reply)}<button class="linkish" type="submit" data-testid="archive-variant">${tr('dashboard.products.removeSize', { name: variant.name })}</button></p></form>` : ''}
</section>`;
}

export function editProductMain(reply: FastifyReply, p: EditProductInput): Html {
  const { store, product, tr } = p;
  const base = storePath(store.id, `/products/${product.id}`);
  const details = p.failed?.form === 'details' ? p.failed : null;
  const dv = (name: string, stored: string) => (details ? (v(details.values, name) ?? '') : stored);
  // Where the shop lists it (issue 13 item 4): pinned first, then by position, then the newest.
  const placeFields = html`${checkboxInput({
    name: 'pinned',
    label: tr('dashboard.products.pin'),
    checked: details ? v(details.values, 'pinned') !== undefined : product.pinned,
  })}
${input({
  name: 'position',
  label: tr('dashboard.products.position'),
  value: dv('position', product.position === null ? '' : String(product.position)),
  problem: details?.problem,
  inputmode: 'numeric',
  maxlength: 7,
  hint: tr('dashboard.products.positionHint'),
})}`;
  const adding = p.failed?.form === 'add-variant' ? p.failed : null;
  const prefix = 'add';
  return html`<p class="small"><a href="${storePath(store.id, '/products')}">← ${tr('dashboard.nav.products')}</a></p>
<h1 data-testid="product-title">${product.name}${product.isActive ? '' : html` <span class="badge">${tr('dashboard.products.hidden')}</span>`}</h1>
<p class="small">${stockBadge(product.variants, tr)}${product.isActive ? html` · <a href="${p.productUrl}" data-testid="view-in-shop">${tr('dashboard.products.seeInShop')}</a>` : ''}</p>

<section aria-labelledby="details-title">
<h2 id="details-title">${tr('dashboard.products.details')}</h2>
${problemSummary(details?.problem)}
<form method="post" action="${base}" novalidate data-testid="details-form">
${csrfField(reply)}
${input({
  name: 'name',
  label: tr('dashboard.products.name'),
  value: dv('name', product.name),
  problem: details?.problem,
  required: true,
  maxlength: 200,
  testid: 'name',
})}
${p.categories.length ? select({ name: 'categoryId', label: tr('dashboard.products.category'), value: dv('categoryId', product.categoryId ?? ''), problem: details?.problem, options: categoryOptions(p.categories, tr) }) : ''}
${input({
  name: 'unit',
  label: tr('dashboard.products.unit'),
  value: dv('unit', product.unit ?? ''),
  problem: details?.problem,
  maxlength: 40,
})}
${textarea({
  name: 'description',
  label: tr('dashboard.products.description'),
  value: dv('description', product.description),
  problem: details?.problem,
  maxlength: 5000,
})}
${checkboxInput({
  name: 'isActive',
  label: tr('dashboard.products.show'),
  checked: details ? v(details.values, 'isActive') !== undefined : product.isActive,
})}
${placeFields}
<p><button class="btn" type="submit" data-testid="save-details">${tr('dashboard.products.saveDetails')}</button></p>
</form>
</section>

<section aria-labelledby="images-title">
<h2 id="images-title">${tr('dashboard.products.pictures')}</h2>
${
  product.images.length
    ? html`<ul class="grid" data-testid="images">${product.images.map(
        (
          url,
          i,
        ) => html`<li class="card">${thumb(url, tr('dashboard.products.pictureAlt', { name: product.name, n: i + 1 }))}
<form method="post" action="${base}/images/remove" class="body">${csrfField(reply)}<input type="hidden" name="url" value="${url}"><button class="linkish" type="submit">${tr('dashboard.products.removePicture', { n: i + 1 })}</button></form></li>`,
      )}</ul>`
    : html`<p class="muted">${tr('dashboard.products.noPicture')}</p>`
}
<form method="post" action="${base}/images" enctype="multipart/form-data" class="row" data-testid="image-form">
${csrfField(reply)}
<div>${input({
    name: 'image',
    label: tr('dashboard.products.addPicture'),
    type: 'file',
    accept: 'image/jpeg,image/png,image/webp',
    required: true,
  })}</div>
<button class="btn secondary" type="submit">${tr('dashboard.products.upload')}</button>
</form>
</section>

<section aria-labelledby="variants" id="variants-section">
<h2 id="variants">${product.variants.length > 1 ? tr('dashboard.products.sizesPricesStock') : tr('dashboard.products.priceAndStock')}</h2>
${product.variants.map((variant) => variantPanel(reply, p, variant))}
<details${attrs({ open: adding !== null })}><summary>${tr('dashboard.products.addSize')}</summary>
${problemSummary(adding?.problem)}
<form method="post" action="${base}/variants" novalidate data-testid="add-variant-form">
${csrfField(reply)}
${input({
  name: 'name',
  idPrefix: prefix,
  label: tr('dashboard.products.sizeName'),
  value: adding ? v(adding.values, 'name') : '',
  problem: adding?.problem,
  maxlength: 100,
  placeholder: '1 kg',
})}
<div class="row">
<div>${moneyInput({
    name: 'price',
    idPrefix: prefix,
    label: tr('dashboard.products.price'),
    value: adding ? v(adding.values, 'price') : '',
    problem: adding?.problem,
    currency: store.currency,
  })}</div>
<div>${moneyInput({
    name: 'mrp',
    idPrefix: prefix,
    label: tr('dashboard.products.mrp'),
    value: adding ? v(adding.values, 'mrp') : '',
    problem: adding?.problem,
    currency: store.currency,
  })}</div>
<div>${input({
    name: 'stock',
    idPrefix: prefix,
    label: tr('dashboard.products.stock'),
    inputmode: 'numeric',
    value: adding ? v(adding.values, 'stock') : '',
    problem: adding?.problem,
    maxlength: 10,
  })}</div>
</div>
<p><button class="btn secondary" type="submit">${tr('dashboard.products.addSizeButton')}</button></p>
</form>
</details>
</section>

<section aria-labelledby="archive-title" class="panel">
<h2 id="archive-title">${tr('dashboard.products.stopSelling')}</h2>
<p class="small">${tr('dashboard.products.archiveHint')}</p>
<form method="post" action="${base}/archive">${csrfField(reply)}<button class="btn danger" type="submit" data-testid="archive-product">${tr('dashboard.products.archive', { name: product.name })}</button></form>
</section>`;
}
