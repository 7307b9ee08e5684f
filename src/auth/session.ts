import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Queryable } from '../db/db.js';
import { AppError } from '../shared/errors.js';
import { newId, newToken, sha256 } from '../shared/ids.js';

export interface Merchant {
  id: string;
  phone: string;
  name: string | null;
}

export interface SessionContext {
  merchant: Merchant;
  sessionId: string;
}

export const SESSION_DAYS = 30;
export const SESSION_COOKIE = 'dukaan_session';

export async function createSession(q: Queryable, merchantId: string): Promise<string> {
  const token = newToken();
  await q.query(
    `INSERT INTO sessions (id, token_hash, merchant_id, expires_at) VALUES ($1, $2, $3, now() + make_interval(days => $4))`,
    [newId(), sha256(token), merchantId, SESSION_DAYS],
  );
  return token;
}

export async function findSession(q: Queryable, token: string): Promise<SessionContext | null> {
  const { rows } = await q.query<{ session_id: string; id: string; phone: string; name: string | null }>(
    `SELECT s.id AS session_id, m.id, m.phone, m.name
       FROM sessions s JOIN merchants m ON m.id = s.merchant_id
      WHERE s.token_hash = $1 AND s.revoked_at IS NULL AND s.expires_at > now()`,
    [sha256(token)],
  );
  const row = rows[0];
  return row ? { sessionId: row.session_id, merchant: { id: row.id, phone: row.phone, name: row.name } } : null;
}

export async function revokeSession(q: Queryable, sessionId: string): Promise<void> {
  await q.query(`UPDATE sessions SET revoked_at = now() WHERE id = $1 AND revoked_at IS NULL`, [sessionId]);
}

/** The bearer token of the request: `Authorization: Bearer …`, or the dashboard's session cookie. */
export function requestToken(request: FastifyRequest): string | null {
  const header = request.headers.authorization;
  if (header) {
    const m = /^Bearer\s+([A-Za-z0-9_\-.~+/=]{10,200})$/.exec(header);
    return m ? m[1]! : null;
  }
  const cookies = (request as FastifyRequest & { cookies?: Record<string, string | undefined> }).cookies;
  return cookies?.[SESSION_COOKIE] ?? null;
}

/** Route hook: answers 401 unless the request carries a live session. */
export async function requireMerchant(request: FastifyRequest, _reply: FastifyReply) {
  if (!request.session) throw new AppError(401, 'unauthorized', 'Sign in with a valid token');
}
