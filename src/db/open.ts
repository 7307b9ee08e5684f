import type { PlanCacheMode } from '../config.js';
import type { Db } from './db.js';
import { createPgDb } from './pg.js';
import { createPgliteDb } from './pglite.js';

/** PostgreSQL when DATABASE_URL is set, else the embedded database under DATA_DIR. */
export async function openDb(config: {
  databaseUrl: string | null;
  dataDir: string;
  dbPoolMax?: number;
  dbPreparedStatements?: boolean;
  dbPlanCacheMode?: PlanCacheMode;
}): Promise<Db> {
  if (config.databaseUrl)
    return createPgDb(config.databaseUrl, {
      max: config.dbPoolMax,
      preparedStatements: config.dbPreparedStatements,
      planCacheMode: config.dbPlanCacheMode,
    });
  return createPgliteDb(`${config.dataDir}/pglite`);
}
