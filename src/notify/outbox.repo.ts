/** SQL of the outbox table. Everything here takes a Queryable (a Db or a Tx). */
import type { Queryable } from '../db/db.js';

export async function insertOutboxRow(
  q: Queryable,
  row: { id: string; topic: string; recipient: string; payload: string },
): Promise<void> {
  await q.query(`INSERT INTO outbox (id, topic, recipient, payload) VALUES ($1, $2, $3, $4)`, [
    row.id,
    row.topic,
    row.recipient,
    row.payload,
  ]);
}

export interface ClaimedRow<P> {
  id: string;
  topic: string;
  recipient: string | null;
  payload: P | string;
  attempts: number;
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
      RETURNING id, topic, recipient, payload, attempts`,
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
  await q.query(
    `UPDATE outbox SET status = 'sent', sent_at = now(), last_error = NULL
       FROM jsonb_to_recordset($1::jsonb) AS d(id uuid, attempts integer)
      WHERE outbox.id = d.id AND outbox.attempts = d.attempts AND outbox.status = 'pending'`,
    [JSON.stringify(delivered)],
  );
}
