/** SQL of the outbox table. Everything here takes a Queryable (a Db or a Tx). */
import type { Queryable } from '../db/db.js';

export interface NewOutboxRow {
  id: string;
  topic: string;
  recipient: string;
  payload: string;
  costClass: string;
  audience: string;
  storeId: string | null;
}

const outboxParams = (row: NewOutboxRow) => [
  row.id,
  row.topic,
  row.recipient,
  row.payload,
  row.costClass,
  row.audience,
  row.storeId,
];

export async function insertOutboxRow(q: Queryable, row: NewOutboxRow): Promise<void> {
  await q.query(
    `INSERT INTO outbox (id, topic, recipient, payload, cost_class, audience, store_id)
     VALUES ($1, $2, $3, $4, $5, $6, $7)`,
    outboxParams(row),
  );
}

/** A row for a message another channel already delivered. */
export async function insertSentRow(q: Queryable, row: NewOutboxRow): Promise<void> {
  await q.query(
    `INSERT INTO outbox (id, topic, recipient, payload, cost_class, audience, store_id, status, attempts, sent_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, 'sent', 1, now())`,
    outboxParams(row),
  );
}

/**
 * Platform-started messages sent in the last 24 hours, per customer number and per store, each counted only up to
 * its cap (the caller only compares with it): a store at its cap costs `perStore` index entries however much it
 * sent. Each count is one range scan of an exact-predicate index (migration 171). Two statements: measured, one
 * UNION ALL of both cost more backend CPU than the two.
 *
 * For a store at its cap, `storeCapEndsInMs` says for how long it stays there at least: until the cap-th newest
 * counted send is 24 hours old (newer sends only push that later).
 */
export async function sentToday(
  q: Queryable,
  recipients: readonly string[],
  storeIds: readonly string[],
  caps: { perRecipient: number; perStore: number },
): Promise<{ byRecipient: Map<string, number>; byStore: Map<string, number>; storeCapEndsInMs: Map<string, number> }> {
  const byRecipient = new Map<string, number>();
  const byStore = new Map<string, number>();
  const storeCapEndsInMs = new Map<string, number>();
  if (recipients.length) {
    const { rows } = await q.query<{ k: string; n: number }>(
      `SELECT r.k, (SELECT count(*)::int FROM (
                SELECT FROM outbox
                 WHERE recipient = r.k AND status = 'sent' AND sent_at > now() - interval '1 day'
                   AND audience = 'customer' AND cost_class IN ('utility', 'marketing')
                 LIMIT $2) c) AS n
         FROM unnest($1::text[]) AS r(k)`,
      [recipients, caps.perRecipient],
    );
    for (const r of rows) byRecipient.set(r.k, r.n);
  }
  if (storeIds.length) {
    const { rows } = await q.query<{ k: string; n: number; ends_in_ms: number | null }>(
      `SELECT s.k::text AS k, c.n, c.ends_in_ms
         FROM unnest($1::uuid[]) AS s(k)
        CROSS JOIN LATERAL (
              SELECT count(*)::int AS n,
                     CASE WHEN count(*) >= $2
                          THEN extract(epoch FROM min(t.sent_at) + interval '1 day' - now())::float8 * 1000 END
                       AS ends_in_ms
                FROM (SELECT sent_at FROM outbox
                       WHERE store_id = s.k AND status = 'sent' AND sent_at > now() - interval '1 day'
                         AND cost_class IN ('utility', 'marketing')
                       ORDER BY sent_at DESC
                       LIMIT $2) t) c`,
      [storeIds, caps.perStore],
    );
    for (const r of rows) {
      byStore.set(r.k, r.n);
      if (r.ends_in_ms !== null) storeCapEndsInMs.set(r.k, r.ends_in_ms);
    }
  }
  return { byRecipient, byStore, storeCapEndsInMs };
}

export interface ClaimedRow<P> {
  id: string;
  topic: string;
  recipient: string | null;
  payload: P | string;
  attempts: number;
  cost_class: string;
  audience: string;
  store_id: string | null;
}

/** Claims up to `limit` due rows (FOR UPDATE SKIP LOCKED), bumps their attempts and leases them for a while. */
export async function claimDueRows<P>(q: Queryable, limit: number, leaseSeconds: number): Promise<ClaimedRow<P>[]> {
  const { rows } = await q.query<ClaimedRow<P>>(
    `UPDATE outbox SET attempts = attempts + 1, next_attempt_at = now() + make_interval(secs => $2)
      WHERE id IN (SELECT id FROM outbox
                    WHERE status = 'pending' AND next_attempt_at <= now()
                    ORDER BY next_attempt_at, id
                    LIMIT $1
                    FOR UPDATE SKIP LOCKED)
      RETURNING id, topic, recipient, payload, attempts, cost_class, audience, store_id`,
    [limit, leaseSeconds],
  );
  return rows;
}

/** Each write below only lands for the worker whose claim is current (`attempts` is the claim token). */
export async function markFailed(q: Queryable, claim: { id: string; attempts: number }, error: string): Promise<void> {
  await q.query(
    `UPDATE outbox SET status = 'failed', last_error = $3 WHERE id = $1 AND attempts = $2 AND status = 'pending'`,
    [claim.id, claim.attempts, error],
  );
}

/**
 * The rows of one round, by primary key: `id = ANY($1)` puts the list in an index condition on outbox_pkey. Joined on
 * the list alone, the planner could hash-join it against every pending row (outbox_due_idx matches
 * `status = 'pending'`), a heap visit per pending row: 8.5 ms a statement at 3,000 pending. Now at most that
 * index's bitmap is ANDed in (0.06 ms at 3,000 pending), and from ~30,000 pending the 20 probes alone.
 */
const ROUND_ROWS = `outbox.id = ANY($1::uuid[]) AND outbox.id = d.id AND outbox.attempts = d.attempts
   AND outbox.status = 'pending'`;

/** Not sent: a daily cap was reached. One statement for the round's whole list (each row with its reason). */
export async function markSkipped(
  q: Queryable,
  skipped: readonly { id: string; attempts: number; reason: string }[],
): Promise<void> {
  if (skipped.length === 0) return;
  await q.query(
    `UPDATE outbox SET status = 'skipped', last_error = d.reason
       FROM unnest($1::uuid[], $2::int[], $3::text[]) AS d(id, attempts, reason)
      WHERE ${ROUND_ROWS}`,
    [skipped.map((r) => r.id), skipped.map((r) => r.attempts), skipped.map((r) => r.reason)],
  );
}

export async function markRetry(
  q: Queryable,
  claim: { id: string; attempts: number },
  error: string,
  delaySeconds: number,
): Promise<void> {
  await q.query(
    `UPDATE outbox SET last_error = $3, next_attempt_at = now() + make_interval(secs => $4) WHERE id = $1 AND attempts = $2 AND status = 'pending'`,
    [claim.id, claim.attempts, error, delaySeconds],
  );
}

/** One statement (one commit) for the whole batch of delivered messages. */
export async function markSent(q: Queryable, delivered: readonly { id: string; attempts: number }[]): Promise<void> {
  if (delivered.length === 0) return;
  await q.query(
    `UPDATE outbox SET status = 'sent', sent_at = now(), last_error = NULL
       FROM unnest($1::uuid[], $2::int[]) AS d(id, attempts)
      WHERE ${ROUND_ROWS}`,
    [delivered.map((r) => r.id), delivered.map((r) => r.attempts)],
  );
}
