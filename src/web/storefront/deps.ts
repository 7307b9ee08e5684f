/** What every storefront page handler needs: the app (its databases and config) and the store of the request. */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Config } from '../../config.js';
import type { Db, Queryable } from '../../db/db.js';
import type { StoreContext } from './context.js';

export interface PageDeps {
  app: FastifyInstance;
  db: Db;
  config: Config;
  /** The request's store (by path or by host), its language and links; `on` reads it elsewhere (a replica). */
  ctxOf(request: FastifyRequest, reply?: FastifyReply | null, on?: Queryable): Promise<StoreContext>;
}

export type Params = Record<string, string | undefined>;
