/**
 * The bill: one pure function that carts and orders both use. All amounts are integer minor units.
 * See docs/api.md, "The bill".
 */
import type { Fulfillment } from './cart.schema.js';

export type LineErrorCode = 'out_of_stock' | 'insufficient_stock' | 'unavailable';
/** Why an applied coupon gives nothing right now (it never blocks checkout: it is simply not applied). */
export type CouponReason = 'min_order' | 'exhausted' | 'expired' | 'inactive';

export interface BillLineInput {
  variantId: string;
  unitPrice: number;
  quantity: number;
  /** null = not tracked (always available) */
  stock: number | null;
  /** false when the variant or its product is archived or inactive */
  sellable: boolean;
}

export interface BillCouponInput {
  code: string;
  type: 'percent' | 'flat';
  value: number;
  minOrder: number | null;
  maxDiscount: number | null;
  /** decided by the caller (they need the clock and the usage count) */
  problem?: 'coupon_exhausted' | 'coupon_expired' | 'coupon_inactive' | null;
}

export interface BillStoreInput {
  deliveryFee: number;
  freeAbove: number | null;
}

export interface BillLine {
  variantId: string;
  unitPrice: number;
  quantity: number;
  lineTotal: number;
  error: null | { code: LineErrorCode; available?: number };
}

export interface BillError {
  code: LineErrorCode;
  variantId?: string;
  available?: number;
  message: string;
}

export interface Bill {
  lines: BillLine[];
  subtotal: number;
  discount: number;
  deliveryFee: number;
  total: number;
  errors: BillError[];
  /** The applied coupon's state: `applied: false` with its reason (and `shortBy` below a minimum) discounts 0. */
  coupon: BillCouponState | null;
}

export interface BillCouponState {
  code: string;
  applied: boolean;
  reason?: CouponReason;
  /** minor units of subtotal still missing for the coupon's minimum order */
  shortBy?: number;
}

const REASONS: Record<NonNullable<BillCouponInput['problem']>, CouponReason> = {
  coupon_exhausted: 'exhausted',
  coupon_expired: 'expired',
  coupon_inactive: 'inactive',
};

/** Whether a coupon applies to this subtotal, and if not, why. */
export function couponState(coupon: BillCouponInput, subtotal: number): BillCouponState {
  if (coupon.problem) return { code: coupon.code, applied: false, reason: REASONS[coupon.problem] };
  if (coupon.minOrder !== null && coupon.minOrder > subtotal)
    return { code: coupon.code, applied: false, reason: 'min_order', shortBy: coupon.minOrder - subtotal };
  return { code: coupon.code, applied: true };
}

export function lineError(line: BillLineInput): BillLine['error'] {
  if (!line.sellable) return { code: 'unavailable' };
  if (line.stock === null) return null;
  if (line.stock <= 0) return { code: 'out_of_stock' };
  if (line.stock < line.quantity) return { code: 'insufficient_stock', available: line.stock };
  return null;
}

export function couponDiscount(coupon: BillCouponInput, subtotal: number): number {
  if (coupon.problem) return 0;
  if (coupon.minOrder !== null && coupon.minOrder > subtotal) return 0;
  if (coupon.type === 'flat') return Math.min(coupon.value, subtotal);
  // floor(subtotal × value / 100) in integers: no float touches money.
  const raw = Number((BigInt(subtotal) * BigInt(coupon.value)) / 100n);
  const capped = coupon.maxDiscount === null ? raw : Math.min(raw, coupon.maxDiscount);
  return Math.min(capped, subtotal);
}

const LINE_MESSAGES: Record<LineErrorCode, (available?: number) => string> = {
  out_of_stock: () => 'out of stock — remove or replace',
  insufficient_stock: (n) => `only ${n} left — change quantity`,
  unavailable: () => 'no longer sold — remove or replace',
};

/**
 * The one problem item for a line the stock cannot cover, in every layer (bill, checkout, order edits): nothing
 * left → out_of_stock, some left → insufficient_stock with how many.
 */
export function shortageProblem(variantId: string, available: number): LineProblem {
  return available <= 0
    ? { code: 'out_of_stock', variantId, available: 0, message: LINE_MESSAGES.out_of_stock() }
    : { code: 'insufficient_stock', variantId, available, message: LINE_MESSAGES.insufficient_stock(available) };
}

/** A line that is no longer sold (product archived or hidden). */
export function unavailableProblem(variantId: string): LineProblem {
  return { code: 'unavailable', variantId, message: LINE_MESSAGES.unavailable() };
}

export interface LineProblem {
  code: LineErrorCode;
  variantId: string;
  available?: number;
  message: string;
}

/** The delivery a bill charges: nothing for a pickup or from `freeAbove` (after the discount), else the fee. */
export function billedDeliveryFee(fulfillment: Fulfillment, afterDiscount: number, store: BillStoreInput): number {
  return fulfillment === 'pickup' || (store.freeAbove !== null && afterDiscount >= store.freeAbove)
    ? 0
    : store.deliveryFee;
}

export function computeBill(input: {
  lines: BillLineInput[];
  coupon: BillCouponInput | null;
  store: BillStoreInput;
  fulfillment: Fulfillment;
}): Bill {
  const errors: BillError[] = [];
  let subtotal = 0;
  const lines = input.lines.map((l): BillLine => {
    const error = lineError(l);
    const lineTotal = l.unitPrice * l.quantity;
    if (error)
      errors.push({
        code: error.code,
        variantId: l.variantId,
        ...(error.available !== undefined ? { available: error.available } : {}),
        message: LINE_MESSAGES[error.code](error.available),
      });
    else subtotal += lineTotal;
    return { variantId: l.variantId, unitPrice: l.unitPrice, quantity: l.quantity, lineTotal, error };
  });
  const coupon = input.coupon;
  const discount = coupon ? couponDiscount(coupon, subtotal) : 0;
  const afterDiscount = subtotal - discount;
  const deliveryFee = billedDeliveryFee(input.fulfillment, afterDiscount, input.store);
  return {
    lines,
    subtotal,
    discount,
    deliveryFee,
    total: afterDiscount + deliveryFee,
    errors,
    coupon: coupon ? couponState(coupon, subtotal) : null,
  };
}
