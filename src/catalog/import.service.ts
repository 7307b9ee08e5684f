/** Bulk product import (dry run or apply) and export, over the pure plan in import-plan.ts. */
import { inTx, type Db, type DbOrTx } from '../db/db.js';
import { baseSlug, firstFreeSlug } from './catalog.util.js';
import { planImport, productCsv, readProductCsv, type ImportProblem } from './import-plan.js';
import {
  categorySlugs,
  exportRows,
  insertCategories,
  loadCatalogForImport,
  lockStoreForImport,
  writeImport,
} from './import.repo.js';

export interface ImportResult {
  created: number;
  updated: number;
  unchanged: number;
  errors: ImportProblem[];
}

/**
 * Reads the CSV and, unless `dryRun`, writes every valid row in one transaction (rows with problems are left out
 * and listed). Idempotent: importing the same file again changes nothing and reports every row unchanged.
 */
export async function importProducts(
  db: DbOrTx,
  store: { id: string; currency: string },
  text: string,
  dryRun: boolean,
): Promise<ImportResult> {
  const parsed = readProductCsv(text, store.currency);
  return inTx(db, async (tx) => {
    // One import per store at a time: a second waits, then plans against the first one's result.
    await lockStoreForImport(tx, store.id);
    const catalog = await loadCatalogForImport(tx, store.id);
    const plan = planImport(
      parsed,
      catalog.products,
      catalog.variants,
      catalog.categories.map((c) => c.name),
    );
    const result = { created: plan.created, updated: plan.updated, unchanged: plan.unchanged, errors: plan.errors };
    if (dryRun) return result;
    if (plan.newCategories.length) {
      const taken = await categorySlugs(tx, store.id);
      const fresh = plan.newCategories.map((name) => {
        const slug = firstFreeSlug(baseSlug(name, 'category', 60), taken);
        taken.add(slug);
        return { name, slug };
      });
      await insertCategories(tx, store.id, fresh);
    }
    const { categories } = plan.newCategories.length ? await loadCatalogForImport(tx, store.id) : catalog;
    const categoryIds = new Map(categories.map((c) => [c.name.trim().toLowerCase(), c.id]));
    const taken = catalog.productSlugs;
    const slugs = plan.createProducts.map((p) => {
      const slug = firstFreeSlug(baseSlug(p.name, 'product'), taken);
      taken.add(slug);
      return slug;
    });
    await writeImport(tx, store.id, plan, slugs, (name) =>
      name === null ? null : (categoryIds.get(name.trim().replace(/\s+/g, ' ').toLowerCase()) ?? null),
    );
    return result;
  });
}

export async function exportProducts(db: Db, store: { id: string; currency: string }): Promise<string> {
  return productCsv(await exportRows(db, store.id), store.currency);
}
