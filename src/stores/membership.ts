import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Queryable } from '../db/db.js';
import { AppError, notFound } from '../shared/errors.js';
import { isUuid } from '../shared/ids.js';
import { selectMemberRole, type StoreRole } from './stores.repo.js';

export type { StoreRole } from './stores.repo.js';

export async function memberRole(q: Queryable, storeId: string, merchantId: string): Promise<StoreRole | null> {
  if (!isUuid(storeId)) return null;
  return selectMemberRole(q, storeId, merchantId);
}

/**
 * Route hook for every /stores/{storeId}/… endpoint: signed in, and a member of that store.
 * Anyone else gets 404 — the same answer as for a store that does not exist. src/app.ts runs it on every
 * route under /api/v1/stores/:storeId in onRequest; listing it on a route as well is harmless.
 */
export async function requireStoreMember(request: FastifyRequest, _reply: FastifyReply) {
  if (request.storeRole) return; // already checked for this request
  if (!request.session) throw new AppError(401, 'unauthorized', 'Sign in with a valid token');
  const storeId = (request.params as { storeId?: string }).storeId ?? '';
  const role = await memberRole(request.server.db, storeId, request.session.merchant.id);
  if (!role) throw notFound('Store not found');
  request.storeRole = role;
}
