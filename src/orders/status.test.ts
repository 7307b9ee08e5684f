import { describe, expect, it } from 'vitest';
import {
  ACTORS,
  ORDER_STATUSES,
  allowedFromStatuses,
  canEditLines,
  checkTransition,
  editableStatuses,
  isOrderStatus,
  nextStatuses,
  type Actor,
  type OrderStatus,
} from './status.js';

// The contract's lifecycle written out independently of the implementation's table: `from>to` → actors allowed.
const EXPECTED: Record<string, Actor[]> = {
  'placed>accepted': ['merchant'],
  'placed>rejected': ['merchant'],
  'placed>cancelled': ['merchant', 'customer'],
  'accepted>shipped': ['merchant'],
  'accepted>cancelled': ['merchant'],
  'shipped>delivered': ['merchant'],
};

describe('order status transitions', () => {
  const cases: [OrderStatus, OrderStatus, Actor][] = [];
  for (const from of ORDER_STATUSES)
    for (const to of ORDER_STATUSES) for (const actor of ACTORS) cases.push([from, to, actor]);

  it('covers all 6 × 6 × 3 pairs', () => {
    expect(cases).toHaveLength(108);
  });

  it.each(cases)('%s → %s by %s', (from, to, actor) => {
    const result = checkTransition(from, to, actor);
    const allowed = EXPECTED[`${from}>${to}`]?.includes(actor) ?? false;
    expect(result.ok).toBe(allowed);
    if (result.ok) {
      expect(result.from).toBe(from);
      expect(result.to).toBe(to);
      expect(result.returnsStock).toBe(to === 'rejected' || to === 'cancelled');
    } else {
      expect(result.message.length).toBeGreaterThan(0);
      if (from === to) expect(result.reason).toBe('same_status');
      else if (EXPECTED[`${from}>${to}`]) expect(result.reason).toBe('forbidden_for_actor');
      else expect(result.reason).toBe('not_allowed');
    }
  });

  it('counts exactly 7 allowed (from, to, actor) triples', () => {
    expect(cases.filter(([f, t, a]) => checkTransition(f, t, a).ok)).toHaveLength(7);
  });

  it('the system actor can move nothing', () => {
    for (const from of ORDER_STATUSES) expect(nextStatuses(from, 'system')).toEqual([]);
  });

  it('terminal statuses go nowhere', () => {
    for (const from of ['delivered', 'rejected', 'cancelled'] as const)
      for (const actor of ACTORS) expect(nextStatuses(from, actor)).toEqual([]);
  });

  it('gives the guard of the conditional UPDATE', () => {
    expect(allowedFromStatuses('cancelled', 'customer')).toEqual(['placed']);
    expect(allowedFromStatuses('cancelled', 'merchant')).toEqual(['placed', 'accepted']);
    expect(allowedFromStatuses('accepted', 'merchant')).toEqual(['placed']);
    expect(allowedFromStatuses('accepted', 'customer')).toEqual([]);
    expect(allowedFromStatuses('shipped', 'merchant')).toEqual(['accepted']);
    expect(allowedFromStatuses('delivered', 'merchant')).toEqual(['shipped']);
    expect(allowedFromStatuses('rejected', 'merchant')).toEqual(['placed']);
    expect(allowedFromStatuses('placed', 'merchant')).toEqual([]);
  });

  it('customer cancel message tells them to contact the store', () => {
    const r = checkTransition('accepted', 'cancelled', 'customer');
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.message).toMatch(/contact the store/);
  });

  it('lists next statuses per actor', () => {
    expect(nextStatuses('placed', 'merchant')).toEqual(['accepted', 'rejected', 'cancelled']);
    expect(nextStatuses('placed', 'customer')).toEqual(['cancelled']);
    expect(nextStatuses('accepted', 'customer')).toEqual([]);
  });

  it('lets the customer edit lines only while placed, the merchant while placed or accepted', () => {
    for (const s of ORDER_STATUSES) {
      expect(canEditLines(s, 'customer')).toBe(s === 'placed');
      expect(canEditLines(s, 'merchant')).toBe(s === 'placed' || s === 'accepted');
    }
    expect(editableStatuses('merchant')).toEqual(['placed', 'accepted']);
    expect(editableStatuses('customer')).toEqual(['placed']);
  });

  it('recognises statuses', () => {
    expect(isOrderStatus('placed')).toBe(true);
    expect(isOrderStatus('edited')).toBe(false);
    expect(isOrderStatus('PLACED')).toBe(false);
  });
});

describe('a refused transition says why in a sentence', () => {
  it('names the status the order is in and the one asked for, for every status (no "A accepted order")', () => {
    expect(checkTransition('accepted', 'placed', 'merchant')).toEqual({
      ok: false,
      reason: 'not_allowed',
      message: 'The order is accepted and cannot become placed',
    });
    for (const from of ORDER_STATUSES) {
      const r = checkTransition(from, 'placed', 'merchant');
      if (!r.ok && r.reason === 'not_allowed') expect(r.message).toBe(`The order is ${from} and cannot become placed`);
    }
  });
});
