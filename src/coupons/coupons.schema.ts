import { Type, type Static } from 'typebox';
import { Cursor, Limit, Money, Nullable } from '../shared/schema.js';

export const COUPON_CODE_PATTERN = '^[A-Za-z0-9_-]{1,40}$';
const Code = Type.String({
  minLength: 1,
  maxLength: 40,
  pattern: COUPON_CODE_PATTERN,
  description: 'Case-insensitive per store',
});
const CouponType = Type.Union([Type.Literal('percent'), Type.Literal('flat')]);
/** percent: 1..100; flat: an amount in minor units ≥ 1. The percent bound is checked by the service (it depends on
 * `type`). */
const CouponValue = Type.Integer({ minimum: 1, maximum: 10_000_000_000 });
// usage_limit / used_count are integer columns.
const UsageLimit = Type.Integer({ minimum: 1, maximum: 1_000_000_000 });
const DateTime = Type.String({ format: 'date-time', maxLength: 40, description: 'ISO 8601 date-time with offset' });

export const CouponSchema = Type.Object(
  {
    id: Type.String(),
    code: Type.String(),
    type: CouponType,
    value: Type.Integer(),
    minOrder: Nullable(Type.Integer()),
    maxDiscount: Nullable(Type.Integer()),
    usageLimit: Nullable(Type.Integer()),
    usedCount: Type.Integer(),
    expiresAt: Nullable(Type.String({ format: 'date-time' })),
    isActive: Type.Boolean(),
  },
  { $id: 'Coupon' },
);
export type Coupon = Static<typeof CouponSchema>;

export const CreateCouponBody = Type.Object(
  {
    code: Code,
    type: CouponType,
    value: CouponValue,
    minOrder: Type.Optional(Nullable(Money)),
    maxDiscount: Type.Optional(Nullable(Money)),
    usageLimit: Type.Optional(Nullable(UsageLimit)),
    expiresAt: Type.Optional(Nullable(DateTime)),
    isActive: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);
export type CreateCouponInput = Static<typeof CreateCouponBody>;

export const UpdateCouponBody = Type.Object(
  {
    code: Type.Optional(Code),
    type: Type.Optional(CouponType),
    value: Type.Optional(CouponValue),
    minOrder: Type.Optional(Nullable(Money)),
    maxDiscount: Type.Optional(Nullable(Money)),
    usageLimit: Type.Optional(Nullable(UsageLimit)),
    expiresAt: Type.Optional(Nullable(DateTime)),
    isActive: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);
export type UpdateCouponInput = Static<typeof UpdateCouponBody>;

export const CouponListQuery = Type.Object({ limit: Limit, cursor: Type.Optional(Cursor) });
export type CouponListInput = Static<typeof CouponListQuery>;

export const CouponStoreParams = Type.Object({ storeId: Type.String({ maxLength: 100 }) });
export const CouponParams = Type.Object({
  storeId: Type.String({ maxLength: 100 }),
  couponId: Type.String({ maxLength: 100 }),
});
