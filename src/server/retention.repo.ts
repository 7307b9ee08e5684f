import type { Queryable } from '../db/db.js';

/** Periods (days unless named otherwise) after which rows are deleted; see docs/security.md. */
export interface RetentionPeriods {
  cartDays: number;
  otpDays: number;
  sessionDays: number;
  outboxDays: number;
  rateLimitDays: number;
  idempotencyHours: number;
  closedOrderProofDays: number;
  /** an uploaded product/store image no product or store profile uses, or a proof file without its row */
  orphanFileDays: number;
}

/**
 * Takes the purge lock for this transaction: true when this worker may purge now, false when another one (in any
 * process or server) is already at it.
 */
export async function tryPurgeLock(tx: Queryable): Promise<boolean> {
  const { rows } = await tx.query<{ ok: boolean }>(
    `SELECT pg_try_advisory_xact_lock(hashtext('dukaan:retention')) AS ok`,
  );
  return rows[0]!.ok;
}

export async function purgeRows(tx: Queryable, p: RetentionPeriods): Promise<Record<string, number>> {
  const run = async (sql: string, params: unknown[]) => (await tx.query(sql, params)).rowCount;
  return {
    carts: await run(`DELETE FROM carts WHERE order_id IS NULL AND updated_at < now() - make_interval(days => $1)`, [
      p.cartDays,
    ]),
    otpCodes: await run(`DELETE FROM otp_codes WHERE created_at < now() - make_interval(days => $1)`, [p.otpDays]),
    sessions: await run(
      `DELETE FROM sessions WHERE expires_at < now() - make_interval(days => $1)
          OR revoked_at < now() - make_interval(days => $1)
          OR last_used_at < now() - make_interval(days => $2)`,
      [p.otpDays, p.sessionDays],
    ),
    outbox: await run(
      `DELETE FROM outbox WHERE status IN ('sent', 'failed', 'skipped')
          AND created_at < now() - make_interval(days => $1)`,
      [p.outboxDays],
    ),
    rateLimitCounters: await run(
      `DELETE FROM rate_limit_counters WHERE window_start < now() - make_interval(days => $1)`,
      [p.rateLimitDays],
    ),
    idempotencyKeys: await run(`DELETE FROM idempotency_keys WHERE created_at < now() - make_interval(hours => $1)`, [
      p.idempotencyHours,
    ]),
  };
}

/** Proofs of orders closed (delivered, rejected, cancelled) longer ago than the period: rows out, files returned. */
export async function purgeClosedOrderProofs(
  tx: Queryable,
  days: number,
): Promise<{ file_name: string; view_file_name: string | null }[]> {
  const { rows } = await tx.query<{ file_name: string; view_file_name: string | null }>(
    `DELETE FROM payment_proofs p USING orders o
      WHERE o.id = p.order_id AND o.store_id = p.store_id AND o.status IN ('delivered', 'rejected', 'cancelled')
        AND o.updated_at < now() - make_interval(days => $1)
      RETURNING p.file_name, p.view_file_name`,
    [days],
  );
  return rows;
}

/** True (and the run is recorded) when `job` last ran more than `hours` ago, or never. */
export async function claimDailyRun(tx: Queryable, job: string, hours: number): Promise<boolean> {
  const { rows } = await tx.query<{ job: string }>(
    `INSERT INTO retention_runs (job, ran_at) VALUES ($1, now())
     ON CONFLICT (job) DO UPDATE SET ran_at = now() WHERE retention_runs.ran_at < now() - make_interval(hours => $2)
     RETURNING job`,
    [job, hours],
  );
  return rows.length === 1;
}

/** Of these upload ids (32 hex), the ones a product's images or a store's logo or banner still use. */
export async function usedImageIds(tx: Queryable, ids: readonly string[]): Promise<Set<string>> {
  if (ids.length === 0) return new Set();
  const { rows } = await tx.query<{ id: string }>(
    `SELECT DISTINCT x.m[1] AS id FROM (
       SELECT regexp_matches(p.images::text, '/media/([0-9a-f]{32})-', 'g') AS m FROM products p
        WHERE p.images <> '[]'::jsonb
       UNION ALL
       SELECT regexp_matches(coalesce(s.logo, '') || ' ' || coalesce(s.banner, ''), '/media/([0-9a-f]{32})-', 'g')
         FROM stores s WHERE s.logo IS NOT NULL OR s.banner IS NOT NULL
     ) x WHERE x.m[1] = ANY($1::text[])`,
    [ids],
  );
  return new Set(rows.map((r) => r.id));
}

/** Of these proof file names, the ones a payment_proofs row still names. */
export async function usedProofFiles(tx: Queryable, names: readonly string[]): Promise<Set<string>> {
  if (names.length === 0) return new Set();
  const { rows } = await tx.query<{ file_name: string; view_file_name: string | null }>(
    `SELECT file_name, view_file_name FROM payment_proofs
      WHERE file_name = ANY($1::text[]) OR view_file_name = ANY($1::text[])`,
    [names],
  );
  return new Set(rows.flatMap((r) => [r.file_name, r.view_file_name ?? '']));
}
