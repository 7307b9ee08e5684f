import { describe, expect, it } from 'vitest';
import { HOT_SHARE, pickStore } from './checkout-stores.js';

describe('checkout-stores: which store a customer shops at', () => {
  const others = Array.from({ length: 199 }, (_, i) => `s${i}`);

  it('sends draws below the hot share to the hot store, the rest uniformly over the others', () => {
    expect(pickStore('hot', others, 0)).toBe('hot');
    expect(pickStore('hot', others, HOT_SHARE - 1e-9)).toBe('hot');
    expect(pickStore('hot', others, HOT_SHARE)).toBe('s0');
    expect(pickStore('hot', others, 0.999999)).toBe('s198');
  });

  it('spreads 20 % on the hot store and about the same on each other store over many draws', () => {
    const counts = new Map<string, number>();
    const n = 199_000;
    for (let i = 0; i < n; i++) {
      const s = pickStore('hot', others, i / n);
      counts.set(s, (counts.get(s) ?? 0) + 1);
    }
    expect(counts.get('hot')).toBe(n * HOT_SHARE);
    const rest = others.map((s) => counts.get(s) ?? 0);
    expect(Math.min(...rest)).toBeGreaterThanOrEqual(799);
    expect(Math.max(...rest)).toBeLessThanOrEqual(801);
  });

  it('falls back to the hot store when there are no others', () => {
    expect(pickStore('hot', [], 0.9)).toBe('hot');
  });
});
