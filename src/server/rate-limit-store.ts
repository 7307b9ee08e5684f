import type { Db } from '../db/db.js';

type Incr = (err: Error | null, result?: { current: number; ttl: number }) => void;

/**
 * @fastify/rate-limit store kept in PostgreSQL (fixed windows), so every worker and every app server
 * counts against the same numbers. Used for the optional general per-IP limit (RATE_LIMIT_PER_IP).
 */
export class PgRateLimitStore {
  private readonly windowMs: number;
  constructor(
    private readonly db: Db,
    options: { timeWindow?: number },
  ) {
    this.windowMs = Number(options.timeWindow ?? 60_000);
  }

  incr(key: string, callback: Incr): void {
    hitWindow(this.db, `ip:${key}`, this.windowMs).then(
      (r) => callback(null, r),
      (err: Error) => callback(err),
    );
  }

  child(routeOptions: { timeWindow?: number }) {
    return new PgRateLimitStore(this.db, { timeWindow: routeOptions.timeWindow ?? this.windowMs });
  }
}

/** Counts one hit in the current fixed window of `key`; returns the count so far and ms until the window ends. */
export async function hitWindow(db: Db, key: string, windowMs: number): Promise<{ current: number; ttl: number }> {
  const now = Date.now();
  const start = now - (now % windowMs);
  const { rows } = await db.query<{ count: number }>(
    `INSERT INTO rate_limit_counters (key, window_start, count) VALUES ($1, to_timestamp($2 / 1000.0), 1)
     ON CONFLICT (key, window_start) DO UPDATE SET count = rate_limit_counters.count + 1
     RETURNING count`,
    [key, start],
  );
  return { current: rows[0]!.count, ttl: start + windowMs - now };
}
