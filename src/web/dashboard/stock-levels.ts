/** Which size of a product is running low or is out: the words of the stock badges, as a pure function. */

/** At or below this, a counted stock is shown as running low. */
export const LOW_STOCK = 5;

export interface SizeStock {
  name: string;
  /** null: not counted (always available). */
  stock: number | null;
}

export interface StockLevels {
  /** `untracked`: no size is counted; `out`: every size is counted and none is left. */
  kind: 'untracked' | 'out' | 'low' | 'ok';
  /** Units left over the counted sizes. */
  total: number;
  /** Sizes with none left, and sizes running low (1..LOW_STOCK), in the product's order; empty for one size. */
  outSizes: string[];
  lowSizes: { name: string; stock: number }[];
}

export function stockLevels(sizes: readonly SizeStock[]): StockLevels {
  const counted = sizes.filter((s) => s.stock !== null);
  const total = counted.reduce((sum, s) => sum + (s.stock ?? 0), 0);
  const several = sizes.length > 1;
  const outSizes = several ? counted.filter((s) => s.stock === 0).map((s) => s.name) : [];
  const lowSizes = several
    ? counted.filter((s) => s.stock! > 0 && s.stock! <= LOW_STOCK).map((s) => ({ name: s.name, stock: s.stock! }))
    : [];
  if (counted.length === 0) return { kind: 'untracked', total, outSizes, lowSizes };
  if (total === 0 && counted.length === sizes.length) return { kind: 'out', total, outSizes: [], lowSizes };
  const low = counted.some((s) => (s.stock ?? 0) <= LOW_STOCK);
  return { kind: low ? 'low' : 'ok', total, outSizes, lowSizes };
}
