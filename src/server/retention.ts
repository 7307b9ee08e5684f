/**
 * The retention purge: deletes what nobody needs any more (abandoned carts, old sign-in codes, ended sessions,
 * delivered outbox rows, rate-limit counters, idempotency records, payment proofs of long-closed orders).
 * Safe with many workers and servers: one transaction-scoped advisory lock, taken with try — whoever holds it
 * purges, everyone else skips this round. Runs hourly from every server (src/start.ts).
 */
import type { Db } from '../db/db.js';
import { removeProofFiles } from '../payments/proofs.service.js';
import { purgeClosedOrderProofs, purgeRows, tryPurgeLock, type RetentionPeriods } from './retention.repo.js';

export const RETENTION: RetentionPeriods = {
  cartDays: 30,
  otpDays: 1,
  sessionDays: 8,
  outboxDays: 30,
  rateLimitDays: 1,
  idempotencyHours: 48,
  closedOrderProofDays: 180,
};

export interface PurgeResult {
  ran: boolean;
  deleted: Record<string, number>;
}

export async function purgeExpired(
  db: Db,
  dataDir: string,
  periods: RetentionPeriods = RETENTION,
): Promise<PurgeResult> {
  const outcome = await db.tx(async (tx) => {
    if (!(await tryPurgeLock(tx))) return null;
    const deleted = await purgeRows(tx, periods);
    const proofs = await purgeClosedOrderProofs(tx, periods.closedOrderProofDays);
    return { deleted: { ...deleted, paymentProofs: proofs.length }, proofs };
  });
  if (!outcome) return { ran: false, deleted: {} };
  // Files go after the rows are committed: a crash in between leaves files without rows, never the reverse.
  await removeProofFiles(dataDir, outcome.proofs);
  return { ran: true, deleted: outcome.deleted };
}
