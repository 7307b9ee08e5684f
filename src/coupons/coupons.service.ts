import type { Db, Queryable } from '../db/db.js';
import { conflict, notFound, validationFailed } from '../shared/errors.js';
import { newId, isUuid } from '../shared/ids.js';
import { decodeCursor, page } from '../shared/cursor.js';
import type { Coupon, CouponListInput, CreateCouponInput, UpdateCouponInput } from './coupons.schema.js';

/** A coupon as the bill and checkout need it (no store id, no timestamps but the expiry). */
export interface CouponSnapshot {
  id: string;
  code: string;
  type: 'percent' | 'flat';
  value: number;
  minOrder: number | null;
  maxDiscount: number | null;
  usageLimit: number | null;
  usedCount: number;
  expiresAt: Date | null;
  isActive: boolean;
}

/** Why a coupon cannot give its discount right now, judged by the database clock. */
export type CouponProblem = 'coupon_expired' | 'coupon_exhausted' | 'coupon_inactive' | null;

export interface CouponRow {
  id: string;
  code: string;
  type: 'percent' | 'flat';
  value: number;
  min_order: number | null;
  max_discount: number | null;
  usage_limit: number | null;
  used_count: number;
  expires_at: Date | null;
  is_active: boolean;
}

export const COUPON_COLUMNS =
  'id, code, type, value, min_order, max_discount, usage_limit, used_count, expires_at, is_active';

export function toCouponSnapshot(row: CouponRow): CouponSnapshot {
  return {
    id: row.id,
    code: row.code,
    type: row.type,
    value: row.value,
    minOrder: row.min_order,
    maxDiscount: row.max_discount,
    usageLimit: row.usage_limit,
    usedCount: row.used_count,
    expiresAt: row.expires_at === null ? null : new Date(row.expires_at),
    isActive: row.is_active,
  };
}

export function toCoupon(row: CouponRow): Coupon {
  const { expiresAt, ...rest } = toCouponSnapshot(row);
  return { ...rest, expiresAt: expiresAt === null ? null : expiresAt.toISOString() };
}

/**
 * The problem of a live (not deleted) coupon. `expired` comes from SQL (`expires_at <= now()`) so every server
 * judges by the same clock; a deactivated coupon is `coupon_inactive`.
 */
export function couponProblem(
  coupon: Pick<CouponSnapshot, 'isActive' | 'usageLimit' | 'usedCount'>,
  expired: boolean,
): CouponProblem {
  if (expired) return 'coupon_expired';
  if (!coupon.isActive) return 'coupon_inactive';
  if (coupon.usageLimit !== null && coupon.usedCount >= coupon.usageLimit) return 'coupon_exhausted';
  return null;
}

/** SQL expression: true when the coupon's expiry has passed. `alias` is the coupons table alias (or '' for none). */
export const couponExpiredSql = (alias = '') =>
  `(${alias ? `${alias}.` : ''}expires_at IS NOT NULL AND ${alias ? `${alias}.` : ''}expires_at <= now())`;

/** The live coupon of this store with this code (case-insensitive), with its problem, or null. */
export async function findCouponByCode(
  q: Queryable,
  storeId: string,
  code: string,
): Promise<{ coupon: CouponSnapshot; problem: CouponProblem } | null> {
  const { rows } = await q.query<CouponRow & { expired: boolean }>(
    `SELECT ${COUPON_COLUMNS}, ${couponExpiredSql()} AS expired
       FROM coupons WHERE store_id = $1 AND lower(code) = lower($2) AND deleted_at IS NULL`,
    [storeId, code],
  );
  const row = rows[0];
  if (!row) return null;
  const coupon = toCouponSnapshot(row);
  return { coupon, problem: couponProblem(coupon, row.expired) };
}

/** SQL condition on a coupons row: one more use stays within its usage limit. */
export const COUPON_HAS_USE_LEFT = '(usage_limit IS NULL OR used_count < usage_limit)';

/**
 * Counts one use of the coupon, unless that would pass its usage limit. One conditional UPDATE, so concurrent
 * checkouts never exceed `usageLimit`. Call inside the transaction that writes the order; false = used up.
 */
export async function consumeCouponUse(tx: Queryable, couponId: string): Promise<boolean> {
  const { rowCount } = await tx.query(
    `UPDATE coupons SET used_count = used_count + 1 WHERE id = $1 AND ${COUPON_HAS_USE_LEFT}`,
    [couponId],
  );
  return rowCount === 1;
}

/** Gives one use back (an order that used the coupon was cancelled or rejected). Never goes below zero. */
export async function releaseCouponUse(tx: Queryable, couponId: string): Promise<void> {
  await tx.query(`UPDATE coupons SET used_count = used_count - 1 WHERE id = $1 AND used_count > 0`, [couponId]);
}

// ---- merchant CRUD ----

function checkValue(type: 'percent' | 'flat', value: number) {
  if (type === 'percent' && value > 100) {
    throw validationFailed('A percent coupon takes a value of 1..100', [
      { code: 'invalid', path: '/value', message: 'must be 1..100 for a percent coupon' },
    ]);
  }
}

function isoOrFail(value: string | null | undefined): string | null | undefined {
  if (value === undefined || value === null) return value;
  const time = Date.parse(value);
  if (Number.isNaN(time))
    throw validationFailed('expiresAt is not a valid date-time', [
      { code: 'invalid', path: '/expiresAt', message: 'is not a valid date-time' },
    ]);
  return new Date(time).toISOString();
}

function isUniqueViolation(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { code?: string }).code === '23505';
}

const duplicateCode = (code: string) => conflict(`A coupon with code "${code}" already exists in this store`);

export async function createCoupon(db: Db, storeId: string, input: CreateCouponInput): Promise<Coupon> {
  checkValue(input.type, input.value);
  const expiresAt = isoOrFail(input.expiresAt) ?? null;
  try {
    const { rows } = await db.query<CouponRow>(
      `INSERT INTO coupons (id, store_id, code, type, value, min_order, max_discount, usage_limit, expires_at, is_active)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING ${COUPON_COLUMNS}`,
      [
        newId(),
        storeId,
        input.code,
        input.type,
        input.value,
        input.minOrder ?? null,
        input.maxDiscount ?? null,
        input.usageLimit ?? null,
        expiresAt,
        input.isActive ?? true,
      ],
    );
    return toCoupon(rows[0]!);
  } catch (err) {
    if (isUniqueViolation(err)) throw duplicateCode(input.code);
    throw err;
  }
}

export async function listCoupons(
  q: Queryable,
  storeId: string,
  input: CouponListInput,
): Promise<{ items: Coupon[]; nextCursor: string | null }> {
  const after = decodeCursor<[string]>(input.cursor, ['string']);
  if (after && !isUuid(after[0]))
    throw validationFailed('cursor is not valid', [
      { code: 'invalid', path: '/cursor', message: 'cursor is not valid' },
    ]);
  // Newest first: ids are UUIDv7, walked on coupons_store_id_idx.
  const { rows } = await q.query<CouponRow>(
    `SELECT ${COUPON_COLUMNS} FROM coupons
      WHERE store_id = $1 AND deleted_at IS NULL AND ($2::uuid IS NULL OR id < $2::uuid)
      ORDER BY id DESC LIMIT $3`,
    [storeId, after?.[0] ?? null, input.limit + 1],
  );
  const result = page(rows, input.limit, (r) => [r.id]);
  return { items: result.items.map(toCoupon), nextCursor: result.nextCursor };
}

export async function getCoupon(q: Queryable, storeId: string, couponId: string): Promise<Coupon> {
  if (!isUuid(couponId)) throw notFound('Coupon not found');
  const { rows } = await q.query<CouponRow>(
    `SELECT ${COUPON_COLUMNS} FROM coupons WHERE id = $1 AND store_id = $2 AND deleted_at IS NULL`,
    [couponId, storeId],
  );
  if (!rows[0]) throw notFound('Coupon not found');
  return toCoupon(rows[0]);
}

/** PATCH semantics: absent fields stay; null clears the optional limits. */
export async function updateCoupon(
  db: Db,
  storeId: string,
  couponId: string,
  input: UpdateCouponInput,
): Promise<Coupon> {
  if (!isUuid(couponId)) throw notFound('Coupon not found');
  const expiresAt = isoOrFail(input.expiresAt);
  try {
    return await db.tx(async (tx) => {
      const { rows } = await tx.query<CouponRow>(
        `SELECT ${COUPON_COLUMNS} FROM coupons WHERE id = $1 AND store_id = $2 AND deleted_at IS NULL FOR UPDATE`,
        [couponId, storeId],
      );
      const current = rows[0];
      if (!current) throw notFound('Coupon not found');
      checkValue(input.type ?? current.type, input.value ?? current.value);
      const usageLimit = input.usageLimit === undefined ? current.usage_limit : input.usageLimit;
      if (usageLimit !== null && usageLimit < current.used_count) {
        throw validationFailed(
          `The coupon has already been used ${current.used_count} times`,
          [
            {
              code: 'invalid',
              path: '/usageLimit',
              message: `must be at least the uses so far (${current.used_count})`,
            },
          ],
          422,
        );
      }
      const sets: string[] = [];
      const params: unknown[] = [couponId, storeId];
      const set = (column: string, value: unknown) => {
        if (value === undefined) return;
        params.push(value);
        sets.push(`${column} = $${params.length}`);
      };
      set('code', input.code);
      set('type', input.type);
      set('value', input.value);
      set('min_order', input.minOrder);
      set('max_discount', input.maxDiscount);
      set('usage_limit', input.usageLimit);
      set('expires_at', expiresAt);
      set('is_active', input.isActive);
      if (!sets.length) return toCoupon(current);
      const updated = await tx.query<CouponRow>(
        `UPDATE coupons SET ${sets.join(', ')} WHERE id = $1 AND store_id = $2 RETURNING ${COUPON_COLUMNS}`,
        params,
      );
      return toCoupon(updated.rows[0]!);
    });
  } catch (err) {
    if (isUniqueViolation(err)) throw duplicateCode(input.code ?? '');
    throw err;
  }
}

/** Soft delete: orders keep pointing at the row; the code becomes free for a new coupon. */
export async function deleteCoupon(q: Queryable, storeId: string, couponId: string): Promise<void> {
  if (!isUuid(couponId)) throw notFound('Coupon not found');
  const { rowCount } = await q.query(
    `UPDATE coupons SET deleted_at = now() WHERE id = $1 AND store_id = $2 AND deleted_at IS NULL`,
    [couponId, storeId],
  );
  if (rowCount === 0) throw notFound('Coupon not found');
}
