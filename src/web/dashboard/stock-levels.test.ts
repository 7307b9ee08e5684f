import { describe, expect, it } from 'vitest';
import { stockLevels } from './stock-levels.js';

describe('stockLevels', () => {
  it('one size: counted, low, out or not counted — no size names', () => {
    expect(stockLevels([{ name: 'Default', stock: 20 }])).toEqual({
      kind: 'ok',
      total: 20,
      outSizes: [],
      lowSizes: [],
    });
    expect(stockLevels([{ name: 'Default', stock: 3 }]).kind).toBe('low');
    expect(stockLevels([{ name: 'Default', stock: 0 }]).kind).toBe('out');
    expect(stockLevels([{ name: 'Default', stock: null }]).kind).toBe('untracked');
  });

  it('several sizes: names the ones out and the ones low, in order', () => {
    const levels = stockLevels([
      { name: '500 g', stock: 0 },
      { name: '1 kg', stock: 2 },
      { name: '5 kg', stock: 40 },
      { name: '10 kg', stock: null },
    ]);
    expect(levels).toEqual({
      kind: 'low',
      total: 42,
      outSizes: ['500 g'],
      lowSizes: [{ name: '1 kg', stock: 2 }],
    });
  });

  it('every size out is "out"; a size not counted keeps the product available', () => {
    expect(
      stockLevels([
        { name: 'S', stock: 0 },
        { name: 'M', stock: 0 },
      ]).kind,
    ).toBe('out');
    expect(
      stockLevels([
        { name: 'S', stock: 0 },
        { name: 'M', stock: null },
      ]).kind,
    ).toBe('low');
    expect(
      stockLevels([
        { name: 'S', stock: 0 },
        { name: 'M', stock: null },
      ]).outSizes,
    ).toEqual(['S']);
  });
});
