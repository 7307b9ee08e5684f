import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Queryable } from '../db/db.js';
import { AppError } from '../shared/errors.js';
import { newId, newToken, sha256 } from '../shared/ids.js';
import { insertSession, selectLiveSession } from './session.repo.js';

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

export async function findSession(q: Queryable, token: string): Promise<SessionContext | null> {
  const row = await selectLiveSession(q, sha256(token));
  return row ? { sessionId: row.session_id, merchant: { id: row.id, phone: row.phone, name: row.name } } : null;
}

export { revokeSession } from './session.repo.js';

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
