import type { Queryable } from '../db/db.js';
import { decodeCursor } from '../shared/cursor.js';
import { validationFailed, type ProblemItem } from '../shared/errors.js';
import { isUuid } from '../shared/ids.js';
import { slugify } from '../stores/slug.js';
import { slugsLike } from './catalog.repo.js';

/** Escapes LIKE wildcards so a search for "50%" or "a_b" matches those characters literally (escape char: backslash).
 * */
export function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}

/** A search term from a query string: trimmed; empty means "no filter" (an HTML search form sends `q=`). */
export function searchTerm(q: string | undefined): string | null {
  const term = q?.trim() ?? '';
  return term === '' ? null : term;
}

/** The cursor of a product list page: the last row's (list_rank, id). Anything else → 400 validation_failed. */
export function decodeListCursor(cursor: string | undefined): { rank: number; id: string } | null {
  const decoded = decodeCursor<[number, string]>(cursor, ['number', 'string']);
  if (decoded === null) return null;
  const [rank, id] = decoded;
  if (!isUuid(id) || Math.abs(rank) > 2 ** 31 - 1)
    throw validationFailed('cursor is not valid', [
      { code: 'invalid', path: '/cursor', message: 'cursor is not valid' },
    ]);
  return { rank, id };
}

/** The base slug for a catalog name; names with no Latin letters or digits (e.g. Devanagari) fall back to `fallback`.
 * */
export function baseSlug(name: string, fallback: string, maxLength = 80): string {
  return slugify(name, maxLength) || fallback;
}

/** The first of `base`, `base-2`, `base-3`, … not in `taken`. */
export function firstFreeSlug(base: string, taken: ReadonlySet<string>): string {
  let slug = base;
  for (let n = 2; taken.has(slug); n++) slug = `${base}-${n}`;
  return slug;
}

/**
 * Inserts a row whose slug is unique per store, deriving it from `base` with a numeric suffix on a clash.
 * `insert(slug)` must use `ON CONFLICT (store_id, slug) DO NOTHING` and return null when it lost a race; the
 * next round sees the winner's committed slug and moves on.
 */
export async function insertWithFreeSlug<T>(
  tx: Queryable,
  table: 'products' | 'categories',
  storeId: string,
  base: string,
  insert: (slug: string) => Promise<T | null>,
): Promise<T> {
  for (let attempt = 0; attempt < 5; attempt++) {
    const inserted = await insert(firstFreeSlug(base, await slugsLike(tx, table, storeId, base)));
    if (inserted !== null) return inserted;
  }
  throw new Error(`could not find a free ${table} slug for "${base}"`);
}

/** Image references a product may carry: absolute http(s) URLs, or paths on this site ("/uploads/…"). */
export function imageProblems(images: readonly string[]): ProblemItem[] {
  const problems: ProblemItem[] = [];
  images.forEach((image, i) => {
    if (!isImageUrl(image))
      problems.push({
        code: 'invalid',
        path: `/images/${i}`,
        message: 'must be an http(s) URL or a path starting with /',
      });
  });
  return problems;
}

export function isImageUrl(value: string): boolean {
  if (/[\s\\<>"'`]/.test(value)) return false;
  if (value.startsWith('/')) return !value.startsWith('//');
  try {
    const url = new URL(value);
    return (
      (url.protocol === 'http:' || url.protocol === 'https:') &&
      url.hostname !== '' &&
      url.username === '' &&
      url.password === ''
    );
  } catch {
    return false;
  }
}

/** A name as stored: trimmed, and not blank (a schema's minLength lets "   " through). */
export function cleanName(value: string, path: string): string {
  const name = value.trim();
  if (name === '')
    throw validationFailed(`${path.slice(1)} must not be blank`, [
      { code: 'invalid', path, message: 'must not be blank' },
    ]);
  return name;
}
