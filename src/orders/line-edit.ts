/**
 * What a change of an order's lines means, decided without a database: `planLineEdit` takes the order's lines as
 * they are, the lines wanted, and the store's variants, and returns the new lines (kept lines keep their frozen
 * price and names; added lines take today's price), the renewed bill under the order's own frozen rules, and how
 * much stock each variant must give or take. editOrderLines (orders.service.ts) runs the plan in a transaction.
 */
import { computeBill, shortageProblem, unavailableProblem, type Bill } from '../cart/bill.js';
import type { StockShortage } from '../inventory/stock.repo.js';
import { AppError, type ProblemItem } from '../shared/errors.js';
import type { BillRules, NewOrderLine, OrderLineRow, OrderRow, VariantInfo } from './orders.repo.js';
import type { Actor } from './status.js';

export interface LineEditInput {
  order: Pick<OrderRow, 'coupon_code' | 'fulfillment'> & { bill_rules: BillRules };
  /** The order's lines now, in display order. */
  before: readonly OrderLineRow[];
  /** The whole new set of lines (no duplicates, at least one with a quantity). */
  wanted: readonly { variantId: string; quantity: number }[];
  /** The store's variants among the wanted ones (a missing one is gone from the store). */
  variants: readonly VariantInfo[];
  actor: Actor;
}

export type LineEditPlan =
  | { unchanged: true }
  | {
      unchanged: false;
      next: NewOrderLine[];
      bill: Bill;
      /** Per variant: positive takes stock, negative gives it back. */
      stockDeltas: { variantId: string; delta: number }[];
    };

/**
 * Throws 404 not_found for a variant neither in the order nor in the store, 409 cart_has_errors naming lines that
 * are no longer sold (raising their quantity is refused; keeping or lowering them is fine), and, for the customer,
 * 422 below_minimum_order (the store's own edits — an item ran out — are not held to the minimum).
 */
export function planLineEdit({ order, before, wanted, variants, actor }: LineEditInput): LineEditPlan {
  const beforeById = new Map(before.map((l) => [l.variant_id, l]));
  const variantById = new Map(variants.map((v) => [v.id, v]));
  const problems: ProblemItem[] = [];
  const next: NewOrderLine[] = [];
  for (const w of wanted) {
    const kept = beforeById.get(w.variantId);
    const variant = variantById.get(w.variantId);
    if (kept) {
      if (variant && !variant.sellable && w.quantity > kept.quantity) {
        problems.push(unavailableProblem(w.variantId));
        continue;
      }
      next.push({
        variantId: kept.variant_id,
        productId: kept.product_id,
        name: kept.name,
        variantName: kept.variant_name,
        unitPrice: kept.unit_price,
        quantity: w.quantity,
      });
    } else if (variant) {
      if (!variant.sellable) {
        problems.push(unavailableProblem(w.variantId));
        continue;
      }
      next.push({
        variantId: variant.id,
        productId: variant.product_id,
        name: variant.product_name,
        variantName: variant.variant_name,
        unitPrice: variant.price,
        quantity: w.quantity,
      });
    } else {
      throw new AppError('not_found', `Variant ${w.variantId} not found`);
    }
  }
  if (problems.length) throw new AppError('cart_has_errors', 'Some lines cannot be added', problems);

  const unchanged =
    next.length === before.length &&
    next.every((l, i) => before[i]!.variant_id === l.variantId && before[i]!.quantity === l.quantity);
  if (unchanged) return { unchanged: true };

  const rules = order.bill_rules;
  const bill = computeBill({
    lines: next.map((l) => ({
      variantId: l.variantId,
      unitPrice: l.unitPrice,
      quantity: l.quantity,
      stock: null,
      sellable: true,
    })),
    coupon: rules.coupon && order.coupon_code ? { code: order.coupon_code, ...rules.coupon, problem: null } : null,
    store: { deliveryFee: rules.deliveryFee, freeAbove: rules.freeAbove },
    fulfillment: order.fulfillment,
  });
  if (actor === 'customer' && rules.minOrder !== null && bill.subtotal - bill.discount < rules.minOrder) {
    throw new AppError('below_minimum_order', `The minimum order is ${rules.minOrder}`);
  }

  const deltas = new Map<string, number>();
  for (const l of before) deltas.set(l.variant_id, -l.quantity);
  for (const l of next) deltas.set(l.variantId, (deltas.get(l.variantId) ?? 0) + l.quantity);
  return {
    unchanged: false,
    next,
    bill,
    stockDeltas: [...deltas].filter(([, delta]) => delta !== 0).map(([variantId, delta]) => ({ variantId, delta })),
  };
}

/** The stock the edit could not take, as problems: units the order already held count as available to it. */
export function lineEditShortages(shortages: readonly StockShortage[], before: readonly OrderLineRow[]): ProblemItem[] {
  const held = new Map(before.map((l) => [l.variant_id, l.quantity]));
  return shortages.map((s) => shortageProblem(s.variantId, s.available + (held.get(s.variantId) ?? 0)));
}
