/** SQL of sessions. Everything here takes a Queryable (a Db or a Tx). */
import type { Queryable } from '../db/db.js';

export async function insertSession(
  q: Queryable,
  s: { id: string; tokenHash: string; merchantId: string; days: number },
): Promise<void> {
  await q.query(
    `INSERT INTO sessions (id, token_hash, merchant_id, expires_at) VALUES ($1, $2, $3, now() + make_interval(days => $4))`,
    [s.id, s.tokenHash, s.merchantId, s.days],
  );
}

/** The live (not revoked, not expired) session with this token hash, and its merchant. */
export async function selectLiveSession(
  q: Queryable,
  tokenHash: string,
): Promise<{ session_id: string; id: string; phone: string; name: string | null } | null> {
  const { rows } = await q.query<{ session_id: string; id: string; phone: string; name: string | null }>(
    `SELECT s.id AS session_id, m.id, m.phone, m.name
       FROM sessions s JOIN merchants m ON m.id = s.merchant_id
      WHERE s.token_hash = $1 AND s.revoked_at IS NULL AND s.expires_at > now()`,
    [tokenHash],
  );
  return rows[0] ?? null;
}

export async function revokeSession(q: Queryable, sessionId: string): Promise<void> {
  await q.query(`UPDATE sessions SET revoked_at = now() WHERE id = $1 AND revoked_at IS NULL`, [sessionId]);
}
