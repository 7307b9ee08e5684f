/** SQL of sessions. Everything here takes a Queryable (a Db or a Tx). */
import type { Queryable } from '../db/db.js';

export async function insertSession(
  q: Queryable,
  s: { id: string; tokenHash: string; merchantId: string; days: number },
): Promise<void> {
  await q.query(
    `INSERT INTO sessions (id, token_hash, merchant_id, expires_at) VALUES ($1, $2, $3, now() + make_interval(days =>\
 $4))`,
    [s.id, s.tokenHash, s.merchantId, s.days],
  );
}

export interface LiveSessionRow {
  session_id: string;
  id: string;
  phone: string;
  name: string | null;
  /** last used longer than `touchEverySeconds` ago */
  stale: boolean;
}

/** The live session with this token hash (not revoked, not expired, used in the last `idleDays`), and its merchant. */
export async function selectLiveSession(
  q: Queryable,
  tokenHash: string,
  idleDays: number,
  touchEverySeconds: number,
): Promise<LiveSessionRow | null> {
  const { rows } = await q.query<LiveSessionRow>(
    `SELECT s.id AS session_id, m.id, m.phone, m.name,
            s.last_used_at < now() - make_interval(secs => $3) AS stale
       FROM sessions s JOIN merchants m ON m.id = s.merchant_id
      WHERE s.token_hash = $1 AND s.revoked_at IS NULL AND s.expires_at > now()
        AND s.last_used_at > now() - make_interval(days => $2)`,
    [tokenHash, idleDays, touchEverySeconds],
  );
  return rows[0] ?? null;
}

export async function touchSession(q: Queryable, sessionId: string): Promise<void> {
  await q.query(`UPDATE sessions SET last_used_at = now() WHERE id = $1`, [sessionId]);
}

export async function revokeSession(q: Queryable, sessionId: string): Promise<void> {
  await q.query(`UPDATE sessions SET revoked_at = now() WHERE id = $1 AND revoked_at IS NULL`, [sessionId]);
}
