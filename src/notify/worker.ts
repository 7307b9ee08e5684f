import type { FastifyBaseLogger } from 'fastify';
import type { Config } from '../config.js';
import type { Db } from '../db/db.js';

export interface OutboxWorker {
  stop(): Promise<void>;
}

/** Delivers outbox messages in the background. */
export function startOutboxWorker(_db: Db, _config: Config, _log: FastifyBaseLogger): OutboxWorker {
  return { stop: async () => {} };
}
