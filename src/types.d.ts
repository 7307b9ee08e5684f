import type { Db, Queryable } from './db/db.js';
import type { Config } from './config.js';
import type { SessionContext } from './auth/session.js';
import type { StoreRole } from './stores/membership.js';
import type { RouteEntry, Services } from './app.js';

declare module 'fastify' {
  interface FastifyInstance {
    db: Db;
    /**
     * The server for this request's storefront reads: a replica that has replayed the client's last write, else the
     * primary (src/server/replica-reads.ts). Only for catalog reads; writes and decision reads use `db`.
     */
    readDb(request: FastifyRequest): Promise<Queryable>;
    config: Config;
    services: Services;
    routeTable: RouteEntry[];
  }
  interface FastifyRequest {
    session: SessionContext | null;
    storeRole?: StoreRole;
  }
}

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Store-scoped route for the store's owner only: staff get 403 forbidden (src/stores/membership.ts). */
    ownerOnly?: boolean;
  }
}
