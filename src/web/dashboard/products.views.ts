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

/** Blank variant rows on the new-product form (more can be added on the product's page). */
export const NEW_FORM_VARIANT_ROWS = 3;
/** At or below this, a tracked stock is shown as running low. */
export const LOW_STOCK = 5;

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
  return html`<img${attrs({ class: width ? undefined : 'thumb', src: img.src, srcset: img.srcset, sizes: img.srcset ? (width ? `${width}px` : '12rem') : undefined, width: drawn.width, height: drawn.height, alt, loading: 'lazy', decoding: 'async' })}>`;
}

/** "12 in stock", "Out of stock", "Not tracked": the product's stock at a glance. */
export function stockBadge(variants: readonly Pick<Variant, 'stock'>[]): Html {
  const tracked = variants.filter((v) => v.stock !== null);
  if (tracked.length === 0) return html`<span class="badge" data-testid="stock">Not tracked</span>`;
  const total = tracked.reduce((sum, v) => sum + (v.stock ?? 0), 0);
  const untracked = tracked.length < variants.length;
  if (total === 0 && !untracked) return html`<span class="badge oos" data-testid="stock">Out of stock</span>`;
  const low = tracked.some((v) => (v.stock ?? 0) <= LOW_STOCK);
  return html`<span class="badge${low ? ' closed' : ''}" data-testid="stock">${total} in stock${low ? ' · low' : ''}</span>`;
}

/** Set the count, or take/add one: the quick stock form of one variant. */
export function stockForm(
  reply: FastifyReply,
  store: StoreRow,
  variant: Variant,
  opts: { returnTo: string; label: string; detail?: string },
): Html {
  const id = `stock-${variant.id}`;
  return html`<form method="post" action="${storePath(store.id, `/variants/${variant.id}/stock`)}" class="row stock-form" data-testid="stock-form">
${csrfField(reply)}<input type="hidden" name="return" value="${opts.returnTo}">
<div><label for="${id}">${opts.label}${opts.detail ? html`<span class="sr-only"> ${opts.detail}</span>` : ''}</label><input${attrs({ id, name: 'set', inputmode: 'numeric', value: variant.stock === null ? '' : String(variant.stock), placeholder: 'not tracked', maxlength: 10, 'data-testid': 'stock-input' })}></div>
<button class="btn secondary" type="submit" name="op" value="set">Save</button>
${variant.stock === null ? '' : html`<button class="btn secondary" type="submit" name="adjust" value="-1" aria-label="One less">−1</button><button class="btn secondary" type="submit" name="adjust" value="1" aria-label="One more">+1</button>`}
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
}

export function productListMain(reply: FastifyReply, p: ListPageInput): Html {
  const { store } = p;
  const base = storePath(store.id, '/products');
  const more = p.nextCursor
    ? `${base}?${new URLSearchParams({ ...(p.q ? { q: p.q } : {}), ...(p.categoryId ? { categoryId: p.categoryId } : {}), cursor: p.nextCursor })}`
    : null;
  return html`<div class="store-head"><h1>Products</h1><p class="row"><a class="btn" href="${base}/new" data-testid="new-product">Add product</a><a class="btn secondary" href="${storePath(store.id, '/categories')}">Categories</a></p></div>
<form method="get" action="${base}" class="row search" role="search">
<div><label for="q">Search</label><input id="q" type="search" name="q" value="${p.q}" maxlength="100" placeholder="Name"></div>
${p.categories.length ? html`<div>${select({ name: 'categoryId', label: 'Category', value: p.categoryId, options: [{ value: '', label: 'All' }, ...p.categories.map((c) => ({ value: c.id, label: c.name }))] })}</div>` : ''}
<button class="btn secondary" type="submit">Find</button>
</form>
${
  p.products.length === 0
    ? html`<p data-testid="no-products">${p.q || p.categoryId ? 'No product matches.' : 'No products yet. Add the first one: it shows in your shop at once.'}</p>`
    : html`<ul class="lines" data-testid="product-list">${p.products.map((product) => {
        const single = product.variants.length === 1 ? product.variants[0]! : null;
        return html`<li class="line" data-testid="product-row" data-product-id="${product.id}">
<div><a class="name" href="${base}/${product.id}" data-testid="product-name">${product.name}</a>
<p class="small">${formatMoney(product.price, store.currency)}${product.variants.length > 1 ? html` · ${product.variants.length} variants` : ''} · ${stockBadge(product.variants)}${product.isActive ? '' : html` <span class="badge">Hidden</span>`}</p></div>
<div>${thumb(product.images[0], '', 64)}</div>
${single ? stockForm(reply, store, single, { returnTo: p.returnTo, label: 'Stock', detail: `of ${product.name}` }) : html`<p class="small"><a href="${base}/${product.id}#variants">Stock of each variant</a></p>`}
</li>`;
      })}</ul>`
}
${more ? html`<p class="pager"><a class="btn secondary" href="${more}" data-testid="more">More products</a></p>` : ''}`;
}

function categoryOptions(categories: readonly Category[]) {
  return [{ value: '', label: 'No category' }, ...categories.map((c) => ({ value: c.id, label: c.name }))];
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
}

export function newProductMain(reply: FastifyReply, p: NewProductInput): Html {
  const { store, values, problem } = p;
  const currency = store.currency;
  const rows = Array.from({ length: NEW_FORM_VARIANT_ROWS }, (_, i) => i);
  return html`<h1>Add a product</h1>
${problemSummary(problem)}${problem && values && problem.code === 'validation_failed' ? html`<p class="small muted">If you chose a picture, choose it again.</p>` : ''}
<form method="post" action="${storePath(store.id, '/products/new')}" enctype="multipart/form-data" novalidate data-testid="product-form">
${csrfField(reply)}
${input({ name: 'name', label: 'Name', value: v(values, 'name'), problem, required: true, maxlength: 200, testid: 'name' })}
${input({ name: 'image', label: 'Picture (optional)', type: 'file', accept: 'image/jpeg,image/png,image/webp', problem, hint: 'A JPEG, PNG or WebP photo up to 5 MB.', testid: 'image' })}
${moneyInput({ name: 'price', label: 'Price', value: v(values, 'price'), problem, currency, placeholder: '49.99', testid: 'price' })}
${moneyInput({ name: 'mrp', label: 'MRP (optional)', value: v(values, 'mrp'), problem, currency, hint: 'Shown struck through when higher than the price.' })}
${input({ name: 'stock', label: 'Stock (optional)', inputmode: 'numeric', value: v(values, 'stock'), problem, maxlength: 10, hint: 'Leave empty if you do not count it.', testid: 'stock' })}
${p.categories.length ? select({ name: 'categoryId', label: 'Category', value: v(values, 'categoryId'), problem, options: categoryOptions(p.categories) }) : ''}
${input({ name: 'unit', label: 'Unit (optional)', value: v(values, 'unit'), problem, maxlength: 40, placeholder: '1 kg, pack of 6' })}
${textarea({ name: 'description', label: 'Description (optional)', value: v(values, 'description'), problem, maxlength: 5000 })}
${input({ name: 'sku', label: 'SKU (optional)', value: v(values, 'sku'), problem, maxlength: 64 })}
${checkboxInput({ name: 'isActive', label: 'Show in the shop', checked: values ? v(values, 'isActive') !== undefined : true, problem })}
<fieldset data-testid="variant-rows"><legend>Sizes or variants (optional)</legend>
<p class="small muted">Sold in several sizes? Fill a row for each (then leave price, MRP and stock above empty).</p>
${rows.map(
  (i) => html`<div class="row" data-testid="variant-row">
<div>${input({ name: `v${i}_name`, idPrefix: 'f', label: `Variant ${i + 1} name`, value: v(values, `v${i}_name`), problem, maxlength: 100, placeholder: i === 0 ? '500 g' : i === 1 ? '1 kg' : '' })}</div>
<div>${moneyInput({ name: `v${i}_price`, label: 'Price', value: v(values, `v${i}_price`), problem, currency })}</div>
<div>${moneyInput({ name: `v${i}_mrp`, label: 'MRP', value: v(values, `v${i}_mrp`), problem, currency })}</div>
<div>${input({ name: `v${i}_stock`, label: 'Stock', inputmode: 'numeric', value: v(values, `v${i}_stock`), problem, maxlength: 10 })}</div>
</div>`,
)}
</fieldset>
<p><button class="btn block" type="submit" data-testid="save-product">Save product</button></p>
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
}

function variantPanel(reply: FastifyReply, p: EditProductInput, variant: Variant): Html {
  const { store, product } = p;
  const state = p.failed?.form === `variant-${variant.id}` ? p.failed : null;
  const problem = state?.problem ?? null;
  const value = (name: string, stored: string) => (state ? (v(state.values, name) ?? '') : stored);
  const prefix = `v-${variant.id.slice(-12)}`;
  const base = storePath(store.id, `/products/${product.id}/variants/${variant.id}`);
  const several = product.variants.length > 1;
  return html`<section class="panel" data-testid="variant-panel" data-variant-id="${variant.id}" aria-label="${several ? variant.name : 'Price and stock'}">
${several ? html`<h3>${variant.name}</h3>` : ''}
${problemSummary(problem)}
<form method="post" action="${base}" novalidate data-testid="variant-form">
${csrfField(reply)}
${several || variant.name.toLowerCase() !== 'default' ? input({ name: 'name', idPrefix: prefix, label: 'Variant name', value: value('name', variant.name), problem, maxlength: 100 }) : ''}
<div class="row">
<div>${moneyInput({ name: 'price', idPrefix: prefix, label: 'Price', value: value('price', moneyInputValue(variant.price, store.currency)), problem, currency: store.currency, testid: 'variant-price' })}</div>
<div>${moneyInput({ name: 'mrp', idPrefix: prefix, label: 'MRP', value: value('mrp', moneyInputValue(variant.mrp, store.currency)), problem, currency: store.currency })}</div>
<div>${input({ name: 'sku', idPrefix: prefix, label: 'SKU', value: value('sku', variant.sku ?? ''), problem, maxlength: 64 })}</div>
</div>
<p><button class="btn secondary" type="submit">Save ${several ? variant.name : 'price'}</button></p>
</form>
${stockForm(reply, store, variant, { returnTo: `${storePath(store.id, `/products/${product.id}`)}#variants`, label: 'Stock', detail: several ? `of ${variant.name}` : undefined })}
${several ? html`<form method="post" action="${base}/archive"><p>${csrfField(reply)}<button class="linkish" type="submit" data-testid="archive-variant">Remove ${variant.name}</button></p></form>` : ''}
</section>`;
}

export function editProductMain(reply: FastifyReply, p: EditProductInput): Html {
  const { store, product } = p;
  const base = storePath(store.id, `/products/${product.id}`);
  const details = p.failed?.form === 'details' ? p.failed : null;
  const dv = (name: string, stored: string) => (details ? (v(details.values, name) ?? '') : stored);
  // Where the shop lists it (issue 13 item 4): pinned first, then by position, then the newest.
  const placeFields = html`${checkboxInput({
    name: 'pinned',
    label: 'Pin to the top of the shop',
    checked: details ? v(details.values, 'pinned') !== undefined : product.pinned,
  })}
${input({
  name: 'position',
  label: 'Position in the shop (optional)',
  value: dv('position', product.position === null ? '' : String(product.position)),
  problem: details?.problem,
  inputmode: 'numeric',
  maxlength: 7,
  hint: 'Lower comes first, after the pinned products. Empty: after these, newest first.',
})}`;
  const adding = p.failed?.form === 'add-variant' ? p.failed : null;
  const prefix = 'add';
  return html`<p class="small"><a href="${storePath(store.id, '/products')}">← Products</a></p>
<h1 data-testid="product-title">${product.name}${product.isActive ? '' : html` <span class="badge">Hidden</span>`}</h1>
<p class="small">${stockBadge(product.variants)}${product.isActive ? html` · <a href="${p.productUrl}" data-testid="view-in-shop">See it in the shop</a>` : ''}</p>

<section aria-labelledby="details-title">
<h2 id="details-title">Details</h2>
${problemSummary(details?.problem)}
<form method="post" action="${base}" novalidate data-testid="details-form">
${csrfField(reply)}
${input({ name: 'name', label: 'Name', value: dv('name', product.name), problem: details?.problem, required: true, maxlength: 200, testid: 'name' })}
${p.categories.length ? select({ name: 'categoryId', label: 'Category', value: dv('categoryId', product.categoryId ?? ''), problem: details?.problem, options: categoryOptions(p.categories) }) : ''}
${input({ name: 'unit', label: 'Unit', value: dv('unit', product.unit ?? ''), problem: details?.problem, maxlength: 40 })}
${textarea({ name: 'description', label: 'Description', value: dv('description', product.description), problem: details?.problem, maxlength: 5000 })}
${checkboxInput({ name: 'isActive', label: 'Show in the shop', checked: details ? v(details.values, 'isActive') !== undefined : product.isActive })}
${placeFields}
<p><button class="btn" type="submit" data-testid="save-details">Save details</button></p>
</form>
</section>

<section aria-labelledby="images-title">
<h2 id="images-title">Pictures</h2>
${
  product.images.length
    ? html`<ul class="grid" data-testid="images">${product.images.map(
        (url, i) => html`<li class="card">${thumb(url, `${product.name}, picture ${i + 1}`)}
<form method="post" action="${base}/images/remove" class="body">${csrfField(reply)}<input type="hidden" name="url" value="${url}"><button class="linkish" type="submit">Remove picture ${i + 1}</button></form></li>`,
      )}</ul>`
    : html`<p class="muted">No picture yet.</p>`
}
<form method="post" action="${base}/images" enctype="multipart/form-data" class="row" data-testid="image-form">
${csrfField(reply)}
<div>${input({ name: 'image', label: 'Add a picture', type: 'file', accept: 'image/jpeg,image/png,image/webp', required: true })}</div>
<button class="btn secondary" type="submit">Upload</button>
</form>
</section>

<section aria-labelledby="variants" id="variants-section">
<h2 id="variants">${product.variants.length > 1 ? 'Variants, prices and stock' : 'Price and stock'}</h2>
${product.variants.map((variant) => variantPanel(reply, p, variant))}
<details${attrs({ open: adding !== null })}><summary>Add a variant (size, weight, colour…)</summary>
${problemSummary(adding?.problem)}
<form method="post" action="${base}/variants" novalidate data-testid="add-variant-form">
${csrfField(reply)}
${input({ name: 'name', idPrefix: prefix, label: 'Variant name', value: adding ? v(adding.values, 'name') : '', problem: adding?.problem, maxlength: 100, placeholder: '1 kg' })}
<div class="row">
<div>${moneyInput({ name: 'price', idPrefix: prefix, label: 'Price', value: adding ? v(adding.values, 'price') : '', problem: adding?.problem, currency: store.currency })}</div>
<div>${moneyInput({ name: 'mrp', idPrefix: prefix, label: 'MRP', value: adding ? v(adding.values, 'mrp') : '', problem: adding?.problem, currency: store.currency })}</div>
<div>${input({ name: 'stock', idPrefix: prefix, label: 'Stock', inputmode: 'numeric', value: adding ? v(adding.values, 'stock') : '', problem: adding?.problem, maxlength: 10 })}</div>
</div>
<p><button class="btn secondary" type="submit">Add variant</button></p>
</form>
</details>
</section>

<section aria-labelledby="archive-title" class="panel">
<h2 id="archive-title">Stop selling</h2>
<p class="small">Archiving removes the product from your shop and this list. Past orders keep it.</p>
<form method="post" action="${base}/archive">${csrfField(reply)}<button class="btn danger" type="submit" data-testid="archive-product">Archive ${product.name}</button></form>
</section>`;
}
