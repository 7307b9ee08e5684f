import { validationFailed } from './errors.js';

/** Opaque keyset cursors: base64url JSON of the last row's sort key. */
export function encodeCursor(key: readonly (string | number)[]): string {
  return Buffer.from(JSON.stringify(key)).toString('base64url');
}

export function decodeCursor<T extends readonly (string | number)[]>(
  cursor: string | undefined,
  shape: readonly ('string' | 'number')[],
): T | null {
  if (cursor === undefined || cursor === '') return null;
  try {
    const parsed: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (
      Array.isArray(parsed) &&
      parsed.length === shape.length &&
      parsed.every(
        (v, i) =>
          typeof v === shape[i] &&
          (typeof v !== 'number' || Number.isSafeInteger(v)) &&
          (typeof v !== 'string' || (v.length <= 200 && !v.includes('\u0000'))),
      )
    )
      return parsed as unknown as T;
  } catch {
    /* fall through */
  }
  throw validationFailed('cursor is not valid', [{ code: 'invalid', path: '/cursor', message: 'cursor is not valid' }]);
}

/** Fetch limit + 1 rows, then call this: it trims the extra row and builds the next cursor from the last kept one. */
export function page<T>(
  rows: T[],
  limit: number,
  keyOf: (row: T) => readonly (string | number)[],
): { items: T[]; nextCursor: string | null } {
  if (rows.length <= limit) return { items: rows, nextCursor: null };
  const items = rows.slice(0, limit);
  return { items, nextCursor: encodeCursor(keyOf(items[items.length - 1]!)) };
}
