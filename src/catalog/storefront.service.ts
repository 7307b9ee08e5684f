/**
 * The public catalog, read by store slug: the JSON storefront API and the server-rendered pages both call these.
 * Only active, non-archived products and live variants are shown; stock is reduced to `inStock`.
 */
import type { Queryable } from '../db/db.js';
import { notFound } from '../shared/errors.js';
import {
  getStorefrontStoreRow,
  storeDelivery,
  storeOpenNow,
  storeProfile,
  type StoreRow,
} from '../stores/stores.service.js';
import { searchTerm } from './catalog.util.js';
import { listCategories } from './categories.service.js';
import { findProducts, lowestPrice, type ProductWithVariants } from './products.service.js';
import { loadVariants, selectActiveProductBySlug, type VariantRow } from './products.repo.js';
import { categoryIdBySlug } from './categories.repo.js';
import type { Category, PublicProduct, PublicStore, PublicVariant } from './catalog.schema.js';
import { cachedRead } from './catalog-cache.js';
import { NO_WHATSAPP_ORDERING, orderOnWhatsappUrl, type WhatsAppOrdering } from '../stores/whatsapp-link.js';
import { countSearchMatches } from './search.repo.js';

/** With a catalog version, a read is served from the process cache while the catalog is unchanged. */
function maybeCached<T>(version: number | undefined, key: string, load: () => Promise<T>): Promise<T> {
  return version === undefined ? load() : cachedRead(`${key}@${version}`, load);
}

/** The public view of a store, plus its id for the calls that follow (the id is not part of the public JSON). */
export interface StorefrontStore extends PublicStore {
  id: string;
  /** Pass it to the reads below to serve them from this process's cache while the catalog is unchanged. */
  catalogVersion: number;
}

export function toPublicStore(row: StoreRow, ordering: WhatsAppOrdering = NO_WHATSAPP_ORDERING): StorefrontStore {
  return {
    id: row.id,
    catalogVersion: row.catalog_version,
    slug: row.slug,
    name: row.name,
    currency: row.currency,
    whatsapp: row.whatsapp,
    isOpen: storeOpenNow(row),
    delivery: storeDelivery(row),
    payments: { cod: row.cod, upi: row.upi_vpa !== null },
    ...storeProfile(row),
    whatsappOrderUrl: orderOnWhatsappUrl(row, ordering),
  };
}

/** The JSON the contract shows: the public store without its internal id. */
export function publicStoreJson(store: StorefrontStore): PublicStore {
  const { id: _id, catalogVersion: _version, ...rest } = store;
  return rest;
}

/** A store by its slug (case-insensitive; slugs are stored lower-case). Unknown → 404. */
export async function getPublicStore(
  q: Queryable,
  slug: string,
  ordering: WhatsAppOrdering = NO_WHATSAPP_ORDERING,
): Promise<StorefrontStore> {
  return toPublicStore(await getStorefrontStoreRow(q, slug), ordering);
}

export const isInStock = (variant: Pick<VariantRow, 'stock'>): boolean => variant.stock === null || variant.stock > 0;

export function toPublicVariant(row: VariantRow): PublicVariant {
  return { id: row.id, name: row.name, price: row.price, mrp: row.mrp, inStock: isInStock(row) };
}

export function toPublicProduct({ product, variants }: ProductWithVariants): PublicProduct {
  return {
    id: product.id,
    slug: product.slug,
    name: product.name,
    description: product.description,
    categoryId: product.category_id,
    unit: product.unit,
    images: product.images,
    price: lowestPrice(variants),
    inStock: variants.some(isInStock),
    variants: variants.map(toPublicVariant),
  };
}

export async function listStorefrontCategories(
  q: Queryable,
  storeId: string,
  catalogVersion?: number,
): Promise<Category[]> {
  return maybeCached(catalogVersion, `categories:${storeId}`, () => listCategories(q, storeId));
}

export interface StorefrontProductQuery {
  q?: string;
  /** A category slug; unknown → 404. */
  categorySlug?: string;
  limit?: number;
  cursor?: string;
}

/** Active products, pinned first, then by position, then newest (products_storefront_idx). */
export async function listStorefrontProducts(
  q: Queryable,
  storeId: string,
  query: StorefrontProductQuery = {},
  catalogVersion?: number,
): Promise<{ items: PublicProduct[]; nextCursor: string | null }> {
  const key = `products:${storeId}:\
${JSON.stringify([query.q ?? '', query.categorySlug ?? '', query.limit ?? 20, query.cursor ?? ''])}`;
  return maybeCached(catalogVersion, key, () => loadStorefrontProducts(q, storeId, query));
}

async function loadStorefrontProducts(
  q: Queryable,
  storeId: string,
  query: StorefrontProductQuery,
): Promise<{ items: PublicProduct[]; nextCursor: string | null }> {
  let categoryId: string | null = null;
  if (query.categorySlug !== undefined && query.categorySlug !== '') {
    categoryId = await categoryIdBySlug(q, storeId, query.categorySlug.toLowerCase());
    if (!categoryId) throw notFound('Category not found');
  }
  const found = await findProducts(q, storeId, {
    search: searchTerm(query.q),
    categoryId,
    activeOnly: true,
    limit: query.limit ?? 20,
    cursor: query.cursor,
  });
  return { items: found.items.map(toPublicProduct), nextCursor: found.nextCursor };
}

/**
 * How many active products of the whole store a search matches (up to MAX_SEARCH_RESULTS): a search inside a
 * category says how many the rest of the store has ("nothing in Dairy — 3 results in all products").
 */
export async function countStorefrontMatches(
  q: Queryable,
  storeId: string,
  text: string,
  catalogVersion?: number,
): Promise<number> {
  const term = searchTerm(text);
  if (term === null) return 0;
  return maybeCached(catalogVersion, `count:${storeId}:${term}`, () =>
    countSearchMatches(q, storeId, { text: term, activeOnly: true }),
  );
}

/** One active product by its slug. Inactive, archived or unknown → 404. */
export async function getStorefrontProduct(
  q: Queryable,
  storeId: string,
  productSlug: string,
  catalogVersion?: number,
): Promise<PublicProduct> {
  return maybeCached(catalogVersion, `product:${storeId}:${productSlug.toLowerCase()}`, () =>
    loadStorefrontProduct(q, storeId, productSlug),
  );
}

async function loadStorefrontProduct(q: Queryable, storeId: string, productSlug: string): Promise<PublicProduct> {
  const product = await selectActiveProductBySlug(q, storeId, productSlug.toLowerCase());
  if (!product) throw notFound('Product not found');
  const variants = await loadVariants(q, storeId, [product.id]);
  return toPublicProduct({ product, variants: variants.get(product.id) ?? [] });
}
