/**
 * The order lifecycle as one transition table with guards. Pure: no I/O, no clock.
 *
 *   placed → accepted → shipped → delivered
 *   placed → rejected
 *   placed | accepted → cancelled
 *
 * The customer may only cancel, and only while the order is placed; the merchant does everything else
 * (including cancelling an accepted order). Services turn a refused transition into 409 invalid_transition.
 */

export const ORDER_STATUSES = ['placed', 'accepted', 'shipped', 'delivered', 'rejected', 'cancelled'] as const;
export type OrderStatus = (typeof ORDER_STATUSES)[number];

export const ACTORS = ['customer', 'merchant', 'system'] as const;
export type Actor = (typeof ACTORS)[number];

/** Every allowed move, and who may make it. Anything not listed here is refused. */
const TRANSITIONS: Readonly<Record<OrderStatus, Partial<Record<OrderStatus, readonly Actor[]>>>> = {
  placed: { accepted: ['merchant'], rejected: ['merchant'], cancelled: ['merchant', 'customer'] },
  accepted: { shipped: ['merchant'], cancelled: ['merchant'] },
  shipped: { delivered: ['merchant'] },
  delivered: {},
  rejected: {},
  cancelled: {},
};

/** Statuses that end the order and hand its stock back. */
export const STOCK_RETURNING_STATUSES: readonly OrderStatus[] = ['rejected', 'cancelled'];

export type TransitionRefusal = 'same_status' | 'not_allowed' | 'forbidden_for_actor';

export type TransitionResult =
  | { ok: true; from: OrderStatus; to: OrderStatus; returnsStock: boolean }
  | { ok: false; reason: TransitionRefusal; message: string };

export function isOrderStatus(value: string): value is OrderStatus {
  return (ORDER_STATUSES as readonly string[]).includes(value);
}

export function checkTransition(from: OrderStatus, to: OrderStatus, actor: Actor): TransitionResult {
  if (from === to) return { ok: false, reason: 'same_status', message: `The order is already ${from}` };
  const actors = TRANSITIONS[from][to];
  if (!actors) return { ok: false, reason: 'not_allowed', message: `The order is ${from} and cannot become ${to}` };
  if (!actors.includes(actor)) {
    const message =
      actor === 'customer' && to === 'cancelled'
        ? 'The order can no longer be cancelled; contact the store'
        : `Only the store can mark an order ${to}`;
    return { ok: false, reason: 'forbidden_for_actor', message };
  }
  return { ok: true, from, to, returnsStock: STOCK_RETURNING_STATUSES.includes(to) };
}

/**
 * The statuses from which `actor` may move an order to `to`: the guard of the conditional UPDATE
 * (`WHERE status = ANY($from)`), so that of two racing requests only one wins.
 */
export function allowedFromStatuses(to: OrderStatus, actor: Actor): OrderStatus[] {
  return ORDER_STATUSES.filter((from) => checkTransition(from, to, actor).ok);
}

/** Who may edit the lines of an order in this status. */
export function canEditLines(status: OrderStatus, actor: Actor): boolean {
  if (actor === 'customer') return status === 'placed';
  return status === 'placed' || status === 'accepted';
}

export function editableStatuses(actor: Actor): OrderStatus[] {
  return ORDER_STATUSES.filter((s) => canEditLines(s, actor));
}

/** The moves the actor could make next (for dashboards and pages). */
export function nextStatuses(from: OrderStatus, actor: Actor): OrderStatus[] {
  return ORDER_STATUSES.filter((to) => checkTransition(from, to, actor).ok);
}
