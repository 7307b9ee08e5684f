import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Queryable } from '../db/db.js';
import { AppError, forbidden, notFound } from '../shared/errors.js';
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
  if (!request.storeRole) {
    if (!request.session) throw new AppError('unauthorized', 'Sign in with a valid token');
    const storeId = (request.params as { storeId?: string }).storeId ?? '';
    const role = await memberRole(request.server.db, storeId, request.session.merchant.id);
    if (!role) throw notFound('Store not found');
    request.storeRole = role;
  }
  requireOwnerFor(request);
}

/**
 * Routes that only the store's owner may use declare `config: { ownerOnly: true }` (members, payment settings):
 * staff get `403 forbidden`. Checked right after membership, before the body is read.
 */
export function requireOwnerFor(request: FastifyRequest): void {
  const config = request.routeOptions.config as { ownerOnly?: boolean } | undefined;
  if (config?.ownerOnly && request.storeRole !== 'owner') throw forbidden('Only the store owner can do this');
}

/** Staff handle orders, products, stock, categories and coupons; where the money goes is the owner's. */
export function assertOwner(request: FastifyRequest, what: string): void {
  if (request.storeRole !== 'owner') throw forbidden(`Only the store owner can change ${what}`);
}
