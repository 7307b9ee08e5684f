import { inTx, isUniqueViolation, type DbOrTx, type Queryable } from '../db/db.js';
import { AppError, conflict, notFound, validationFailed, type ProblemItem } from '../shared/errors.js';
import { isUuid, newId } from '../shared/ids.js';
import { decodeCursor, encodeCursor, page } from '../shared/cursor.js';
import { MAX_SEARCH_RESULTS, searchProductRows } from './search.repo.js';
import type { ProductRow } from './catalog.repo.js';
import {
  archiveProductRow,
  archiveVariantRow,
  insertProductRow,
  insertVariantRows,
  liveVariantIds,
  loadVariants,
  selectProduct,
  selectProductPage,
  selectVariant,
  updateProductColumns,
  updateVariantColumns,
  variantSlots,
  type VariantRow,
} from './products.repo.js';
import { categoryExists } from './categories.repo.js';
import {
  baseSlug,
  cleanName,
  decodeListCursor,
  imageProblems,
  insertWithFreeSlug,
  searchTerm,
} from './catalog.util.js';
import {
  MAX_VARIANTS,
  type CreateProductInput,
  type Product,
  type UpdateProductInput,
  type UpdateVariantInput,
  type Variant,
  type VariantInput,
} from './catalog.schema.js';
import { DEFAULT_VARIANT_NAME } from './variant-label.js';

export type { ProductRow, VariantRow };

export interface ProductWithVariants {
  product: ProductRow;
  variants: VariantRow[];
}

export function toVariant(row: VariantRow): Variant {
  return { id: row.id, name: row.name, price: row.price, mrp: row.mrp, stock: row.stock, sku: row.sku };
}

/** The lowest price among the variants (0 only for a product without live variants, which the rules prevent). */
export function lowestPrice(variants: readonly Pick<VariantRow, 'price'>[]): number {
  return variants.length ? Math.min(...variants.map((v) => v.price)) : 0;
}

export function toProduct({ product, variants }: ProductWithVariants): Product {
  return {
    id: product.id,
    slug: product.slug,
    name: product.name,
    description: product.description,
    categoryId: product.category_id,
    unit: product.unit,
    images: product.images,
    isActive: product.is_active,
    searchTerms: product.search_terms,
    hsn: product.hsn,
    pinned: product.pinned,
    position: product.position,
    price: lowestPrice(variants),
    variants: variants.map(toVariant),
  };
}

async function withVariants(q: Queryable, storeId: string, products: ProductRow[]): Promise<ProductWithVariants[]> {
  const variants = await loadVariants(
    q,
    storeId,
    products.map((p) => p.id),
  );
  return products.map((product) => ({ product, variants: variants.get(product.id) ?? [] }));
}

export interface ProductQuery {
  /** Words to find in the name, search terms or description, forgiving misspellings; results come best first. */
  search?: string | null;
  categoryId?: string | null;
  /** The storefront sees active products only; the merchant sees both. Archived ones are never listed. */
  activeOnly: boolean;
  limit: number;
  cursor?: string;
}

/**
 * One page of a store's products in the merchant's order: pinned first, then by position, then newest first
 * (`list_rank`, migration 111). Keyset on (list_rank DESC, id DESC) — the ids are UUIDv7 — which walks
 * products_store_id_idx / products_storefront_idx / products_category_idx. With a search: ranked matches instead
 * (searchProducts).
 */
export async function findProducts(
  q: Queryable,
  storeId: string,
  query: ProductQuery,
): Promise<{ items: ProductWithVariants[]; nextCursor: string | null }> {
  if (query.search) return searchProducts(q, storeId, { ...query, search: query.search });
  const rows = await selectProductPage(q, storeId, {
    activeOnly: query.activeOnly,
    categoryId: query.categoryId,
    after: decodeListCursor(query.cursor),
    limit: query.limit + 1,
  });
  const { items, nextCursor } = page(rows, query.limit, (row) => [row.list_rank, row.id]);
  return { items: await withVariants(q, storeId, items), nextCursor };
}

/**
 * A search: ranked best first (src/catalog/search.repo.ts), so its pages go by offset (the cursor holds it), up to
 * MAX_SEARCH_RESULTS results.
 */
async function searchProducts(
  q: Queryable,
  storeId: string,
  query: ProductQuery & { search: string },
): Promise<{ items: ProductWithVariants[]; nextCursor: string | null }> {
  const offset = decodeCursor<[number]>(query.cursor, ['number'])?.[0] ?? 0;
  if (!Number.isInteger(offset) || offset < 0 || offset >= MAX_SEARCH_RESULTS) return { items: [], nextCursor: null };
  const limit = Math.min(query.limit, MAX_SEARCH_RESULTS - offset);
  const rows = await searchProductRows(q, storeId, {
    text: query.search,
    activeOnly: query.activeOnly,
    categoryId: query.categoryId,
    limit: limit + 1,
    offset,
  });
  const kept = rows.slice(0, limit);
  const nextCursor = rows.length > limit ? encodeCursor([offset + limit]) : null;
  const items = await withVariants(
    q,
    storeId,
    kept.map(({ score: _score, ...product }) => product),
  );
  return { items, nextCursor };
}

/** Search hits with their score (0..1), best first: the storefront's search, reused by the WhatsApp bot. */
export async function searchCatalog(
  q: Queryable,
  storeId: string,
  text: string,
  opts: { limit: number; activeOnly?: boolean },
): Promise<(ProductWithVariants & { score: number })[]> {
  const rows = await searchProductRows(q, storeId, { text, activeOnly: opts.activeOnly ?? true, limit: opts.limit });
  const variants = await loadVariants(
    q,
    storeId,
    rows.map((r) => r.id),
  );
  return rows.map(({ score, ...product }) => ({ product, variants: variants.get(product.id) ?? [], score }));
}

export interface ListProductsOptions {
  q?: string;
  categoryId?: string;
  limit: number;
  cursor?: string;
}

/** The merchant's product list: active and inactive, not archived. */
export async function listProducts(
  q: Queryable,
  storeId: string,
  opts: ListProductsOptions,
): Promise<{ items: Product[]; nextCursor: string | null }> {
  if (opts.categoryId !== undefined && !isUuid(opts.categoryId)) {
    throw validationFailed('categoryId is not valid', [
      { code: 'invalid', path: 'querystring/categoryId', message: 'must be a category id' },
    ]);
  }
  const found = await findProducts(q, storeId, {
    search: searchTerm(opts.q),
    categoryId: opts.categoryId ?? null,
    activeOnly: false,
    limit: opts.limit,
    cursor: opts.cursor,
  });
  return { items: found.items.map(toProduct), nextCursor: found.nextCursor };
}

async function productRow(q: Queryable, storeId: string, productId: string, lock = false): Promise<ProductRow> {
  if (!isUuid(productId)) throw notFound('Product not found');
  const row = await selectProduct(q, storeId, productId, { lock });
  if (!row) throw notFound('Product not found');
  return row;
}

/** A live product of the store (archived ones answer 404). */
export async function getProduct(q: Queryable, storeId: string, productId: string): Promise<Product> {
  const product = await productRow(q, storeId, productId);
  const [loaded] = await withVariants(q, storeId, [product]);
  return toProduct(loaded!);
}

/** A category id from a body must name a category of the same store: anything else is 422 validation_failed. */
async function checkCategory(q: Queryable, storeId: string, categoryId: string | null | undefined): Promise<void> {
  if (categoryId === undefined || categoryId === null) return;
  const problem = [{ code: 'invalid', path: '/categoryId', message: 'is not a category of this store' }];
  if (!isUuid(categoryId)) throw validationFailed('categoryId is not a category of this store', problem, 422);
  if (!(await categoryExists(q, storeId, categoryId)))
    throw validationFailed('categoryId is not a category of this store', problem, 422);
}

/** Search terms as stored: trimmed, inner spaces collapsed, empty ones and repeats (any case) dropped. */
export function cleanSearchTerms(terms: readonly string[] | undefined): string[] | undefined {
  if (terms === undefined) return undefined;
  const seen = new Set<string>();
  const kept: string[] = [];
  for (const raw of terms) {
    const term = raw.normalize('NFC').trim().replace(/\s+/g, ' ');
    if (!term || seen.has(term.toLowerCase())) continue;
    seen.add(term.toLowerCase());
    kept.push(term);
  }
  return kept;
}

function checkImages(images: readonly string[] | undefined): void {
  if (!images) return;
  const problems = imageProblems(images);
  if (problems.length) throw validationFailed('images must be http(s) URLs or paths starting with /', problems);
}

/** The variants a create request describes: its `variants`, or one default variant from the top-level fields. */
function variantsToCreate(input: CreateProductInput): VariantInput[] {
  const topLevel = (['price', 'mrp', 'stock', 'sku'] as const).filter((field) => input[field] !== undefined);
  if (input.variants) {
    if (topLevel.length) {
      throw validationFailed(
        'Give price, mrp, stock and sku inside each variant when sending variants',
        topLevel.map((field) => ({
          code: 'not_allowed',
          path: `/${field}`,
          message: 'is not allowed together with variants',
        })),
      );
    }
    const seen = new Set<string>();
    const problems: ProblemItem[] = [];
    const variants = input.variants.map((v, i) => {
      const name = cleanName(v.name, `/variants/${i}/name`);
      if (seen.has(name.toLowerCase()))
        problems.push({ code: 'duplicate', path: `/variants/${i}/name`, message: 'another variant has this name' });
      seen.add(name.toLowerCase());
      return { ...v, name };
    });
    if (problems.length) throw validationFailed('Variant names must differ', problems);
    return variants;
  }
  if (input.price === undefined) {
    throw validationFailed('price is required when variants are not given', [
      { code: 'required', path: '/price', message: 'is required (or send variants)' },
    ]);
  }
  return [{ name: DEFAULT_VARIANT_NAME, price: input.price, mrp: input.mrp, stock: input.stock, sku: input.sku }];
}

async function insertVariants(
  tx: Queryable,
  storeId: string,
  productId: string,
  variants: readonly VariantInput[],
  firstPosition: number,
): Promise<VariantRow[]> {
  try {
    return await insertVariantRows(
      tx,
      storeId,
      productId,
      variants.map((v, i) => ({
        id: newId(),
        name: v.name,
        price: v.price,
        mrp: v.mrp ?? null,
        stock: v.stock ?? null,
        sku: v.sku ?? null,
        position: firstPosition + i,
      })),
    );
  } catch (err) {
    if (isUniqueViolation(err)) throw conflict('This product already has a variant with that name');
    throw err;
  }
}

/**
 * Creates a product and its variants in one transaction. The slug comes from the name (numeric suffix on a
 * clash) and stays when the product is renamed, so links shared on WhatsApp keep working.
 */
export async function createProduct(db: DbOrTx, storeId: string, input: CreateProductInput): Promise<Product> {
  const name = cleanName(input.name, '/name');
  const variants = variantsToCreate(input);
  checkImages(input.images);
  return inTx(db, async (tx) => {
    await checkCategory(tx, storeId, input.categoryId);
    const id = newId();
    await insertWithFreeSlug(tx, 'products', storeId, baseSlug(name, 'product'), async (slug) => {
      const inserted = await insertProductRow(tx, {
        id,
        storeId,
        categoryId: input.categoryId ?? null,
        slug,
        name,
        description: input.description ?? '',
        unit: input.unit ?? null,
        images: input.images ?? [],
        isActive: input.isActive ?? true,
        searchTerms: cleanSearchTerms(input.searchTerms) ?? [],
        hsn: input.hsn ?? null,
        pinned: input.pinned ?? false,
        position: input.position ?? null,
      });
      return inserted ? slug : null;
    });
    await insertVariants(tx, storeId, id, variants, 0);
    return getProduct(tx, storeId, id);
  });
}

/**
 * PATCH semantics. `price`, `mrp` and `sku` change the one variant of a single-variant product in place (same id);
 * on a product with several variants they are refused (422): change each variant instead.
 */
export async function updateProduct(
  db: DbOrTx,
  storeId: string,
  productId: string,
  input: UpdateProductInput,
): Promise<Product> {
  const name = input.name === undefined ? undefined : cleanName(input.name, '/name');
  checkImages(input.images);
  return inTx(db, async (tx) => {
    await productRow(tx, storeId, productId, true);
    await checkCategory(tx, storeId, input.categoryId);
    await updateProductColumns(tx, storeId, productId, {
      name,
      description: input.description,
      category_id: input.categoryId,
      unit: input.unit,
      images: input.images === undefined ? undefined : JSON.stringify(input.images),
      is_active: input.isActive,
      search_terms: cleanSearchTerms(input.searchTerms),
      hsn: input.hsn,
      pinned: input.pinned,
      position: input.position,
    });
    const variantFields = { price: input.price, mrp: input.mrp, sku: input.sku };
    if (Object.values(variantFields).some((v) => v !== undefined)) {
      const ids = await liveVariantIds(tx, storeId, productId);
      if (ids.length !== 1) {
        const fields = Object.keys(variantFields).filter(
          (k) => variantFields[k as keyof typeof variantFields] !== undefined,
        );
        throw validationFailed(
          `This product has ${ids.length} variants: change price, mrp and sku on each variant`,
          fields.map((field) => ({
            code: 'not_allowed',
            path: `/${field}`,
            message: 'only for a product with a single variant',
          })),
          422,
        );
      }
      await updateVariantColumns(tx, storeId, ids[0]!, variantFields);
    }
    return getProduct(tx, storeId, productId);
  });
}

/** DELETE archives: the product leaves the storefront and the merchant's list; orders keep their snapshot. */
export async function archiveProduct(q: Queryable, storeId: string, productId: string): Promise<void> {
  if (!isUuid(productId)) throw notFound('Product not found');
  if (!(await archiveProductRow(q, storeId, productId))) throw notFound('Product not found');
}

async function variantRow(q: Queryable, storeId: string, productId: string, variantId: string): Promise<VariantRow> {
  if (!isUuid(variantId)) throw notFound('Variant not found');
  const row = await selectVariant(q, storeId, productId, variantId);
  if (!row) throw notFound('Variant not found');
  return row;
}

/** Adds a variant at the end. The product row is locked so the count and the position are decided one at a time. */
export async function addVariant(
  db: DbOrTx,
  storeId: string,
  productId: string,
  input: VariantInput,
): Promise<Variant> {
  const variant = { ...input, name: cleanName(input.name, '/name') };
  return inTx(db, async (tx) => {
    await productRow(tx, storeId, productId, true);
    const { live, nextPosition } = await variantSlots(tx, storeId, productId);
    if (live >= MAX_VARIANTS) throw validationFailed(`A product has at most ${MAX_VARIANTS} variants`, undefined, 422);
    const [created] = await insertVariants(tx, storeId, productId, [variant], nextPosition);
    return toVariant(created!);
  });
}

/** PATCH name, price, mrp, sku of a live variant. Stock changes only through src/inventory/stock.ts. */
export async function updateVariant(
  db: DbOrTx,
  storeId: string,
  productId: string,
  variantId: string,
  input: UpdateVariantInput,
): Promise<Variant> {
  const name = input.name === undefined ? undefined : cleanName(input.name, '/name');
  return inTx(db, async (tx) => {
    await productRow(tx, storeId, productId);
    const current = await variantRow(tx, storeId, productId, variantId);
    try {
      const updated = await updateVariantColumns(tx, storeId, current.id, {
        name,
        price: input.price,
        mrp: input.mrp,
        sku: input.sku,
      });
      return toVariant(updated ?? current);
    } catch (err) {
      if (isUniqueViolation(err)) throw conflict('This product already has a variant with that name');
      throw err;
    }
  });
}

/** Archives a variant; the last live one stays (409): archive the product instead. Carts and orders keep pointing at
 * it. */
export async function archiveVariant(db: DbOrTx, storeId: string, productId: string, variantId: string): Promise<void> {
  return inTx(db, async (tx) => {
    // The product lock serialises two deletes racing for the last two variants.
    await productRow(tx, storeId, productId, true);
    await variantRow(tx, storeId, productId, variantId);
    const { live } = await variantSlots(tx, storeId, productId);
    if (live <= 1) throw new AppError('conflict', 'A product keeps at least one variant: archive the product instead');
    await archiveVariantRow(tx, storeId, variantId);
  });
}
