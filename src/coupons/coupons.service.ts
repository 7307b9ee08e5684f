import { inTx, isUniqueViolation, type DbOrTx, type Queryable } from '../db/db.js';
import { conflict, notFound, validationFailed } from '../shared/errors.js';
import { newId, isUuid } from '../shared/ids.js';
import { decodeCursor, page } from '../shared/cursor.js';
import {
  insertCoupon,
  selectCoupon,
  selectCouponByCode,
  selectCouponPage,
  softDeleteCoupon,
  updateCouponRow,
  type CouponRow,
} from './coupons.repo.js';
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

/** The live coupon of this store with this code (case-insensitive), with its problem, or null. */
export async function findCouponByCode(
  q: Queryable,
  storeId: string,
  code: string,
): Promise<{ coupon: CouponSnapshot; problem: CouponProblem } | null> {
  const row = await selectCouponByCode(q, storeId, code);
  if (!row) return null;
  const coupon = toCouponSnapshot(row);
  return { coupon, problem: couponProblem(coupon, row.expired) };
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

const duplicateCode = (code: string) => conflict(`A coupon with code "${code}" already exists in this store`);

/** One INSERT: on a pool it commits alone; handed a transaction (a keyed request's), it joins it. */
export async function createCoupon(q: Queryable, storeId: string, input: CreateCouponInput): Promise<Coupon> {
  checkValue(input.type, input.value);
  const expiresAt = isoOrFail(input.expiresAt) ?? null;
  try {
    const row = await insertCoupon(q, {
      id: newId(),
      storeId,
      code: input.code,
      type: input.type,
      value: input.value,
      minOrder: input.minOrder ?? null,
      maxDiscount: input.maxDiscount ?? null,
      usageLimit: input.usageLimit ?? null,
      expiresAt,
      isActive: input.isActive ?? true,
    });
    return toCoupon(row);
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
  const rows = await selectCouponPage(q, storeId, after?.[0] ?? null, input.limit + 1);
  const result = page(rows, input.limit, (r) => [r.id]);
  return { items: result.items.map(toCoupon), nextCursor: result.nextCursor };
}

export async function getCoupon(q: Queryable, storeId: string, couponId: string): Promise<Coupon> {
  if (!isUuid(couponId)) throw notFound('Coupon not found');
  const row = await selectCoupon(q, storeId, couponId);
  if (!row) throw notFound('Coupon not found');
  return toCoupon(row);
}

/** PATCH semantics: absent fields stay; null clears the optional limits. */
export async function updateCoupon(
  db: DbOrTx,
  storeId: string,
  couponId: string,
  input: UpdateCouponInput,
): Promise<Coupon> {
  if (!isUuid(couponId)) throw notFound('Coupon not found');
  const expiresAt = isoOrFail(input.expiresAt);
  try {
    return await inTx(db, async (tx) => {
      const current = await selectCoupon(tx, storeId, couponId, { lock: true });
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
      const updated = await updateCouponRow(tx, storeId, couponId, { ...input, expiresAt });
      return toCoupon(updated ?? current);
    });
  } catch (err) {
    if (isUniqueViolation(err)) throw duplicateCode(input.code ?? '');
    throw err;
  }
}

/** Soft delete: orders keep pointing at the row; the code becomes free for a new coupon. */
export async function deleteCoupon(q: Queryable, storeId: string, couponId: string): Promise<void> {
  if (!isUuid(couponId)) throw notFound('Coupon not found');
  if (!(await softDeleteCoupon(q, storeId, couponId))) throw notFound('Coupon not found');
}
