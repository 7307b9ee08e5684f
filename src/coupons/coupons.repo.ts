/** SQL of the coupons table. The services hold the rules; everything here takes a Queryable (a Db or a Tx). */
import type { Queryable } from '../db/db.js';

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

/** SQL expression: true when the coupon's expiry has passed. `alias` is the coupons table alias (or '' for none). */
export const couponExpiredSql = (alias = '') =>
  `(${alias ? `${alias}.` : ''}expires_at IS NOT NULL AND ${alias ? `${alias}.` : ''}expires_at <= now())`;

/** SQL condition on a coupons row: one more use stays within its usage limit. */
export const COUPON_HAS_USE_LEFT = '(usage_limit IS NULL OR used_count < usage_limit)';

/** The live coupon of this store with this code (case-insensitive), with whether it has expired. */
export async function selectCouponByCode(
  q: Queryable,
  storeId: string,
  code: string,
): Promise<(CouponRow & { expired: boolean }) | null> {
  const { rows } = await q.query<CouponRow & { expired: boolean }>(
    `SELECT ${COUPON_COLUMNS}, ${couponExpiredSql()} AS expired
       FROM coupons WHERE store_id = $1 AND lower(code) = lower($2) AND deleted_at IS NULL`,
    [storeId, code],
  );
  return rows[0] ?? null;
}

/** Gives one use back (an order that used the coupon was cancelled or rejected). Never goes below zero. */
export async function releaseCouponUse(tx: Queryable, couponId: string): Promise<void> {
  await tx.query(`UPDATE coupons SET used_count = used_count - 1 WHERE id = $1 AND used_count > 0`, [couponId]);
}

export interface NewCouponRow {
  id: string;
  storeId: string;
  code: string;
  type: 'percent' | 'flat';
  value: number;
  minOrder: number | null;
  maxDiscount: number | null;
  usageLimit: number | null;
  expiresAt: string | null;
  isActive: boolean;
}

export async function insertCoupon(q: Queryable, c: NewCouponRow): Promise<CouponRow> {
  const { rows } = await q.query<CouponRow>(
    `INSERT INTO coupons (id, store_id, code, type, value, min_order, max_discount, usage_limit, expires_at, is_active)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING ${COUPON_COLUMNS}`,
    [c.id, c.storeId, c.code, c.type, c.value, c.minOrder, c.maxDiscount, c.usageLimit, c.expiresAt, c.isActive],
  );
  return rows[0]!;
}

/** A page of the store's live coupons, newest first (ids are UUIDv7, walked on coupons_store_id_idx). */
export async function selectCouponPage(
  q: Queryable,
  storeId: string,
  afterId: string | null,
  limit: number,
): Promise<CouponRow[]> {
  const { rows } = await q.query<CouponRow>(
    `SELECT ${COUPON_COLUMNS} FROM coupons
      WHERE store_id = $1 AND deleted_at IS NULL AND ($2::uuid IS NULL OR id < $2::uuid)
      ORDER BY id DESC LIMIT $3`,
    [storeId, afterId, limit],
  );
  return rows;
}

export async function selectCoupon(
  q: Queryable,
  storeId: string,
  couponId: string,
  opts: { lock?: boolean } = {},
): Promise<CouponRow | null> {
  const { rows } = await q.query<CouponRow>(
    `SELECT ${COUPON_COLUMNS} FROM coupons WHERE id = $1 AND store_id = $2 AND deleted_at IS NULL${
      opts.lock ? ' FOR UPDATE' : ''
    }`,
    [couponId, storeId],
  );
  return rows[0] ?? null;
}

/** The columns a coupon update may change; an absent (undefined) field stays as it is. */
export interface CouponChanges {
  code?: string;
  type?: 'percent' | 'flat';
  value?: number;
  minOrder?: number | null;
  maxDiscount?: number | null;
  usageLimit?: number | null;
  expiresAt?: string | null;
  isActive?: boolean;
}

const CHANGE_COLUMNS: Readonly<Record<keyof CouponChanges, string>> = {
  code: 'code',
  type: 'type',
  value: 'value',
  minOrder: 'min_order',
  maxDiscount: 'max_discount',
  usageLimit: 'usage_limit',
  expiresAt: 'expires_at',
  isActive: 'is_active',
};

/** Writes the given changes; null when there is nothing to change. */
export async function updateCouponRow(
  q: Queryable,
  storeId: string,
  couponId: string,
  changes: CouponChanges,
): Promise<CouponRow | null> {
  const sets: string[] = [];
  const params: unknown[] = [couponId, storeId];
  for (const key of Object.keys(CHANGE_COLUMNS) as (keyof CouponChanges)[]) {
    const value = changes[key];
    if (value === undefined) continue;
    params.push(value);
    sets.push(`${CHANGE_COLUMNS[key]} = $${params.length}`);
  }
  if (!sets.length) return null;
  const { rows } = await q.query<CouponRow>(
    `UPDATE coupons SET ${sets.join(', ')} WHERE id = $1 AND store_id = $2 RETURNING ${COUPON_COLUMNS}`,
    params,
  );
  return rows[0]!;
}

/** Soft delete: orders keep pointing at the row; the code becomes free for a new coupon. False: no such coupon. */
export async function softDeleteCoupon(q: Queryable, storeId: string, couponId: string): Promise<boolean> {
  const { rowCount } = await q.query(
    `UPDATE coupons SET deleted_at = now() WHERE id = $1 AND store_id = $2 AND deleted_at IS NULL`,
    [couponId, storeId],
  );
  return rowCount === 1;
}
