import { describe, expect, it } from 'vitest';
import { CapMemo } from './outbox.js';

describe('CapMemo: stores remembered at their daily cap', () => {
  it('holds a store at its cap until the end it was given, measured from when the count was asked', () => {
    const memo = new CapMemo();
    memo.remember(2000, 1_000, new Map([['s1', 500]]));
    expect(memo.endOf('s1', 2000)).toBe(1_500);
    expect([...memo.atCap(['s1', 's2'], 2000, 1_499)]).toEqual(['s1']);
    // The end itself is past: the count may have dropped below the cap.
    expect([...memo.atCap(['s1', 's2'], 2000, 1_500)]).toEqual([]);
  });

  it('keeps a store at one cap apart from the same store at another', () => {
    const memo = new CapMemo();
    memo.remember(5, 0, new Map([['s1', 100]]));
    expect([...memo.atCap(['s1'], 5, 50)]).toEqual(['s1']);
    expect([...memo.atCap(['s1'], 2000, 50)]).toEqual([]);
  });

  it('a later count moves the end (newer sends only push it later)', () => {
    const memo = new CapMemo();
    memo.remember(3, 0, new Map([['s1', 100]]));
    memo.remember(3, 90, new Map([['s1', 60]]));
    expect(memo.endOf('s1', 3)).toBe(150);
    expect([...memo.atCap(['s1'], 3, 120)]).toEqual(['s1']);
  });

  it('forgets ended entries once it holds many, and keeps the live ones', () => {
    const memo = new CapMemo();
    memo.remember(1, 0, new Map(Array.from({ length: 10_001 }, (_, i) => [`old${i}`, 10] as const)));
    memo.remember(1, 0, new Map([['live', 1_000]]));
    expect([...memo.atCap(['live', 'old0'], 1, 500)]).toEqual(['live']);
    expect(memo.endOf('old0', 1)).toBeUndefined();
    expect(memo.endOf('live', 1)).toBe(1_000);
  });
});
