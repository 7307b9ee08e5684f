/** A small seeded generator (mulberry32): the same seed gives the same data shapes on every machine. */
export class Rng {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0 || 0x9e3779b9;
  }

  /** [0, 1) */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** An integer in [min, max]. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)]!;
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  /** 32 random bits. */
  u32(): number {
    return Math.floor(this.next() * 4294967296) >>> 0;
  }
}

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

/**
 * A UUIDv7 (RFC 9562) for a given time: 48 bits of Unix milliseconds, then `seq` in the 12 rand_a bits, then 62
 * random bits. The app makes its ids with uuidv7() at the current time; the generator makes them at a synthetic
 * time so that a catalog appears to have grown over a year, id order and created_at agreeing.
 */
export function uuidv7At(ms: number, seq: number, rng: Rng): string {
  const hi = Math.floor(ms / 65536);
  const lo = ms % 65536;
  const r1 = rng.u32();
  const r2 = rng.u32();
  return (
    HEX[(hi >>> 24) & 0xff]! +
    HEX[(hi >>> 16) & 0xff]! +
    HEX[(hi >>> 8) & 0xff]! +
    HEX[hi & 0xff]! +
    '-' +
    HEX[(lo >>> 8) & 0xff]! +
    HEX[lo & 0xff]! +
    '-' +
    HEX[0x70 | ((seq >>> 8) & 0x0f)]! +
    HEX[seq & 0xff]! +
    '-' +
    HEX[0x80 | ((r1 >>> 24) & 0x3f)]! +
    HEX[(r1 >>> 16) & 0xff]! +
    '-' +
    HEX[(r1 >>> 8) & 0xff]! +
    HEX[r1 & 0xff]! +
    HEX[(r2 >>> 24) & 0xff]! +
    HEX[(r2 >>> 16) & 0xff]! +
    HEX[(r2 >>> 8) & 0xff]! +
    HEX[r2 & 0xff]!
  );
}

/**
 * Splits `total` over `n` buckets with a long tail: bucket i gets a share proportional to 1/(i+1)^exponent, and
 * every bucket at least `min`. A few big stores, many small ones, as on every marketplace.
 */
export function longTail(total: number, n: number, exponent = 0.9, min = 1): number[] {
  if (n <= 0) return [];
  if (total < n * min) throw new Error(`cannot give ${n} buckets at least ${min} each out of ${total}`);
  const weights = Array.from({ length: n }, (_, i) => 1 / (i + 1) ** exponent);
  const sum = weights.reduce((a, b) => a + b, 0);
  const spare = total - n * min;
  const counts = weights.map((w) => min + Math.floor((spare * w) / sum));
  let left = total - counts.reduce((a, b) => a + b, 0);
  for (let i = 0; left > 0; i = (i + 1) % n, left--) counts[i]!++;
  return counts;
}
