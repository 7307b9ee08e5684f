/** Latency samples and their percentiles. Pure. */

/** A growable list of latency samples in milliseconds (floats: sub-millisecond answers are common). */
export class Samples {
  private data = new Float64Array(4096);
  private n = 0;

  add(ms: number): void {
    if (this.n === this.data.length) {
      const bigger = new Float64Array(this.data.length * 2);
      bigger.set(this.data);
      this.data = bigger;
    }
    this.data[this.n++] = ms;
  }

  get count(): number {
    return this.n;
  }

  summary(): LatencySummary {
    return summarize(this.data.subarray(0, this.n));
  }
}

export interface LatencySummary {
  count: number;
  mean: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
}

/**
 * The nearest-rank percentile of already sorted values: the smallest value with at least p % of the samples at or
 * below it. No interpolation, so a reported p99 is a latency a request really had.
 */
export function percentileSorted(sorted: ArrayLike<number>, p: number): number {
  if (sorted.length === 0) return NaN;
  if (p <= 0) return sorted[0]!;
  if (p >= 100) return sorted[sorted.length - 1]!;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.max(0, rank - 1)]!;
}

export function summarize(values: ArrayLike<number>): LatencySummary {
  const sorted = Float64Array.from(values as ArrayLike<number>).sort();
  let sum = 0;
  for (const v of sorted) sum += v;
  return {
    count: sorted.length,
    mean: sorted.length ? sum / sorted.length : NaN,
    p50: percentileSorted(sorted, 50),
    p90: percentileSorted(sorted, 90),
    p99: percentileSorted(sorted, 99),
    max: sorted.length ? sorted[sorted.length - 1]! : NaN,
  };
}

/** Counts of HTTP statuses, with the classes a report needs. */
export class StatusCounts {
  readonly byStatus = new Map<number, number>();

  add(status: number): void {
    this.byStatus.set(status, (this.byStatus.get(status) ?? 0) + 1);
  }

  count(pred: (status: number) => boolean): number {
    let n = 0;
    for (const [status, c] of this.byStatus) if (pred(status)) n += c;
    return n;
  }

  get total(): number {
    return this.count(() => true);
  }

  /** `200×1234, 409×400` */
  toString(): string {
    return (
      [...this.byStatus.entries()]
        .sort((a, b) => a[0] - b[0])
        .map(([s, c]) => `${s}×${c}`)
        .join(', ') || 'none'
    );
  }
}

/** `12.3` for ms ≥ 10, `1.23` below; `–` for nothing measured. */
export function fmtMs(ms: number): string {
  if (!Number.isFinite(ms)) return '–';
  return ms >= 100 ? ms.toFixed(0) : ms >= 10 ? ms.toFixed(1) : ms.toFixed(2);
}

/** 12345.6 → `12,346`; small rates keep one decimal. */
export function fmtRate(n: number): string {
  if (!Number.isFinite(n)) return '–';
  return n >= 100 ? Math.round(n).toLocaleString('en-US') : n.toFixed(1);
}

export function fmtPct(ratio: number): string {
  return Number.isFinite(ratio) ? `${(ratio * 100).toFixed(0)} %` : '–';
}

export function fmtMb(bytes: number): string {
  return Number.isFinite(bytes) && bytes > 0 ? `${(bytes / 1024 / 1024).toFixed(0)} MB` : '–';
}
