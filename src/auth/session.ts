import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Queryable } from '../db/db.js';
import { AppError } from '../shared/errors.js';
import { newId, newToken, sha256 } from '../shared/ids.js';
import { insertSession, selectLiveSession, touchSession } from './session.repo.js';

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
  await insertSession(q, { id: newId(), tokenHash: sha256(token), merchantId, days: SESSION_DAYS });
  return token;
}

export const SESSION_IDLE_DAYS = 7;
/** last_used_at is written at most this often per session (not on every request). */
const TOUCH_EVERY_SECONDS = 300;

/** The live session of a token: not revoked, within its 30-day life, and used in the last `idleDays` days. */
export async function findSession(
  q: Queryable,
  token: string,
  idleDays = SESSION_IDLE_DAYS,
): Promise<SessionContext | null> {
  const row = await selectLiveSession(q, sha256(token), idleDays, TOUCH_EVERY_SECONDS);
  if (!row) return null;
  if (row.stale) await touchSession(q, row.session_id);
  return { sessionId: row.session_id, merchant: { id: row.id, phone: row.phone, name: row.name } };
}

export { revokeSession } from './session.repo.js';

/**
 * The token of the request: `Authorization: Bearer …`, or — for the dashboard's pages only (`cookie: true`) — the
 * session cookie. The JSON API never takes the cookie, so a cross-site form cannot act with it.
 */
export function requestToken(request: FastifyRequest, opts: { cookie: boolean } = { cookie: true }): string | null {
  const header = request.headers.authorization;
  if (header) {
    const m = /^Bearer\s+([A-Za-z0-9_\-.~+/=]{10,200})$/.exec(header);
    return m ? m[1]! : null;
  }
  if (!opts.cookie) return null;
  const cookies = (request as FastifyRequest & { cookies?: Record<string, string | undefined> }).cookies;
  return cookies?.[SESSION_COOKIE] ?? null;
}

/** Route hook: answers 401 unless the request carries a live session. */
export async function requireMerchant(request: FastifyRequest, _reply: FastifyReply) {
  if (!request.session) throw new AppError('unauthorized', 'Sign in with a valid token');
}
