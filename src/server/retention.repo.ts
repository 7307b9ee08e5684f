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
      WHERE o.id = p.order_id AND o.status IN ('delivered', 'rejected', 'cancelled')
        AND o.updated_at < now() - make_interval(days => $1)
      RETURNING p.file_name, p.view_file_name`,
    [days],
  );
  return rows;
}
