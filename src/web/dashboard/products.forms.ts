/**
 * Product forms → the API's request bodies. Pure: the result is checked against the API's own schemas
 * (validate.ts) and handed to the catalog services, which keep every business rule.
 */
import { MAX_STOCK } from '../../inventory/limits.js';
import type { ProblemItem } from '../../shared/errors.js';
import { field, type FormBody } from '../forms.js';
import {
  checkbox,
  optionalText,
  parseMoney,
  parseOptionalInteger,
  parseOptionalMoney,
  type Parsed,
} from './form-values.js';
import { NEW_FORM_VARIANT_ROWS } from './products.views.js';

export interface FormReading {
  input: Record<string, unknown>;
  /** Problems found while reading (an amount that is not one); the schema check adds its own. */
  problems: ProblemItem[];
}

/** Problem paths (JSON pointers of the API body) → the form's field names: `/variants/1/price` → `v1_price`. */
export function productFieldOf(path: string): string {
  const parts = path.split('/').filter(Boolean);
  if (parts[0] === 'variants' && parts.length >= 3) return `v${parts[1]}_${parts[2]}`;
  if (parts[0] === 'images' || parts[0] === 'file') return 'image';
  return parts[0] ?? '';
}

class Reader {
  readonly input: Record<string, unknown> = {};
  readonly problems: ProblemItem[] = [];
  constructor(
    readonly fields: FormBody,
    readonly currency: string,
  ) {}

  text(name: string, max = 5000): string | undefined {
    return field(this.fields, name, max);
  }
  put<T>(path: string, key: string, parsed: Parsed<T>, target: Record<string, unknown> = this.input): void {
    if (parsed.ok) target[key] = parsed.value;
    else this.problems.push({ code: 'invalid', path, message: parsed.message });
  }
  money(name: string, path: string, key: string, target?: Record<string, unknown>, required = false): void {
    const raw = this.text(name, 40);
    if (!required && (raw === undefined || raw.trim() === '')) return;
    this.put(
      path,
      key,
      required ? parseMoney(raw ?? '', this.currency) : parseOptionalMoney(raw, this.currency),
      target,
    );
  }
  stock(name: string, path: string, key: string, target?: Record<string, unknown>): void {
    const raw = this.text(name, 40);
    if (raw === undefined || raw.trim() === '') return;
    this.put(path, key, parseOptionalInteger(raw, { min: 0, max: MAX_STOCK }), target);
  }
}

/** The new-product form → `CreateProductBody` (`variants` when any variant row is filled, else the top-level price). */
export function readNewProductForm(fields: FormBody, currency: string): FormReading {
  const r = new Reader(fields, currency);
  r.input.name = (r.text('name', 1000) ?? '').trim();
  const description = r.text('description', 10_000);
  if (description?.trim()) r.input.description = description.trim();
  const categoryId = optionalText(r.text('categoryId', 100));
  if (categoryId) r.input.categoryId = categoryId;
  const unit = optionalText(r.text('unit', 200));
  if (unit) r.input.unit = unit;
  const sku = optionalText(r.text('sku', 200));
  if (sku) r.input.sku = sku;
  r.input.isActive = checkbox(r.text('isActive'));

  const variants: Record<string, unknown>[] = [];
  for (let i = 0; i < NEW_FORM_VARIANT_ROWS; i++) {
    const names = ['name', 'price', 'mrp', 'stock'].map((n) => r.text(`v${i}_${n}`, 200)?.trim() ?? '');
    if (names.every((value) => value === '')) continue;
    const index = variants.length;
    const variant: Record<string, unknown> = { name: names[0] };
    r.money(`v${i}_price`, `/variants/${index}/price`, 'price', variant, true);
    r.money(`v${i}_mrp`, `/variants/${index}/mrp`, 'mrp', variant);
    r.stock(`v${i}_stock`, `/variants/${index}/stock`, 'stock', variant);
    variants.push(variant);
  }
  if (variants.length) {
    r.input.variants = variants;
    // Owners who filled the rows and also the single price get told which to clear.
    for (const name of ['price', 'mrp', 'stock']) {
      if (r.text(name, 40)?.trim())
        r.problems.push({
          code: 'not_allowed',
          path: `/${name}`,
          message: 'Leave this empty when you fill variant rows',
        });
    }
  } else {
    r.money('price', '/price', 'price', undefined, true);
    r.money('mrp', '/mrp', 'mrp');
    r.stock('stock', '/stock', 'stock');
  }
  return { input: r.input, problems: r.problems };
}

function filledVariantRows(fields: FormBody): number[] {
  const rows: number[] = [];
  for (let i = 0; i < NEW_FORM_VARIANT_ROWS; i++) {
    if (['name', 'price', 'mrp', 'stock'].some((n) => (field(fields, `v${i}_${n}`, 200) ?? '').trim() !== ''))
      rows.push(i);
  }
  return rows;
}

/**
 * Problem paths of the new-product form → its field names. `/variants/<n>` counts the FILLED rows (as the API body
 * does); the form's rows may have gaps (row 0 empty, row 1 filled), so n is turned back into the row typed into.
 */
export function newProductFieldOf(fields: FormBody): (path: string) => string {
  const rows = filledVariantRows(fields);
  return (path) => {
    const m = /^\/variants\/(\d+)(\/.*)?$/.exec(path);
    if (!m) return productFieldOf(path);
    const row = rows[Number(m[1])];
    return productFieldOf(`/variants/${row ?? m[1]}${m[2] ?? ''}`);
  };
}

/** The details form of the edit page → `UpdateProductBody`. */
export function readProductDetailsForm(fields: FormBody): FormReading {
  const r = new Reader(fields, 'INR');
  r.input.name = (r.text('name', 1000) ?? '').trim();
  r.input.description = (r.text('description', 10_000) ?? '').trim();
  if (r.text('categoryId') !== undefined) r.input.categoryId = optionalText(r.text('categoryId', 100));
  r.input.unit = optionalText(r.text('unit', 200));
  r.input.isActive = checkbox(r.text('isActive'));
  // Where the shop lists it: pinned first, then by position (empty = after those, newest first).
  r.input.pinned = checkbox(r.text('pinned'));
  r.put('/position', 'position', parseOptionalInteger(r.text('position', 40), { min: 0, max: 1_000_000 }));
  return { input: r.input, problems: r.problems };
}

/** A variant's form → `UpdateVariantBody` (or, with `withStock`, `VariantInputBody` for a new variant). */
export function readVariantForm(fields: FormBody, currency: string, opts: { withStock: boolean }): FormReading {
  const r = new Reader(fields, currency);
  const name = r.text('name', 1000);
  if (name !== undefined || opts.withStock) r.input.name = (name ?? '').trim();
  r.money('price', '/price', 'price', undefined, true);
  const mrp = r.text('mrp', 40);
  if (mrp !== undefined) r.put('/mrp', 'mrp', parseOptionalMoney(mrp, currency));
  const sku = r.text('sku', 200);
  if (sku !== undefined) r.input.sku = optionalText(sku);
  if (opts.withStock) r.stock('stock', '/stock', 'stock');
  return { input: r.input, problems: r.problems };
}
