/**
 * Catalog fixtures written straight into the tables, so cart and coupon tests do not depend on the catalog API.
 * Every helper takes the store id and keeps variants.store_id equal to the product's store.
 */
import type { Queryable } from '../../src/db/db.js';
import { newId } from '../../src/shared/ids.js';

export interface FixtureVariantInput {
  name?: string;
  price: number;
  /** null or omitted: stock not tracked */
  stock?: number | null;
}

export interface FixtureVariant {
  id: string;
  productId: string;
  name: string;
  price: number;
  stock: number | null;
}

export interface FixtureProduct {
  id: string;
  name: string;
  variants: FixtureVariant[];
}

let counter = 0;

export async function createProduct(
  db: Queryable,
  storeId: string,
  opts: { name?: string; isActive?: boolean; variants?: FixtureVariantInput[] } = {},
): Promise<FixtureProduct> {
  counter++;
  const id = newId();
  const name = opts.name ?? `Product ${counter}`;
  await db.query(`INSERT INTO products (id, store_id, slug, name, is_active) VALUES ($1, $2, $3, $4, $5)`, [
    id,
    storeId,
    `p-${counter}-${id.slice(-8)}`,
    name,
    opts.isActive ?? true,
  ]);
  const variants: FixtureVariant[] = [];
  const inputs = opts.variants ?? [{ price: 1000 }];
  for (const [position, v] of inputs.entries()) {
    const variant: FixtureVariant = {
      id: newId(),
      productId: id,
      name: v.name ?? (inputs.length === 1 ? 'Default' : `Variant ${position + 1}`),
      price: v.price,
      stock: v.stock ?? null,
    };
    await db.query(
      `INSERT INTO variants (id, product_id, store_id, name, price, stock, position) VALUES ($1, $2, $3, $4, $5, $6,\
 $7)`,
      [variant.id, id, storeId, variant.name, variant.price, variant.stock, position],
    );
    variants.push(variant);
  }
  return { id, name, variants };
}

/** One product with one variant; returns the variant. */
export async function createVariant(
  db: Queryable,
  storeId: string,
  input: FixtureVariantInput & { productName?: string },
): Promise<FixtureVariant> {
  const product = await createProduct(db, storeId, { name: input.productName, variants: [input] });
  return product.variants[0]!;
}

export const setStock = (db: Queryable, variantId: string, stock: number | null) =>
  db.query(`UPDATE variants SET stock = $2 WHERE id = $1`, [variantId, stock]);
export const setPrice = (db: Queryable, variantId: string, price: number) =>
  db.query(`UPDATE variants SET price = $2 WHERE id = $1`, [variantId, price]);
export const archiveVariant = (db: Queryable, variantId: string) =>
  db.query(`UPDATE variants SET archived_at = now() WHERE id = $1`, [variantId]);
export const archiveProduct = (db: Queryable, productId: string) =>
  db.query(`UPDATE products SET archived_at = now() WHERE id = $1`, [productId]);
export const setProductActive = (db: Queryable, productId: string, isActive: boolean) =>
  db.query(`UPDATE products SET is_active = $2 WHERE id = $1`, [productId, isActive]);
