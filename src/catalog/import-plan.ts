/**
 * The product CSV (import and export), as pure functions: read rows into typed values with per-row problems,
 * then plan what an import does against the store's current catalog — which rows create, update or change
 * nothing. The service runs the plan in one transaction.
 *
 * Columns: name, size, price, mrp, stock, category, sku, searchTerms, hsn, slug (header row first; any order; names
 * case-insensitive; only name and price are needed). Money is in major units ("49.99"); stock empty = not tracked;
 * searchTerms separated by `|`, a `|` inside a term written `\|` and a `\` written `\\` (any other `\` is itself).
 * A column that is absent leaves that field as it is; a present but empty cell clears it.
 * A row whose slug names a live product (the export writes each product's slug) is that product's: it matches the
 * size of that name, else the product's size with that SKU, else adds the size. The store may hold two products of
 * one name, or one SKU on two sizes, so only the slug tells them apart. Other rows (no slug, or one no live product
 * has) match a live variant by SKU first, then by product name + size (case-insensitive); the rest are created,
 * rows with the same new name becoming the sizes of one product. A product has at most MAX_VARIANTS live sizes, as
 * in the JSON API: a row that would add one more is refused (`too_many_variants`), the file's other rows go on.
 * Re-importing an export changes nothing. The export writes a `'` before a cell a spreadsheet would run as a
 * formula (one starting with `=`, `+`, `-`, `@`, tab or CR) and before one that starts with one or more `'` and then
 * one of `=+-@`; the import takes one `'` off a cell that starts with one or more `'` and then one of `=+-@`, and
 * leaves every other cell as it is.
 */
import { parse } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';
import { parseMoney, parseOptionalMoney } from '../shared/money-parse.js';
import { minorToMajorString } from '../shared/money.js';
import { MAX_VARIANTS } from './catalog.schema.js';
import { DEFAULT_VARIANT_NAME } from './variant-label.js';

export const CSV_COLUMNS = [
  'name',
  'size',
  'price',
  'mrp',
  'stock',
  'category',
  'sku',
  'searchTerms',
  'hsn',
  'slug',
] as const;
export type CsvColumn = (typeof CSV_COLUMNS)[number];
export const MAX_IMPORT_ROWS = 10_000;
const MAX_STOCK = 1_000_000_000;

export interface ImportProblem {
  /** The spreadsheet row: the header is row 1, the first product row 2. */
  row: number;
  code: string;
  message: string;
  /**
   * What the message says, for a page that words it in the reader's language (the dashboard's import page):
   * the column (`field`), a limit (`max`), the other row (`other`), the sku, or the amount parser's own `detail`.
   */
  params?: Record<string, string | number>;
}

export interface ImportRow {
  row: number;
  name: string;
  size: string;
  price: number;
  mrp?: number | null;
  stock?: number | null;
  category?: string | null;
  sku?: string | null;
  searchTerms?: string[];
  hsn?: string | null;
  /** The product's slug (lower case), when the row gives one. */
  slug?: string;
}

export interface ExistingVariant {
  id: string;
  productId: string;
  name: string;
  price: number;
  mrp: number | null;
  stock: number | null;
  sku: string | null;
}

export interface ExistingProduct {
  id: string;
  slug: string;
  name: string;
  category: string | null;
  searchTerms: string[];
  hsn: string | null;
}

export interface NewVariant {
  row: number;
  name: string;
  price: number;
  mrp: number | null;
  stock: number | null;
  sku: string | null;
}

export interface ImportPlan {
  createProducts: {
    key: string;
    name: string;
    category: string | null;
    searchTerms: string[];
    hsn: string | null;
    variants: NewVariant[];
  }[];
  addVariants: (NewVariant & { productId: string })[];
  updateVariants: { id: string; price: number; mrp: number | null; stock: number | null; sku: string | null }[];
  updateProducts: { id: string; category: string | null; searchTerms: string[]; hsn: string | null }[];
  /** Category names the plan needs that the store does not have yet. */
  newCategories: string[];
  created: number;
  updated: number;
  unchanged: number;
  errors: ImportProblem[];
}

const HEADER_ALIASES: Record<string, CsvColumn> = Object.fromEntries(
  [
    ...CSV_COLUMNS.map((c) => [c.toLowerCase(), c]),
    ['search_terms', 'searchTerms'],
    ['search terms', 'searchTerms'],
    ['variant', 'size'],
    ['product', 'name'],
  ].map(([k, v]) => [k, v as CsvColumn]),
);

const norm = (s: string) => s.trim().replace(/\s+/g, ' ').toLowerCase();
// Control characters other than tab are refused in any cell (PostgreSQL rejects NUL; the rest only hide text).
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f]/;

export type ParsedCsv = { rows: ImportRow[]; columns: Set<CsvColumn>; errors: ImportProblem[] };

/** Reads the CSV text (UTF-8, an optional BOM) into rows; every problem is reported with its row. */
export function readProductCsv(text: string, currency: string): ParsedCsv {
  const errors: ImportProblem[] = [];
  let records: string[][];
  try {
    records = parse(text, { bom: true, skip_empty_lines: true, relax_column_count: true, trim: false }) as string[][];
  } catch (err) {
    const line = (err as { lines?: number }).lines ?? 1;
    return {
      rows: [],
      columns: new Set(),
      errors: [{ row: line, code: 'invalid_csv', message: (err as Error).message }],
    };
  }
  const [header, ...body] = records;
  if (!header)
    return { rows: [], columns: new Set(), errors: [{ row: 1, code: 'empty', message: 'The file is empty' }] };
  const index = new Map<CsvColumn, number>();
  header.forEach((h, i) => {
    const column = HEADER_ALIASES[norm(h)];
    if (column && !index.has(column)) index.set(column, i);
  });
  for (const required of ['name', 'price'] as const) {
    if (!index.has(required))
      errors.push({
        row: 1,
        code: 'missing_column',
        message: `The header row has no "${required}" column`,
        params: { field: required },
      });
  }
  if (errors.length) return { rows: [], columns: new Set(index.keys()), errors };
  if (body.length > MAX_IMPORT_ROWS) {
    return {
      rows: [],
      columns: new Set(index.keys()),
      errors: [
        {
          row: MAX_IMPORT_ROWS + 2,
          code: 'too_many_rows',
          message: `At most ${MAX_IMPORT_ROWS} rows at once`,
          params: { max: MAX_IMPORT_ROWS },
        },
      ],
    };
  }
  const rows: ImportRow[] = [];
  const readRow = (record: string[], row: number): ImportRow | ImportProblem => {
    const cell = (c: CsvColumn): string | undefined => {
      const at = index.get(c);
      if (at === undefined) return undefined;
      return unquoteCell((record[at] ?? '').trim());
    };
    const problem = (code: string, message: string, params?: ImportProblem['params']): ImportProblem =>
      params ? { row, code, message, params } : { row, code, message };
    if (record.some((v) => CONTROL.test(v))) return problem('invalid', 'A cell holds a control character');
    const name = (cell('name') ?? '').replace(/\s+/g, ' ');
    if (!name) return problem('required', 'name is empty', { field: 'name' });
    if (name.length > 200)
      return problem('too_long', 'name is longer than 200 characters', { field: 'name', max: 200 });
    const size = (cell('size') ?? '').replace(/\s+/g, ' ') || DEFAULT_VARIANT_NAME;
    if (size.length > 100)
      return problem('too_long', 'size is longer than 100 characters', { field: 'size', max: 100 });
    const price = parseMoney(cell('price') ?? '', currency);
    if (!price.ok)
      return problem('invalid_price', `price: ${price.message}`, { field: 'price', detail: price.message });
    const out: ImportRow = { row, name, size, price: price.value };
    const mrpText = cell('mrp');
    if (mrpText !== undefined) {
      const mrp = parseOptionalMoney(mrpText, currency);
      if (!mrp.ok) return problem('invalid_mrp', `mrp: ${mrp.message}`, { field: 'mrp', detail: mrp.message });
      out.mrp = mrp.value;
    }
    const stockText = cell('stock');
    if (stockText !== undefined) {
      if (stockText === '') out.stock = null;
      else if (!/^\d{1,10}$/.test(stockText) || Number(stockText) > MAX_STOCK)
        return problem('invalid_stock', `stock must be a whole number 0..${MAX_STOCK}, or empty (not counted)`, {
          field: 'stock',
          max: MAX_STOCK,
        });
      else out.stock = Number(stockText);
    }
    const category = cell('category');
    if (category !== undefined) {
      if (category.length > 100)
        return problem('too_long', 'category is longer than 100 characters', {
          field: 'category',
          max: 100,
        });
      out.category = category.replace(/\s+/g, ' ') || null;
    }
    const sku = cell('sku');
    if (sku !== undefined) {
      if (sku.length > 100) return problem('too_long', 'sku is longer than 100 characters', { field: 'sku', max: 100 });
      out.sku = sku || null;
    }
    const terms = cell('searchTerms');
    if (terms !== undefined) {
      const list = [
        ...new Set(
          splitTerms(terms)
            .map((t) => t.trim().replace(/\s+/g, ' '))
            .filter(Boolean),
        ),
      ];
      if (list.length > 20)
        return problem('too_many_terms', 'at most 20 search terms', { field: 'searchTerms', max: 20 });
      if (list.some((t) => t.length > 50))
        return problem('too_long', 'a search term is longer than 50 characters', { field: 'searchTerms', max: 50 });
      out.searchTerms = list;
    }
    const hsn = cell('hsn');
    if (hsn !== undefined) {
      if (hsn && !/^\d{4,8}$/.test(hsn)) return problem('invalid_hsn', 'hsn must be 4 to 8 digits', { field: 'hsn' });
      out.hsn = hsn || null;
    }
    const slug = cell('slug');
    if (slug) out.slug = slug.toLowerCase();
    return out;
  };
  for (const [i, record] of body.entries()) {
    const read = readRow(record, i + 2);
    if ('code' in read) errors.push(read);
    else rows.push(read);
  }
  return { rows, columns: new Set(index.keys()), errors };
}

const sameList = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((v, i) => v === b[i]);

/** What importing `rows` into a catalog holding `products` and `variants` does. Pure. */
export function planImport(
  parsed: ParsedCsv,
  products: readonly ExistingProduct[],
  variants: readonly ExistingVariant[],
  categories: readonly string[],
): ImportPlan {
  const plan: ImportPlan = {
    createProducts: [],
    addVariants: [],
    updateVariants: [],
    updateProducts: [],
    newCategories: [],
    created: 0,
    updated: 0,
    unchanged: 0,
    errors: [...parsed.errors],
  };
  const productById = new Map(products.map((p) => [p.id, p]));
  const productBySlug = new Map(products.map((p) => [p.slug.toLowerCase(), p]));
  const productByName = new Map<string, ExistingProduct>();
  for (const p of products) if (!productByName.has(norm(p.name))) productByName.set(norm(p.name), p);
  const variantBySku = new Map<string, ExistingVariant>();
  const variantByKey = new Map<string, ExistingVariant>();
  const variantCount = new Map<string, number>();
  for (const v of variants) {
    if (v.sku && !variantBySku.has(v.sku)) variantBySku.set(v.sku, v);
    variantByKey.set(`${v.productId}\u0000${norm(v.name)}`, v);
    variantCount.set(v.productId, (variantCount.get(v.productId) ?? 0) + 1);
  }
  const knownCategories = new Set(categories.map(norm));
  const newCategories = new Map<string, string>();
  const seenKeys = new Map<string, number>();
  const seenSkus = new Map<string, number>();
  const productTouched = new Set<string>();
  const creating = new Map<string, ImportPlan['createProducts'][number]>();
  /** Live sizes of an existing product after the rows planned so far (its own, plus the ones the plan adds). */
  const sizesOf = new Map(variantCount);

  for (const r of parsed.rows) {
    // A known slug names the product; the row's SKU is then only a value (a store may give one SKU to two sizes).
    const bySlug = r.slug === undefined ? undefined : productBySlug.get(r.slug);
    if (r.sku && !bySlug) {
      const first = seenSkus.get(r.sku);
      if (first !== undefined) {
        plan.errors.push({
          row: r.row,
          code: 'duplicate',
          message: `sku "${r.sku}" is also on row ${first}`,
          params: { sku: r.sku, other: first },
        });
        continue;
      }
    }
    let target = r.sku && !bySlug ? variantBySku.get(r.sku) : undefined;
    const product = bySlug ?? (target ? productById.get(target.productId) : productByName.get(norm(r.name)));
    if (!target && product) {
      target = variantByKey.get(`${product.id}\u0000${norm(r.size)}`);
      // A single-size product lists its one size however it is named.
      if (!target && r.size === DEFAULT_VARIANT_NAME && variantCount.get(product.id) === 1)
        target = variants.find((v) => v.productId === product.id);
      if (!target && bySlug && r.sku) target = variants.find((v) => v.productId === product.id && v.sku === r.sku);
    }
    const key = target
      ? `v:${target.id}`
      : product
        ? `p:${product.id}\u0000${norm(r.size)}`
        : `n:${norm(r.name)}\u0000${norm(r.size)}`;
    const firstRow = seenKeys.get(key);
    if (firstRow !== undefined) {
      plan.errors.push({
        row: r.row,
        code: 'duplicate',
        message: `the same product and size are on row ${firstRow}`,
        params: { other: firstRow },
      });
      continue;
    }
    // A new size of a product that has MAX_VARIANTS already (its live ones and the ones earlier rows add) is refused
    // on its own, like a duplicate: no size, no change to the product, and the file's other rows go on.
    if (!target) {
      const sizes = product ? (sizesOf.get(product.id) ?? 0) : (creating.get(norm(r.name))?.variants.length ?? 0);
      if (sizes >= MAX_VARIANTS) {
        plan.errors.push({
          row: r.row,
          code: 'too_many_variants',
          message: `a product has at most ${MAX_VARIANTS} sizes (variants), and "${product?.name ?? r.name}" has them`,
          params: { max: MAX_VARIANTS },
        });
        continue;
      }
      if (product) sizesOf.set(product.id, sizes + 1);
    }
    seenKeys.set(key, r.row);
    if (r.sku && !bySlug) seenSkus.set(r.sku, r.row);
    if (r.category && !knownCategories.has(norm(r.category)) && !newCategories.has(norm(r.category)))
      newCategories.set(norm(r.category), r.category);

    let changed = false;
    if (product && !productTouched.has(product.id)) {
      productTouched.add(product.id);
      const category = r.category === undefined ? product.category : r.category;
      const searchTerms = r.searchTerms ?? product.searchTerms;
      const hsn = r.hsn === undefined ? product.hsn : r.hsn;
      if (
        norm(category ?? '') !== norm(product.category ?? '') ||
        !sameList(searchTerms, product.searchTerms) ||
        hsn !== product.hsn
      ) {
        plan.updateProducts.push({ id: product.id, category, searchTerms, hsn });
        changed = true;
      }
    }
    const values: NewVariant = {
      row: r.row,
      name: r.size,
      price: r.price,
      mrp: r.mrp === undefined ? (target?.mrp ?? null) : r.mrp,
      stock: r.stock === undefined ? (target?.stock ?? null) : r.stock,
      sku: r.sku === undefined ? (target?.sku ?? null) : r.sku,
    };
    if (target) {
      if (
        values.price !== target.price ||
        values.mrp !== target.mrp ||
        values.stock !== target.stock ||
        values.sku !== target.sku
      ) {
        plan.updateVariants.push({
          id: target.id,
          price: values.price,
          mrp: values.mrp,
          stock: values.stock,
          sku: values.sku,
        });
        changed = true;
      }
      if (changed) plan.updated++;
      else plan.unchanged++;
    } else if (product) {
      plan.addVariants.push({ ...values, productId: product.id });
      plan.created++;
    } else {
      const nameKey = norm(r.name);
      let created = creating.get(nameKey);
      if (!created) {
        created = {
          key: nameKey,
          name: r.name,
          category: r.category ?? null,
          searchTerms: r.searchTerms ?? [],
          hsn: r.hsn ?? null,
          variants: [],
        };
        creating.set(nameKey, created);
        plan.createProducts.push(created);
      }
      created.variants.push(values);
      plan.created++;
    }
  }
  plan.newCategories = [...newCategories.values()];
  plan.errors.sort((a, b) => a.row - b.row);
  return plan;
}

export interface ExportVariant {
  product: string;
  size: string;
  price: number;
  mrp: number | null;
  stock: number | null;
  category: string | null;
  sku: string | null;
  searchTerms: string[];
  hsn: string | null;
  slug: string;
}

/** A cell a spreadsheet would run as a formula (`=`, `+`, `-`, `@`, tab, CR first) is quoted with `'`. */
export function safeCell(text: string): string {
  return /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
}

/**
 * A product CSV cell: formula-like ones quoted as safeCell does, and one that starts with `'`s and then one of
 * `=+-@` (which the import would read as quoted) given one more `'`. unquoteCell gives back the text exactly.
 */
export function productCell(text: string): string {
  return /^'+[=+\-@]/.test(text) ? `'${text}` : safeCell(text);
}

/** A cell as written: one `'` off a cell of `'`s then one of `=+-@` (productCell's quote); any other as it is. */
export function unquoteCell(cell: string): string {
  return /^'+[=+\-@]/.test(cell) ? cell.slice(1) : cell;
}

/** Search terms as one cell: joined by `|`, a `\` or `|` inside a term escaped with a `\`. */
export function joinTerms(terms: readonly string[]): string {
  return terms.map((t) => t.replace(/[\\|]/g, '\\$&')).join('|');
}

/** A searchTerms cell's terms as written (not yet trimmed): `|` separates, `\|` and `\\` are a `|` and a `\`. */
export function splitTerms(cell: string): string[] {
  const terms: string[] = [];
  let term = '';
  for (let i = 0; i < cell.length; i++) {
    const c = cell[i]!;
    const next = cell[i + 1];
    if (c === '\\' && (next === '|' || next === '\\')) {
      term += next;
      i++;
    } else if (c === '|') {
      terms.push(term);
      term = '';
    } else term += c;
  }
  terms.push(term);
  return terms;
}

/** The catalog as the same CSV the import reads (UTF-8 with a BOM so spreadsheets show Hindi right). */
export function productCsv(rows: readonly ExportVariant[], currency: string): string {
  const body = rows.map((r) => [
    productCell(r.product),
    productCell(r.size),
    minorToMajorString(r.price, currency),
    r.mrp === null ? '' : minorToMajorString(r.mrp, currency),
    r.stock === null ? '' : String(r.stock),
    productCell(r.category ?? ''),
    productCell(r.sku ?? ''),
    productCell(joinTerms(r.searchTerms)),
    r.hsn ?? '',
    productCell(r.slug),
  ]);
  return `\ufeff${stringify([[...CSV_COLUMNS], ...body])}`;
}
